package lag

import (
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestDeletion states, per numbered case, the topic's retention, the age of
// the next unconsumed record, how the log start moved, both estimates, the
// one chosen and why.
func TestDeletion(t *testing.T) {
	const day = 24 * time.Hour
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	topic := func(retMs, retBytes string) *snapshot.Topic {
		return &snapshot.Topic{Name: "orders", Configs: map[string]snapshot.ConfigValue{
			"retention.ms": {Value: retMs}, "retention.bytes": {Value: retBytes}}}
	}
	// moving: the log start went from 0 to 600 in 60 s (10 records/s).
	moving := func(committed int64) []point {
		return []point{{at: t0, committed: committed, logStart: 0}, {at: t0.Add(time.Minute), committed: committed, logStart: 600}}
	}
	still := []point{{at: t0, committed: 5000, logStart: 0}, {at: t0.Add(time.Minute), committed: 5000, logStart: 0}}
	cases := []struct {
		name      string
		topic     *snapshot.Topic
		committed int64
		lag       int64
		age       time.Duration // -1: unknown
		ps        []point
		byTime    int64
		byRate    int64
		eta       int64
		rule      string
		why       string
	}{
		{name: "1 a week's retention, record 6d23h old", topic: topic("604800000", "-1"), committed: 5000, lag: 10, age: 7*day - time.Hour, ps: still,
			byTime: ms(time.Hour), byRate: -1, eta: ms(time.Hour), rule: ByRetentionMs, why: "retention.ms − age; the log start did not move"},
		{name: "2 record already older than retention", topic: topic("604800000", "-1"), committed: 5000, lag: 10, age: 8 * day, ps: still,
			byTime: 0, byRate: -1, eta: 0, rule: ByRetentionMs, why: "deletable now: only its segment's newer records keep it"},
		{name: "3 retention.bytes only, log start moving", topic: topic("-1", "1073741824"), committed: 1199, lag: 10, age: day, ps: moving(1199),
			byTime: -1, byRate: 60_000, eta: 60_000, rule: ByLogStartRate, why: "600 more records at 10/s; retention.ms unlimited"},
		{name: "4 both known, the rate is sooner", topic: topic("604800000", "-1"), committed: 1199, lag: 10, age: 6 * day, ps: moving(1199),
			byTime: ms(day), byRate: 60_000, eta: 60_000, rule: ByLogStartRate, why: "the smaller known estimate"},
		{name: "5 both known, time is sooner", topic: topic("604800000", "-1"), committed: 36_599, lag: 10, age: 7*day - 30*time.Second, ps: moving(36_599),
			byTime: 30_000, byRate: 3_600_000, eta: 30_000, rule: ByRetentionMs, why: "the smaller known estimate"},
		{name: "6 age unknown, log start not moving", topic: topic("604800000", "-1"), committed: 5000, lag: 10, age: -1, ps: still,
			byTime: -1, byRate: -1, eta: -1, why: "nothing to estimate from"},
		{name: "7 no retention at all", topic: topic("-1", "-1"), committed: 5000, lag: 10, age: 30 * day, ps: still,
			byTime: -1, byRate: -1, eta: -1, why: "nothing is ever deleted by time or size"},
		{name: "8 nothing unread", topic: topic("604800000", "-1"), committed: 5000, lag: 0, age: 8 * day, ps: still,
			byTime: -1, byRate: -1, eta: -1, why: "lag zero: no record waits"},
		{name: "9 configs not read", topic: nil, committed: 5000, lag: 10, age: day, ps: still,
			byTime: -1, byRate: -1, eta: -1, why: "retention unknown"},
		{name: "10 already deleted", topic: topic("604800000", "1073741824"), committed: 500, lag: 10, age: day, ps: moving(500),
			byTime: -1, byRate: -1, eta: -1, why: "log start past committed: LOG_START_ADVANCED's case, no estimate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := snapshot.GroupOffset{Topic: "orders", Committed: tc.committed, Latest: tc.committed + tc.lag, Lag: tc.lag}
			age := int64(-1)
			if tc.age >= 0 {
				age = ms(tc.age)
			}
			d := deletionOf(o, tc.ps[len(tc.ps)-1].logStart, tc.ps, age, limitsOf(tc.topic))
			if d.ByTimeMillis != tc.byTime || d.ByRateMillis != tc.byRate || d.ETAMillis != tc.eta || d.Rule != tc.rule {
				t.Errorf("by time %d, by rate %d, eta %d by %q; want %d, %d, %d by %q (%s)",
					d.ByTimeMillis, d.ByRateMillis, d.ETAMillis, d.Rule, tc.byTime, tc.byRate, tc.eta, tc.rule, tc.why)
			}
		})
	}
}

func TestRetentionConfig(t *testing.T) {
	tp := snapshot.Topic{Configs: map[string]snapshot.ConfigValue{"retention.ms": {Value: "-1"}, "retention.bytes": {Value: "x"}}}
	if got := retention(tp, "retention.ms"); got != RetentionUnlimited {
		t.Errorf("retention.ms -1 read as %d", got)
	}
	if got := retention(tp, "retention.bytes"); got != RetentionUnknown {
		t.Errorf("retention.bytes x read as %d", got)
	}
	if got := retention(snapshot.Topic{}, "retention.ms"); got != RetentionUnknown {
		t.Errorf("no configs read as %d", got)
	}
}
