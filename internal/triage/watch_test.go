package triage

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
)

func TestWatchEventsAndLines(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 3, 12, 0, 0, time.UTC)
	report := func(sec int, status verdict.Status, fs ...findings.Finding) Report {
		return Report{Cluster: Cluster{TakenAt: t0.Add(time.Duration(sec) * time.Second)}, Status: status, Findings: fs}
	}
	down := findings.Finding{Code: "BROKER_DOWN", Severity: findings.Critical, Broker: findings.Int32(3), Summary: "broker 3 is down"}
	urp := func(p int32, sev findings.Severity) findings.Finding {
		return findings.Finding{Code: "UNDER_REPLICATED", Severity: sev, Topic: "orders", Partition: findings.Int32(p), Summary: fmt.Sprintf("orders/%d has 2 of 3", p)}
	}
	var w Watch
	var all []WatchEvent
	steps := []func() []WatchEvent{
		func() []WatchEvent { return w.Poll(report(0, verdict.OK)) },
		func() []WatchEvent {
			return w.Poll(report(5, verdict.Critical, down, urp(0, findings.Warning), urp(1, findings.Warning), urp(2, findings.Warning), urp(3, findings.Warning)))
		},
		func() []WatchEvent {
			return w.Failed(t0.Add(10*time.Second), errors.New("no bootstrap\n server answered"))
		},
		func() []WatchEvent { return w.Failed(t0.Add(15*time.Second), errors.New("again")) }, // said once
		func() []WatchEvent {
			return w.Poll(report(20, verdict.Critical, down, urp(0, findings.Critical), urp(1, findings.Warning), urp(2, findings.Warning), urp(3, findings.Warning)))
		},
		func() []WatchEvent { return w.Poll(report(62, verdict.OK)) },
	}
	for _, s := range steps {
		all = append(all, s()...)
	}
	if all[0].Event != Started || all[0].Report == nil {
		t.Fatalf("first event %+v", all[0])
	}
	var buf bytes.Buffer
	if err := WriteWatchEvents(&buf, all[1:]); err != nil {
		t.Fatal(err)
	}
	want := `2026-03-14T03:12:05Z  appeared  CRITICAL BROKER_DOWN broker 3: broker 3 is down
2026-03-14T03:12:05Z  appeared  WARNING  UNDER_REPLICATED 4 partitions: orders (4)
2026-03-14T03:12:05Z  status    CRITICAL was OK
2026-03-14T03:12:10Z  failed    UNKNOWN  cannot collect: no bootstrap server answered
2026-03-14T03:12:20Z  recovered CRITICAL the cluster answers again
2026-03-14T03:12:20Z  severity  CRITICAL UNDER_REPLICATED orders/0: was warning; orders/0 has 2 of 3
2026-03-14T03:13:02Z  cleared   CRITICAL BROKER_DOWN broker 3, after 57s
2026-03-14T03:13:02Z  cleared   CRITICAL UNDER_REPLICATED 4 partitions: orders (4)
2026-03-14T03:13:02Z  status    OK       was CRITICAL
`
	// More than 3 changes of one kind and code fold into one line (JSON
	// has each): the worst one's severity.
	if got := buf.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}
