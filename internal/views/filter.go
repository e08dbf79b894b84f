package views

import (
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Filter narrows what a view shows, with the flags on-call engineers know
// from kafka-topics.sh and kafka-consumer-groups.sh.
//
// Name filters (Topics, Groups, ExcludeInternal) and state filters combine
// with AND. The state filters combine with OR among themselves: asking for
// under-replicated and unavailable partitions shows partitions that are
// either, which is what an engineer sizing an incident wants (kafka-topics.sh
// only accepts one at a time).
type Filter struct {
	// Topics keeps only these topics, by exact name (--topic). Empty keeps all.
	Topics []string
	// Groups keeps only these consumer groups, by exact id (--group).
	Groups []string
	// UnderReplicated keeps partitions whose ISR is smaller than their
	// replica set, not counting replicas a reassignment is still adding.
	UnderReplicated bool
	// Unavailable keeps partitions with no leader, or a leader that is not
	// a live broker.
	Unavailable bool
	// UnderMinISR keeps partitions whose ISR is smaller than
	// min.insync.replicas, where acks=all producers fail, and, as in
	// kafka-topics.sh, partitions without a leader.
	UnderMinISR bool
	// AtMinISR keeps partitions whose ISR shrank to exactly
	// min.insync.replicas: one more lost replica blocks acks=all writes.
	AtMinISR bool
	// ExcludeInternal hides internal topics (__consumer_offsets, ...).
	ExcludeInternal bool
	// Limit caps the rows of the long lists in table and Markdown output
	// (partitions, topics, groups, committed offsets, topic configs),
	// which then show the worst rows first: 0 means DefaultLimit, a
	// negative value no cap (--all). It selects nothing: JSON output always
	// has every row that the filters keep.
	Limit int
}

// byState reports whether any state filter is set.
func (f Filter) byState() bool {
	return f.UnderReplicated || f.Unavailable || f.UnderMinISR || f.AtMinISR
}

// matchTopic reports whether the name filters keep topic t.
func (f Filter) matchTopic(t snapshot.Topic) bool {
	if f.ExcludeInternal && t.Internal {
		return false
	}
	return len(f.Topics) == 0 || slices.Contains(f.Topics, t.Name)
}

// matchTopicName is matchTopic for places that only know the name (group
// offsets, error subjects).
func (f Filter) matchTopicName(name string) bool {
	return len(f.Topics) == 0 || slices.Contains(f.Topics, name)
}

// matchGroup reports whether the group filter keeps group id.
func (f Filter) matchGroup(id string) bool {
	return len(f.Groups) == 0 || slices.Contains(f.Groups, id)
}

// matchState reports whether the state filters keep a partition in state h.
// An unknown min ISR matches neither min-ISR filter: the warnings of the
// view say it could not be evaluated.
func (f Filter) matchState(h Health) bool {
	if !f.byState() {
		return true
	}
	return (f.UnderReplicated && h.UnderReplicated) ||
		(f.Unavailable && h.Unavailable) ||
		(f.UnderMinISR && health.IsTrue(h.UnderMinISR)) ||
		(f.AtMinISR && health.IsTrue(h.AtMinISR))
}

// describe names the active filters for a note such as "showing 3 of 40
// partitions (under-replicated or unavailable)".
func (f Filter) describe() string {
	var states []string
	for _, s := range []struct {
		on   bool
		name string
	}{
		{f.UnderReplicated, "under-replicated"}, {f.Unavailable, "unavailable"},
		{f.UnderMinISR, "under min ISR"}, {f.AtMinISR, "at min ISR"},
	} {
		if s.on {
			states = append(states, s.name)
		}
	}
	var parts []string
	if len(states) > 0 {
		parts = append(parts, strings.Join(states, " or "))
	}
	if len(f.Topics) > 0 {
		parts = append(parts, "topic "+strings.Join(sortedCopy(f.Topics), ", "))
	}
	if len(f.Groups) > 0 {
		parts = append(parts, "group "+strings.Join(sortedCopy(f.Groups), ", "))
	}
	if f.ExcludeInternal {
		parts = append(parts, "internal topics excluded")
	}
	return strings.Join(parts, "; ")
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}
