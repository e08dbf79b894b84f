package testkit

import "github.com/kafka-runbook/kafka-runbook/diag/snapshot"

// Group builds one consumer group's state in one sample: a consumer-protocol
// (KIP-848) group at that group epoch when epoch > 0, a classic one
// otherwise, with members of the given ids.
func Group(id, state string, epoch int32, members []string, offsets ...snapshot.GroupOffset) snapshot.Group {
	g := snapshot.Group{ID: id, Type: snapshot.GroupClassic, State: state, Offsets: offsets}
	if epoch > 0 {
		g.Type, g.Epoch = snapshot.GroupConsumer, epoch
	}
	for _, m := range members {
		g.Members = append(g.Members, snapshot.GroupMember{ID: m})
	}
	return g
}

// Offset is a group's committed offset on topic/partition with its lag:
// the high watermark is their sum.
func Offset(topic string, partition int32, committed, lag int64) snapshot.GroupOffset {
	return snapshot.GroupOffset{Topic: topic, Partition: partition, Committed: committed, Latest: committed + lag, Lag: lag}
}
