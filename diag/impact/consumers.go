package impact

import (
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// consumerEffects words each consumer code's blast radius, in the order an
// on-call engineer should read them: records about to be lost, consumers
// that do nothing, then consumers that struggle. EMPTY_GROUP_LAGGING has
// no line: a group nobody runs harms no client now, as config hygiene does
// not. Retention and transactions count partitions, the rest groups.
var consumerEffects = []struct {
	code, effect string
	partitions   bool
}{
	{findings.LagExceedsRetention, "unread records that retention may delete within the hour", true},
	{findings.HangingTransaction, "hanging transactions hold read_committed consumers back", true},
	{findings.ConsumerStalled, "consumers stuck (members present, no progress)", false},
	{findings.GroupPartitionUnavailable, "consumers waiting on partitions without a live leader", false},
	{findings.ConsumerStopped, "consumers stopped with records unread", false},
	{findings.OffsetRewind, "committed offsets went back, records are processed again", false},
	{findings.ConsumerLagGrowing, "consumers slower than their producers, lag growing", false},
	{findings.LagNearRetention, "unread records that retention may delete within 6 hours", true},
	{findings.RebalanceStorm, "groups rebalancing again and again, consuming nothing meanwhile", false},
}

// consumerLines is one line per consumer code found: what happens, to how
// many groups or partitions, and which groups (or topics).
func consumerLines(fs []findings.Finding) []string {
	var out []string
	for _, e := range consumerEffects {
		var groups, topics []string
		n := 0
		for _, f := range fs {
			if f.Code != e.code {
				continue
			}
			n++
			if f.Group != "" && !slices.Contains(groups, f.Group) {
				groups = append(groups, f.Group)
			}
			if f.Topic != "" && !slices.Contains(topics, f.Topic) {
				topics = append(topics, f.Topic)
			}
		}
		switch {
		case n == 0:
			continue
		case e.partitions && len(groups) > 0:
			out = append(out, fmt.Sprintf("%s: %s of %s", e.effect, words.Plural(n, "group partition", "group partitions"), sample(groups, "groups")))
		case e.partitions:
			out = append(out, fmt.Sprintf("%s: %s of %s", e.effect, words.Plural(n, "partition", "partitions"), sample(topics, "topics")))
		default:
			out = append(out, fmt.Sprintf("%s: %s (%s)", e.effect, words.Plural(len(groups), "group", "groups"), sample(groups, "groups")))
		}
	}
	return out
}
