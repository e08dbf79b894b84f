package checks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// partitionAvailability finds partitions nobody can read or write, and says
// for each what can bring it back: a broker of its last ISR, an eligible
// leader replica (KIP-966), or only an unclean election.
func partitionAvailability() Check {
	return Check{
		Name:  "partition-availability",
		Reads: []string{snapshot.SourceTopicPartitions},
		Codes: []string{findings.OfflinePartition, findings.UncleanElectionRequired},
		Run: func(in Input, r *Reporter) {
			if len(in.Snap.Brokers) == 0 {
				r.CannotEvaluate("no partition metadata")
				return
			}
			states := States(in.Snap)
			rules := health.Of(in.Snap)
			elrUnknown := 0
			for _, t := range in.Snap.Topics {
				for _, p := range t.Partitions {
					if !rules.Partition(t, p).Unavailable {
						continue
					}
					if !offlinePartition(r, t, p, states) {
						elrUnknown++
					}
				}
			}
			if elrUnknown > 0 {
				r.CannotEvaluate("%d offline partitions have an empty ISR and their eligible leader replicas (KIP-966) "+
					"were not read: whether they can return without loss is unknown", elrUnknown)
			}
		},
	}
}

// offlinePartition reports one unavailable partition and what would bring
// it back. It returns false when that cannot be told: an empty ISR whose
// eligible leader replicas were not read.
func offlinePartition(r *Reporter, t snapshot.Topic, p snapshot.Partition, states map[int32]State) bool {
	subject := findings.Finding{Code: findings.OfflinePartition, Topic: t.Name, Partition: findings.Int32(p.ID)}
	ev := map[string]any{"replicas": p.Replicas, "isr": p.ISR, "replication_factor": len(p.Replicas), "leader": p.Leader, "error": p.Error}
	if t.ELRKnown {
		ev["eligible_leader_replicas"], ev["last_known_elr"] = nonNilIDs(p.ELR), nonNilIDs(p.LastKnownELR)
	}
	f := subject
	f.Evidence = ev
	live := liveOf(p.Replicas, states)
	switch {
	case p.Online():
		f.Summary = fmt.Sprintf("%s/%d: its leader, broker %d, is not a live broker (replicas %v, ISR %v)", t.Name, p.ID, p.Leader, p.Replicas, p.ISR)
	case len(p.Replicas) == 1:
		f.Summary = fmt.Sprintf("%s/%d has no leader and a single replica, on broker %d: no other copy exists. Bring broker %d back "+
			"with its disk, or accept losing the partition's data", t.Name, p.ID, p.Replicas[0], p.Replicas[0])
	case len(p.ISR) > 0:
		f.Summary = fmt.Sprintf("%s/%d has no leader: waiting for %s of its last ISR %v (replicas %v)", t.Name, p.ID, brokerWord(p.ISR), p.ISR, p.Replicas)
	case t.ELRKnown && len(p.ELR) > 0:
		f.Summary = elrSummary(t, p, states)
	case t.ELRKnown:
		f.Summary = fmt.Sprintf("%s/%d has no leader, an empty ISR and no eligible leader replica (replicas %v)", t.Name, p.ID, p.Replicas)
	default:
		f.Summary = fmt.Sprintf("%s/%d has no leader and an empty ISR (replicas %v)", t.Name, p.ID, p.Replicas)
	}
	r.Add(f)
	if p.Online() || len(p.Replicas) == 1 {
		return true // no election decides it: the leader must come back, or nothing else exists
	}
	if len(p.ISR) == 0 && !t.ELRKnown {
		return false
	}
	if len(p.ISR) == 0 && len(p.ELR) > 0 {
		// Rule: the controller keeps eligible leader replicas exactly so
		// that the partition can return without loss; the way back is
		// bringing one of them back, never choosing loss while that exists.
		return true
	}
	if !lastCopiesGone(p, t.ELRKnown, states) {
		return true
	}
	r.Add(findings.Finding{
		Code: findings.UncleanElectionRequired, Topic: t.Name, Partition: findings.Int32(p.ID),
		Summary: fmt.Sprintf("%s/%d: every replica that holds all committed records (%s) is down; only an unclean election "+
			"of a live replica %v can restore it without them, losing what they alone hold", t.Name, p.ID, lastCopies(p, t.ELRKnown), live),
		Evidence: map[string]any{"isr": p.ISR, "eligible_leader_replicas": nonNilIDs(p.ELR), "live_replicas": live},
	})
	return true
}

