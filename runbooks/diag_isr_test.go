package runbooks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

var urpCrossCheck = wantAction{Safe, "Cross-check", []string{"kafka-topics.sh", "--bootstrap-server", testBootstrap, "--describe", "--under-replicated-partitions"}}

func TestISRByBroker(t *testing.T) {
	tests := []struct {
		name string
		snap func(t *testing.T) *snapshot.Snapshot
		want expect
		rows [][]string
	}{
		{
			name: "1 the missing broker is down: a broker failure",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			want: expect{
				verdict: []string{"broker 3 is not up: this is a broker failure"},
				next:    "broker-failure",
				actions: []wantAction{urpCrossCheck},
				// payments' min ISR is unknown: its configs could not be read
				unevaluated: []string{"min.insync.replicas unknown for 2 partitions"},
			},
			// Offline orders/2 is left out: its ISR [3] is its last ISR,
			// not brokers 1 and 2 falling behind.
			rows: [][]string{
				{"1", "up", "1", "1", "orders/1"},
				{"3", "down", "9", "1", "__consumer_offsets/0 __consumer_offsets/1 __consumer_offsets/2"},
			},
		},
		{
			name: "2 the missing broker is hung: still a broker failure",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "healthy", func(s *snapshot.Snapshot) {
					broker(t, s, 2).Probe.Status = snapshot.StatusTimeout
					part(t, s, "orders", 0).ISR = []int32{1, 3}
				})
			},
			want: expect{
				verdict:  []string{"broker 2 is not up"},
				next:     "broker-failure",
				findings: []string{"AT_MIN_ISR orders/0", "UNDER_REPLICATED orders/0"},
				actions:  []wantAction{urpCrossCheck},
			},
			rows: [][]string{{"2", "unresponsive", "1", "0", "orders/0"}},
		},
		{
			name: "3 followers up but out of the ISR: slow, not dead",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "healthy", func(s *snapshot.Snapshot) {
					part(t, s, "orders", 0).ISR = []int32{1, 2}
					part(t, s, "orders", 1).ISR = []int32{2}
					part(t, s, "payments", 0).ISR = []int32{2, 1}
					part(t, s, "__consumer_offsets", 1).ISR = []int32{2, 1}
				})
			},
			want: expect{
				verdict: []string{"Followers on brokers 1, 3 are registered and up but out of the ISR: they are slow, not dead."},
				findings: []string{"UNDER_MIN_ISR orders/1", "AT_MIN_ISR __consumer_offsets/1", "AT_MIN_ISR orders/0", "AT_MIN_ISR payments/0",
					"UNDER_REPLICATED __consumer_offsets/1", "UNDER_REPLICATED orders/0", "UNDER_REPLICATED orders/1", "UNDER_REPLICATED payments/0"},
				actions:   []wantAction{urpCrossCheck},
				evaluated: true,
			},
			rows: [][]string{
				{"1", "up", "1", "1", "orders/1"},
				{"3", "up", "4", "1", "__consumer_offsets/1 orders/0 orders/1"},
			},
		},
		{
			name: "4 nothing under-replicated",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			want: expect{verdict: []string{"No partition is under-replicated."}, findings: []string{}, actions: []wantAction{urpCrossCheck}},
			rows: [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runDiag(t, "isr-by-broker", testEnv(t, recorded(tt.snap(t))))
			tt.want.check(t, out)
			checkRows(t, out, "Under-replicated partitions by missing broker", tt.rows)
		})
	}
}

