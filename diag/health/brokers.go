package health

import (
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Load is what one broker carries: the one definition of the per-broker
// counts the balance checks and views report.
type Load struct {
	Broker int32 `json:"broker"`
	// Leaders counts the partitions it leads; Replicas the replicas
	// assigned to it, counting those a reassignment is still adding.
	Leaders  int `json:"leaders"`
	Replicas int `json:"replicas"`
	// Preferred counts the partitions whose preferred replica (the first
	// in the replica list) it is, not counting partitions a reassignment
	// is moving, whose replica list is about to change; PreferredAway
	// those of them another broker leads, or nobody.
	Preferred     int `json:"preferred"`
	PreferredAway int `json:"preferred_away"`
	// PreferredAwayInSync counts those of PreferredAway where it is in the
	// ISR: what a preferred election would move back now.
	PreferredAwayInSync int `json:"preferred_away_in_sync"`
	// Bytes is the size of its replicas on disk (DescribeLogDirs), -1 when
	// not known for every one of its log dirs.
	Bytes int64 `json:"bytes"`
}

// Loads counts every broker's load in s, for every broker the snapshot
// knows, in the order of s.Brokers.
func Loads(s *snapshot.Snapshot) []Load {
	index := map[int32]int{}
	out := make([]Load, 0, len(s.Brokers))
	for _, b := range s.Brokers {
		index[b.ID] = len(out)
		out = append(out, Load{Broker: b.ID, Bytes: -1})
	}
	at := func(id int32) *Load {
		if i, ok := index[id]; ok {
			return &out[i]
		}
		return nil
	}
	moving := map[snapshot.PartitionRef]bool{}
	for _, r := range s.Reassignments {
		moving[snapshot.PartitionRef{Topic: r.Topic, Partition: r.Partition}] = true
	}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if l := at(p.Leader); l != nil && p.Leader >= 0 {
				l.Leaders++
			}
			for _, r := range p.Replicas {
				if l := at(r); l != nil {
					l.Replicas++
				}
			}
			if len(p.Replicas) == 0 || moving[snapshot.PartitionRef{Topic: t.Name, Partition: p.ID}] {
				continue
			}
			l := at(p.Replicas[0])
			if l == nil {
				continue
			}
			l.Preferred++
			if p.Leader != p.Replicas[0] {
				l.PreferredAway++
				if contains(p.ISR, p.Replicas[0]) {
					l.PreferredAwayInSync++
				}
			}
		}
	}
	addBytes(s, at)
	return out
}

// addBytes sums each broker's log dir sizes, leaving -1 where a dir's
// contents were not read or a dir failed.
func addBytes(s *snapshot.Snapshot, at func(int32) *Load) {
	unknown := map[int32]bool{}
	sums := map[int32]int64{}
	for _, d := range s.LogDirs {
		if d.SizeBytes < 0 || d.Error != "" {
			unknown[d.Broker] = true
			continue
		}
		sums[d.Broker] += d.SizeBytes
	}
	for id, sum := range sums {
		if l := at(id); l != nil && !unknown[id] {
			l.Bytes = sum
		}
	}
}

func contains(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
