package views

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// TestBrokerOnlyInReplicas: an id named only in replica lists, and missing
// from the snapshot's broker list, still gets a row.
func TestBrokerOnlyInReplicas(t *testing.T) {
	snap := load(t, "degraded")
	snap.Brokers = slices.DeleteFunc(snap.Brokers, func(b snapshot.Broker) bool { return b.ID == 3 })
	v := Brokers(snap, Filter{})
	i := slices.IndexFunc(v.Brokers, func(b BrokerRow) bool { return b.ID == 3 })
	if i < 0 {
		t.Fatal("broker 3 missing from the view")
	}
	b := v.Brokers[i]
	if b.Registered || b.Replicas != 10 || b.Probe != snapshot.StatusNotProbed || !slices.Equal(b.LearnedFrom, []string{"replicas"}) {
		t.Errorf("unexpected row %+v", b)
	}
}

// TestUnexplainedGapsWarn: data that is absent without a collection error
// still produces a warning.
func TestUnexplainedGapsWarn(t *testing.T) {
	snap := load(t, "healthy")
	snap.LogDirs = slices.DeleteFunc(snap.LogDirs, func(d snapshot.LogDir) bool { return d.Broker == 2 })
	snap.BrokerConfigs = slices.DeleteFunc(snap.BrokerConfigs, func(c snapshot.BrokerConfig) bool { return c.Broker == 2 })
	for i := range snap.Topics {
		if snap.Topics[i].Name == "orders" {
			snap.Topics[i].Configs = nil
		}
	}
	want := func(ws []Warning, source string, broker int32, subject string) {
		t.Helper()
		if !slices.ContainsFunc(ws, func(w Warning) bool {
			return w.Source == source && w.Broker == broker && w.Subject == subject && w.Kind == KindMissing
		}) {
			t.Errorf("no %s warning for broker %d %q in %+v", source, broker, subject, ws)
		}
	}
	want(LogDirs(snap, Filter{}).Warnings, snapshot.SourceLogDirs, 2, "")
	want(Configs(snap, Filter{}).Warnings, snapshot.SourceBrokerConfigs, 2, "")
	want(Configs(snap, Filter{}).Warnings, snapshot.SourceTopicConfigs, -1, "orders")
	want(Topics(snap, Filter{}).Warnings, snapshot.SourceTopicConfigs, -1, "orders")
	want(Partitions(snap, Filter{}).Warnings, snapshot.SourceTopicConfigs, -1, "orders")
}

// TestEmptyResultSaysSo: a filter that matches nothing prints a sentence,
// not a bare header.
func TestEmptyResultSaysSo(t *testing.T) {
	v := Partitions(load(t, "healthy"), Filter{Unavailable: true})
	var b bytes.Buffer
	if err := render.View(&b, render.Options{Format: render.FormatTable}, v); err != nil {
		t.Fatal(err)
	}
	want := "Partitions (0 of 10 match)\nno partitions match\nfilter: unavailable\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestFilteredGolden pins the view an engineer runs first in an incident.
func TestFilteredGolden(t *testing.T) {
	v := Partitions(load(t, "degraded"), Filter{Unavailable: true, UnderMinISR: true, ExcludeInternal: true})
	var b bytes.Buffer
	if err := render.View(&b, render.Options{Format: render.FormatTable}, v); err != nil {
		t.Fatal(err)
	}
	golden(t, "partitions-degraded-filtered.txt", b.Bytes())
}

func TestWarningString(t *testing.T) {
	cases := []struct {
		w    Warning
		want string
	}{
		{Warning{Source: snapshot.SourceLogDirs, Broker: 3, Kind: snapshot.KindTimeout, Message: "i/o timeout"},
			"log dirs unavailable from broker 3 (timeout): i/o timeout"},
		{Warning{Source: snapshot.SourceOffsets, Broker: -1, Kind: snapshot.KindOther, Message: "x"},
			"partition offsets unavailable: x"}, // "(other)" says nothing
		{missing(snapshot.SourceTopicConfigs, -1, "orders", "no configs collected"),
			"topic configs for orders: no configs collected"},
		{Warning{Source: "future_source", Broker: -1, Kind: "k", Message: "m"}, "future_source unavailable (k): m"},
	}
	for _, c := range cases {
		if got := c.w.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if !strings.Contains(Warning{Source: snapshot.SourceGroups, Broker: 1, Subject: "g", Kind: "k", Message: "m"}.String(), "for g") {
		t.Error("subject missing")
	}
}
