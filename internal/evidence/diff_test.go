package evidence

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// brief renders an event as "kind subject severity" for comparisons.
func brief(e Event) string {
	parts := []string{string(e.Kind), e.Subject(), e.Severity.String()}
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " ")
}

func TestDiff(t *testing.T) {
	refused := snapshot.Probe{Status: snapshot.StatusRefused, Error: "connection refused"}
	tests := []struct {
		name string
		prev func(c *cluster) // nil: unchanged fixture
		cur  func(c *cluster)
		opts DiffOptions
		want []string
		// why states what the case pins down.
		why string
	}{
		{name: "no change", cur: func(c *cluster) {}, want: nil,
			why: "identical state gives no events; offsets moving forward are not events"},
		{name: "broker stops answering", cur: func(c *cluster) { c.broker(2).Probe = refused },
			want: []string{"broker_unreachable broker 2 critical"},
			why:  "registered and unfenced but refusing: the first sign of a dead broker, before the session timeout"},
		{name: "broker fenced", cur: func(c *cluster) { c.broker(2).Fenced = true },
			want: []string{"broker_fenced broker 2 critical"}},
		{name: "broker unfenced and answering", prev: func(c *cluster) { c.broker(2).Fenced, c.broker(2).Probe = true, refused },
			cur:  func(c *cluster) {},
			want: []string{"broker_reachable broker 2 info", "broker_unfenced broker 2 info"}},
		{name: "fencing unknown is not a change", prev: func(c *cluster) { c.broker(2).FencedKnown = false },
			cur: func(c *cluster) { c.broker(2).Fenced = true }, want: nil,
			why: "without DescribeCluster v2 in both polls, Fenced says nothing"},
		{name: "broker gone", cur: func(c *cluster) { c.s.Brokers = c.s.Brokers[:2] },
			want: []string{"broker_gone broker 3 critical"}},
		{name: "broker unregistered but still in replicas", cur: func(c *cluster) { c.broker(3).Registered = false },
			want: []string{"broker_gone broker 3 critical"}},
		{name: "broker back", prev: func(c *cluster) { c.broker(3).Registered = false },
			cur: func(c *cluster) {}, want: []string{"broker_back broker 3 info"}},
		{name: "new broker", prev: func(c *cluster) { c.s.Brokers = c.s.Brokers[:2] },
			cur: func(c *cluster) {}, want: []string{"broker_back broker 3 info"}},
		{name: "not probed says nothing", cur: func(c *cluster) { c.broker(1).Probe = snapshot.Probe{Status: snapshot.StatusNotProbed} }, want: nil},
		{name: "leader moved off preferred", cur: func(c *cluster) { c.lead("orders", 2, 1, 5, 3, 1, 2) },
			want: []string{"leader_moved orders/2 warning"}},
		{name: "leader back to preferred", prev: func(c *cluster) { c.lead("orders", 2, 1, 5, 3, 1, 2) },
			cur: func(c *cluster) { c.lead("orders", 2, 3, 6, 3, 1, 2) }, want: []string{"leader_moved orders/2 info"}},
		{name: "leader re-elected at new epoch", cur: func(c *cluster) { c.lead("orders", 0, 1, 5, 1, 2, 3) },
			want: []string{"leader_reelected orders/0 info"}},
		{name: "partition offline keeps its ISR", cur: func(c *cluster) { c.lead("audit-log", 0, -1, 1, 3) },
			want: []string{"partition_offline audit-log/0 critical"},
			why:  "leader -1 with ISR unchanged is offline, not an ISR change"},
		{name: "partition online", prev: func(c *cluster) { c.lead("audit-log", 0, -1, 1, 3) },
			cur: func(c *cluster) { c.lead("audit-log", 0, 3, 2, 3) }, want: []string{"partition_online audit-log/0 info"}},
		{name: "isr shrink above min ISR", cur: func(c *cluster) { c.lead("orders", 0, 1, 4, 1, 2) },
			want: []string{"isr_shrink orders/0 warning"}},
		{name: "isr shrink below min ISR", cur: func(c *cluster) { c.lead("payments", 0, 1, 1, 1) },
			want: []string{"isr_shrink payments/0 critical"}, why: "payments has min ISR 2: acks=all writes now fail"},
		{name: "isr shrink and expand in one poll", prev: func(c *cluster) { c.lead("orders", 0, 1, 4, 1, 2) },
			cur: func(c *cluster) { c.lead("orders", 0, 1, 4, 1, 3) }, want: []string{"isr_shrink orders/0 warning", "isr_expand orders/0 info"}},
		{name: "isr reordered is no change", cur: func(c *cluster) { c.lead("orders", 0, 1, 4, 3, 2, 1) }, want: nil},
		{name: "log end backwards", cur: func(c *cluster) { c.p("orders", 1).LatestOffset = 100 },
			want: []string{"log_end_backwards orders/1 critical"}},
		{name: "log start backwards", cur: func(c *cluster) { c.p("orders", 1).EarliestOffset = 10 },
			want: []string{"log_start_backwards orders/1 warning"}},
		{name: "unknown offsets are not backwards", cur: func(c *cluster) { c.p("orders", 1).LatestOffset = -1 }, want: nil},
		{name: "topic recreated hides offsets", cur: func(c *cluster) { c.topic("orders").ID = "new"; c.p("orders", 1).LatestOffset = 0 },
			want: []string{"topic_recreated orders warning"}},
		{name: "topic created and deleted", cur: func(c *cluster) { c.topic("audit-log").Name = "audit-log-v2" },
			want: []string{"topic_deleted audit-log warning", "topic_created audit-log-v2 info"}},
		{name: "metadata unreadable is not deletion", cur: func(c *cluster) {
			c.s.Topics = nil
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceMetadata, Broker: -1, Kind: snapshot.KindTimeout, Message: "timeout"}}
		}, want: []string{"collect_error warning"}},
		{name: "lag crosses threshold", cur: func(c *cluster) { c.s.Groups[0].Offsets[0].Lag = 20000 },
			opts: DiffOptions{LagThresholds: []int64{10000}}, want: []string{"lag_above group billing warning"}},
		{name: "lag jumps two thresholds: one event", cur: func(c *cluster) { c.s.Groups[0].Offsets[0].Lag = 200000 },
			opts: DiffOptions{LagThresholds: []int64{100000, 10000}}, want: []string{"lag_above group billing warning"}},
		{name: "lag falls", prev: func(c *cluster) { c.s.Groups[0].Offsets[0].Lag = 20000 }, cur: func(c *cluster) {},
			opts: DiffOptions{LagThresholds: []int64{10000}}, want: []string{"lag_below group billing info"}},
		{name: "lag without thresholds", cur: func(c *cluster) { c.s.Groups[0].Offsets[0].Lag = 20000 }, want: nil},
		{name: "group unreadable: no lag event", cur: func(c *cluster) {
			c.s.Groups[0].Offsets[0].Lag = 20000
			c.s.Groups[0].Error = "COORDINATOR_NOT_AVAILABLE"
		},
			opts: DiffOptions{LagThresholds: []int64{10000}}, want: nil},
		{name: "group state", cur: func(c *cluster) { c.s.Groups[0].State = "PreparingRebalance" },
			want: []string{"group_state group billing info"}},
		{name: "topic config changed", cur: func(c *cluster) {
			c.topic("payments").Configs["min.insync.replicas"] = snapshot.ConfigValue{Value: "1"}
		}, want: []string{"config_changed payments warning"}},
		{name: "broker config changed", cur: func(c *cluster) {
			c.s.BrokerConfigs[0].Configs["min.insync.replicas"] = snapshot.ConfigValue{Value: "1"}
		}, want: []string{"config_changed broker 1 warning"}},
		{name: "configs not read is no change", cur: func(c *cluster) { c.topic("payments").Configs = nil }, want: nil},
		{name: "topic config added", cur: func(c *cluster) {
			c.topic("payments").Configs["cleanup.policy"] = snapshot.ConfigValue{Value: "compact"}
		}, want: []string{"config_changed payments warning"}, why: "an added config is a change, as evidence diff shows it"},
		{name: "broker config removed", cur: func(c *cluster) { delete(c.s.BrokerConfigs[1].Configs, "default.replication.factor") },
			want: []string{"config_changed broker 2 warning"}, why: "a removed config is a change, as evidence diff shows it"},
		{name: "recreated topic without its configs", cur: func(c *cluster) {
			c.topic("orders").ID = "new"
			delete(c.topic("orders").Configs, "retention.ms")
		}, want: []string{"topic_recreated orders warning", "config_changed orders warning"}},
		{name: "topic resized", cur: func(c *cluster) {
			t := c.topic("audit-log")
			t.Partitions = append(t.Partitions, part(1, 1, 0, []int32{1}, 0, 0))
		}, want: []string{"topic_partitions_changed audit-log warning"}},
		{name: "broker address changed", cur: func(c *cluster) { c.broker(2).Port = 9093 },
			want: []string{"broker_address_changed broker 2 warning"}},
		{name: "group created", cur: func(c *cluster) {
			c.s.Groups = append(c.s.Groups, snapshot.Group{ID: "reports", State: "Empty", Coordinator: 2})
		}, want: []string{"group_created group reports info"}},
		{name: "group deleted", cur: func(c *cluster) { c.s.Groups = nil }, want: []string{"group_deleted group billing warning"}},
		{name: "group lost a member", prev: func(c *cluster) {
			c.s.Groups[0].Members = append(c.s.Groups[0].Members, snapshot.GroupMember{ID: "billing-2"})
		}, cur: func(c *cluster) {}, want: []string{"group_state group billing info"},
			why: "a rebalance that ends within one poll leaves the state Stable: the member count is the change"},
		{name: "unknown epoch: no event", prev: func(c *cluster) { c.p("orders", 0).LeaderEpoch = -1 }, cur: func(c *cluster) {}, want: nil},
		{name: "log dir failed", cur: func(c *cluster) { c.s.LogDirs[1].Error = "KAFKA_STORAGE_ERROR" },
			want: []string{"log_dir_offline broker 2 critical"}},
		{name: "collect error appears and clears", prev: func(c *cluster) {
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceGroups, Broker: 1, Kind: snapshot.KindTimeout, Message: "a"}}
		}, cur: func(c *cluster) {
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceOffsets, Broker: 2, Kind: snapshot.KindTimeout, Message: "b"}}
		}, want: []string{"collect_error broker 2 warning", "collect_error_cleared broker 1 info"}},
		{name: "changed error message is the same error", prev: func(c *cluster) {
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceGroups, Broker: 1, Kind: snapshot.KindTimeout, Message: "after 3.1s"}}
		}, cur: func(c *cluster) {
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceGroups, Broker: 1, Kind: snapshot.KindTimeout, Message: "after 3.2s"}}
		}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := newCluster(t0, 0)
			if tt.prev != nil {
				tt.prev(prev)
			}
			cur := newCluster(t0.Add(5*time.Second), 1)
			tt.cur(cur)
			prev.s.Normalize()
			cur.s.Normalize()
			evs := Diff(prev.s, cur.s, tt.opts)
			var got []string
			for _, e := range evs {
				got = append(got, brief(e))
				if !e.Time.Equal(cur.s.TakenAt) || e.Summary == "" {
					t.Errorf("event %s: time %s, summary %q", brief(e), e.Time, e.Summary)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("events = %q, want %q (%s)", got, want, tt.why)
			}
		})
	}
}

