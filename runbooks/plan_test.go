package runbooks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// up is a live broker in rack (none when "").
func up(id int32, rack string) snapshot.Broker {
	return snapshot.Broker{ID: id, Rack: rack, Registered: true, FencedKnown: true, Probe: snapshot.Probe{Status: snapshot.StatusOK}}
}

// gone is a broker id only replica lists still name.
func gone(id int32) snapshot.Broker {
	return snapshot.Broker{ID: id, FencedKnown: true, Probe: snapshot.Probe{Status: snapshot.StatusNotProbed}}
}

// pt is a partition "topic/id" with replicas and ISR.
func pt(topic string, id int32, replicas, isr []int32) snapshot.Partition {
	return snapshot.Partition{Topic: topic, ID: id, Leader: isr[0], Replicas: replicas, ISR: isr}
}

// planSnap builds a snapshot of brokers and partitions, grouped by topic.
func planSnap(brokers []snapshot.Broker, parts ...snapshot.Partition) *snapshot.Snapshot {
	s := &snapshot.Snapshot{SchemaVersion: 1, Brokers: brokers}
	for _, p := range parts {
		i := slices.IndexFunc(s.Topics, func(t snapshot.Topic) bool { return t.Name == p.Topic })
		if i < 0 {
			s.Topics = append(s.Topics, snapshot.Topic{Name: p.Topic, ReplicationFactor: len(p.Replicas)})
			i = len(s.Topics) - 1
		}
		s.Topics[i].Partitions = append(s.Topics[i].Partitions, p)
	}
	s.Normalize()
	return s
}

// planFor runs PlanMoveOff the way broker-replace-plan calls it: dead are
// the down brokers, live the up ones.
func planFor(s *snapshot.Snapshot) PlanResult {
	dead := map[int32]bool{}
	var live []snapshot.Broker
	for _, b := range s.Brokers {
		switch checks.BrokerState(b) {
		case checks.StateDown:
			dead[b.ID] = true
		case checks.StateUp:
			live = append(live, b)
		}
	}
	return PlanMoveOff(s, dead, live)
}

