package triage

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/testkit"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

func load(t *testing.T, name string) *snapshot.Snapshot { return testkit.Snapshot(t, name) }

func TestBuild(t *testing.T) {
	tests := []struct {
		name     string
		snap     func(t *testing.T) *snapshot.Snapshot
		prev     func(t *testing.T) *snapshot.Snapshot
		code     int
		status   string
		cluster  Cluster
		next     string
		codes    []string // distinct finding codes, in report order
		errors   int
		uneval   []string // checks that could not evaluate
		firstSum string
	}{
		{
			name: "1 degraded: critical, broker-failure next",
			snap: func(t *testing.T) *snapshot.Snapshot { return load(t, "degraded") },
			code: exitcode.Critical, status: "CRITICAL",
			cluster: Cluster{ID: "q7Zx1b0fT4mK2pLw9aR3cA", Brokers: 3, AnsweringBrokers: 2, Topics: 4, Partitions: 10},
			next:    "broker-failure",
			// orders-service reads the offline orders/2; analytics is Empty
			// with lag on clickstream/0.
			codes: []string{"BROKER_DOWN", "LOG_DIR_OFFLINE", "OFFLINE_PARTITION", "UNCLEAN_ELECTION_REQUIRED", "UNDER_MIN_ISR",
				"AT_MIN_ISR", "GROUP_PARTITION_UNAVAILABLE", "LOG_DIR_LOW_SPACE", "LOW_REPLICATION_FACTOR", "MIN_ISR_TOO_LOW",
				"OFFLINE_REPLICA", "UNDER_REPLICATED", "EMPTY_GROUP_LAGGING"},
			errors:   6,
			uneval:   []string{"log-dir-space", "log-dirs", "log-start-past-committed", "metadata-divergence", "replication", "replication-throttles", "security", "topic-config"},
			firstSum: "broker 3 is down (not registered in the cluster) and holds 10 replicas",
		},
		{
			name: "2 healthy: config warnings only",
			snap: func(t *testing.T) *snapshot.Snapshot { return load(t, "healthy") },
			code: exitcode.Warning, status: "WARNING",
			cluster: Cluster{ID: "q7Zx1b0fT4mK2pLw9aR3cA", Brokers: 3, AnsweringBrokers: 3, Topics: 4, Partitions: 10},
			codes:   []string{"LOW_REPLICATION_FACTOR", "MIN_ISR_TOO_LOW"},
			uneval:  []string{},
		},
		{
			name: "3 with a previous snapshot, offsets going backwards are data loss",
			snap: func(t *testing.T) *snapshot.Snapshot { return load(t, "healthy") },
			prev: func(t *testing.T) *snapshot.Snapshot {
				s := load(t, "healthy")
				s.Topics[2].Partitions[0].LatestOffset += 500 // orders/0
				return s
			},
			code: exitcode.Critical, status: "CRITICAL",
			cluster: Cluster{ID: "q7Zx1b0fT4mK2pLw9aR3cA", Brokers: 3, AnsweringBrokers: 3, Topics: 4, Partitions: 10},
			next:    "data-recovery",
			codes:   []string{"DATA_LOSS", "LOW_REPLICATION_FACTOR", "MIN_ISR_TOO_LOW"},
			uneval:  []string{},
		},
		{
			name: "4 no broker known: unknown",
			snap: func(t *testing.T) *snapshot.Snapshot {
				return &snapshot.Snapshot{SchemaVersion: 1, ControllerID: -1}
			},
			code: exitcode.Unknown, status: "UNKNOWN",
			codes:  []string{},
			uneval: []string{"broker-health", "log-dir-space", "log-dirs", "metadata-divergence", "partition-availability", "security"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prev *snapshot.Snapshot
			if tt.prev != nil {
				prev = tt.prev(t)
			}
			snap := tt.snap(t)
			r := Build(snap, prev)
			if code := exitcode.For(r.Status); code != tt.code || r.Status.String() != tt.status {
				t.Errorf("exit %d status %s, want %d %s", code, r.Status, tt.code, tt.status)
			}
			c := r.Cluster
			if c.ID != tt.cluster.ID || c.Brokers != tt.cluster.Brokers || c.AnsweringBrokers != tt.cluster.AnsweringBrokers ||
				c.Topics != tt.cluster.Topics || c.Partitions != tt.cluster.Partitions || !c.TakenAt.Equal(snap.TakenAt) || c.Bootstrap == nil {
				t.Errorf("cluster %+v, want %+v", c, tt.cluster)
			}
			if r.Summary.NextRunbook != tt.next {
				t.Errorf("next runbook %q, want %q", r.Summary.NextRunbook, tt.next)
			}
			var codes []string
			for _, f := range r.Findings {
				if !slices.Contains(codes, f.Code) {
					codes = append(codes, f.Code)
				}
			}
			if codes == nil {
				codes = []string{}
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("codes %q, want %q", codes, tt.codes)
			}
			if len(r.Errors) != tt.errors || r.Errors == nil {
				t.Errorf("%d errors (nil %v), want %d", len(r.Errors), r.Errors == nil, tt.errors)
			}
			var uneval []string
			for _, u := range r.Unevaluated {
				uneval = append(uneval, u.Check)
			}
			uneval = slices.Compact(uneval)
			if uneval == nil {
				uneval = []string{}
			}
			if !slices.Equal(uneval, tt.uneval) {
				t.Errorf("unevaluated checks %q, want %q", uneval, tt.uneval)
			}
			if tt.firstSum != "" && r.Findings[0].Summary != tt.firstSum {
				t.Errorf("first finding %q, want %q", r.Findings[0].Summary, tt.firstSum)
			}
		})
	}
}

