package checks

import (
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// noLagRead is why the lag checks that need one snapshot only skip when no
// log end offset was read: without one no lag is known, and triage reads
// them only when asked to.
const noLagRead = "no log end offset was read, so no group's lag is known (use --sample or --since)"

// emptyGroupLag finds groups without members that have unread records. One
// snapshot shows it; it cannot tell an abandoned group from a stopped one,
// and says so. A group the window shows stopping is CONSUMER_STOPPED's.
//
// It reads the offsets source but does not declare it: a partition whose
// offsets failed (say, one without a leader) is a gap only when a group
// without members has no known lag, which the check says itself.
func emptyGroupLag() Check {
	return Check{
		Name:  "empty-group-lag",
		Reads: []string{snapshot.SourceGroups},
		Codes: []string{findings.EmptyGroupLagging},
		Run: func(in Input, r *Reporter) {
			switch lagKnowable(in.Snap) {
			case lagFailed:
				r.CannotEvaluate("no group's lag is known: offsets could not be read")
				return
			case lagNotAsked:
				r.Skip(noLagRead)
				return
			}
			unknown := 0
			judge := in.lagJudge()
			for _, sg := range in.Snap.Groups {
				if lag.Active(sg) {
					continue // judged only without members: the few, not the 5,000
				}
				g, _ := judge.Group(sg.ID)
				if len(in.Window) > 0 && g.StoppedWithinWindow() && g.Count(lag.Stopped) > 0 {
					continue // CONSUMER_STOPPED's
				}
				ps := withLag(g)
				switch {
				case len(ps) > 0:
					r.Add(emptyFinding(g, ps))
				case !lagKnown(g):
					unknown++
				}
			}
			if unknown > 0 && !failed(in.Snap, snapshot.SourceGroups) {
				r.CannotEvaluate("lag unknown for %s without members", words.Plural(unknown, "group", "groups"))
			}
		},
	}
}

func emptyFinding(g lag.Group, ps []lag.Partition) findings.Finding {
	f := groupFinding(findings.EmptyGroupLagging, g, ps)
	f.Summary = fmt.Sprintf("group %s has no members (%s) and %d unread records on %s: it looks abandoned or stopped",
		g.ID, orUnknown(g.State), sumLag(ps), tpList(ps))
	return f
}

// groupPartitionAvailability finds groups with members whose records wait
// on a partition without a live leader (Rule 6): the consumers are blocked
// there through no fault of their own, which the partition's runbook
// (broker-failure) fixes, not theirs.
func groupPartitionAvailability() Check {
	return Check{
		Name:  "group-partition-availability",
		Reads: []string{snapshot.SourceGroups},
		Codes: []string{findings.GroupPartitionUnavailable},
		Run: func(in Input, r *Reporter) {
			unavailable := unavailableOf(in.Snap)
			judge := in.lagJudge()
			for _, sg := range in.Snap.Groups {
				// Only groups with members (an idle group's offsets are no
				// reader) on a partition without a leader are judged.
				if !lag.Active(sg) || !slices.ContainsFunc(sg.Offsets, func(o snapshot.GroupOffset) bool {
					return unavailable[snapshot.PartitionRef{Topic: o.Topic, Partition: o.Partition}]
				}) {
					continue
				}
				g, _ := judge.Group(sg.ID)
				var ps []lag.Partition
				for _, p := range withStatus(g, lag.Blocked) {
					// A last known lag of zero: nothing waited there when
					// the leader went.
					if lastKnownLag(p) != 0 {
						ps = append(ps, p)
					}
				}
				if len(ps) == 0 {
					continue
				}
				f := groupFinding(findings.GroupPartitionUnavailable, g, ps)
				f.Summary = fmt.Sprintf("group %s cannot read %s: no live leader (last known lag %s); its consumers wait there "+
					"through no fault of their own", g.ID, tpList(ps), lagText(lastKnownLag(ps[0])))
				r.Add(f)
			}
		},
	}
}

// unavailableOf returns the partitions of s without a live leader.
func unavailableOf(s *snapshot.Snapshot) map[snapshot.PartitionRef]bool {
	rules := health.Of(s)
	out := map[snapshot.PartitionRef]bool{}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if rules.Unavailable(p) {
				out[snapshot.PartitionRef{Topic: t.Name, Partition: p.ID}] = true
			}
		}
	}
	return out
}

// withLag returns the group's partitions with unread records now.
func withLag(g lag.Group) []lag.Partition {
	return partitionsWhere(g, func(p lag.Partition) bool { return p.Lag > 0 })
}

// lagKnown reports whether any of the group's lags is known now.
func lagKnown(g lag.Group) bool {
	for _, p := range g.Partitions {
		if p.Lag >= 0 {
			return true
		}
	}
	return false
}

// lastKnownLag is the partition's lag now, or at the last sample that read
// it; -1 when none did.
func lastKnownLag(p lag.Partition) int64 {
	switch {
	case p.Lag >= 0:
		return p.Lag
	case len(p.Lags) > 0:
		return p.Lags[len(p.Lags)-1]
	}
	return -1
}

func lagText(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

// Whether a snapshot can know any group's lag.
const (
	lagIsRead   = iota // some log end offset was read
	lagNotAsked        // none was read, nor failed: triage without --since or --sample
	lagFailed          // none was read because the offsets source failed
)

// lagKnowable says whether s can know any group's lag. A failure of the
// offsets source is why none is known only when no offset at all was read:
// when log starts were read, the log ends were simply not asked for.
func lagKnowable(s *snapshot.Snapshot) int {
	offsets, starts := false, false
	for _, g := range s.Groups {
		for _, o := range g.Offsets {
			if o.Lag >= 0 || o.Latest >= 0 {
				return lagIsRead
			}
			offsets = true
		}
	}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if p.LatestOffset >= 0 {
				return lagIsRead
			}
			starts = starts || p.EarliestOffset >= 0
		}
	}
	switch {
	case !offsets:
		return lagIsRead // no group has offsets to measure: nothing is missing
	case failed(s, snapshot.SourceOffsets) && !starts:
		return lagFailed
	}
	return lagNotAsked
}
