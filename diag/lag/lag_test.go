package lag

import (
	"slices"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// sampleAt builds sample i (t0 + 30 s × i) of a cluster of three live
// brokers and one topic, orders, of three partitions led by brokers 1, 2
// and 3, log start 0, retention.ms 7 days; edits break it.
func sampleAt(i int, groups []snapshot.Group, edits ...func(*snapshot.Snapshot)) *snapshot.Snapshot {
	s := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, TakenAt: t0.Add(time.Duration(i) * 30 * time.Second), Groups: groups}
	t := snapshot.Topic{Name: "orders", ReplicationFactor: 3, Configs: map[string]snapshot.ConfigValue{
		"retention.ms": {Value: "604800000"}, "retention.bytes": {Value: "-1"}}}
	for id := int32(1); id <= 3; id++ {
		s.Brokers = append(s.Brokers, snapshot.Broker{ID: id, Registered: true, FencedKnown: true, Probe: snapshot.Probe{Status: snapshot.StatusOK}})
		t.Partitions = append(t.Partitions, snapshot.Partition{Topic: "orders", ID: id - 1, Leader: id, Replicas: []int32{id},
			ISR: []int32{id}, EarliestOffset: 0, LatestOffset: 10_000})
	}
	s.Topics = []snapshot.Topic{t}
	for _, e := range edits {
		e(s)
	}
	s.Normalize()
	return s
}

// over makes one sample per state of a group, oldest first.
func over(states ...snapshot.Group) []*snapshot.Snapshot {
	out := make([]*snapshot.Snapshot, len(states))
	for i, g := range states {
		out[i] = sampleAt(i, []snapshot.Group{g})
	}
	return out
}

// classic and consumer build group g's state in one sample.
func classic(state string, members []string, offs ...snapshot.GroupOffset) snapshot.Group {
	return testkit.Group("g", state, 0, members, offs...)
}

func consumer(state string, epoch int32, members []string, offs ...snapshot.GroupOffset) snapshot.Group {
	return testkit.Group("g", state, epoch, members, offs...)
}

// off is a committed offset on orders/p with its lag.
func off(p int32, committed, lag int64) snapshot.GroupOffset {
	return testkit.Offset("orders", p, committed, lag)
}

var ab = []string{"a", "b"}

// TestEvaluate states, per numbered case, a group over its samples, the
// group's status and each partition's, whether it is a rebalance storm and
// whether it stopped within the window, and why.
func TestEvaluate(t *testing.T) {
	cases := []struct {
		name       string
		samples    []*snapshot.Snapshot
		status     Status
		partitions []Status
		storm      bool
		stopped    bool
		why        string
	}{
		{name: "1 classic group that keeps up", samples: over(
			classic("Stable", ab, off(0, 100, 0), off(1, 100, 4)),
			classic("Stable", ab, off(0, 160, 2), off(1, 170, 3)),
			classic("Stable", ab, off(0, 220, 1), off(1, 230, 4))),
			status: OK, partitions: []Status{OK, OK}, why: "lag zero once on 0; small and not growing on 1"},
		{name: "2 KIP-848 group that keeps up", samples: over(
			consumer("Stable", 7, ab, off(0, 100, 3)),
			consumer("Stable", 7, ab, off(0, 160, 3)),
			consumer("Stable", 7, ab, off(0, 220, 2))),
			status: OK, partitions: []Status{OK}, why: "steady epoch, lag steady"},
		{name: "3 classic member churn", samples: over(
			classic("Stable", ab, off(0, 100, 0)), classic("Stable", []string{"a", "c"}, off(0, 110, 0)),
			classic("Stable", []string{"c", "d"}, off(0, 120, 0)), classic("Stable", []string{"d", "e"}, off(0, 130, 0))),
			status: OK, partitions: []Status{OK}, storm: true, why: "member ids changed three times"},
		{name: "4 KIP-848 epoch bumps", samples: over(
			consumer("Stable", 5, ab, off(0, 100, 0)), consumer("Reconciling", 7, ab, off(0, 110, 0)), consumer("Stable", 8, ab, off(0, 120, 0))),
			status: OK, partitions: []Status{OK}, storm: true, why: "epoch 5 to 8: three rebalances"},
		{name: "5 rebalancing in most samples", samples: over(
			classic("PreparingRebalance", ab, off(0, 100, 0)), classic("CompletingRebalance", ab, off(0, 100, 0)), classic("Stable", ab, off(0, 110, 0))),
			status: OK, partitions: []Status{OK}, storm: true, why: "in a rebalance in 2 of 3 samples, though it counts as one"},
		{name: "6 Empty and still all along", samples: over(
			classic("Empty", nil, off(0, 100, 50)), classic("Empty", nil, off(0, 100, 60)), classic("Empty", nil, off(0, 100, 70))),
			status: Stopped, partitions: []Status{Stopped}, why: "Rule 4, but it stopped before the window: not stopped now"},
		{name: "7 members left during the window", samples: over(
			classic("Stable", ab, off(0, 100, 50)), classic("Empty", nil, off(0, 100, 60)), classic("Empty", nil, off(0, 100, 70))),
			status: Stopped, partitions: []Status{Stopped}, stopped: true, why: "it had members in the first sample"},
		{name: "8 one partition without a leader", samples: []*snapshot.Snapshot{
			sampleAt(0, []snapshot.Group{classic("Stable", ab, off(0, 100, 0), off(2, 100, 5))}),
			sampleAt(1, []snapshot.Group{classic("Stable", ab, off(0, 110, 0), off(2, 100, -1))}, func(s *snapshot.Snapshot) {
				s.Topics[0].Partitions[2].Leader = -1
			})},
			status: Blocked, partitions: []Status{OK, Blocked}, why: "Rule 6 outranks OK: nobody can read orders/2"},
		{name: "9 offsets unreadable", samples: over(
			classic("Stable", ab, off(0, 100, -1)), classic("Stable", ab, off(0, 100, -1))),
			status: Error, partitions: []Status{Error}, why: "lag -1 throughout"},
		{name: "10 group error and no offsets", samples: over(
			snapshot.Group{ID: "g", State: "Stable", Error: "COORDINATOR_NOT_AVAILABLE"}),
			status: Error, partitions: []Status{}, why: "the group's OffsetFetch failed"},
		{name: "11 partition new in the current sample", samples: over(
			classic("Stable", ab, off(0, 100, 0)), classic("Stable", ab, off(0, 110, 0), off(1, 5, 5))),
			status: OK, partitions: []Status{OK, NotEnoughData}, why: "one unknown partition does not hide the others"},
		{name: "12 worst partition wins", samples: over(
			classic("Stable", ab, off(0, 100, 10), off(1, 100, 10)),
			classic("Stable", ab, off(0, 150, 20), off(1, 100, 20))),
			status: Stalled, partitions: []Status{Warning, Stalled}, why: "STALLED ranks above WARNING"},
		{name: "13 one sample", samples: over(classic("Stable", ab, off(0, 100, 10))),
			status: NotEnoughData, partitions: []Status{NotEnoughData}, why: "no window"},
		{name: "14 samples in any order", samples: reversed(over(
			classic("Stable", ab, off(0, 100, 10)), classic("Stable", ab, off(0, 100, 20)))),
			status: Stalled, partitions: []Status{Stalled}, why: "ordered by TakenAt, not by position"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gs := Evaluate(tc.samples)
			if len(gs) != 1 {
				t.Fatalf("%d groups, want 1", len(gs))
			}
			g := gs[0]
			var ps []Status
			for _, p := range g.Partitions {
				ps = append(ps, p.Status)
			}
			if g.Status != tc.status || !slices.Equal(ps, tc.partitions) {
				t.Errorf("status %s, partitions %v; want %s, %v (%s)", g.Status, ps, tc.status, tc.partitions, tc.why)
			}
			if g.Storm() != tc.storm || g.StoppedWithinWindow() != tc.stopped {
				t.Errorf("storm %v stopped %v (rebalances %+v); want %v %v (%s)", g.Storm(), g.StoppedWithinWindow(), g.Rebalances, tc.storm, tc.stopped, tc.why)
			}
		})
	}
}