func TestISRReassignments(t *testing.T) {
	// orders/0 moves from broker 3 to broker 4: 4 is being added and is
	// out of the ISR until it has copied the log.
	moving := func(t *testing.T, extra func(s *snapshot.Snapshot)) *snapshot.Snapshot {
		return variant(t, "healthy", func(s *snapshot.Snapshot) {
			p := part(t, s, "orders", 0)
			p.Replicas = []int32{1, 2, 4, 3}
			s.Reassignments = []snapshot.Reassignment{{Topic: "orders", Partition: 0, Replicas: []int32{1, 2, 4, 3}, AddingReplicas: []int32{4}, RemovingReplicas: []int32{3}}}
			if extra != nil {
				extra(s)
			}
		})
	}
	listCmd := wantAction{Safe, "progress", []string{"kafka-reassign-partitions.sh", "--bootstrap-server", testBootstrap, "--list"}}
	tests := []struct {
		name string
		snap func(t *testing.T) *snapshot.Snapshot
		want expect
		rows [][]string
	}{
		{
			name: "1 the only under-replication is a replica being added",
			snap: func(t *testing.T) *snapshot.Snapshot { return moving(t, nil) },
			want: expect{verdict: []string{"under-replicated only because a reassignment is adding replicas; 0 are not explained"}, actions: []wantAction{listCmd}, evaluated: true},
			rows: [][]string{{"orders/0", "1,2,4,3", "4", "3"}},
		},
		{
			name: "2 a replica missing besides the one being added is not explained",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return moving(t, func(s *snapshot.Snapshot) {
					part(t, s, "orders", 0).ISR = []int32{1, 3}
					part(t, s, "payments", 1).ISR = []int32{3, 2}
				})
			},
			want: expect{verdict: []string{"No under-replication is explained by a reassignment (2 partitions not explained)."}, noActions: true, evaluated: true},
			rows: [][]string{{"orders/0", "1,2,4,3", "4", "3"}},
		},
		{
			name: "3 reassignments could not be listed: cannot rule them out",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "degraded", func(s *snapshot.Snapshot) {
					s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceReassignments, Broker: -1, Kind: snapshot.KindAuthorization, Message: "CLUSTER_AUTHORIZATION_FAILED"})
				})
			},
			want: expect{verdict: []string{"Reassignments could not be listed: cannot rule them out."}, unevaluated: []string{"CLUSTER_AUTHORIZATION_FAILED"}, noActions: true},
			rows: [][]string{},
		},
		{
			name: "4 broker failure, no reassignment",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			want: expect{verdict: []string{"(10 partitions not explained)"}, noActions: true, evaluated: true},
			rows: [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runDiag(t, "isr-reassignments", testEnv(t, recorded(tt.snap(t))))
			tt.want.check(t, out)
			checkRows(t, out, "Reassignments in progress", tt.rows)
		})
	}
}

// TestISRReassignmentsVerdictGrammar: "1 partition are under-replicated".
// Known bug: see the report.
func TestISRReassignmentsVerdictGrammar(t *testing.T) {
	s := variant(t, "healthy", func(s *snapshot.Snapshot) {
		part(t, s, "orders", 0).Replicas = []int32{1, 2, 4, 3}
		s.Reassignments = []snapshot.Reassignment{{Topic: "orders", Partition: 0, Replicas: []int32{1, 2, 4, 3}, AddingReplicas: []int32{4}, RemovingReplicas: []int32{3}}}
	})
	out := runDiag(t, "isr-reassignments", testEnv(t, recorded(s)))
	expect{verdict: []string{"1 partition is under-replicated only because"}}.check(t, out)
}

// lagging is healthy with three live followers out of the ISR:
// broker 3 on orders/0 (leader 1) and payments/0 (leader 2), broker 1 on
// orders/1 (leader 2).
func lagging(t *testing.T) *snapshot.Snapshot {
	return variant(t, "healthy", func(s *snapshot.Snapshot) {
		part(t, s, "orders", 0).ISR = []int32{1, 2}
		part(t, s, "orders", 1).ISR = []int32{2, 3}
		part(t, s, "payments", 0).ISR = []int32{2, 1}
	})
}

