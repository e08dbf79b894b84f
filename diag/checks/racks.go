package checks

import (
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// rackPlacement checks replica placement against broker.rack, which the
// cluster metadata carries for every registered broker. Rule 1: when some
// registered brokers have a rack and some do not, each without one is
// BROKER_WITHOUT_RACK. Rule 2: when the brokers span several racks, a
// partition with two or more replicas, all on brokers of one rack, is
// RACK_SPREAD. A replica on a broker without a rack, or a partition a
// reassignment is moving, is not judged: its placement is unknown or about
// to change. No racks at all, or a single rack, is a choice, not a finding.
func rackPlacement() Check {
	return Check{
		Name:  "racks",
		Reads: []string{snapshot.SourceReassignments},
		Codes: []string{findings.RackSpread, findings.BrokerWithoutRack},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			rackOf := map[int32]string{}
			var withRack, without []int32
			racks := map[string]bool{}
			for _, b := range s.Brokers {
				if !b.Registered {
					continue
				}
				rackOf[b.ID] = b.Rack
				if b.Rack == "" {
					without = append(without, b.ID)
					continue
				}
				withRack = append(withRack, b.ID)
				racks[b.Rack] = true
			}
			if len(withRack) == 0 {
				return
			}
			for _, id := range without {
				r.Add(findings.Finding{
					Code: findings.BrokerWithoutRack, Broker: findings.Int32(id),
					Summary:  fmt.Sprintf("broker %d has no broker.rack while brokers %s have one", id, words.JoinIDs(withRack, ", ")),
					Evidence: map[string]any{"brokers_with_rack": withRack, "racks": sortedKeys(racks)},
				})
			}
			if len(racks) < 2 {
				return
			}
			moving := map[snapshot.PartitionRef]bool{}
			for _, m := range s.Reassignments {
				moving[snapshot.PartitionRef{Topic: m.Topic, Partition: m.Partition}] = true
			}
			for _, t := range s.Topics {
				for _, p := range t.Partitions {
					if rack, ok := sharedRack(p.Replicas, rackOf); ok && !moving[snapshot.PartitionRef{Topic: t.Name, Partition: p.ID}] {
						r.Add(findings.Finding{
							Code: findings.RackSpread, Topic: t.Name, Partition: findings.Int32(p.ID),
							Summary: fmt.Sprintf("%s/%d: all %d replicas (brokers %s) are in rack %s while the cluster spans %d racks",
								t.Name, p.ID, len(p.Replicas), words.JoinIDs(p.Replicas, ", "), rack, len(racks)),
							Evidence: map[string]any{"rack": rack, "replicas": p.Replicas, "racks": sortedKeys(racks)},
						})
					}
				}
			}
		},
	}
}

// sharedRack returns the one rack every replica is in, when there are two
// or more replicas and each is on a broker with a known rack.
func sharedRack(replicas []int32, rackOf map[int32]string) (string, bool) {
	if len(replicas) < 2 {
		return "", false
	}
	rack := rackOf[replicas[0]]
	for _, id := range replicas {
		if rackOf[id] == "" || rackOf[id] != rack {
			return "", false
		}
	}
	return rack, true
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
