package triage

import (
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// TestPartsReadWhatTheChecksNeed: triage reads reassignments (adding
// replicas are not under-replication) and the Kafka 4.x parts, but still
// no classic group members, no log end without --since and no log dir
// contents unless topics may hide.
func TestPartsReadWhatTheChecksNeed(t *testing.T) {
	for _, since := range []bool{false, true} {
		p := Parts(since)
		for name, part := range map[string]source.Parts{
			"reassignments": source.PartReassignments, "quorum": source.PartQuorum, "ELR": source.PartELR,
			"group types": source.PartGroupTypes, "group offsets": source.PartGroupOffsets, "hidden topics": source.PartHiddenTopics,
		} {
			if !p.Has(part) {
				t.Errorf("since=%v: %s not read", since, name)
			}
		}
		for name, part := range map[string]source.Parts{
			"group members": source.PartGroupMembers, "log dir contents": source.PartLogDirContents,
		} {
			if p.Has(part) {
				t.Errorf("since=%v: %s read", since, name)
			}
		}
		if p.Has(source.PartLogEndOffsets) != since {
			t.Errorf("since=%v: log end read: %v", since, p.Has(source.PartLogEndOffsets))
		}
	}
}
