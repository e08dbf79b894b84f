package collect

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// DefaultTimeLagReads bounds how many records at committed offsets one
// collection reads for time lag (Options.TimeLagReads): the positions with
// the most lag first. Every read is a partition in a Fetch answer of up to
// fetchPartitionBytes, so this bounds both the bytes and the requests
// time lag adds to a collection, whatever the number of groups. The client
// reads 100,000 positions in about 0.2 s (docs/PERFORMANCE.md), but a
// lagging group's offset is often in a segment out of the broker's page
// cache: during an incident each read may cost the broker a disk read.
const DefaultTimeLagReads = 2000

// lagTarget is one record to time: the first at or after a committed offset
// of one partition, with every group offset waiting there.
type lagTarget struct {
	partitionKey
	ord     int64 // the partition's place in topic name and partition id order
	topicID [16]byte
	leader  int32
	offset  int64 // the committed offset, where the fetch starts
	lag     int64
	waiting []*snapshot.GroupOffset
	millis  int64 // the record's timestamp, 0 until read
}

// partInfo is what a lag target needs to know of its partition.
type partInfo struct {
	ord      int64
	leader   int32
	earliest int64
	topicID  [16]byte
	known    bool
}

// timeLag reads, for every committed offset with lag, the timestamp of the
// first record at or after it (source.PartTimeLag): how old the oldest
// record the group has not consumed is. It runs once lag is computed.
// Groups waiting at the same offset of a partition share one read; at most
// Options.TimeLagReads are read, the most lagging first, and what is left
// out is recorded. The reads are Fetch requests to the leaders, all leaders
// in parallel (fetchFrom); nothing joins a group or commits.
func (c *collector) timeLag(ctx context.Context, live map[int32]*conn) {
	targets, leaderless := lagTargets(c.snap.Topics, c.snap.Groups, func(id int32) bool { return live[id] != nil })
	if leaderless > 0 {
		c.record(snapshot.SourceTimeLag, -1, "", fmt.Errorf("no live leader to read the records at %d committed offset(s) from", leaderless))
	}
	limit := c.opts.TimeLagReads
	if limit <= 0 {
		limit = DefaultTimeLagReads
	}
	if kept, left := mostLagged(targets, limit); left > 0 {
		c.record(snapshot.SourceTimeLag, -1, "", fmt.Errorf(
			"read the records at the %d most lagging committed offsets only: %d others (partition and offset) left out to bound the collection",
			len(kept), left))
		targets = kept
	}
	byLeader := map[int32][]*lagTarget{}
	for _, t := range targets {
		byLeader[t.leader] = append(byLeader[t.leader], t)
	}
	dec := kgo.DefaultDecompressor() // safe for concurrent use
	var wg sync.WaitGroup
	for leader, ts := range byLeader {
		wg.Go(func() { c.fetchFrom(ctx, leader, live[leader].addr, dec, ts) })
	}
	wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range targets {
		if t.millis <= 0 {
			continue // not read, or nothing but control records there
		}
		for _, o := range t.waiting {
			o.NextTimestampMillis = t.millis
		}
	}
}

// lagTargets gathers the committed offsets with lag whose leader is live,
// one target per partition and offset however many groups wait there, and
// counts the positions (partition and offset) whose leader is not live,
// where lag may be unknown too. An offset below a known log start has no
// record left to time: the records were deleted before the group read
// them, which the log start itself tells (LOG_START_ADVANCED); it is left
// at 0 without an error.
func lagTargets(topics []snapshot.Topic, groups []snapshot.Group, live func(int32) bool) ([]*lagTarget, int) {
	index := indexPartitions(topics)
	type waiting struct {
		ord, committed int64 // copied in, so that sorting reads no pointer
		p              *partInfo
		o              *snapshot.GroupOffset
	}
	type position struct {
		p      *partInfo
		offset int64
	}
	var lagging []waiting
	leaderless := map[position]bool{}
	var lastTopic string
	var parts []partInfo
	for i := range groups {
		for j := range groups[i].Offsets {
			o := &groups[i].Offsets[j]
			if o.Topic != lastTopic || parts == nil {
				lastTopic, parts = o.Topic, index[o.Topic] // offsets come by topic: one lookup per run
			}
			if o.Partition < 0 || int(o.Partition) >= len(parts) || !parts[o.Partition].known {
				continue // a partition Metadata did not return
			}
			p := &parts[o.Partition]
			switch {
			case o.Latest >= 0 && o.Committed >= o.Latest, o.Committed < p.earliest:
				// no lag, or deleted
			case !live(p.leader):
				leaderless[position{p, o.Committed}] = true
			case o.Latest >= 0: // else the log end was not read: recorded as an offsets error
				lagging = append(lagging, waiting{p.ord, o.Committed, p, o})
			}
		}
	}
	// Sorted by partition and offset, the groups waiting at one position
	// are neighbours: no map of 100,000 positions to build.
	slices.SortFunc(lagging, func(a, b waiting) int {
		return cmp.Or(cmp.Compare(a.ord, b.ord), cmp.Compare(a.committed, b.committed))
	})
	offsets := make([]*snapshot.GroupOffset, len(lagging))
	var out []*lagTarget
	for i, w := range lagging {
		offsets[i] = w.o
		if i > 0 && lagging[i-1].ord == w.ord && lagging[i-1].committed == w.committed {
			t := out[len(out)-1]
			t.waiting = offsets[i-len(t.waiting) : i+1]
			continue
		}
		out = append(out, &lagTarget{partitionKey: partitionKey{w.o.Topic, w.o.Partition}, ord: w.p.ord, topicID: w.p.topicID,
			leader: w.p.leader, offset: w.o.Committed, lag: w.o.Latest - w.o.Committed, waiting: offsets[i : i+1]})
	}
	return out, len(leaderless)
}

