package cli

import (
	"context"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// TestEveryCommandReportsTheSameCounts: for the same snapshot, triage (its
// counts, its findings and its blast radius), describe topics, describe
// partitions with each kafka-topics.sh filter, evidence metrics and every
// runbook's findings count the same offline, under min ISR, at min ISR
// and under-replicated partitions.
func TestEveryCommandReportsTheSameCounts(t *testing.T) {
	lib, err := runbooks.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range []string{"healthy", "degraded", "zombie"} {
		t.Run(fx, func(t *testing.T) {
			snap := loadFixture(t, fx)
			want := health.Count(snap)
			rep := triage.Build(snap, nil)
			if rep.Counts != want {
				t.Errorf("triage counts %+v, want %+v", rep.Counts, want)
			}
			// byCode compares the findings' counts; offline is false for a
			// runbook that leaves offline partitions to another.
			byCode := func(name string, fs []findings.Finding, offline bool) {
				t.Helper()
				n := map[string]int{}
				for _, f := range fs {
					n[f.Code]++
				}
				wantOffline := want.Offline
				if !offline {
					wantOffline = 0
				}
				got := [4]int{n[findings.OfflinePartition], n[findings.UnderMinISR], n[findings.AtMinISR], n[findings.UnderReplicated]}
				if got != [4]int{wantOffline, want.UnderMinISR, want.AtMinISR, want.UnderReplicated} {
					t.Errorf("%s: findings offline/under-min/at-min/urp %v, want %+v", name, got, want)
				}
			}
			byCode("triage findings", rep.Findings, true)
			s := rep.Summary.Counts
			if s[findings.OfflinePartition] != want.Offline || s[findings.UnderMinISR] != want.UnderMinISR ||
				s[findings.AtMinISR] != want.AtMinISR || s[findings.UnderReplicated] != want.UnderReplicated {
				t.Errorf("blast radius counts %v, want %+v", s, want)
			}

			var topics health.Counts
			for _, r := range views.Topics(snap, views.Filter{}).Topics {
				topics.Offline += r.Offline
				topics.UnderMinISR += max(r.UnderMinISR, 0)
				topics.AtMinISR += max(r.AtMinISR, 0)
				topics.UnderReplicated += r.UnderReplicated
			}
			if topics.Offline != want.Offline || topics.UnderMinISR != want.UnderMinISR || topics.AtMinISR != want.AtMinISR || topics.UnderReplicated != want.UnderReplicated {
				t.Errorf("describe topics sums %+v, want %+v", topics, want)
			}
			for name, f := range map[string]views.Filter{
				"--unavailable-partitions": {Unavailable: true}, "--under-min-isr-partitions": {UnderMinISR: true},
				"--at-min-isr-partitions": {AtMinISR: true}, "--under-replicated-partitions": {UnderReplicated: true},
			} {
				wantRows := map[string]int{"--unavailable-partitions": want.Offline, "--under-min-isr-partitions": want.UnderMinISR,
					"--at-min-isr-partitions": want.AtMinISR, "--under-replicated-partitions": want.UnderReplicated}[name]
				if got := len(views.Partitions(snap, f).Partitions); got != wantRows {
					t.Errorf("describe partitions %s lists %d partitions, want %d", name, got, wantRows)
				}
			}
			m := evidence.Measure(snap)
			if m.Offline != want.Offline || m.UnderMinISR != want.UnderMinISR || m.UnderReplicated != want.UnderReplicated {
				t.Errorf("evidence metrics %+v, want %+v", m, want)
			}

			// isr-shrinkage leaves offline partitions to broker-failure.
			for name, offline := range map[string]bool{"broker-failure": true, "isr-shrinkage": false} {
				rb, _ := lib.Get(name)
				tr, err := runbooks.Walk(context.Background(), rb, replayEnv(snap, t.TempDir()), runbooks.WalkOptions{})
				if err != nil {
					t.Fatal(err)
				}
				byCode("run "+name, tr.Findings, offline)
			}
		})
	}
}