func TestISRFollowerProgress(t *testing.T) {
	first := logEnds{
		1: {tp("orders", 0): 1000, tp("orders", 1): 900},
		2: {tp("orders", 1): 1000, tp("payments", 0): 600},
		3: {tp("orders", 0): 100, tp("payments", 0): 500},
	}
	second := logEnds{
		1: {tp("orders", 0): 1100, tp("orders", 1): 1000},
		2: {tp("orders", 1): 1000, tp("payments", 0): 700},
		3: {tp("orders", 0): 200, tp("payments", 0): 500},
	}
	tests := []struct {
		name   string
		snap   func(t *testing.T) *snapshot.Snapshot
		prober *fakeProber
		want   expect
		rows   [][]string
		asked  map[int32][]source.TopicPartition
	}{
		{
			name:   "1 catching up, caught up and stalled from two samples",
			snap:   lagging,
			prober: &fakeProber{samples: []logEnds{first, second}},
			want: expect{
				verdict:   []string{"3 followers out of the ISR on live brokers, 1 stalled."},
				findings:  []string{"FOLLOWER_STALLED broker 3 payments/0"},
				actions:   []wantAction{{Safe, "stalled follower", []string{"ReplicaFetcher", "iostat"}}},
				evaluated: true,
			},
			rows: [][]string{
				{"orders/0", "3", "1100", "100", "200", "900", "catching up"},
				{"orders/1", "1", "1000", "900", "1000", "0", "caught up (rejoins the ISR shortly)"},
				{"payments/0", "3", "700", "500", "500", "200", "stalled"},
			},
			asked: map[int32][]source.TopicPartition{
				1: {tp("orders", 0), tp("orders", 1)},
				2: {tp("orders", 1), tp("payments", 0)},
				3: {tp("orders", 0), tp("payments", 0)},
			},
		},
		{
			name:   "2 dead followers and offline partitions are not measured",
			snap:   func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			prober: &fakeProber{samples: []logEnds{{1: {tp("orders", 1): 1669000}, 2: {tp("orders", 1): 1669870}}, {1: {tp("orders", 1): 1669500}, 2: {tp("orders", 1): 1669900}}}},
			want:   expect{verdict: []string{"1 follower out of the ISR on live brokers, 0 stalled."}, noActions: true, evaluated: true},
			rows:   [][]string{{"orders/1", "1", "1669900", "1669000", "1669500", "400", "catching up"}},
			asked:  map[int32][]source.TopicPartition{1: {tp("orders", 1)}, 2: {tp("orders", 1)}},
		},
		{
			name:   "3 a failed sample leaves the rows unknown and says why",
			snap:   lagging,
			prober: &fakeProber{samples: []logEnds{first, {}}, sampleErr: errBoom},
			want:   expect{verdict: []string{"3 followers out of the ISR on live brokers, 0 stalled."}, unevaluated: []string{"boom"}, noActions: true},
			rows: [][]string{
				{"orders/0", "3", "?", "?", "?", "?", "unknown"},
				{"orders/1", "1", "?", "?", "?", "?", "unknown"},
				{"payments/0", "3", "?", "?", "?", "?", "unknown"},
			},
		},
		{
			name: "4 no prober (replay): cannot evaluate, never a silent OK",
			snap: lagging,
			want: expect{verdict: []string{"Cannot measure follower progress without a live cluster."}, unevaluated: []string{"need a live cluster"}, noActions: true},
		},
		{
			name:   "5 every follower in sync",
			snap:   func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			prober: &fakeProber{},
			want:   expect{verdict: []string{"No live follower is out of the ISR."}, noActions: true, evaluated: true},
			rows:   [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t, recorded(tt.snap(t)))
			slept := recordSleeps(env)
			if tt.prober != nil {
				env.Probe = tt.prober
			}
			out := runDiag(t, "isr-follower-progress", env)
			tt.want.check(t, out)
			if tt.rows != nil {
				checkRows(t, out, "Out-of-sync followers", tt.rows)
			}
			if tt.prober == nil || len(tt.rows) == 0 {
				return
			}
			if len(tt.prober.asked) != 2 || !slices.Equal(*slept, []time.Duration{env.PollInterval}) {
				t.Errorf("%d samples with sleeps %v, want 2 samples one poll interval apart", len(tt.prober.asked), *slept)
			}
			for id, want := range tt.asked {
				got := slices.Clone(tt.prober.asked[0][id])
				got = slices.Compact(got)
				if !slices.Equal(got, want) {
					t.Errorf("asked broker %d for %v, want %v", id, got, want)
				}
			}
			if tt.asked != nil && len(tt.prober.asked[0]) != len(tt.asked) {
				t.Errorf("asked brokers %v, want only %v", tt.prober.asked[0], tt.asked)
			}
		})
	}
}

