package lag

import (
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// How Rebalances.Count was counted.
const (
	// CountedByGroupEpoch: a consumer-protocol group (KIP-848) bumps its
	// group epoch on every rebalance, so the increments are the count.
	CountedByGroupEpoch = "group-epoch"
	// CountedByMembers: a classic group's generation is not reported, so a
	// rebalance is seen where its member ids changed or it entered a
	// rebalancing state between two samples.
	CountedByMembers = "member-ids-and-state"
)

// StormRebalances is how many rebalances in one window make a storm: one
// is a deployment or a scaling step, three in a few minutes is churn.
const StormRebalances = 3

// Rebalances is what a group's membership did over the window.
type Rebalances struct {
	// Count is the rebalances seen over the window, counted by Rule.
	Count int    `json:"count"`
	Rule  string `json:"rule"`
	// Rebalancing counts the samples in which the group was in a
	// rebalance (PreparingRebalance, CompletingRebalance; Assigning,
	// Reconciling for KIP-848): nobody consumes while it lasts.
	Rebalancing int `json:"rebalancing"`
	// Joined and Left are the member ids that appeared or went between two
	// samples, sorted.
	Joined []string `json:"joined"`
	Left   []string `json:"left"`
}

// Storm reports whether the group rebalanced at least StormRebalances
// times in the window, or was rebalancing in more than half its samples.
// One sample shows no storm.
func (g Group) Storm() bool {
	if g.Samples < 2 {
		return false
	}
	return g.Rebalances.Count >= StormRebalances || g.Rebalances.Rebalancing*2 > g.Samples
}

// countRebalances reads a group's rebalances from its samples, oldest
// first. Pairs where either sample could not describe the group count
// nothing: its member list is not known there.
func countRebalances(hist []sample) Rebalances {
	r := Rebalances{Rule: CountedByMembers}
	consumer := hist[len(hist)-1].g.Type == snapshot.GroupConsumer
	if consumer {
		r.Rule = CountedByGroupEpoch
	}
	joined, left := map[string]bool{}, map[string]bool{}
	for i, h := range hist {
		if rebalancing(h.g.State) {
			r.Rebalancing++
		}
		if i == 0 {
			if !consumer && rebalancing(h.g.State) {
				r.Count++ // one under way when the window opened
			}
			continue
		}
		prev := hist[i-1].g
		if prev.Error != "" || h.g.Error != "" {
			continue
		}
		changed := churn(prev, h.g, joined, left)
		switch {
		case consumer:
			r.Count += epochSteps(prev.Epoch, h.g.Epoch)
		case (changed || rebalancing(h.g.State)) && !rebalancing(prev.State):
			// A change seen while the previous sample was already
			// rebalancing belongs to that rebalance.
			r.Count++
		}
	}
	r.Joined, r.Left = sortedIDs(joined), sortedIDs(left)
	return r
}

// epochSteps counts the rebalances between two group epochs; 0 when
// either is unknown. An epoch that went down is a group deleted and
// created again: one rebalance at least.
func epochSteps(from, to int32) int {
	switch {
	case from <= 0 || to <= 0:
		return 0
	case to < from:
		return 1
	}
	return int(to - from)
}

// churn records the member ids that joined or left between two samples
// and reports whether any did.
func churn(prev, cur *snapshot.Group, joined, left map[string]bool) bool {
	before := map[string]bool{}
	for _, m := range prev.Members {
		before[m.ID] = true
	}
	changed := false
	for _, m := range cur.Members {
		if !before[m.ID] {
			joined[m.ID], changed = true, true
		}
		delete(before, m.ID)
	}
	for id := range before {
		left[id], changed = true, true
	}
	return changed
}

// rebalancing reports whether a group state is a rebalance in progress.
func rebalancing(state string) bool {
	switch strings.ToLower(state) {
	case "preparingrebalance", "completingrebalance", "assigning", "reconciling":
		return true
	}
	return false
}

// sortedIDs lists a set's ids in order, never nil: JSON arrays are never
// null.
func sortedIDs(set map[string]bool) []string {
	return append([]string{}, slices.Sorted(maps.Keys(set))...)
}
