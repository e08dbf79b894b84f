package checks

import (
	"fmt"
	"maps"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// partitionAvailability finds partitions without a leader and those that
// only an unclean election can bring back.
func partitionAvailability() Check {
	return Check{
		Name:  "partition-availability",
		Codes: []string{findings.OfflinePartition, findings.UncleanElectionRequired},
		Run: func(in Input, r *Reporter) {
			if len(in.Snap.Brokers) == 0 {
				r.CannotEvaluate("no partition metadata")
				return
			}
			states := States(in.Snap)
			for _, t := range in.Snap.Topics {
				for _, p := range t.Partitions {
					if p.Online() {
						continue
					}
					r.Add(findings.Finding{
						Code: findings.OfflinePartition, Topic: t.Name, Partition: findings.Int32(p.ID),
						Summary:  fmt.Sprintf("%s/%d has no leader (replicas %v, last ISR %v)", t.Name, p.ID, p.Replicas, p.ISR),
						Evidence: map[string]any{"replicas": p.Replicas, "isr": p.ISR, "replication_factor": len(p.Replicas), "error": p.Error},
					})
					if iSRGone(p, states) {
						r.Add(findings.Finding{
							Code: findings.UncleanElectionRequired, Topic: t.Name, Partition: findings.Int32(p.ID),
							Summary:  fmt.Sprintf("%s/%d: every in-sync replica %v is down; only an unclean election can restore it without them", t.Name, p.ID, p.ISR),
							Evidence: map[string]any{"isr": p.ISR, "live_replicas": liveOf(p.Replicas, states)},
						})
					}
				}
			}
		},
	}
}

// iSRGone reports whether no member of the partition's last ISR is alive.
// An unknown broker counts as gone only when it is not registered.
func iSRGone(p snapshot.Partition, states map[int32]State) bool {
	for _, id := range p.ISR {
		if st, ok := states[id]; ok && st != StateDown {
			return false
		}
	}
	return true
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
// should have, and brokers with offline replicas.
func replication() Check {
	return Check{
		Name:  "replication",
		Reads: []string{snapshot.SourceTopicConfigs},
		Codes: []string{findings.UnderMinISR, findings.AtMinISR, findings.UnderReplicated, findings.OfflineReplica},
		Run: func(in Input, r *Reporter) {
			offline := map[int32]int{}
			unknownMinISR := 0
			for _, t := range in.Snap.Topics {
				minISR := t.MinISR()
				for _, p := range t.Partitions {
					for _, id := range p.OfflineReplicas {
						offline[id]++
					}
					checkPartitionReplication(r, t, p, minISR)
					if minISR < 0 && p.Online() {
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
		},
	}
}

func checkPartitionReplication(r *Reporter, t snapshot.Topic, p snapshot.Partition, minISR int) {
	subject := findings.Finding{Topic: t.Name, Partition: findings.Int32(p.ID)}
	evidence := map[string]any{"replicas": p.Replicas, "isr": p.ISR, "leader": p.Leader, "min_insync_replicas": minISR}
	if p.UnderReplicated() || !p.Online() {
		f := subject
		f.Code, f.Evidence = findings.UnderReplicated, evidence
		f.Summary = fmt.Sprintf("%s/%d has %d of %d replicas in sync %v", t.Name, p.ID, len(p.ISR), len(p.Replicas), p.ISR)
		r.Add(f)
	}
	if !p.Online() || minISR < 0 {
		return
	}
	switch {
	case len(p.ISR) < minISR:
		f := subject
		f.Code, f.Evidence = findings.UnderMinISR, evidence
		f.Summary = fmt.Sprintf("%s/%d: ISR %v is below min.insync.replicas=%d; acks=all producers get NOT_ENOUGH_REPLICAS", t.Name, p.ID, p.ISR, minISR)
		r.Add(f)
	case len(p.ISR) == minISR && len(p.Replicas) > minISR:
		f := subject
		f.Code, f.Evidence = findings.AtMinISR, evidence
		f.Summary = fmt.Sprintf("%s/%d: ISR %v is at min.insync.replicas=%d; one more failure stops acks=all producers", t.Name, p.ID, p.ISR, minISR)
		r.Add(f)
	}
}
