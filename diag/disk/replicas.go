package disk

import (
	"cmp"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Replica is one partition's replica in one log directory: its size in
// the last sample that listed it, and how fast it grew.
type Replica struct {
	Broker    int32  `json:"broker"`
	Path      string `json:"path"`
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	SizeBytes int64  `json:"size_bytes"`
	// Rate is bytes per second between the first and last samples that
	// listed the replica in this directory (negative when retention
	// deleted more than was written); RateKnown false when fewer than two
	// did.
	Rate      float64 `json:"bytes_per_second"`
	RateKnown bool    `json:"rate_known"`
}

// sized is a replica's size at one time.
type sized struct {
	at   time.Time
	size int64
}

type replicaKey struct {
	broker    int32
	path      string
	topic     string
	partition int32
}

// Replicas lists every replica the last sample that listed replicas saw,
// with its growth since the first sample that listed it. samples are
// oldest first. Sorted by size, largest first.
func Replicas(samples []*snapshot.Snapshot) []Replica {
	first := map[replicaKey]sized{}
	var last *snapshot.Snapshot
	for _, s := range samples {
		if s == nil || !listsReplicas(s) {
			continue
		}
		last = s
		eachReplica(s, func(k replicaKey, size int64) {
			if _, ok := first[k]; !ok {
				first[k] = sized{s.TakenAt, size}
			}
		})
	}
	out := []Replica{}
	if last == nil {
		return out
	}
	eachReplica(last, func(k replicaKey, size int64) {
		r := Replica{Broker: k.broker, Path: k.path, Topic: k.topic, Partition: k.partition, SizeBytes: size}
		if f := first[k]; last.TakenAt.After(f.at) {
			r.Rate, r.RateKnown = float64(size-f.size)/last.TakenAt.Sub(f.at).Seconds(), true
		}
		out = append(out, r)
	})
	slices.SortFunc(out, func(a, b Replica) int {
		return cmp.Or(cmp.Compare(b.SizeBytes, a.SizeBytes), cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition),
			cmp.Compare(a.Broker, b.Broker), cmp.Compare(a.Path, b.Path))
	})
	return out
}

// Fastest orders replicas by growth, fastest first; those whose rate is
// unknown are left out.
func Fastest(rs []Replica) []Replica {
	out := slices.DeleteFunc(slices.Clone(rs), func(r Replica) bool { return !r.RateKnown })
	slices.SortStableFunc(out, func(a, b Replica) int { return cmp.Compare(b.Rate, a.Rate) })
	return out
}

// Topic is one topic's replicas summed over every broker and directory.
type Topic struct {
	Topic     string `json:"topic"`
	Replicas  int    `json:"replicas"`
	SizeBytes int64  `json:"size_bytes"`
	// Rate sums the rates of its replicas whose rate is known.
	Rate      float64 `json:"bytes_per_second"`
	RateKnown bool    `json:"rate_known"`
}

// Topics sums replicas per topic, largest first.
func Topics(rs []Replica) []Topic {
	byName := map[string]*Topic{}
	for _, r := range rs {
		t := byName[r.Topic]
		if t == nil {
			t = &Topic{Topic: r.Topic}
			byName[r.Topic] = t
		}
		t.Replicas++
		t.SizeBytes += r.SizeBytes
		if r.RateKnown {
			t.Rate, t.RateKnown = t.Rate+r.Rate, true
		}
	}
	out := make([]Topic, 0, len(byName))
	for _, t := range byName {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Topic) int {
		return cmp.Or(cmp.Compare(b.SizeBytes, a.SizeBytes), cmp.Compare(a.Topic, b.Topic))
	})
	return out
}

// FastestTopics orders topics by growth, fastest first, leaving out those
// whose rate is unknown.
func FastestTopics(ts []Topic) []Topic {
	out := slices.DeleteFunc(slices.Clone(ts), func(t Topic) bool { return !t.RateKnown })
	slices.SortStableFunc(out, func(a, b Topic) int { return cmp.Compare(b.Rate, a.Rate) })
	return out
}

func listsReplicas(s *snapshot.Snapshot) bool {
	for _, d := range s.LogDirs {
		if d.ReplicasListed() {
			return true
		}
	}
	return false
}

func eachReplica(s *snapshot.Snapshot, fn func(replicaKey, int64)) {
	for _, d := range s.LogDirs {
		for _, t := range d.Replicas {
			for i, p := range t.Partitions {
				if i < len(t.SizeBytes) {
					fn(replicaKey{d.Broker, d.Path, t.Topic, p}, t.SizeBytes[i])
				}
			}
		}
	}
}