func TestISRFlapping(t *testing.T) {
	isr := func(ids ...int32) func(t *testing.T) *snapshot.Snapshot {
		return func(t *testing.T) *snapshot.Snapshot {
			return variant(t, "healthy", func(s *snapshot.Snapshot) { part(t, s, "orders", 0).ISR = ids })
		}
	}
	healthy := func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") }
	tests := []struct {
		name  string
		polls []func(t *testing.T) *snapshot.Snapshot
		want  expect
		rows  [][]string
	}{
		{
			name:  "1 a member leaves and rejoins: flapping",
			polls: []func(t *testing.T) *snapshot.Snapshot{healthy, isr(1, 2), healthy},
			want: expect{verdict: []string{"The ISR flapped on 1 partition while polling", "replica.lag.time.max.ms"},
				findings: []string{"ISR_FLAPPING orders/0"}},
			rows: [][]string{{"orders/0", "[1,2,3] -> [1,2]; [1,2] -> [1,2,3]", "flapping"}},
		},
		{
			name:  "2 a shrink seen once is a change, not flapping",
			polls: []func(t *testing.T) *snapshot.Snapshot{healthy, healthy, isr(1)},
			want:  expect{verdict: []string{"The ISR changed once (shrank on 1 partition), which is not flapping."}, findings: []string{}},
			rows:  [][]string{{"orders/0", "[1,2,3] -> [1]", "one change: shrank"}},
		},
		{
			name:  "2b a single recovery is not flapping",
			polls: []func(t *testing.T) *snapshot.Snapshot{isr(1, 2), isr(1, 2), healthy},
			want:  expect{verdict: []string{"The ISR changed once (grew back on 1 partition), which is not flapping."}, findings: []string{}},
			rows:  [][]string{{"orders/0", "[1,2] -> [1,2,3]", "one change: grew back (recovering)"}},
		},
		{
			name:  "2c the same members in another order is no change",
			polls: []func(t *testing.T) *snapshot.Snapshot{healthy, isr(3, 2, 1), healthy},
			want:  expect{verdict: []string{"The ISR was stable while polling."}, findings: []string{}},
			rows:  [][]string{},
		},
		{
			name:  "3 stable",
			polls: []func(t *testing.T) *snapshot.Snapshot{healthy, healthy, healthy},
			want:  expect{verdict: []string{"The ISR was stable while polling."}},
			rows:  [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, env, slept := pollingEnv(t, tt.polls)
			out := runDiag(t, "isr-flapping", env)
			tt.want.check(t, out)
			checkRows(t, out, "ISR changes over 3 polls", tt.rows)
			if len(src.parts) != 3 || len(*slept) != 2 {
				t.Errorf("%d polls and %d sleeps, want 3 and 2", len(src.parts), len(*slept))
			}
			if out.Snapshot != src.snaps[2] {
				t.Error("the outcome does not carry the last poll")
			}
		})
	}
	t.Run("4 a failed poll fails the step", func(t *testing.T) {
		src := &fakeSource{snaps: []*snapshot.Snapshot{healthy(t)}, failAt: 2}
		d, _ := lookupDiagnostic("isr-flapping")
		if _, err := d(t.Context(), testEnv(t, src)); err == nil {
			t.Error("no error although the second poll failed")
		}
	})
}

func TestISRBlockedProducers(t *testing.T) {
	lower := func(topic string) wantAction {
		return wantAction{Dangerous, "Last resort: let " + topic + " accept writes", []string{"kafka-configs.sh", "--bootstrap-server", testBootstrap,
			"--entity-type", "topics", "--entity-name", topic, "--alter", "--add-config", "min.insync.replicas=1"}}
	}
	tests := []struct {
		name string
		snap func(t *testing.T) *snapshot.Snapshot
		want expect
		rows [][]string
	}{
		{
			name: "1 one topic under min ISR, others at it",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			want: expect{
				verdict: []string{"acks=all producers to orders get NOT_ENOUGH_REPLICAS (19).", "1 partition has no leader", "see broker-failure"},
				findings: []string{"UNDER_MIN_ISR orders/1", "UNDER_MIN_ISR orders/2", "AT_MIN_ISR __consumer_offsets/0", "AT_MIN_ISR __consumer_offsets/1", "AT_MIN_ISR __consumer_offsets/2",
					"AT_MIN_ISR clickstream/0", "AT_MIN_ISR clickstream/1", "AT_MIN_ISR orders/0"},
				actions:     []wantAction{lower("orders")},
				unevaluated: []string{"min.insync.replicas unknown"},
				next:        "broker-failure",
			},
			// orders/2 has no leader: under min ISR, but apart, since a
			// lower min ISR would not let anyone write to it.
			rows: [][]string{{"__consumer_offsets", "-", "3", "-"}, {"clickstream", "-", "2", "-"}, {"orders", "1", "1", "2"}},
		},
		{
			name: "2 two topics blocked: one dangerous action each, sorted",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "healthy", func(s *snapshot.Snapshot) {
					part(t, s, "payments", 1).ISR = []int32{3}
					part(t, s, "orders", 2).ISR = []int32{3}
					part(t, s, "orders", 0).ISR = []int32{1}
				})
			},
			want: expect{
				verdict:   []string{"acks=all producers to orders, payments get NOT_ENOUGH_REPLICAS (19)."},
				findings:  []string{"UNDER_MIN_ISR orders/0", "UNDER_MIN_ISR orders/2", "UNDER_MIN_ISR payments/1"},
				actions:   []wantAction{lower("orders"), lower("payments")},
				evaluated: true,
			},
			rows: [][]string{{"orders", "0,2", "0", "-"}, {"payments", "1", "0", "-"}},
		},
		{
			name: "3 nobody blocked",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			want: expect{verdict: []string{"No acks=all producer is blocked."}, findings: []string{}, noActions: true, evaluated: true},
			rows: [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runDiag(t, "isr-blocked-producers", testEnv(t, recorded(tt.snap(t))))
			tt.want.check(t, out)
			checkRows(t, out, "Producers blocked by min ISR", tt.rows)
		})
	}
}

