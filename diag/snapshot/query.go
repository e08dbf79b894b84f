package snapshot

import (
	"cmp"
	"slices"
)

// Normalize sorts every list and replaces nil slices with empty ones, so
// JSON output is stable and arrays are never null.
func (s *Snapshot) Normalize() {
	slices.SortFunc(s.Bootstrap, func(a, b Endpoint) int { return cmp.Compare(a.Address, b.Address) })
	slices.SortFunc(s.Brokers, func(a, b Broker) int { return cmp.Compare(a.ID, b.ID) })
	for i := range s.Brokers {
		slices.Sort(s.Brokers[i].LearnedFrom)
		s.Brokers[i].LearnedFrom = nonNil(slices.Compact(s.Brokers[i].LearnedFrom))
		slices.SortFunc(s.Brokers[i].APIVersions, func(a, b APIVersion) int { return cmp.Compare(a.Key, b.Key) })
	}
	slices.SortFunc(s.Topics, func(a, b Topic) int { return cmp.Compare(a.Name, b.Name) })
	for i := range s.Topics {
		t := &s.Topics[i]
		slices.SortFunc(t.Partitions, func(a, b Partition) int { return cmp.Compare(a.ID, b.ID) })
		t.Partitions = nonNil(t.Partitions)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.Replicas, p.ISR, p.OfflineReplicas = nonNil(p.Replicas), nonNil(p.ISR), nonNil(p.OfflineReplicas)
		}
	}
	slices.SortFunc(s.Reassignments, func(a, b Reassignment) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	slices.SortFunc(s.BrokerViews, func(a, b BrokerView) int { return cmp.Compare(a.Broker, b.Broker) })
	for i := range s.BrokerViews {
		v := &s.BrokerViews[i]
		slices.Sort(v.Brokers)
		v.Brokers = nonNil(v.Brokers)
		slices.SortFunc(v.Differences, func(a, b LeaderView) int {
			return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
		})
		slices.SortFunc(v.Missing, func(a, b PartitionRef) int {
			return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
		})
		v.Differences, v.Missing = nonNil(v.Differences), nonNil(v.Missing)
	}
	slices.SortFunc(s.BrokerConfigs, func(a, b BrokerConfig) int { return cmp.Compare(a.Broker, b.Broker) })
	slices.SortFunc(s.LogDirs, func(a, b LogDir) int {
		return cmp.Or(cmp.Compare(a.Broker, b.Broker), cmp.Compare(a.Path, b.Path))
	})
	for i := range s.LogDirs {
		slices.SortFunc(s.LogDirs[i].Replicas, func(a, b LogDirTopic) int { return cmp.Compare(a.Topic, b.Topic) })
	}
	slices.SortFunc(s.Groups, func(a, b Group) int { return cmp.Compare(a.ID, b.ID) })
	for i := range s.Groups {
		g := &s.Groups[i]
		slices.SortFunc(g.Members, func(a, b GroupMember) int { return cmp.Compare(a.ID, b.ID) })
		for j := range g.Members {
			slices.SortFunc(g.Members[j].Assignment, ComparePartitionRef)
		}
		slices.SortFunc(g.Offsets, func(a, b GroupOffset) int {
			return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
		})
		g.Members, g.Offsets = nonNil(g.Members), nonNil(g.Offsets)
	}
	slices.SortFunc(s.Errors, func(a, b CollectError) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Broker, b.Broker),
			cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Message, b.Message))
	})
	if q := s.Quorum; q != nil {
		byID := func(a, b QuorumReplica) int { return cmp.Compare(a.ID, b.ID) }
		slices.SortFunc(q.Voters, byID)
		slices.SortFunc(q.Observers, byID)
		slices.SortFunc(q.Nodes, func(a, b QuorumNode) int { return cmp.Compare(a.ID, b.ID) })
		q.Voters, q.Observers = nonNil(q.Voters), nonNil(q.Observers)
	}
	s.Bootstrap, s.Brokers, s.Topics = nonNil(s.Bootstrap), nonNil(s.Brokers), nonNil(s.Topics)
	s.Reassignments, s.BrokerViews, s.BrokerConfigs = nonNil(s.Reassignments), nonNil(s.BrokerViews), nonNil(s.BrokerConfigs)
	s.LogDirs, s.Groups, s.Errors = nonNil(s.LogDirs), nonNil(s.Groups), nonNil(s.Errors)
}

// ComparePartitionRef orders partitions by topic, then id.
func ComparePartitionRef(a, b PartitionRef) int {
	return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Broker returns the broker with the given id.
func (s *Snapshot) Broker(id int32) (Broker, bool) {
	i, ok := slices.BinarySearchFunc(s.Brokers, id, func(b Broker, id int32) int { return cmp.Compare(b.ID, id) })
	if !ok {
		return Broker{}, false
	}
	return s.Brokers[i], true
}

// Topic returns the topic with the given name.
func (s *Snapshot) Topic(name string) (Topic, bool) {
	i, ok := slices.BinarySearchFunc(s.Topics, name, func(t Topic, n string) int { return cmp.Compare(t.Name, n) })
	if !ok {
		return Topic{}, false
	}
	return s.Topics[i], true
}

// ErrorsFor returns the collection errors of one source.
func (s *Snapshot) ErrorsFor(source string) []CollectError {
	var out []CollectError
	for _, e := range s.Errors {
		if e.Source == source {
			out = append(out, e)
		}
	}
	return out
}

// Config returns the named config of the topic and whether it is known.
func (t Topic) Config(name string) (ConfigValue, bool) {
	v, ok := t.Configs[name]
	return v, ok
}

// Online reports whether the partition has a leader.
func (p Partition) Online() bool { return p.Leader >= 0 }

// Now is the quorum leader's clock when it answered (ms since the epoch):
// the newest time it reported, its own entry carrying its current time.
// Comparing replicas' fetch times with it needs no clock of ours. -1 when
// no time was reported.
func (q *Quorum) Now() int64 {
	now := int64(-1)
	for _, list := range [][]QuorumReplica{q.Voters, q.Observers} {
		for _, r := range list {
			now = max(now, r.LastFetchMillis, r.LastCaughtUpMillis)
		}
	}
	return now
}

// Lag is how many records replica r is behind the quorum's high watermark,
// -1 when either is unknown.
func (q *Quorum) Lag(r QuorumReplica) int64 {
	if r.LogEndOffset < 0 || q.HighWatermark < 0 {
		return -1
	}
	return max(q.HighWatermark-r.LogEndOffset, 0)
}
