package lag

import (
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Group is one consumer group judged over the window.
type Group struct {
	ID    string `json:"id"`
	Type  string `json:"type,omitempty"`
	State string `json:"state"`
	// Error is the group's own error in the current sample, "" when none.
	Error string `json:"error,omitempty"`
	// Status is the worst of its partitions' (NotEnoughData when it has
	// none; Error when it has none because its offsets could not be read).
	Status Status `json:"status"`
	// Members reports whether the group has members now (Active).
	Members bool `json:"members"`
	// HadMembers reports whether it had members in an earlier sample of
	// the window, and OffsetsMoved whether any of its committed offsets
	// changed within the window: what tells a consumer that stopped during
	// the window from a group that has been idle all along.
	HadMembers   bool `json:"had_members"`
	OffsetsMoved bool `json:"offsets_moved"`
	// Samples counts the samples the group appears in; WindowMillis is the
	// time from the first of them to the current one.
	Samples      int   `json:"samples"`
	WindowMillis int64 `json:"window_ms"`
	// Rebalances is what its membership did over the window.
	Rebalances Rebalances `json:"rebalances"`
	// Partitions are those it has committed offsets on now, sorted.
	Partitions []Partition `json:"partitions"`
}

// Partition is one partition of one group judged over the window.
type Partition struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Status    Status `json:"status"`
	// Rule is the number of the rule that decided Status (rules.go), 0
	// when none did.
	Rule int `json:"rule"`
	// Samples counts the samples where its lag was read; WindowMillis is
	// the time between the first and the last of them.
	Samples      int   `json:"samples"`
	WindowMillis int64 `json:"window_ms"`
	// Committed, Latest and Lag are the current sample's, -1 when unknown;
	// LogStart is the partition's log start offset there, -1 when unknown.
	Committed int64 `json:"committed"`
	Latest    int64 `json:"latest"`
	Lag       int64 `json:"lag"`
	LogStart  int64 `json:"log_start"`
	// Lags and CommittedOffsets are the lag and the committed offset at
	// each sample where the lag was read, oldest first.
	Lags             []int64 `json:"lags"`
	CommittedOffsets []int64 `json:"committed_offsets"`
	// ConsumeRate and ProduceRate are the records per second the group
	// committed and the producers wrote over the window (committed and
	// high watermark offsets over TakenAt); -1 when unknown.
	ConsumeRate float64 `json:"consume_rate"`
	ProduceRate float64 `json:"produce_rate"`
	// TimeLagMillis is the age of the next unconsumed record at the
	// current sample, -1 when unknown.
	TimeLagMillis int64 `json:"time_lag_ms"`
	// Deletion says when retention may delete the next unconsumed record.
	Deletion Deletion `json:"deletion"`
}

// Active reports whether a group has members now: members were listed, or
// its state says it is consuming or rebalancing. Classic groups' members
// are read only when asked for (DescribeGroups), their state always
// (ListGroups); Empty and Dead groups have none.
func Active(g snapshot.Group) bool {
	if len(g.Members) > 0 {
		return true
	}
	switch strings.ToLower(g.State) {
	case "stable", "preparingrebalance", "completingrebalance", "assigning", "reconciling":
		return true
	}
	return false
}

// StoppedWithinWindow reports whether a group without members now had
// members, or moved its offsets, within the window: it stopped during the
// window. A group Empty and still all along stopped before anyone looked.
func (g Group) StoppedWithinWindow() bool {
	return !g.Members && (g.HadMembers || g.OffsetsMoved)
}

// Count returns how many of the group's partitions have status s.
func (g Group) Count(s Status) int {
	n := 0
	for _, p := range g.Partitions {
		if p.Status == s {
			n++
		}
	}
	return n
}
