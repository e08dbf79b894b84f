package views

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// partitionKeys lists "topic-partition" of every row, in view order.
func partitionKeys(v PartitionsView) []string {
	out := []string{}
	for _, p := range v.Partitions {
		out = append(out, fmt.Sprintf("%s-%d", p.Topic, p.Partition))
	}
	return out
}

// TestPartitionFilters runs each filter, and combinations, against the
// degraded fixture. Its partitions, for reference:
//
//	__consumer_offsets-0,1,2  ISR 2 of 3, min ISR 2   under-replicated, at min ISR (internal)
//	clickstream-0,1           ISR 1 of 2, min ISR 1   under-replicated, at min ISR
//	orders-0                  ISR 2 of 3, min ISR 2   under-replicated, at min ISR
//	orders-1                  ISR 1 of 3, min ISR 2   under-replicated, under min ISR
//	orders-2                  no leader, ISR [3]      offline (and under min ISR, as kafka-topics.sh counts it)
//	payments-0,1              ISR 2 of 3, min ISR ?   under-replicated, min ISR not evaluable
func TestPartitionFilters(t *testing.T) {
	all := []string{"__consumer_offsets-0", "__consumer_offsets-1", "__consumer_offsets-2", "clickstream-0", "clickstream-1",
		"orders-0", "orders-1", "orders-2", "payments-0", "payments-1"}
	atMin := []string{"__consumer_offsets-0", "__consumer_offsets-1", "__consumer_offsets-2", "clickstream-0", "clickstream-1", "orders-0"}
	cases := []struct {
		name   string
		filter Filter
		want   []string
		why    string
	}{
		{"none", Filter{}, all, "no filter shows everything"},
		{"under-replicated", Filter{UnderReplicated: true}, all, "broker 3 is in every replica set and no ISR but orders-2's"},
		{"unavailable", Filter{Unavailable: true}, []string{"orders-2"}, "only orders-2 lost its leader"},
		{"under-min-isr", Filter{UnderMinISR: true}, []string{"orders-1", "orders-2"}, "ISR 1 < 2, and leaderless counts"},
		{"at-min-isr", Filter{AtMinISR: true}, atMin, "payments has no known min ISR, so never matches"},
		{"states OR", Filter{Unavailable: true, UnderMinISR: true}, []string{"orders-1", "orders-2"}, "state filters combine with OR"},
		{"state AND topic", Filter{AtMinISR: true, Topics: []string{"orders"}}, []string{"orders-0"}, "name and state filters combine with AND"},
		{"exclude internal", Filter{AtMinISR: true, ExcludeInternal: true}, []string{"clickstream-0", "clickstream-1", "orders-0"}, "internal topics hidden"},
		{"topics exact", Filter{Topics: []string{"payments", "order"}}, []string{"payments-0", "payments-1"}, "names match exactly, not by prefix"},
		{"unknown min ISR", Filter{UnderMinISR: true, Topics: []string{"payments"}}, []string{}, "cannot evaluate is not a match (a warning says so)"},
		{"unknown topic", Filter{Topics: []string{"nope"}}, []string{}, "an unknown topic shows nothing"},
	}
	snap := load(t, "degraded")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := partitionKeys(Partitions(snap, c.filter))
			if !slices.Equal(got, c.want) {
				t.Errorf("%s:\n got %v\nwant %v", c.why, got, c.want)
			}
		})
	}
}

func TestHealthyClusterMatchesNoStateFilter(t *testing.T) {
	snap := load(t, "healthy")
	for _, f := range []Filter{{UnderReplicated: true}, {Unavailable: true}, {UnderMinISR: true}, {AtMinISR: true}} {
		if got := partitionKeys(Partitions(snap, f)); len(got) != 0 {
			t.Errorf("%+v matched %v on a healthy cluster", f, got)
		}
	}
}

func TestTopicFilters(t *testing.T) {
	cases := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"none", Filter{}, []string{"__consumer_offsets", "clickstream", "orders", "payments"}},
		{"unavailable", Filter{Unavailable: true}, []string{"orders"}},
		{"under-min-isr", Filter{UnderMinISR: true}, []string{"orders"}},
		{"exclude internal", Filter{ExcludeInternal: true, AtMinISR: true}, []string{"clickstream", "orders"}},
		{"topic", Filter{Topics: []string{"payments"}}, []string{"payments"}},
	}
	snap := load(t, "degraded")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := []string{}
			for _, r := range Topics(snap, c.filter).Topics {
				got = append(got, r.Name)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestGroupFilters(t *testing.T) {
	cases := []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"none", Filter{}, []string{"analytics", "billing", "orders-service"}},
		{"group", Filter{Groups: []string{"billing"}}, []string{"billing"}},
		{"topic keeps consumers of it", Filter{Topics: []string{"orders"}}, []string{"orders-service"}},
		{"group AND topic", Filter{Groups: []string{"billing"}, Topics: []string{"orders"}}, []string{}},
		{"unknown group", Filter{Groups: []string{"nope"}}, []string{}},
	}
	snap := load(t, "degraded")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := []string{}
			for _, g := range Groups(snap, c.filter).Groups {
				got = append(got, g.Group)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestWarningsFollowFilter: an error about a topic the user filtered out is
// noise, an error about everything stays.
func TestWarningsFollowFilter(t *testing.T) {
	snap := load(t, "degraded")
	has := func(w []Warning, subject string) bool {
		return slices.ContainsFunc(w, func(x Warning) bool { return x.Subject == subject })
	}
	all := Partitions(snap, Filter{}).Warnings
	orders := Partitions(snap, Filter{Topics: []string{"orders"}}).Warnings
	if !has(all, "payments") {
		t.Error("unfiltered view lost the payments config warning")
	}
	if has(orders, "payments") {
		t.Error("--topic orders still warns about payments")
	}
	if !slices.ContainsFunc(orders, func(x Warning) bool { return x.Source == snapshot.SourceOffsets }) {
		t.Error("--topic orders dropped the offsets warning that concerns every topic")
	}
}

func TestFilterDescribe(t *testing.T) {
	f := Filter{Unavailable: true, UnderReplicated: true, Topics: []string{"b", "a", "a"}, ExcludeInternal: true}
	want := "under-replicated or unavailable; topic a, b; internal topics excluded"
	if got := f.describe(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (Filter{}).describe(); got != "" {
		t.Errorf("empty filter describes as %q", got)
	}
	if !strings.Contains(Filter{Groups: []string{"g"}}.describe(), "group g") {
		t.Error("group filter not described")
	}
}
