package triage

import (
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// TestPartsReadWhatTheChecksNeed: triage reads reassignments (adding
// replicas are not under-replication), the Kafka 4.x parts and every
// group's lag with the age of its oldest unread record, but no classic
// group members and no log dir contents unless topics may hide; a sample
// reads only what trends need.
func TestPartsReadWhatTheChecksNeed(t *testing.T) {
	p := Parts()
	for name, part := range map[string]source.Parts{
		"reassignments": source.PartReassignments, "quorum": source.PartQuorum, "ELR": source.PartELR,
		"group types": source.PartGroupTypes, "group offsets": source.PartGroupOffsets, "hidden topics": source.PartHiddenTopics,
		"log end": source.PartLogEndOffsets, "time lag": source.PartTimeLag, "transactions": source.PartTransactions,
		"last stable offsets": source.PartLastStableOffsets,
	} {
		if !p.Has(part) {
			t.Errorf("%s not read", name)
		}
	}
	for name, part := range map[string]source.Parts{
		"group members": source.PartGroupMembers, "log dir contents": source.PartLogDirContents,
	} {
		if p.Has(part) {
			t.Errorf("%s read", name)
		}
	}
	if !SampledParts().Has(source.PartGroupMembers) || SampleParts&(source.PartTimeLag|source.PartConfigs|source.PartLogDirContents) != 0 {
		t.Error("a sample reads members for rebalances, and not the costly parts the final snapshot reads")
	}
	if !SampleParts.Has(source.PartLogDirHealth) {
		t.Error("a sample does not read the log dirs' usable space: no disk growth over the window")
	}
}
