package checks

import (
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// offsetsBackwards compares log offsets with a previous snapshot: a log end
// that moved backwards means acknowledged records were truncated.
func offsetsBackwards() Check {
	return Check{
		Name:  "offsets-backwards",
		Reads: []string{snapshot.SourceOffsets},
		Codes: []string{findings.DataLoss},
		Run: func(in Input, r *Reporter) {
			if in.Previous == nil {
				r.Skip("no previous snapshot to compare offsets with (use --since SNAPSHOT)")
				return
			}
			prev := partitionsByID(in.Previous)
			prevIDs := map[string]string{}
			for _, t := range in.Previous.Topics {
				prevIDs[t.Name] = t.ID
			}
			for _, t := range in.Snap.Topics {
				recreated := t.ID != "" && prevIDs[t.Name] != "" && t.ID != prevIDs[t.Name]
				for _, p := range t.Partitions {
					old, ok := prev.get(t.Name, p.ID)
					if !ok || old.LatestOffset < 0 || p.LatestOffset < 0 || p.LatestOffset >= old.LatestOffset {
						continue
					}
					lost := old.LatestOffset - p.LatestOffset
					r.Add(findings.Finding{
						Code: findings.DataLoss, Topic: t.Name, Partition: findings.Int32(p.ID),
						Summary: fmt.Sprintf("%s/%d: log end went back from %d to %d: %d records lost", t.Name, p.ID, old.LatestOffset, p.LatestOffset, lost),
						Evidence: map[string]any{
							"previous_latest_offset": old.LatestOffset, "latest_offset": p.LatestOffset, "records_lost": lost,
							"previous_leader_epoch": old.LeaderEpoch, "leader_epoch": p.LeaderEpoch, "topic_recreated": recreated,
							"previous_taken_at": in.Previous.TakenAt,
						},
					})
				}
			}
		},
	}
}

// logStartPastCommitted finds groups whose committed offset lies below the
// log start: retention or DeleteRecords removed records they never read.
func logStartPastCommitted() Check {
	return Check{
		Name:  "log-start-past-committed",
		Reads: []string{snapshot.SourceGroups, snapshot.SourceOffsets},
		Codes: []string{findings.LogStartAdvanced},
		Run: func(in Input, r *Reporter) {
			parts := partitionsByID(in.Snap)
			unknown := 0
			for _, g := range in.Snap.Groups {
				for _, o := range g.Offsets {
					p, ok := parts.get(o.Topic, o.Partition)
					if !ok || p.EarliestOffset < 0 {
						unknown++
						continue
					}
					if o.Committed >= p.EarliestOffset {
						continue
					}
					f := findings.Finding{
						Code: findings.LogStartAdvanced, Group: g.ID, Topic: o.Topic, Partition: findings.Int32(o.Partition),
						Summary: fmt.Sprintf("group %s committed %s/%d at %d but the log now starts at %d: %d records deleted before it read them",
							g.ID, o.Topic, o.Partition, o.Committed, p.EarliestOffset, p.EarliestOffset-o.Committed),
						Evidence: map[string]any{"committed": o.Committed, "earliest_offset": p.EarliestOffset,
							"records_skipped": p.EarliestOffset - o.Committed, "group_state": g.State, "group_active": lag.Active(g)},
					}
					if !lag.Active(g) {
						// Rule: an abandoned group's old commit falling behind
						// retention is housekeeping, not data lost to a live
						// consumer.
						f.Severity = findings.Warning
						f.Summary += fmt.Sprintf("; the group has no members (%s), so it looks abandoned or stopped", orUnknown(g.State))
					}
					r.Add(f)
				}
			}
			if unknown > 0 {
				r.CannotEvaluate("log start unknown for %d committed group offsets", unknown)
			}
		},
	}
}

// partitionsByID indexes a snapshot's partitions by topic and id; of two
// with the same topic and id (odd snapshots), the later wins.
func partitionsByID(s *snapshot.Snapshot) *tpMap[*snapshot.Partition] {
	m := newTPMap[*snapshot.Partition]()
	for _, t := range s.Topics {
		m.reserve(t.Name, len(t.Partitions))
	}
	for i := range s.Topics {
		t := &s.Topics[i]
		for j := range t.Partitions {
			m.put(t.Name, t.Partitions[j].ID, &t.Partitions[j])
		}
	}
	return m
}

func orUnknown(s string) string {
	if s == "" {
		return "state unknown"
	}
	return s
}