func TestTablesHeadline(t *testing.T) {
	r := Build(load(t, "degraded"), nil)
	tables := r.Tables()
	if len(tables) != 2 {
		t.Fatalf("%d tables, want the blast radius and the findings", len(tables))
	}
	head := tables[0]
	// The status heads the title, coloured on a terminal.
	if head.Status != "CRITICAL" || head.Title != "cluster q7Zx1b0fT4mK2pLw9aR3cA, 2/3 brokers answering, 4 topics, 10 partitions" {
		t.Errorf("status %q title %q", head.Status, head.Title)
	}
	if len(head.Rows) != len(r.Summary.Lines) || head.Rows[0][0] != r.Summary.Lines[0] {
		t.Errorf("blast radius rows %q, want the summary lines", head.Rows)
	}
	if !slices.Equal(head.Notes, []string{"Next: kafka-runbook run broker-failure"}) {
		t.Errorf("notes %q", head.Notes)
	}
	ft := tables[1]
	wantWarnings := []string{
		"could not read bootstrap for kafka-3.prod.internal:9092: dial tcp 10.0.0.13:9092: connect: connection refused (refused)",
		"could not read broker_configs from broker 3: broker 3 is not registered: no address to ask",
	}
	for _, w := range wantWarnings {
		if !slices.Contains(ft.Warnings, w) {
			t.Errorf("warnings %q lack %q", ft.Warnings, w)
		}
	}
	if len(ft.Warnings) != len(r.Errors) {
		t.Errorf("%d warnings for %d collection errors", len(ft.Warnings), len(r.Errors))
	}
	if len(ft.Notes) < len(r.Unevaluated) || !strings.HasPrefix(ft.Notes[len(ft.Notes)-1], "cannot evaluate (") {
		t.Errorf("notes %q do not list every unevaluated check", ft.Notes)
	}

	healthy := Build(load(t, "healthy"), nil).Tables()[0]
	if len(healthy.Rows) != 0 || healthy.Empty != "Nothing is wrong that a client can see." || len(healthy.Notes) != 0 {
		t.Errorf("healthy headline rows %q notes %q empty %q", healthy.Rows, healthy.Notes, healthy.Empty)
	}
	if healthy.Status != "WARNING" || !strings.HasPrefix(healthy.Title, "cluster") {
		t.Errorf("healthy status %q title %q", healthy.Status, healthy.Title)
	}
	none := Build(&snapshot.Snapshot{SchemaVersion: 1}, nil).Tables()[0]
	if none.Status != "UNKNOWN" || !strings.HasPrefix(none.Title, "cluster -, 0/0 brokers answering") {
		t.Errorf("unknown cluster status %q title %q", none.Status, none.Title)
	}
}