func reversed(ss []*snapshot.Snapshot) []*snapshot.Snapshot {
	slices.Reverse(ss)
	return ss
}

// TestRebalanceEvidence: the count, how it was counted, and who came and
// went.
func TestRebalanceEvidence(t *testing.T) {
	g := Evaluate(over(
		classic("Stable", ab, off(0, 100, 0)), classic("Stable", []string{"a", "c"}, off(0, 110, 0)),
		classic("Stable", []string{"c", "d"}, off(0, 120, 0))))[0]
	r := g.Rebalances
	if r.Count != 2 || r.Rule != CountedByMembers || !slices.Equal(r.Joined, []string{"c", "d"}) || !slices.Equal(r.Left, []string{"a", "b"}) {
		t.Errorf("rebalances %+v", r)
	}
	k := Evaluate(over(consumer("Stable", 5, ab), consumer("Stable", 9, ab)))[0].Rebalances
	if k.Count != 4 || k.Rule != CountedByGroupEpoch || len(k.Joined) != 0 || k.Joined == nil {
		t.Errorf("KIP-848 rebalances %+v", k)
	}
}

// TestRatesAndTimeLag: records per second from offsets over TakenAt, and
// the age of the next unconsumed record from its timestamp.
func TestRatesAndTimeLag(t *testing.T) {
	next := t0.Add(30*time.Second - 90*time.Minute).UnixMilli()
	cur := off(0, 700, 400)
	cur.NextTimestampMillis = next
	p := Evaluate(over(classic("Stable", ab, off(0, 100, 100)), classic("Stable", ab, cur)))[0].Partitions[0]
	if p.ConsumeRate != 20 || p.ProduceRate != 30 || p.WindowMillis != 30_000 || !slices.Equal(p.Lags, []int64{100, 400}) {
		t.Errorf("rates %v/%v over %d ms, lags %v; want 20/30 records/s over 30000 ms", p.ConsumeRate, p.ProduceRate, p.WindowMillis, p.Lags)
	}
	if p.TimeLagMillis != (90 * time.Minute).Milliseconds() {
		t.Errorf("time lag %d ms, want 90 min", p.TimeLagMillis)
	}
	if p.Deletion.Rule != ByRetentionMs || p.Deletion.ETAMillis != (7*24*time.Hour-90*time.Minute).Milliseconds() {
		t.Errorf("deletion %+v, want retention.ms − 90 min", p.Deletion)
	}
}

// TestJudgeAnswersWhatIsAsked: one group judged alone is the same as in
// the whole judgement; a group the current sample lacks is no answer.
func TestJudgeAnswersWhatIsAsked(t *testing.T) {
	samples := over(classic("Stable", ab, off(0, 100, 10)), classic("Stable", ab, off(0, 100, 20)))
	j := NewJudge(samples)
	one, ok := j.Group("g")
	all := j.Groups()
	if !ok || len(all) != 1 || one.Status != Stalled || all[0].Status != one.Status {
		t.Errorf("Group: %v %s; Groups: %+v", ok, one.Status, all)
	}
	if _, ok := j.Group("other"); ok {
		t.Error("a group the current sample lacks was judged")
	}
	if gs := NewJudge(nil).Groups(); gs == nil || len(gs) != 0 {
		t.Errorf("no samples: %v, want an empty list", gs)
	}
}