func TestPlanMoveOff(t *testing.T) {
	tests := []struct {
		name        string
		snap        *snapshot.Snapshot
		want        map[string][]int32 // "topic/p" -> target replicas
		unplaceable []string
		noSource    []string
	}{
		{
			name: "1 minimal movement: only the dead replica moves, in its position",
			snap: planSnap([]snapshot.Broker{up(1, ""), up(2, ""), gone(3), up(4, ""), up(5, "")},
				pt("t", 0, []int32{3, 1, 2}, []int32{1, 2}),
				pt("t", 1, []int32{1, 3, 2}, []int32{1, 2}),
				pt("u", 0, []int32{1, 2, 4}, []int32{1, 2, 4})),
			want: map[string][]int32{"t/0": {5, 1, 2}, "t/1": {1, 4, 2}},
		},
		{
			name: "2 rack spread wins over load",
			snap: planSnap([]snapshot.Broker{up(1, "a"), up(2, "b"), gone(3), up(4, "a"), up(5, "c")},
				pt("t", 0, []int32{1, 2, 3}, []int32{1, 2}),
				pt("x", 0, []int32{5, 1}, []int32{5, 1}),
				pt("x", 1, []int32{5, 2}, []int32{5, 2})),
			want: map[string][]int32{"t/0": {1, 2, 5}},
		},
		{
			name: "3 a used rack is accepted when no other is left",
			snap: planSnap([]snapshot.Broker{up(1, "a"), up(2, "b"), gone(3), up(4, "a")},
				pt("t", 0, []int32{1, 2, 3}, []int32{1, 2})),
			want: map[string][]int32{"t/0": {1, 2, 4}},
		},
		{
			name: "4 least loaded first, and the plan's own moves count as load",
			snap: planSnap([]snapshot.Broker{up(1, ""), up(2, ""), gone(3), up(4, ""), up(5, "")},
				pt("t", 0, []int32{1, 2, 3}, []int32{1, 2}),
				pt("t", 1, []int32{2, 1, 3}, []int32{2, 1}),
				pt("t", 2, []int32{1, 3, 2}, []int32{1, 2}),
				pt("x", 0, []int32{4, 1}, []int32{4, 1}),
				pt("x", 1, []int32{4, 2}, []int32{4, 2})),
			want: map[string][]int32{"t/0": {1, 2, 5}, "t/1": {2, 1, 5}, "t/2": {1, 4, 2}},
		},
		{
			name: "5 two dead replicas of one partition go to two different brokers",
			snap: planSnap([]snapshot.Broker{up(1, ""), gone(2), gone(3), up(4, ""), up(5, "")},
				pt("t", 0, []int32{2, 3, 1}, []int32{1})),
			want: map[string][]int32{"t/0": {4, 5, 1}},
		},
		{
			name: "6 fewer live brokers than replicas: unplaceable",
			snap: planSnap([]snapshot.Broker{up(1, ""), up(2, ""), gone(3)},
				pt("t", 0, []int32{1, 2, 3}, []int32{1, 2}),
				pt("t", 1, []int32{3, 1}, []int32{1})),
			want:        map[string][]int32{"t/1": {2, 1}},
			unplaceable: []string{"t/0"},
		},
		{
			name: "7 no live in-sync replica: left out, not moved to empty replicas",
			snap: planSnap([]snapshot.Broker{up(1, ""), up(2, ""), gone(3), up(4, "")},
				pt("t", 0, []int32{3, 4}, []int32{3}),
				pt("t", 1, []int32{3, 4}, []int32{4})),
			want:     map[string][]int32{"t/1": {1, 4}},
			noSource: []string{"t/0"},
		},
		{
			name: "8 an in-sync replica on a hung broker is no source either",
			snap: func() *snapshot.Snapshot {
				hung := up(2, "")
				hung.Probe.Status = snapshot.StatusTimeout
				return planSnap([]snapshot.Broker{up(1, ""), hung, gone(3), up(4, "")},
					pt("t", 0, []int32{3, 2}, []int32{2}))
			}(),
			want:     map[string][]int32{},
			noSource: []string{"t/0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := planFor(tt.snap)
			got := map[string][]int32{}
			for _, p := range res.Plan.Partitions {
				got[p.Topic+"/"+itoa(p.Partition)] = p.Replicas
			}
			if len(got) != len(tt.want) {
				t.Errorf("plan moves %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if !slices.Equal(got[k], w) {
					t.Errorf("%s -> %v, want %v", k, got[k], w)
				}
			}
			if !slices.Equal(res.Unplaceable, tt.unplaceable) {
				t.Errorf("unplaceable = %q, want %q", res.Unplaceable, tt.unplaceable)
			}
			if !slices.Equal(res.NoSource, tt.noSource) {
				t.Errorf("no source = %q, want %q", res.NoSource, tt.noSource)
			}
			if res.Plan.Version != 1 {
				t.Errorf("plan version %d, want 1", res.Plan.Version)
			}
		})
	}
}

// TestPlanMoveOffIsDeterministic: candidates come from a map; ties must
// still break the same way every time, or two runs write different plans.
func TestPlanMoveOffIsDeterministic(t *testing.T) {
	s := planSnap([]snapshot.Broker{up(1, ""), up(2, ""), gone(3), up(4, ""), up(5, ""), up(6, ""), up(7, "")},
		pt("t", 0, []int32{1, 2, 3}, []int32{1, 2}),
		pt("t", 1, []int32{3, 2, 1}, []int32{2, 1}),
		pt("t", 2, []int32{2, 3, 1}, []int32{2, 1}))
	first, err := planFor(s).Plan.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		again, _ := planFor(s).Plan.JSON()
		if string(again) != string(first) {
			t.Fatalf("plans differ:\n%s\n%s", first, again)
		}
	}
	if !strings.Contains(string(first), `"replicas": [
        1,
        2,
        4
      ]`) {
		t.Errorf("t/0 did not go to the lowest id among equally loaded brokers:\n%s", first)
	}
}

func TestPlanJSONIsWhatKafkaReads(t *testing.T) {
	res := planFor(planSnap([]snapshot.Broker{up(1, ""), up(2, ""), gone(3), up(4, "")},
		pt("t", 0, []int32{1, 2, 3}, []int32{1, 2})))
	data, err := res.Plan.JSON()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	got := readPlanFile(t, path)
	want := ReassignmentPlan{Version: 1, Partitions: []ReassignmentPartition{{Topic: "t", Partition: 0, Replicas: []int32{1, 2, 4}}}}
	if !samePlan(got, want) {
		t.Errorf("plan = %+v, want %+v", got, want)
	}
	empty, _ := ReassignmentPlan{Version: 1, Partitions: []ReassignmentPartition{}}.JSON()
	if !strings.Contains(string(empty), `"partitions": []`) {
		t.Errorf("an empty plan must list no partitions, not null:\n%s", empty)
	}
}
