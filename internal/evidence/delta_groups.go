package evidence

import (
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// GroupDelta is a consumer group that appeared, disappeared, or whose
// state, member count or total lag changed. Before and After are nil where
// a side does not have the group; the flags say what changed when both do.
type GroupDelta struct {
	Group         string
	Before, After *snapshot.Group
	// State: both states known ("" is unknown) and different.
	State bool
	// Members: the number of members differs.
	Members bool
	// Lag: both total lags known and different. Lag moves on every poll of
	// a live cluster; the watch reports only thresholds it crosses.
	Lag bool
}

// LogDirDelta is a log directory, known on both sides, that failed or
// came back.
type LogDirDelta struct {
	Broker                  int32
	Path                    string
	ErrorBefore, ErrorAfter string
	// Partitions is how many partitions the directory holds after.
	Partitions int
}

// groupDeltas compares every group either side lists. A group with an
// error on either side is not compared (its state, members or lag were
// not read), and a group one side lacks is not new or gone when that side
// could not list its coordinator's groups.
func groupDeltas(a, b *snapshot.Snapshot) []GroupDelta {
	before, after := groupIndex(a), groupIndex(b)
	var out []GroupDelta
	for _, id := range union(a.Groups, b.Groups, func(g snapshot.Group) string { return g.ID }) {
		o, okA := before[id]
		g, okB := after[id]
		d := GroupDelta{Group: id}
		switch {
		case okA && okB:
			if o.Error != "" || g.Error != "" {
				continue
			}
			d.Before, d.After = &o, &g
			d.State = o.State != "" && g.State != "" && o.State != g.State
			d.Members = len(o.Members) != len(g.Members)
			lo, ok1 := groupLag(o)
			lg, ok2 := groupLag(g)
			d.Lag = ok1 && ok2 && lo != lg
			if !d.State && !d.Members && !d.Lag {
				continue
			}
		case okA:
			if !groupsListed(b, o.Coordinator) {
				continue
			}
			d.Before = &o
		default:
			if !groupsListed(a, g.Coordinator) {
				continue
			}
			d.After = &g
		}
		out = append(out, d)
	}
	return out
}

func groupIndex(s *snapshot.Snapshot) map[string]snapshot.Group {
	out := make(map[string]snapshot.Group, len(s.Groups))
	for _, g := range s.Groups {
		out[g.ID] = g
	}
	return out
}

// groupsListed reports whether the snapshot read the list of groups that
// broker coordinator has: groups are listed only of brokers that answered,
// and a failed listing leaves an error with no subject.
func groupsListed(s *snapshot.Snapshot, coordinator int32) bool {
	b, ok := s.Broker(coordinator)
	if !ok || !b.Probe.Answered() {
		return false
	}
	for _, e := range s.ErrorsFor(snapshot.SourceGroups) {
		if e.Subject == "" && (e.Broker < 0 || e.Broker == coordinator) {
			return false
		}
	}
	return true
}

// logDirDeltas lists the log directories, known on both sides, whose error
// appeared or cleared. One error giving way to another is the same failure.
func logDirDeltas(a, b *snapshot.Snapshot) []LogDirDelta {
	before := map[string]snapshot.LogDir{}
	for _, l := range a.LogDirs {
		before[fmt.Sprintf("%d|%s", l.Broker, l.Path)] = l
	}
	var out []LogDirDelta
	for _, l := range b.LogDirs {
		o, ok := before[fmt.Sprintf("%d|%s", l.Broker, l.Path)]
		if ok && (o.Error == "") != (l.Error == "") {
			out = append(out, LogDirDelta{Broker: l.Broker, Path: l.Path, ErrorBefore: o.Error, ErrorAfter: l.Error, Partitions: l.Partitions})
		}
	}
	return out
}