func TestDiffNilIsNoEvents(t *testing.T) {
	s := newCluster(t0, 0).s
	if evs := Diff(nil, s, DiffOptions{}); evs != nil {
		t.Errorf("Diff(nil, s) = %v", evs)
	}
	if evs := Diff(s, nil, DiffOptions{}); evs != nil {
		t.Errorf("Diff(s, nil) = %v", evs)
	}
}

func TestDiffDetailsAndOrder(t *testing.T) {
	prev, cur := newCluster(t0, 0), newCluster(t0.Add(5*time.Second), 1)
	cur.brokerThreeDown()
	cur.s.Normalize()
	evs := Diff(prev.s, cur.s, DiffOptions{})
	var moved *Event
	for i, e := range evs {
		if i > 0 && evs[i-1].Severity < e.Severity {
			t.Errorf("events not worst first: %s before %s", brief(evs[i-1]), brief(e))
		}
		if e.Kind == LeaderMoved && e.Topic == "orders" {
			moved = &evs[i]
		}
	}
	if moved == nil || *moved.Leader != (LeaderChange{From: 3, To: 1, FromEpoch: 4, ToEpoch: 5}) {
		t.Fatalf("orders/2 leader change = %+v", moved)
	}
	if !strings.Contains(moved.Summary, "3 -> 1") || !strings.Contains(moved.Summary, "epoch 4 -> 5") {
		t.Errorf("summary %q lacks old->new and epochs", moved.Summary)
	}
}

