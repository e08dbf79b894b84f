package source

import (
	"context"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Cluster gives the cluster's state at the moment it is asked. Live, it
// takes a fresh snapshot; replaying evidence, it returns the recorded one.
type Cluster interface {
	Snapshot(ctx context.Context, parts Parts) (*snapshot.Snapshot, error)
}

// Func adapts a function to Cluster.
type Func func(ctx context.Context, parts Parts) (*snapshot.Snapshot, error)

// Snapshot calls f.
func (f Func) Snapshot(ctx context.Context, parts Parts) (*snapshot.Snapshot, error) {
	return f(ctx, parts)
}

// TopicPartition names a partition.
type TopicPartition struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
}

// ReplicaProber asks individual replicas for what only they know.
type ReplicaProber interface {
	// ReplicaLogEnds returns each listed replica's own log end offset per
	// partition, asking the replica directly. Brokers that fail are named in
	// the error; what the others said is returned.
	ReplicaLogEnds(ctx context.Context, replicas map[int32][]TopicPartition) (map[int32]map[TopicPartition]int64, error)
	// OffsetsForTime returns, per leader, the first offset at or after ts
	// (ms since the epoch), -1 where no record is that recent.
	OffsetsForTime(ctx context.Context, leaders map[int32][]TopicPartition, ts int64) (map[int32]map[TopicPartition]int64, error)
}

// EpochChecker asks one broker about a leader epoch (KIP-320 fencing).
type EpochChecker interface {
	// CheckLeaderEpoch asks broker whether it leads the partition at epoch.
	CheckLeaderEpoch(ctx context.Context, broker int32, topic string, partition, epoch int32) (EpochCheck, error)
	// EpochEnd asks broker where the given leader epoch ended in its log.
	EpochEnd(ctx context.Context, broker int32, topic string, partition, epoch int32) (int64, error)
}

// EpochCheck is the answer of one broker to "are you the leader at this
// epoch?".
type EpochCheck struct {
	// ErrorCode is Kafka's error: 0 (it leads at that epoch), 75
	// UNKNOWN_LEADER_EPOCH (it is behind: a zombie), 74
	// FENCED_LEADER_EPOCH (it is ahead), 6 NOT_LEADER_OR_FOLLOWER.
	ErrorCode int16  `json:"error_code"`
	Error     string `json:"error"`
	// Offset is its log end offset when it answered as leader.
	Offset int64 `json:"offset"`
	// LeaderEpoch is the epoch it reported.
	LeaderEpoch int32 `json:"leader_epoch"`
}
