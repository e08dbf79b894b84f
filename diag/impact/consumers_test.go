package impact

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

func groupF(code, group string) findings.Finding {
	return findings.Finding{Code: code, Group: group}
}

func groupPartF(code, group, topic string, p int32) findings.Finding {
	return findings.Finding{Code: code, Group: group, Topic: topic, Partition: findings.Int32(p)}
}

// TestConsumerLines states, per numbered case, the consumer findings and
// the blast-radius lines they make, and why.
func TestConsumerLines(t *testing.T) {
	tests := []struct {
		name  string
		in    []findings.Finding
		lines []string
	}{
		{name: "1 an abandoned group's lag is no blast radius",
			in: []findings.Finding{groupF(findings.EmptyGroupLagging, "old-etl")}, lines: nil},
		{name: "2 groups are counted once, named sorted",
			in: []findings.Finding{groupF(findings.ConsumerStalled, "billing"), groupF(findings.ConsumerStalled, "audit"),
				groupF(findings.ConsumerLagGrowing, "billing")},
			lines: []string{"consumers stuck (members present, no progress): 2 groups (audit, billing)",
				"consumers slower than their producers, lag growing: 1 group (billing)"}},
		{name: "3 retention counts group partitions, records about to go come first",
			in: []findings.Finding{groupF(findings.RebalanceStorm, "billing"),
				groupPartF(findings.LagExceedsRetention, "billing", "payments", 0), groupPartF(findings.LagExceedsRetention, "billing", "payments", 1),
				groupPartF(findings.LagNearRetention, "analytics", "clickstream", 0)},
			lines: []string{"unread records that retention may delete within the hour: 2 group partitions of billing",
				"unread records that retention may delete within 6 hours: 1 group partition of analytics",
				"groups rebalancing again and again, consuming nothing meanwhile: 1 group (billing)"}},
		{name: "4 a hanging transaction names its topics",
			in:    []findings.Finding{partF(findings.HangingTransaction, "payments", 2), partF(findings.HangingTransaction, "orders", 0)},
			lines: []string{"hanging transactions hold read_committed consumers back: 2 partitions of orders, payments"}},
		{name: "5 stopped, rewound and blocked groups",
			in: []findings.Finding{groupF(findings.OffsetRewind, "a"), groupF(findings.ConsumerStopped, "b"),
				groupF(findings.GroupPartitionUnavailable, "c")},
			lines: []string{"consumers waiting on partitions without a live leader: 1 group (c)",
				"consumers stopped with records unread: 1 group (b)",
				"committed offsets went back, records are processed again: 1 group (a)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.in).Lines; !slices.Equal(got, tt.lines) {
				t.Errorf("lines:\n got  %q\n want %q", got, tt.lines)
			}
		})
	}
}

// TestConsumerRunbookPriority: the cluster's own trouble before the
// consumers'; each case's reason says why the first code wins.
func TestConsumerRunbookPriority(t *testing.T) {
	tests := []struct {
		codes []string
		want  string
		why   string
	}{
		{[]string{findings.ConsumerStalled, findings.UnderReplicated}, "isr-shrinkage", "the cluster first: it may be why consumers stall"},
		{[]string{findings.ConsumerStalled, findings.AtMinISR}, "isr-shrinkage", "consumer-lag comes after the ISR runbooks"},
		{[]string{findings.GroupPartitionUnavailable, findings.ConsumerStalled}, "broker-failure", "a partition without a leader is the partition's problem"},
		{[]string{findings.ConsumerLagGrowing, findings.RebalanceStorm}, "consumer-lag", "consumer trouble only"},
		{[]string{findings.HangingTransaction}, "consumer-lag", "a transaction that holds consumers back"},
		{[]string{findings.LagNearRetention, findings.ControllerVoterDown}, "consumer-lag", "records near deletion outrank a voter down with a majority left"},
		{[]string{findings.EmptyGroupLagging}, "", "an abandoned group needs no runbook now"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			var fs []findings.Finding
			for _, c := range tt.codes {
				fs = append(fs, groupF(c, "g"))
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