func TestBaseline(t *testing.T) {
	c := newCluster(t0, 0)
	c.brokerThreeDown()
	c.s.Normalize()
	e := Baseline(c.s, DiffOptions{LagThresholds: []int64{100}})
	if e.Kind != WatchStarted || e.Metrics == nil || e.Metrics.Offline != 1 || e.Severity.String() != "critical" {
		t.Fatalf("baseline = %+v", e)
	}
	for _, want := range []string{"2 of 3 brokers alive", "1 offline", "broker 3 down", "group billing"} {
		if !strings.Contains(e.Summary, want) {
			t.Errorf("baseline %q lacks %q", e.Summary, want)
		}
	}
}

func TestMeasure(t *testing.T) {
	c := newCluster(t0, 0)
	c.brokerThreeDown()
	c.s.Normalize()
	m := Measure(c.s)
	want := Metrics{Time: t0, BrokersKnown: 3, BrokersAlive: 2, Partitions: 6, UnderReplicated: 4, UnderMinISR: 2, Offline: 1, // counted by diag/health (kafka-topics.sh rules): the leaderless partition is under min ISR
		TotalLag: 1000 + 500 + 500, CollectErrors: 1, DurationMS: 40}
	if m != want {
		t.Errorf("Measure = %+v\nwant      %+v", m, want)
	}
}

