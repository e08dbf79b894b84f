package runbooks

import (
	"slices"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

func TestRecoveryUncleanCandidates(t *testing.T) {
	// In the degraded fixture orders/2's only in-sync replica, broker 3,
	// is gone; brokers 1 and 2 are live out-of-sync replicas.
	ends := logEnds{1: {tp("orders", 2): 1520900}, 2: {tp("orders", 2): 1521004}}
	elect := wantAction{Dangerous, "Last resort for orders/2", []string{"kafka-leader-election.sh", "--bootstrap-server", testBootstrap,
		"--election-type", "unclean", "--topic", "orders", "--partition", "2"}}
	tests := []struct {
		name     string
		snap     func(t *testing.T) *snapshot.Snapshot
		prober   *fakeProber
		previous bool
		want     expect
		rows     [][]string
	}{
		{
			name:     "1 loss per candidate is exact with the previous high watermark",
			snap:     func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			prober:   &fakeProber{samples: []logEnds{ends}},
			previous: true,
			want: expect{
				verdict:   []string{"1 partition can only come back through an unclean election unless a broker from the last ISR returns"},
				findings:  []string{"UNCLEAN_ELECTION_REQUIRED orders/2"},
				actions:   []wantAction{elect},
				evaluated: true,
			},
			rows: [][]string{
				{"orders/2", "3", "1", "1520900", "1521004", "104"},
				{"orders/2", "3", "2", "1521004", "1521004", "0"},
			},
		},
		{
			name:   "2 without --since the loss is a lower bound",
			snap:   func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			prober: &fakeProber{samples: []logEnds{ends}},
			want:   expect{findings: []string{"UNCLEAN_ELECTION_REQUIRED orders/2"}, actions: []wantAction{elect}, evaluated: true},
			rows: [][]string{
				{"orders/2", "3", "1", "1520900", "unknown (no --since snapshot)", "at least what it lacks of the last ISR"},
				{"orders/2", "3", "2", "1521004", "unknown (no --since snapshot)", "at least what it lacks of the last ISR"},
			},
		},
		{
			name:     "3 without a live cluster the log ends are unknown, and it says so",
			snap:     func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			previous: true,
			want:     expect{findings: []string{"UNCLEAN_ELECTION_REQUIRED orders/2"}, actions: []wantAction{elect}, unevaluated: []string{"need a live cluster"}},
			rows: [][]string{
				{"orders/2", "3", "1", "?", "1521004", "?"},
				{"orders/2", "3", "2", "?", "1521004", "?"},
			},
		},
		{
			name:   "4 a failed probe is a gap, not a zero",
			snap:   func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			prober: &fakeProber{sampleErr: errBoom},
			want:   expect{actions: []wantAction{elect}, unevaluated: []string{"boom"}},
			rows: [][]string{
				{"orders/2", "3", "1", "?", "unknown (no --since snapshot)", "?"},
				{"orders/2", "3", "2", "?", "unknown (no --since snapshot)", "?"},
			},
		},
		{
			name: "5 no live replica at all: nothing to elect",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "degraded", func(s *snapshot.Snapshot) { part(t, s, "orders", 2).Replicas = []int32{3, 4} })
			},
			prober: &fakeProber{samples: []logEnds{ends}},
			want:   expect{findings: []string{"UNCLEAN_ELECTION_REQUIRED orders/2"}, noActions: true},
			rows:   [][]string{{"orders/2", "3", "none live", "-", "unknown (no --since snapshot)", "all, if no replica returns"}},
		},
		{
			name: "5b a single replica: no other copy to elect, so no unclean election is proposed",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "degraded", func(s *snapshot.Snapshot) { part(t, s, "orders", 2).Replicas = []int32{3} })
			},
			prober: &fakeProber{samples: []logEnds{ends}},
			want:   expect{verdict: []string{"No partition needs an unclean election."}, findings: []string{}, noActions: true},
			rows:   [][]string{},
		},
		{
			name:   "6 nothing needs one",
			snap:   func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			prober: &fakeProber{},
			want:   expect{verdict: []string{"No partition needs an unclean election."}, findings: []string{}, noActions: true, evaluated: true},
			rows:   [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t, recorded(tt.snap(t)))
			if tt.prober != nil {
				env.Probe = tt.prober
			}
			if tt.previous {
				env.Previous = fixture(t, "healthy")
			}
			out := runDiag(t, "recovery-unclean-candidates", env)
			tt.want.check(t, out)
			checkRows(t, out, "Unclean election candidates", tt.rows)
			if tt.prober != nil && len(tt.prober.asked) > 0 {
				got := tt.prober.asked[0]
				if _, ok := got[3]; ok || len(got[1]) != 1 || len(got[2]) != 1 {
					t.Errorf("asked %v, want only the live replicas 1 and 2", got)
				}
			}
		})
	}
}

