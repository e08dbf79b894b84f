package impact

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

func brokerF(code string, id int32) findings.Finding {
	return findings.Finding{Code: code, Broker: findings.Int32(id)}
}

func partF(code, topic string, p int32) findings.Finding {
	return findings.Finding{Code: code, Topic: topic, Partition: findings.Int32(p)}
}

func offline(topic string, p int32, rf int) findings.Finding {
	f := partF(findings.OfflinePartition, topic, p)
	f.Evidence = map[string]any{"replication_factor": rf}
	return f
}

func TestSummarizeLines(t *testing.T) {
	tests := []struct {
		name  string
		in    []findings.Finding
		lines []string
	}{
		{
			name:  "1 nothing wrong: no lines",
			in:    nil,
			lines: nil,
		},
		{
			name: "2 brokers head the line, then what clients feel",
			in: []findings.Finding{
				brokerF(findings.BrokerDown, 3), brokerF(findings.BrokerUnresponsive, 4), brokerF(findings.BrokerUnreachable, 5),
				partF(findings.UnderReplicated, "orders", 0), partF(findings.UnderReplicated, "orders", 1),
				partF(findings.UnderMinISR, "payments", 1), partF(findings.UnderMinISR, "orders", 1),
				partF(findings.AtMinISR, "orders", 0),
				offline("orders", 2, 3),
			},
			lines: []string{"Broker 3 down, broker 4 hung, broker 5 unreachable: 2 partitions under-replicated, " +
				"2 under min ISR (acks=all producers to orders, payments get NOT_ENOUGH_REPLICAS), " +
				"1 at min ISR (one more failure blocks acks=all), 1 offline (no reads or writes on orders)"},
		},
		{
			name:  "3 effects without a broker down are capitalised",
			in:    []findings.Finding{partF(findings.UnderReplicated, "orders", 0)},
			lines: []string{"1 partition under-replicated"},
		},
		{
			name:  "4 a broker down that holds nothing clients use",
			in:    []findings.Finding{brokerF(findings.BrokerUnresponsive, 2)},
			lines: []string{"Broker 2 hung"},
		},
		{
			name:  "5 RF=1 offline partitions are called out",
			in:    []findings.Finding{offline("audit", 0, 1), offline("audit", 1, 1), offline("orders", 2, 3)},
			lines: []string{"3 offline, 2 of them RF=1 (no reads or writes on audit, orders)"},
		},
		{
			name: "6 long topic lists are cut at five",
			in: []findings.Finding{partF(findings.UnderMinISR, "g", 0), partF(findings.UnderMinISR, "f", 0), partF(findings.UnderMinISR, "e", 0),
				partF(findings.UnderMinISR, "d", 0), partF(findings.UnderMinISR, "c", 0), partF(findings.UnderMinISR, "b", 0), partF(findings.UnderMinISR, "a", 0)},
			lines: []string{"7 under min ISR (acks=all producers to a, b, c, d, e and 2 more topics get NOT_ENOUGH_REPLICAS)"},
		},
		{
			name: "7 the other problems, one line each, in a fixed order",
			in: []findings.Finding{
				{Code: findings.LogDirOffline, Broker: findings.Int32(1)},
				{Code: findings.LogStartAdvanced, Topic: "clickstream", Partition: findings.Int32(0), Group: "analytics"},
				{Code: findings.LogStartAdvanced, Topic: "clickstream", Partition: findings.Int32(1), Group: "analytics"},
				partF(findings.DataLoss, "orders", 0), partF(findings.DataLoss, "payments", 1),
				brokerF(findings.StaleMetadata, 3), brokerF(findings.StaleMetadata, 2),
				{Code: findings.ZombieLeader, Broker: findings.Int32(3), Topic: "orders", Partition: findings.Int32(2)},
				partF(findings.UncleanElectionRequired, "orders", 2),
			},
			lines: []string{
				"1 partition can only come back with a broker from the last ISR, or through an unclean election that loses data",
				"1 partition has a zombie leader: writes sent to it may be acknowledged and lost",
				"2 brokers serve stale metadata: clients bootstrapping through them go to old leaders",
				"records lost on 2 partitions of orders, payments since the previous snapshot",
				"retention deleted unread records on 2 group partitions of clickstream",
				"1 log directory offline",
			},
		},
		{
			name:  "8 config hygiene is not blast radius",
			in:    []findings.Finding{{Code: findings.LowReplicationFactor, Topic: "clickstream"}, {Code: findings.MinISRTooLow, Topic: "clickstream"}},
			lines: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.in)
			if !slices.Equal(s.Lines, tt.lines) {
				t.Errorf("lines:\n got  %q\n want %q", s.Lines, tt.lines)
			}
		})
	}
}

func TestSummarizeCounts(t *testing.T) {
	s := Summarize([]findings.Finding{
		brokerF(findings.BrokerDown, 3),
		partF(findings.UnderReplicated, "orders", 0), partF(findings.UnderReplicated, "orders", 1),
		offline("orders", 2, 3),
	})
	want := map[string]int{findings.BrokerDown: 1, findings.UnderReplicated: 2, findings.OfflinePartition: 1}
	if len(s.Counts) != len(want) {
		t.Errorf("counts %v, want %v", s.Counts, want)
	}
	for k, v := range want {
		if s.Counts[k] != v {
			t.Errorf("counts[%s] = %d, want %d", k, s.Counts[k], v)
		}
	}
	if empty := Summarize(nil); empty.Counts == nil || empty.NextRunbook != "" {
		t.Errorf("empty summary %+v: counts must be {} in JSON, no next runbook", empty)
	}
}