// largeCluster is n topics of 100 partitions on 6 brokers, RF 3.
func largeCluster(at time.Time, topics int, down int32) *snapshot.Snapshot {
	s := &snapshot.Snapshot{SchemaVersion: 1, TakenAt: at, ClusterID: "large"}
	for id := int32(1); id <= 6; id++ {
		s.Brokers = append(s.Brokers, snapshot.Broker{ID: id, Registered: true, FencedKnown: true, Fenced: id == down,
			Probe: snapshot.Probe{Status: snapshot.StatusOK}})
	}
	for ti := range topics {
		t := snapshot.Topic{Name: fmt.Sprintf("topic-%04d", ti), ReplicationFactor: 3,
			Configs: map[string]snapshot.ConfigValue{"min.insync.replicas": {Value: "2"}}}
		for p := range int32(100) {
			reps := []int32{p%6 + 1, (p+1)%6 + 1, (p+2)%6 + 1}
			isr := slices.DeleteFunc(slices.Clone(reps), func(id int32) bool { return id == down })
			leader, epoch := reps[0], int32(1)
			if leader == down {
				leader, epoch = isr[0], 2
			}
			t.Partitions = append(t.Partitions, snapshot.Partition{Topic: t.Name, ID: p, Leader: leader, LeaderEpoch: epoch,
				Replicas: reps, ISR: isr, EarliestOffset: 0, LatestOffset: 1000})
		}
		s.Topics = append(s.Topics, t)
	}
	s.Normalize()
	return s
}

// BenchmarkDiffBrokerLoss measures event detection when one of 6 brokers
// of a 30,000-partition cluster is lost (15,000 ISR shrinks, 5,000 leader
// moves).
func BenchmarkDiffBrokerLoss(b *testing.B) {
	prev, cur := largeCluster(t0, 300, 0), largeCluster(t0.Add(5*time.Second), 300, 3)
	b.ResetTimer()
	for b.Loop() {
		if len(Diff(prev, cur, DiffOptions{})) == 0 {
			b.Fatal("no events")
		}
	}
}
