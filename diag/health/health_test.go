package health

import (
	"fmt"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestHealth states, for each case, the inputs, every flag and why.
func TestHealth(t *testing.T) {
	t3 := func(minISR string) snapshot.Topic {
		tp := snapshot.Topic{Name: "t"}
		if minISR != "" {
			tp.Configs = map[string]snapshot.ConfigValue{"min.insync.replicas": {Value: minISR}}
		}
		return tp
	}
	type want = healthWant
	yes, no := ptr(true), ptr(false)
	cases := []struct {
		name   string
		topic  snapshot.Topic
		p      snapshot.Partition
		adding []int32
		want   want
	}{
		{"1 healthy", t3("2"), part(1, []int32{1, 2, 3}, []int32{1, 2, 3}), nil,
			want{3, 2, false, false, no, no, StatusOK}},
		{"2 one follower out", t3("2"), part(1, []int32{1, 2, 3}, []int32{1, 2}), nil,
			want{3, 2, true, false, no, yes, StatusAtMinISR}},
		{"3 two followers out", t3("2"), part(1, []int32{1, 2, 3}, []int32{1}), nil,
			want{3, 2, true, false, yes, no, StatusUnderMinISR}},
		{"4 no leader, ISR keeps the last member", t3("2"), part(-1, []int32{1, 2, 3}, []int32{3}), nil,
			want{3, 2, true, true, yes, no, StatusOffline}},
		{"5 leader on a fenced broker", t3("2"), part(4, []int32{4, 1, 2}, []int32{4, 1, 2}), nil,
			want{3, 2, false, true, no, no, StatusOffline}},
		{"6 leader not registered", t3("2"), part(9, []int32{9, 1, 2}, []int32{9, 1, 2}), nil,
			want{3, 2, false, true, no, no, StatusOffline}},
		{"7 replica being added is not missing", t3("2"), part(1, []int32{1, 2, 3, 4}, []int32{1, 2, 3}), []int32{4},
			want{3, 2, false, false, no, no, StatusOK}},
		{"8 RF below min ISR: brokers refuse every acks=all write (not capped, as kafka-topics.sh)", t3("2"), part(1, []int32{1}, []int32{1}), nil,
			want{1, 2, false, false, yes, no, StatusUnderMinISR}},
		{"9 min ISR unknown: cannot evaluate", t3(""), part(1, []int32{1, 2, 3}, []int32{1}), nil,
			want{3, -1, true, false, nil, nil, StatusUnderReplicated}},
		{"10 min ISR unknown, no leader: still under min", t3(""), part(-1, []int32{1, 2}, []int32{2}), nil,
			want{2, -1, true, true, yes, nil, StatusOffline}},
		{"11 RF = min ISR, in sync: a configuration (MIN_ISR_TOO_LOW), not a partition that lost its margin", t3("3"), part(1, []int32{1, 2, 3}, []int32{1, 2, 3}), nil,
			want{3, 3, false, false, no, no, StatusOK}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &snapshot.Snapshot{Brokers: []snapshot.Broker{
				{ID: 1, Registered: true}, {ID: 2, Registered: true}, {ID: 3, Registered: true},
				{ID: 4, Registered: true, Fenced: true, FencedKnown: true},
			}}
			if c.adding != nil {
				s.Reassignments = []snapshot.Reassignment{{Topic: "t", Partition: 0, AddingReplicas: c.adding}}
			}
			h := Of(s).Partition(c.topic, c.p)
			got := want{h.ReplicationFactor, h.MinISR, h.UnderReplicated, h.Unavailable, h.UnderMinISR, h.AtMinISR, h.Status()}
			if got.String() != c.want.String() {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func part(leader int32, replicas, isr []int32) snapshot.Partition {
	return snapshot.Partition{Topic: "t", ID: 0, Leader: leader, Replicas: replicas, ISR: isr}
}

// healthWant is every Health field plus the status, comparable as text
// (tri-states print as true, false or ?).
type healthWant struct {
	rf, min         int
	urp, unavail    bool
	underMin, atMin *bool
	status          string
}

func (w healthWant) String() string {
	return fmt.Sprintf("{rf %d min %d urp %v unavailable %v under-min %s at-min %s status %s}",
		w.rf, w.min, w.urp, w.unavail, maybe(w.underMin), maybe(w.atMin), w.status)
}

func maybe(b *bool) string {
	if b == nil {
		return "?"
	}
	return fmt.Sprint(*b)
}