func TestRecoverySince(t *testing.T) {
	// previous is the degraded cluster a few minutes earlier, before an
	// unclean election truncated orders/0 and payments/1.
	previous := func(t *testing.T) *snapshot.Snapshot {
		return variant(t, "degraded", func(s *snapshot.Snapshot) {
			s.TakenAt = time.Date(2025, 3, 14, 3, 0, 0, 0, time.UTC)
			part(t, s, "orders", 0).LatestOffset = 1520533
			p := part(t, s, "payments", 1)
			p.LatestOffset, p.LeaderEpoch = 40277, 3
		})
	}
	tests := []struct {
		name     string
		previous func(t *testing.T) *snapshot.Snapshot
		want     expect
		rows     [][]string
	}{
		{
			name:     "1 records lost per partition and in total",
			previous: previous,
			want: expect{
				verdict:  []string{"600 records lost on 2 partitions since 2025-03-14T03:00:00Z."},
				findings: []string{"DATA_LOSS orders/0", "DATA_LOSS payments/1"},
				// The offline partition's offsets cannot be read: whether it
				// went backwards is a gap, not a pass.
				unevaluated: []string{"no live leader"},
			},
			rows: [][]string{
				{"orders/0", "1520533", "1520033", "500", "7", "7"},
				{"payments/1", "40277", "40177", "100", "3", "4"},
			},
		},
		{
			name:     "2 offsets only grew",
			previous: func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			want:     expect{verdict: []string{"No partition lost records since 2025-03-14T03:12:00Z."}, findings: []string{}, unevaluated: []string{"no live leader"}},
			rows:     [][]string{},
		},
		{
			name: "3 no --since: cannot be measured",
			want: expect{verdict: []string{"No previous snapshot given (--since FILE): losses cannot be measured."}, findings: []string{}, skipped: []string{"no previous snapshot"}},
			rows: [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t, recorded(fixture(t, "degraded")))
			if tt.previous != nil {
				env.Previous = tt.previous(t)
			}
			out := runDiag(t, "recovery-since", env)
			tt.want.check(t, out)
			checkRows(t, out, "Offsets that went backwards", tt.rows)
		})
	}
}

func TestRecoveryLogStart(t *testing.T) {
	stop := func(key string) wantAction {
		return wantAction{Caution, "remove the " + key + " override on clickstream", []string{"kafka-configs.sh", "--bootstrap-server", testBootstrap,
			"--entity-type", "topics", "--entity-name", "clickstream", "--alter", "--delete-config", key}}
	}
	tests := []struct {
		name      string
		snap      func(t *testing.T) *snapshot.Snapshot
		want      expect
		rows      [][]string
		overrides [][]string
	}{
		{
			name: "1 retention override deleted what a group had not read",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "degraded", func(s *snapshot.Snapshot) { part(t, s, "clickstream", 0).EarliestOffset = 9850000 })
			},
			want: expect{
				verdict:  []string{"Retention or DeleteRecords removed unread records on 1 group partition of clickstream."},
				findings: []string{"LOG_START_ADVANCED clickstream/0 group analytics"},
				actions:  []wantAction{stop("retention.ms")},
				// orders/2 is offline: its log start could not be read
				unevaluated: []string{"log start unknown for 1"},
			},
			rows:      [][]string{{"analytics", "clickstream/0", "9834543", "9850000", "15457"}},
			overrides: [][]string{{"clickstream", "retention.ms", "86400000", "DYNAMIC_TOPIC_CONFIG"}},
		},
		{
			name: "2 both retention overrides are offered for removal",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "degraded", func(s *snapshot.Snapshot) {
					part(t, s, "clickstream", 0).EarliestOffset = 9850000
					for i := range s.Topics {
						if s.Topics[i].Name == "clickstream" {
							s.Topics[i].Configs["retention.bytes"] = snapshot.ConfigValue{Value: "1073741824", Source: "DYNAMIC_TOPIC_CONFIG"}
						}
					}
				})
			},
			want: expect{
				findings: []string{"LOG_START_ADVANCED clickstream/0 group analytics"},
				actions:  []wantAction{stop("retention.ms"), stop("retention.bytes")},
			},
			rows: [][]string{{"analytics", "clickstream/0", "9834543", "9850000", "15457"}},
			overrides: [][]string{
				{"clickstream", "retention.ms", "86400000", "DYNAMIC_TOPIC_CONFIG"},
				{"clickstream", "retention.bytes", "1073741824", "DYNAMIC_TOPIC_CONFIG"},
			},
		},
		{
			name: "3 default retention: records lost, but no override to remove",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return variant(t, "healthy", func(s *snapshot.Snapshot) { part(t, s, "orders", 0).EarliestOffset = 1520030 })
			},
			want: expect{
				verdict:   []string{"on 1 group partition of orders."},
				findings:  []string{"LOG_START_ADVANCED orders/0 group orders-service"},
				noActions: true,
				evaluated: true,
			},
			rows:      [][]string{{"orders-service", "orders/0", "1520021", "1520030", "9"}},
			overrides: [][]string{},
		},
		{
			name:      "4 nothing lost",
			snap:      func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") },
			want:      expect{verdict: []string{"No group lost unread records"}, findings: []string{}, noActions: true, evaluated: true},
			rows:      [][]string{},
			overrides: [][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runDiag(t, "recovery-log-start", testEnv(t, recorded(tt.snap(t))))
			tt.want.check(t, out)
			checkRows(t, out, "Records deleted before groups read them", tt.rows)
			checkRows(t, out, "Retention overrides on affected topics", tt.overrides)
		})
	}
}

