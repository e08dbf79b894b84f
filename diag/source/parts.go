// Package source is the vocabulary between what reads a cluster and what
// judges it: which parts of a snapshot to collect (Parts), and the ports
// through which triage, runbooks and evidence ask for state (Cluster,
// ReplicaProber, EpochChecker). Live implementations are in diag/collect;
// evidence replays recorded snapshots through the same ports. Nothing here
// touches the network, so every consumer depends on this package and never
// on the collector.
package source

// Parts selects what to collect, so that a command asks only for what it
// shows: `describe brokers` must not read every group's offsets. Parts are
// a request to the collector only; they are never stored, so their values
// may change.
type Parts uint

// The parts of a snapshot. Brokers and topic metadata are always collected.
// Some parts are unions of finer ones (PartOffsets, PartGroups), so that a
// caller that needs less, like triage, can ask for less: a part left out
// keeps its zero value in the snapshot (-1 for offsets and lag, no members).
const (
	PartConfigs Parts = 1 << iota
	// PartLogDirHealth reads each broker's log directories: errors and free
	// space (DescribeLogDirs for no partition, cheap for the broker).
	PartLogDirHealth
	// PartLogStartOffsets reads every partition's earliest offset
	// (ListOffsets, timestamp -2, one request per leader).
	PartLogStartOffsets
	// PartGroupOffsets lists the consumer groups each coordinator has
	// (ListGroups, which also gives their state) and reads their committed
	// offsets (OffsetFetch). Their lag is known only when PartLogEndOffsets
	// is collected too; otherwise Latest and Lag stay -1.
	PartGroupOffsets
	// PartBrokerViews asks every broker for its own Metadata, which is how
	// zombie leaders and stale metadata are seen.
	PartBrokerViews
	// PartReassignments lists the partition reassignments in progress.
	PartReassignments
	// PartLogEndOffsets reads every partition's high watermark (ListOffsets,
	// timestamp -1, one request per leader).
	PartLogEndOffsets
	// PartGroupMembers describes the consumer groups (DescribeGroups):
	// members, protocol, and the state as the group itself tells it.
	// Consumer-protocol groups, which DescribeGroups does not know, are
	// described with ConsumerGroupDescribe instead, as for PartGroupTypes.
	PartGroupMembers
	// PartLogDirContents also lists every replica in the log directories,
	// with its size (DescribeLogDirs for all partitions: about 15 ms of
	// broker CPU per 3,000 replicas). The topic names on disk tell the
	// topics Metadata left out, which are recorded as an authorization
	// error.
	PartLogDirContents
	// PartHiddenTopics names the topics Metadata leaves out because the
	// principal may not describe them: it reads the log dir contents only
	// when a broker runs an authorizer, or when that cannot be told because
	// broker configs were not asked for (PartConfigs) or could not be read.
	// Without an authorizer no topic is hidden and nothing is sent for it.
	PartHiddenTopics
)

// PartACLs collects the cluster's ACLs (DescribeAcls), which the security
// posture checks read. It needs DESCRIBE on the cluster; without it the part
// fails with an authorization error and the checks say they cannot evaluate.
const PartACLs Parts = 1 << 16

// The Kafka 4.x parts: what Metadata does not carry.
const (
	// PartQuorum describes the KRaft controller quorum (DescribeQuorum):
	// the active controller, voters and observers with their lag. Through a
	// broker, which forwards it, and directly to the controllers given with
	// --bootstrap-controller. Nothing is sent on ZooKeeper clusters.
	PartQuorum Parts = 1 << (17 + iota)
	// PartELR reads every partition's eligible leader replicas
	// (DescribeTopicPartitions, KIP-966), where the brokers offer it.
	PartELR
	// PartGroupTypes describes consumer-protocol groups (KIP-848) with
	// ConsumerGroupDescribe: their state, members, epochs and assignments,
	// which DescribeGroups does not know. Classic groups are unaffected.
	PartGroupTypes
	// PartTimeLag reads, for every committed offset with lag, the timestamp
	// of the record there (a small read-only Fetch, bounded in bytes and
	// concurrency): how old the oldest unconsumed record is. Lag needs the
	// committed offsets and the log end, so it implies PartGroupOffsets
	// and PartLogEndOffsets. The collector bounds how many records it
	// reads (the most lagging first) and records what it left out.
	PartTimeLag
	// PartLastStableOffsets reads every partition's last stable offset
	// (ListOffsets with isolation read_committed).
	PartLastStableOffsets
	// PartTransactions lists open transactions (ListTransactions) and
	// describes them (DescribeTransactions), where brokers offer it.
	PartTransactions
)

// Unions of finer parts.
const (
	// PartLogDirs reads the log directories and everything in them.
	PartLogDirs = PartLogDirHealth | PartLogDirContents
	// PartOffsets reads the log start and log end of every partition.
	PartOffsets = PartLogStartOffsets | PartLogEndOffsets
	// PartGroups is everything about consumer groups: committed offsets,
	// members and lag, and with them both offsets of every partition (the
	// log start is what tells records deleted before a group read them).
	PartGroups = PartGroupOffsets | PartGroupMembers | PartOffsets

	// PartAll collects everything.
	PartAll = PartConfigs | PartLogDirs | PartOffsets | PartGroups | PartBrokerViews | PartReassignments | PartACLs |
		PartQuorum | PartELR | PartGroupTypes | PartTimeLag | PartLastStableOffsets | PartTransactions
)

// Has reports whether p asks for any of q. Ask it about the finest parts
// (PartLogStartOffsets, not PartOffsets) unless any of several will do.
func (p Parts) Has(q Parts) bool { return p&q != 0 }
