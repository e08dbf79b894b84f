package health

import "github.com/kafka-runbook/kafka-runbook/diag/snapshot"

// Counts are the cluster's partitions by replication state. A partition
// counts in every state that applies (an offline partition is usually
// under-replicated and under min ISR too), as kafka-topics.sh lists it
// under every matching filter. Every command reports these numbers.
type Counts struct {
	Partitions      int `json:"partitions"`
	Offline         int `json:"offline"`
	UnderReplicated int `json:"under_replicated"`
	UnderMinISR     int `json:"under_min_isr"`
	AtMinISR        int `json:"at_min_isr"`
	// UnknownMinISR counts the partitions whose min.insync.replicas could
	// not be read: they are in neither min ISR count.
	UnknownMinISR int `json:"unknown_min_isr"`
	// Reassigning counts the partitions a reassignment is adding replicas
	// to, which are not counted as under-replicated for those replicas.
	Reassigning int `json:"reassigning"`
}

// Add counts one partition of state h.
func (n *Counts) Add(h Partition, reassigning bool) {
	n.Partitions++
	n.Offline += count(h.Unavailable)
	n.UnderReplicated += count(h.UnderReplicated)
	n.UnderMinISR += count(IsTrue(h.UnderMinISR))
	n.AtMinISR += count(IsTrue(h.AtMinISR))
	n.UnknownMinISR += count(h.MinISR < 0)
	n.Reassigning += count(reassigning)
}

// Count counts every partition of s.
func Count(s *snapshot.Snapshot) Counts {
	c := Of(s)
	var n Counts
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			n.Add(c.Partition(t, p), len(c.Adding(t.Name, p.ID)) > 0)
		}
	}
	return n
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}