func TestRecoveryRewind(t *testing.T) {
	target := time.Date(2025, 3, 14, 2, 0, 0, 0, time.UTC)
	forTime := map[source.TopicPartition]int64{
		tp("clickstream", 0): 9800000, tp("clickstream", 1): 9801234,
		tp("payments", 0): 40000, tp("payments", 1): -1,
		tp("orders", 0): 1500000, tp("orders", 1): 1519000,
	}
	rewind := func(group, topic string) []wantAction {
		args := []string{"kafka-consumer-groups.sh", "--bootstrap-server", testBootstrap, "--group", group, "--topic", topic,
			"--reset-offsets", "--to-datetime", "2025-03-14T02:00:00.000Z"}
		return []wantAction{
			{Safe, "Preview the rewind of " + group + " on " + topic, append(slices.Clone(args), "--dry-run")},
			{Dangerous, "Rewind " + group + " on " + topic + " (the group must be stopped)", append(slices.Clone(args), "--execute")},
		}
	}
	var allRewinds []wantAction
	for _, g := range [][2]string{{"analytics", "clickstream"}, {"billing", "payments"}, {"orders-service", "orders"}} {
		allRewinds = append(allRewinds, rewind(g[0], g[1])...)
	}
	tests := []struct {
		name   string
		target time.Time
		prober *fakeProber
		want   expect
		rows   [][]string
	}{
		{
			name:   "1 target offsets and records re-read per group partition",
			target: target,
			prober: &fakeProber{forTime: forTime},
			want: expect{
				verdict:   []string{"Rewind plan for 3 groups to 2025-03-14T02:00:00Z: preview each with --dry-run"},
				actions:   allRewinds,
				evaluated: true,
			},
			rows: [][]string{
				{"analytics", "Empty", "clickstream/0", "9834543", "9800000", "34543"},
				{"analytics", "Empty", "clickstream/1", "9801234", "9801234", "0"},
				{"billing", "Stable", "payments/0", "40208", "40000", "208"},
				{"billing", "Stable", "payments/1", "40177", "log end (nothing newer)", "0"},
				{"orders-service", "PreparingRebalance", "orders/0", "1519021", "1500000", "19021"},
				{"orders-service", "PreparingRebalance", "orders/1", "1519870", "1519000", "870"},
				{"orders-service", "PreparingRebalance", "orders/2", "1521004", "?", "?"},
			},
		},
		{
			name:   "2 a target in another zone is converted to UTC for Kafka",
			target: target.In(time.FixedZone("CEST", 2*3600)),
			prober: &fakeProber{forTime: forTime},
			want:   expect{verdict: []string{"to 2025-03-14T02:00:00Z"}, actions: allRewinds},
		},
		{
			name:   "3 without a live cluster target offsets are unknown",
			target: target,
			want:   expect{actions: allRewinds, unevaluated: []string{"target offsets need a live cluster"}},
			rows: [][]string{
				{"analytics", "Empty", "clickstream/0", "9834543", "?", "?"},
				{"analytics", "Empty", "clickstream/1", "9801234", "?", "?"},
				{"billing", "Stable", "payments/0", "40208", "?", "?"},
				{"billing", "Stable", "payments/1", "40177", "?", "?"},
				{"orders-service", "PreparingRebalance", "orders/0", "1519021", "?", "?"},
				{"orders-service", "PreparingRebalance", "orders/1", "1519870", "?", "?"},
				{"orders-service", "PreparingRebalance", "orders/2", "1521004", "?", "?"},
			},
		},
		{
			name:   "4 no target: nothing to plan",
			prober: &fakeProber{forTime: forTime},
			want:   expect{verdict: []string{"No rewind target given: pass --to-datetime"}, noActions: true, evaluated: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t, recorded(fixture(t, "degraded")))
			env.ToDatetime = tt.target
			if tt.prober != nil {
				env.Probe = tt.prober
			}
			out := runDiag(t, "recovery-rewind", env)
			tt.want.check(t, out)
			if tt.rows != nil {
				checkRows(t, out, "Rewind plan to", tt.rows)
			}
			if tt.prober == nil || tt.target.IsZero() {
				return
			}
			if !slices.Equal(tt.prober.askedTS, []int64{target.UnixMilli()}) {
				t.Errorf("asked offsets for %v, want %d", tt.prober.askedTS, target.UnixMilli())
			}
			// orders/2 has no leader: it cannot be asked.
			for id, tps := range tt.prober.leaders[0] {
				if id < 0 || slices.Contains(tps, tp("orders", 2)) {
					t.Errorf("asked leader %d for %v; orders/2 is offline", id, tps)
				}
			}
		})
	}
}