// TestNextRunbookPriority: data at risk first, then availability, then
// redundancy; each case's reason says why the first code wins.
func TestNextRunbookPriority(t *testing.T) {
	tests := []struct {
		codes []string
		want  string
		why   string
	}{
		{[]string{findings.UnderReplicated, findings.BrokerDown, findings.ZombieLeader}, "zombie-leader", "a zombie acknowledges writes it will lose"},
		{[]string{findings.BrokerDown, findings.DataLoss}, "data-recovery", "records already lost outrank a broker down"},
		{[]string{findings.OfflinePartition, findings.BrokerUnreachable}, "broker-failure", "the broker explains the offline partition"},
		{[]string{findings.OfflinePartition, findings.UncleanElectionRequired}, "data-recovery", "no ISR broker left: the decision is about data"},
		{[]string{findings.LogStartAdvanced, findings.OfflinePartition}, "broker-failure", "availability before retention damage"},
		{[]string{findings.LogDirOffline, findings.LogStartAdvanced}, "data-recovery", "unread data deleted outranks a failed disk"},
		{[]string{findings.UnderMinISR, findings.LogDirOffline}, "broker-failure", "a failed disk explains the missing replicas"},
		{[]string{findings.StaleMetadata, findings.UnderMinISR}, "isr-shrinkage", "blocked producers outrank stale metadata"},
		{[]string{findings.UnderReplicated, findings.StaleMetadata}, "zombie-leader", "stale metadata may be a zombie in the making"},
		{[]string{findings.AtMinISR}, "isr-shrinkage", "one failure from blocking producers"},
		{[]string{findings.UncleanElectionEnabled, findings.LowReplicationFactor, findings.MinISRTooLow}, "", "config hygiene needs no runbook now"},
		{nil, "", "nothing wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			var fs []findings.Finding
			for i, c := range tt.codes {
				fs = append(fs, brokerF(c, int32(i)))
			}
			for range 5 {
				rand.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
				if got := Summarize(fs).NextRunbook; got != tt.want {
					t.Fatalf("next runbook for %v = %q, want %q", tt.codes, got, tt.want)
				}
			}
		})
	}
}

// TestEveryRunbookNamedExists keeps the priority table and the catalogue
// pointing at runbooks that ship.
func TestEveryRunbookNamedExists(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "runbooks", "content"))
	if err != nil {
		t.Fatal(err)
	}
	shipped := map[string]bool{}
	for _, e := range entries {
		shipped[strings.TrimSuffix(e.Name(), ".yaml")] = true
	}
	for _, r := range runbookOrder {
		if !shipped[r.runbook] {
			t.Errorf("%s sends to runbook %q, which does not ship", r.code, r.runbook)
		}
		if e, ok := findings.Lookup(r.code); !ok || e.Runbook != r.runbook {
			t.Errorf("%s: priority table says %q, catalogue says %q", r.code, r.runbook, e.Runbook)
		}
	}
}

// TestSummarizeOnTheDegradedFixture is the whole path triage takes.
func TestSummarizeOnTheDegradedFixture(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "snapshots", "degraded.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := snapshot.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(checks.Run(checks.Input{Snap: snap}, nil).Findings)
	want := []string{
		"Broker 3 down: 10 partitions under-replicated, 2 under min ISR (acks=all producers to orders get NOT_ENOUGH_REPLICAS), " +
			"6 at min ISR (one more failure blocks acks=all), 1 offline (no reads or writes on orders)",
		"1 partition can only come back with a broker from the last ISR, or through an unclean election that loses data",
		"1 log directory offline",
		// broker 1's /var/lib/kafka/data has 8.2% usable; one snapshot
		// gives no time to full.
		"1 log directory is low on space: when full, its replicas go offline on that broker",
		// orders-service has members and committed offsets on orders/2,
		// the offline partition.
		"consumers waiting on partitions without a live leader: 1 group (orders-service)",
	}
	if !slices.Equal(s.Lines, want) {
		t.Errorf("lines:\n got  %q\n want %q", s.Lines, want)
	}
	if s.NextRunbook != "broker-failure" {
		t.Errorf("next runbook %q, want broker-failure", s.NextRunbook)
	}
}

// TestSummarizeGrammar: "records lost on 1 partitions", "on 1 group
// partitions". Known bug: see the report.
func TestSummarizeGrammar(t *testing.T) {
	s := Summarize([]findings.Finding{
		partF(findings.DataLoss, "orders", 0),
		{Code: findings.LogStartAdvanced, Topic: "clickstream", Partition: findings.Int32(0), Group: "analytics"},
	})
	for _, l := range s.Lines {
		if strings.Contains(l, " 1 partitions") || strings.Contains(l, " 1 group partitions") {
			t.Errorf("line %q: singular count with a plural noun", l)
		}
	}
}
