package triage

import "github.com/kafka-runbook/kafka-runbook/diag/source"

// Parts is what triage collects: what its checks read, and nothing
// else, since on a large cluster every request and every decoded byte is
// time spent before the first finding.
//   - Reassignments are read: a replica being added is out of the ISR by
//     design and must not count as under-replicated.
//   - The Kafka 4.x parts are read: the controller quorum (its leader and
//     lagging voters), the eligible leader replicas of every partition (an
//     offline partition whose ELR holds a replica can lead without loss),
//     and the group types, so that a consumer-protocol group is described
//     by ConsumerGroupDescribe instead of looking dead.
//   - No check reads the members of classic groups: their state comes with
//     ListGroups, so DescribeGroups is not sent. Committed offsets are read
//     (log-start-past-committed).
//   - Both ends of every partition's log are read: the log start for
//     log-start-past-committed, the log end for every group's lag, and with
//     them, for the lagging committed offsets (the 2,000 most lagging), how
//     old the next unread record is: one snapshot then tells that retention
//     will delete unread records within the hour (LAG_EXCEEDS_RETENTION),
//     before it has. Consumer lag is the page on-call gets most.
//   - Open transactions (ListTransactions, one request per broker) and the
//     last stable offsets: a transaction open past its timeout holds every
//     read_committed consumer of its partitions.
//   - Log dirs are read for their health (LOG_DIR_OFFLINE); the replicas in
//     them, the costliest request of a triage for the brokers, only when an
//     authorizer may hide topics from Metadata.
func Parts() source.Parts {
	return source.PartAll&^(source.PartGroupMembers|source.PartLogDirContents) | source.PartHiddenTopics
}

// SampleParts is what each sample of triage --sample reads for the checks
// that judge a trend: committed offsets against both ends of the log, the
// last stable offset, and who is in each group (members for classic groups,
// epochs for consumer-protocol ones), so lag, rewinds, rebalances and
// hanging transactions can be told over time; and every log dir's usable
// space (DescribeLogDirs for no partition, cheap for the brokers), so how
// fast each fills and when it will be full can be told too.
const SampleParts = source.PartGroupOffsets | source.PartGroupMembers | source.PartGroupTypes | source.PartOffsets |
	source.PartLastStableOffsets | source.PartLogDirHealth

// SampledParts is what the last sample of triage --sample reads: everything
// triage reads, plus the trend parts and how old the oldest unconsumed
// record is, and the open transactions that may hold consumers back.
func SampledParts() source.Parts {
	return Parts() | SampleParts | source.PartTimeLag | source.PartTransactions
}