// elrSummary words an offline partition whose ISR is empty but whose
// eligible leader replicas hold every committed record.
func elrSummary(t snapshot.Topic, p snapshot.Partition, states map[int32]State) string {
	if up := liveOf(p.ELR, states); len(up) > 0 {
		return fmt.Sprintf("%s/%d has no leader; %s an eligible leader replica (KIP-966) and up: the controller can elect it "+
			"without losing data (ISR empty, ELR %v)", t.Name, p.ID, brokerWord(up)+" "+isAre(up), p.ELR)
	}
	return fmt.Sprintf("%s/%d has no leader; bring back %s: an eligible leader replica (KIP-966) holds every committed record, "+
		"so it returns without data loss (ISR empty, ELR %v, replicas %v)", t.Name, p.ID, brokerWord(p.ELR), p.ELR, p.Replicas)
}

// lastCopiesGone reports whether every replica known to hold all committed
// records (the last ISR, or with ELR known the eligible leader replicas
// too) is down. A broker whose state is unknown counts as gone only when
// it is not registered.
func lastCopiesGone(p snapshot.Partition, elrKnown bool, states map[int32]State) bool {
	copies := p.ISR
	if elrKnown {
		copies = append(slices.Clone(p.ISR), p.ELR...)
	}
	for _, id := range copies {
		if st, ok := states[id]; ok && st != StateDown {
			return false
		}
	}
	return true
}

// lastCopies names the replicas known to hold every committed record.
func lastCopies(p snapshot.Partition, elrKnown bool) string {
	if elrKnown && len(p.ISR) == 0 {
		return fmt.Sprintf("ISR empty, eligible leader replicas %v", nonNilIDs(p.ELR))
	}
	return fmt.Sprintf("last ISR %v", p.ISR)
}

func liveOf(ids []int32, states map[int32]State) []int32 {
	out := []int32{}
	for _, id := range ids {
		if states[id] == StateUp {
			out = append(out, id)
		}
	}
	return out
}

// replication finds partitions with fewer in-sync replicas than they
// should have, brokers with offline replicas, and reassignments under way.
// The flags are diag/health's, so these findings count exactly what every
// view and kafka-topics.sh count.
func replication() Check {
	return Check{
		Name:  "replication",
		Reads: []string{snapshot.SourceTopicConfigs, snapshot.SourceReassignments},
		Codes: []string{findings.UnderMinISR, findings.AtMinISR, findings.UnderReplicated, findings.OfflineReplica, findings.ReassignmentInProgress},
		Run: func(in Input, r *Reporter) {
			rules := health.Of(in.Snap)
			offline := map[int32]int{}
			unknownMinISR := 0
			for _, t := range in.Snap.Topics {
				for _, p := range t.Partitions {
					for _, id := range p.OfflineReplicas {
						offline[id]++
					}
					h := rules.Partition(t, p)
					checkPartitionReplication(r, t, p, h, rules.Adding(t.Name, p.ID))
					if h.MinISR < 0 {
						unknownMinISR++
					}
				}
			}
			if unknownMinISR > 0 {
				r.CannotEvaluate("min.insync.replicas unknown for %d partitions (topic configs not read): UNDER_MIN_ISR and AT_MIN_ISR not evaluated for them", unknownMinISR)
			}
			for _, id := range slices.Sorted(maps.Keys(offline)) {
				r.Add(findings.Finding{
					Code: findings.OfflineReplica, Broker: findings.Int32(id),
					Summary:  fmt.Sprintf("broker %d has %d offline replicas", id, offline[id]),
					Evidence: map[string]any{"offline_replicas": offline[id]},
				})
			}
			reassignments(in.Snap, r)
		},
	}
}

