package triage

import "github.com/kafka-runbook/kafka-runbook/diag/source"

// Parts is what triage collects: what its checks read, and nothing
// else, since on a large cluster every request and every decoded byte is
// time spent before the first finding.
//   - No check reads reassignments (isr-shrinkage asks for them itself),
//     so the controller is spared that request.
//   - No check reads group members or protocols: the state comes with
//     ListGroups, so DescribeGroups is not sent. Committed offsets are read
//     (log-start-past-committed).
//   - The log start of every partition is read (log-start-past-committed);
//     the log end only with --since, where offsets-backwards compares it
//     with the earlier snapshot. Without it lag stays unknown (-1): the
//     triage report shows none.
//   - Log dirs are read for their health (LOG_DIR_OFFLINE); the replicas in
//     them, the costliest request of a triage for the brokers, only when an
//     authorizer may hide topics from Metadata.
func Parts(since bool) source.Parts {
	parts := source.PartAll&^(source.PartReassignments|source.PartGroupMembers|source.PartLogEndOffsets|source.PartLogDirContents) |
		source.PartHiddenTopics
	if since {
		parts |= source.PartLogEndOffsets
	}
	return parts
}