func TestISRDisks(t *testing.T) {
	diskCheck := wantAction{Safe, "check the disk", []string{"df -h", "dmesg"}}
	tests := []struct {
		name string
		snap func(t *testing.T) *snapshot.Snapshot
		want expect
		rows [][]string
	}{
		{
			name: "1 a failed directory and one nearly full; a broker that could not be asked",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			want: expect{
				verdict:     []string{"1 log director", "failed, 1 below 10% usable space."},
				findings:    []string{"LOG_DIR_OFFLINE broker 1"},
				actions:     []wantAction{diskCheck},
				unevaluated: []string{"log dirs of broker 3"},
				next:        "disk-pressure",
			},
			rows: [][]string{
				{"1", "/var/lib/kafka/data", "-", "8", "9"},
				{"1", "/var/lib/kafka/data2", "KAFKA_STORAGE_ERROR", "?", "0"},
				{"2", "/var/lib/kafka/data", "-", "59", "10"},
			},
		},
		{
			name: "2 low usable space alone calls for the disk check",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "healthy", func(s *snapshot.Snapshot) {
					s.LogDirs[1].UsableBytes = s.LogDirs[1].TotalBytes / 20
				})
			},
			want: expect{verdict: []string{"0 log directories failed, 1 below 10% usable space."}, findings: []string{}, actions: []wantAction{diskCheck}, evaluated: true,
				next: "disk-pressure"},
			rows: [][]string{
				{"1", "/var/lib/kafka/data", "-", "62", "8"},
				{"2", "/var/lib/kafka/data", "-", "5", "8"},
				{"3", "/var/lib/kafka/data", "-", "61", "8"},
			},
		},
		{
			name: "3 exactly 10% is not low",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "healthy", func(s *snapshot.Snapshot) {
					s.LogDirs[0].UsableBytes = s.LogDirs[0].TotalBytes / 10
				})
			},
			want: expect{verdict: []string{"Every log directory is healthy with room to spare."}, findings: []string{}, noActions: true, evaluated: true},
		},
		{
			name: "4 healthy",
			snap: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			want: expect{verdict: []string{"Every log directory is healthy with room to spare."}, findings: []string{}, noActions: true, evaluated: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runDiag(t, "isr-disks", testEnv(t, recorded(tt.snap(t))))
			tt.want.check(t, out)
			if tt.rows != nil {
				checkRows(t, out, "Log directories", tt.rows)
			}
		})
	}
}

// TestISRFollowerProgressReplayStillListsFollowers: without a prober the
// table is empty and says "no live follower is out of sync", while
// orders/1's follower on live broker 1 is out of the ISR. Known bug: see
// the report.
func TestISRFollowerProgressReplayStillListsFollowers(t *testing.T) {
	out := runDiag(t, "isr-follower-progress", testEnv(t, recorded(fixture(t, "degraded"))))
	for _, tb := range out.Tables {
		if len(tb.Rows) == 0 && strings.Contains(tb.Empty, "no live follower") {
			t.Errorf("table %q is empty and says %q, but broker 1 is out of orders/1's ISR", tb.Title, tb.Empty)
		}
	}
}