// indexPartitions lists each topic's partitions by id (Kafka's ids are
// 0 to n-1), each with its place in topic name and partition id order, so
// that the targets of 100,000 committed offsets are found and sorted
// without hashing or comparing a topic name for each.
func indexPartitions(topics []snapshot.Topic) map[string][]partInfo {
	order := make([]*snapshot.Topic, len(topics))
	for i := range topics {
		order[i] = &topics[i]
	}
	slices.SortFunc(order, func(a, b *snapshot.Topic) int { return cmp.Compare(a.Name, b.Name) })
	index := make(map[string][]partInfo, len(topics))
	ord := int64(0)
	for _, t := range order {
		size := int32(0)
		for j := range t.Partitions {
			size = max(size, t.Partitions[j].ID+1)
		}
		parts := make([]partInfo, size)
		id := topicID(t.ID)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			if p.ID >= 0 {
				parts[p.ID] = partInfo{ord: ord + int64(p.ID), leader: p.Leader, earliest: p.EarliestOffset, topicID: id, known: true}
			}
		}
		index[t.Name] = parts
		ord += int64(size)
	}
	return index
}

// mostLagged keeps the limit targets with the most lag and says how many
// it left out. Targets come in partition and offset order (lagTargets),
// which a stable sort keeps among equal lags.
func mostLagged(targets []*lagTarget, limit int) ([]*lagTarget, int) {
	if len(targets) <= limit {
		return targets, 0
	}
	slices.SortStableFunc(targets, func(a, b *lagTarget) int { return cmp.Compare(b.lag, a.lag) })
	return targets[:limit], len(targets) - limit
}

// compareTargets orders targets by topic, partition and offset.
func compareTargets(a, b *lagTarget) int {
	return cmp.Or(cmp.Compare(a.ord, b.ord), cmp.Compare(a.offset, b.offset))
}

// fetchPlan splits one leader's targets into the partition lists of Fetch
// requests. A request names a partition at most once, so groups at
// different offsets of one partition go in different requests: the n-th
// offset of each partition goes in the n-th round, and each round is cut
// into requests of at most fetchPartitions partitions, grouped by topic.
func fetchPlan(targets []*lagTarget) [][]*lagTarget {
	sorted := slices.Clone(targets)
	slices.SortFunc(sorted, compareTargets)
	var rounds [][]*lagTarget
	n := 0
	for i, t := range sorted {
		if i > 0 && sorted[i-1].ord == t.ord {
			n++
		} else {
			n = 0
		}
		if n == len(rounds) {
			rounds = append(rounds, nil)
		}
		rounds[n] = append(rounds[n], t)
	}
	var out [][]*lagTarget
	for _, round := range rounds {
		for chunk := range slices.Chunk(round, fetchPartitions) {
			out = append(out, chunk)
		}
	}
	return out
}

// topicID decodes a topic id as the snapshot keeps it (Kafka's base64),
// zero when there is none: brokers that know no ids take names.
func topicID(s string) [16]byte {
	var id [16]byte
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && len(b) == len(id) {
		copy(id[:], b)
	}
	return id
}
