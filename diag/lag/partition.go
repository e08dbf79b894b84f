package lag

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// evaluatePartition judges the group's offset o (current sample) over the
// group's samples hist, oldest first, the current one last. It also
// reports whether the committed offset changed within the window. buf is
// scratch space for the points, reused from one partition to the next.
func evaluatePartition(o snapshot.GroupOffset, hist []sample, rules *health.Cluster, members bool, buf *[]point) (Partition, bool) {
	ps, seen, moved := points(o, hist, (*buf)[:0])
	*buf = ps
	cur := hist[len(hist)-1].snap
	out := Partition{Topic: o.Topic, Partition: o.Partition, Committed: o.Committed, Latest: o.Latest, Lag: o.Lag, LogStart: -1,
		Samples: len(ps), ConsumeRate: -1, ProduceRate: -1, TimeLagMillis: -1}
	series := make([]int64, 2*len(ps)) // one allocation for both series
	out.Lags, out.CommittedOffsets = series[:len(ps):len(ps)], series[len(ps):]
	for i, p := range ps {
		out.Lags[i], out.CommittedOffsets[i] = p.lag, p.committed
	}
	retention := limitsOf(nil)
	leaderless := false
	if t, p, ok := partitionOf(cur, o.Topic, o.Partition); ok {
		retention, out.LogStart = t.limits, p.EarliestOffset
		leaderless = rules.Unavailable(*p)
	}
	out.Status, out.Rule = judge(ps, seen, members, leaderless)
	if len(ps) >= 2 {
		first, last := ps[0], ps[len(ps)-1]
		out.WindowMillis = millis(last.at.Sub(first.at))
		// A rewind is no consumption: its rate is unknown (-1), never a
		// negative number that could read as a real one.
		if out.ConsumeRate = rate(first.committed, last.committed, first.at, last.at); out.ConsumeRate < 0 {
			out.ConsumeRate = -1
		}
		out.ProduceRate = rate(first.latest, last.latest, first.at, last.at)
	}
	if o.NextTimestampMillis > 0 {
		out.TimeLagMillis = max(0, cur.TakenAt.UnixMilli()-o.NextTimestampMillis)
	}
	out.Deletion = deletionOf(o, out.LogStart, ps, out.TimeLagMillis, retention)
	return out, moved
}

// points appends to ps the readable offsets of the partition of cur (the
// group's offset in the current sample) from every sample the group
// appears in, oldest first. seen counts the samples where the group had
// the partition at all; moved is whether its committed offset changed.
func points(cur snapshot.GroupOffset, hist []sample, ps []point) (_ []point, seen int, moved bool) {
	first := int64(-1)
	for i, h := range hist {
		o, ok := cur, true
		if i < len(hist)-1 {
			o, ok = offsetOf(h.g, cur.Topic, cur.Partition)
		}
		if !ok {
			continue
		}
		seen++
		if o.Committed >= 0 {
			moved = moved || (first >= 0 && o.Committed != first)
			if first < 0 {
				first = o.Committed
			}
		}
		if o.Committed < 0 || o.Latest < 0 || o.Lag < 0 {
			continue
		}
		pt := point{at: h.snap.TakenAt, committed: o.Committed, latest: o.Latest, lag: o.Lag, logStart: -1, lastStable: -1}
		if _, p, ok := partitionOf(h.snap, cur.Topic, cur.Partition); ok {
			pt.logStart = p.EarliestOffset
			if p.LastStableOffset != nil {
				pt.lastStable = *p.LastStableOffset
			}
		}
		ps = append(ps, pt)
	}
	return ps, seen, moved
}

// rate is the records per second between two offsets, -1 when the two
// samples are not apart in time.
func rate(from, to int64, t0, t1 time.Time) float64 {
	secs := t1.Sub(t0).Seconds()
	if secs <= 0 {
		return -1
	}
	return math.Round(float64(to-from)/secs*100) / 100
}

func millis(d time.Duration) int64 { return d.Milliseconds() }

// groupOf finds a group by id; snapshots keep groups sorted by id.
func groupOf(s *snapshot.Snapshot, id string) (*snapshot.Group, bool) {
	i, ok := slices.BinarySearchFunc(s.Groups, id, func(g snapshot.Group, id string) int { return cmp.Compare(g.ID, id) })
	if !ok {
		return nil, false
	}
	return &s.Groups[i], true
}

// offsetOf finds a group's offset; offsets are sorted by topic, partition.
func offsetOf(g *snapshot.Group, topic string, id int32) (snapshot.GroupOffset, bool) {
	i, ok := slices.BinarySearchFunc(g.Offsets, snapshot.PartitionRef{Topic: topic, Partition: id},
		func(o snapshot.GroupOffset, r snapshot.PartitionRef) int {
			return snapshot.ComparePartitionRef(snapshot.PartitionRef{Topic: o.Topic, Partition: o.Partition}, r)
		})
	if !ok {
		return snapshot.GroupOffset{}, false
	}
	return g.Offsets[i], true
}

// partitionOf finds a partition in the cluster metadata of s. Partition
// ids are usually their index, so that is tried before a search.
func partitionOf(s *indexed, topic string, id int32) (*indexedTopic, *snapshot.Partition, bool) {
	t := s.topics[topic]
	if t == nil {
		return nil, nil, false
	}
	if id >= 0 && int(id) < len(t.Partitions) && t.Partitions[id].ID == id {
		return t, &t.Partitions[id], true
	}
	j := slices.IndexFunc(t.Partitions, func(p snapshot.Partition) bool { return p.ID == id })
	if j < 0 {
		return nil, nil, false
	}
	return t, &t.Partitions[j], true
}