func checkPartitionReplication(r *Reporter, t snapshot.Topic, p snapshot.Partition, h health.Partition, adding []int32) {
	subject := findings.Finding{Topic: t.Name, Partition: findings.Int32(p.ID)}
	evidence := map[string]any{"replicas": p.Replicas, "isr": p.ISR, "leader": p.Leader, "min_insync_replicas": h.MinISR,
		"replication_factor": h.ReplicationFactor}
	if len(adding) > 0 {
		evidence["adding_replicas"] = adding
	}
	if h.UnderReplicated {
		f := subject
		f.Code, f.Evidence = findings.UnderReplicated, evidence
		f.Summary = fmt.Sprintf("%s/%d has %d of %d replicas in sync %v", t.Name, p.ID, len(p.ISR), h.ReplicationFactor, p.ISR)
		r.Add(f)
	}
	switch {
	case health.IsTrue(h.UnderMinISR):
		f := subject
		f.Code, f.Evidence = findings.UnderMinISR, evidence
		f.Summary = underMinISRSummary(t, p, h)
		r.Add(f)
	case health.IsTrue(h.AtMinISR):
		f := subject
		f.Code, f.Evidence = findings.AtMinISR, evidence
		f.Summary = fmt.Sprintf("%s/%d: ISR %v is at min.insync.replicas=%d; one more failure stops acks=all producers", t.Name, p.ID, p.ISR, h.MinISR)
		r.Add(f)
	}
}

// underMinISRSummary says why acks=all producers fail, in the words of the
// rule that applies.
func underMinISRSummary(t snapshot.Topic, p snapshot.Partition, h health.Partition) string {
	switch {
	case !p.Online():
		return fmt.Sprintf("%s/%d has no leader: no producer can write, acks=all or not (ISR %v, min.insync.replicas=%d)", t.Name, p.ID, p.ISR, h.MinISR)
	case h.ReplicationFactor < h.MinISR:
		return fmt.Sprintf("%s/%d: replication factor %d is below min.insync.replicas=%d, so acks=all producers always get NOT_ENOUGH_REPLICAS",
			t.Name, p.ID, h.ReplicationFactor, h.MinISR)
	}
	return fmt.Sprintf("%s/%d: ISR %v is below min.insync.replicas=%d; acks=all producers get NOT_ENOUGH_REPLICAS", t.Name, p.ID, p.ISR, h.MinISR)
}

// reassignments reports each reassignment under way with how far its new
// replicas got: those already in the ISR have caught up.
func reassignments(s *snapshot.Snapshot, r *Reporter) {
	for _, ra := range s.Reassignments {
		isr := []int32{}
		if t, ok := s.Topic(ra.Topic); ok {
			for _, p := range t.Partitions {
				if p.ID == ra.Partition {
					isr = p.ISR
				}
			}
		}
		caught := []int32{}
		for _, id := range ra.AddingReplicas {
			if slices.Contains(isr, id) {
				caught = append(caught, id)
			}
		}
		r.Add(findings.Finding{
			Code: findings.ReassignmentInProgress, Topic: ra.Topic, Partition: findings.Int32(ra.Partition),
			Summary: fmt.Sprintf("%s/%d is being reassigned to %v: adding %v (%d of %d in sync), removing %v",
				ra.Topic, ra.Partition, ra.Replicas, nonNilIDs(ra.AddingReplicas), len(caught), len(ra.AddingReplicas), nonNilIDs(ra.RemovingReplicas)),
			Evidence: map[string]any{"replicas": ra.Replicas, "adding_replicas": nonNilIDs(ra.AddingReplicas),
				"removing_replicas": nonNilIDs(ra.RemovingReplicas), "adding_in_sync": caught},
		})
	}
}

func nonNilIDs(ids []int32) []int32 {
	if ids == nil {
		return []int32{}
	}
	return ids
}

// brokerWord is "broker 3" or "brokers 1, 2".
func brokerWord(ids []int32) string {
	if len(ids) == 1 {
		return fmt.Sprintf("broker %d", ids[0])
	}
	return "brokers " + words.JoinIDs(ids, ", ")
}

func isAre(ids []int32) string {
	if len(ids) == 1 {
		return "is"
	}
	return "are"
}