func TestFindingsTableFoldsManySubjects(t *testing.T) {
	part := func(code, topic string, p int32, sev findings.Severity) findings.Finding {
		return findings.Finding{Code: code, Severity: sev, Topic: topic, Partition: findings.Int32(p), Summary: code + " " + topic}
	}
	var fs []findings.Finding
	fs = append(fs, findings.Finding{Code: findings.BrokerDown, Severity: findings.Critical, Broker: findings.Int32(3), Summary: "broker 3 is down"})
	for _, tp := range []struct {
		topic string
		p     int32
	}{{"orders", 0}, {"orders", 1}, {"orders", 2}, {"payments", 0}} {
		fs = append(fs, part(findings.UnderReplicated, tp.topic, tp.p, findings.Warning))
	}
	fs = append(fs, part(findings.AtMinISR, "orders", 0, findings.Warning), part(findings.AtMinISR, "orders", 1, findings.Warning), part(findings.AtMinISR, "payments", 0, findings.Warning))
	findings.Sort(fs)
	tbl := FindingsTable(fs)
	want := [][]string{
		{"CRITICAL", "BROKER_DOWN", "broker 3", "broker 3 is down"},
		{"WARNING", "AT_MIN_ISR", "orders/0", "AT_MIN_ISR orders"},
		{"WARNING", "AT_MIN_ISR", "orders/1", "AT_MIN_ISR orders"},
		{"WARNING", "AT_MIN_ISR", "payments/0", "AT_MIN_ISR payments"},
		{"WARNING", "UNDER_REPLICATED", "4 partitions", "orders (3), payments (1)"},
	}
	if !slices.EqualFunc(tbl.Rows, want, slices.Equal[[]string]) {
		t.Errorf("rows:\n got  %q\n want %q", tbl.Rows, want)
	}
	if len(tbl.Notes) != 1 || !strings.Contains(tbl.Notes[0], "--output json lists every finding") {
		t.Errorf("notes %q, want the folding note", tbl.Notes)
	}
	if plain := FindingsTable(fs[:4]); len(plain.Notes) != 0 {
		t.Errorf("nothing folded, yet notes %q", plain.Notes)
	}
	if empty := FindingsTable(nil); empty.Empty != "No findings." || len(empty.Rows) != 0 {
		t.Errorf("empty table %+v", empty)
	}
}

func TestFoldedSubjects(t *testing.T) {
	many := func(n int, mk func(i int) findings.Finding) []findings.Finding {
		var out []findings.Finding
		for i := range n {
			out = append(out, mk(i))
		}
		return out
	}
	tests := []struct {
		name    string
		fs      []findings.Finding
		subject string
		summary string
	}{
		{"1 brokers", many(4, func(i int) findings.Finding {
			return findings.Finding{Code: findings.StaleMetadata, Broker: findings.Int32(int32(i + 1))}
		}), "4 brokers", "broker 1 (1), broker 2 (1), broker 3 (1), broker 4 (1)"},
		{"2 groups", many(4, func(i int) findings.Finding {
			return findings.Finding{Code: findings.LogStartAdvanced, Group: []string{"a", "b", "a", "a"}[i]}
		}), "4 groups", "group a (3), group b (1)"},
		{"3 topics", many(4, func(i int) findings.Finding {
			return findings.Finding{Code: findings.LowReplicationFactor, Topic: string(rune('a' + i))}
		}), "4 topics", "a (1), b (1), c (1), d (1)"},
		{"4 more than six keys", many(8, func(i int) findings.Finding {
			return findings.Finding{Code: findings.UnderReplicated, Topic: string(rune('a' + i)), Partition: findings.Int32(0)}
		}), "8 partitions", "a (1), b (1), c (1), d (1), e (1), f (1), and 2 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := FindingsTable(tt.fs).Rows
			if len(rows) != 1 || rows[0][2] != tt.subject || rows[0][3] != tt.summary {
				t.Errorf("rows %q, want one with %q and %q", rows, tt.subject, tt.summary)
			}
		})
	}
}

// TestCollectErrorLines: every collection error is one warning line that
// names the source, the broker when there is one, and the subject.
func TestCollectErrorLines(t *testing.T) {
	snap := load(t, "healthy")
	snap.Errors = []snapshot.CollectError{
		{Source: "offsets", Broker: -1, Kind: "other", Message: "1 partitions have no live leader"},
		{Source: "topic_configs", Broker: 1, Kind: "authorization", Subject: "payments", Message: "TOPIC_AUTHORIZATION_FAILED"},
		{Source: "log_dirs", Broker: 0, Kind: "timeout", Message: "i/o timeout"},
	}
	got := Build(snap, nil).Tables()[1].Warnings
	want := []string{
		"could not read offsets: 1 partitions have no live leader", // no "(other)": it says nothing
		"could not read topic_configs from broker 1 for payments: TOPIC_AUTHORIZATION_FAILED (authorization)",
		"could not read log_dirs from broker 0: i/o timeout (timeout)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n got  %q\n want %q", got, want)
	}
}

func TestReportJSONHasNoNullLists(t *testing.T) {
	r := Build(&snapshot.Snapshot{SchemaVersion: 1, TakenAt: time.Unix(0, 0)}, nil)
	if r.Findings == nil || r.Errors == nil || r.Unevaluated == nil || r.Cluster.Bootstrap == nil || r.Summary.Counts == nil {
		t.Errorf("null list in report: %+v", r)
	}
}
