// Package health is the one definition of a partition's replication state:
// every count, filter and finding about offline, under-replicated, under
// min ISR and at min ISR partitions is computed here, so triage, the
// describe views, the runbooks and evidence metrics can never disagree.
//
// The rules are those of Kafka's own tools (kafka-topics.sh --describe
// with --unavailable-partitions, --under-replicated-partitions and
// --under-min-isr-partitions), so what kafka-runbook counts is what Kafka's
// tools list. One deliberate difference: --at-min-isr-partitions also lists
// fully in-sync partitions whose replication factor equals
// min.insync.replicas; here "at min ISR" means a partition that lost
// replicas down to exactly min.insync.replicas, an incident, and the
// permanent case is the configuration finding MIN_ISR_TOO_LOW.
package health

import (
	"maps"
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Partition status values, from worst to best. A partition has the worst
// status that applies: an offline partition is usually under min ISR too,
// but "offline" is what decides the runbook.
const (
	// StatusOffline: no leader, or the leader is not a live broker. Nobody
	// can read or write the partition.
	StatusOffline = "offline"
	// StatusUnderMinISR: acks=all producers fail with NOT_ENOUGH_REPLICAS.
	StatusUnderMinISR = "under-min-isr"
	// StatusAtMinISR: writes work, one more lost replica blocks them.
	StatusAtMinISR = "at-min-isr"
	// StatusUnderReplicated: fewer replicas in sync than assigned.
	StatusUnderReplicated = "under-replicated"
	// StatusOK: fully replicated with a live leader.
	StatusOK = "ok"
)

// Partition is the replication state of one partition.
type Partition struct {
	// ReplicationFactor excludes replicas a reassignment is still adding:
	// they are not expected in the ISR yet (Kafka's under-replicated count
	// and kafka-topics.sh leave them out).
	ReplicationFactor int `json:"replication_factor"`
	// MinISR is the topic's min.insync.replicas as configured, or -1 when
	// the topic's configs could not be read. It is not capped at the
	// replication factor: brokers refuse acks=all writes whenever the ISR
	// is smaller, so a topic whose RF is below it can take no such write.
	MinISR int `json:"min_isr"`
	// UnderReplicated: fewer in-sync replicas than ReplicationFactor.
	UnderReplicated bool `json:"under_replicated"`
	// Unavailable: no leader, or the leader is not a live broker.
	Unavailable bool `json:"unavailable"`
	// UnderMinISR (no leader, or ISR below MinISR) and AtMinISR (ISR shrank
	// to exactly MinISR, below the replication factor) are null when MinISR
	// is unknown and the answer depends on it: "cannot evaluate" is not "no".
	UnderMinISR *bool `json:"under_min_isr"`
	AtMinISR    *bool `json:"at_min_isr"`
}

// Status returns the worst status that applies.
func (h Partition) Status() string {
	switch {
	case h.Unavailable:
		return StatusOffline
	case IsTrue(h.UnderMinISR):
		return StatusUnderMinISR
	case IsTrue(h.AtMinISR):
		return StatusAtMinISR
	case h.UnderReplicated:
		return StatusUnderReplicated
	}
	return StatusOK
}

// IsTrue reads a tri-state flag: nil (unknown) is not true.
func IsTrue(b *bool) bool { return b != nil && *b }

// Cluster holds what the rules need beyond one partition, computed once
// per snapshot: which brokers are live and which replicas are being added.
type Cluster struct {
	live   map[int32]bool
	adding map[snapshot.PartitionRef][]int32
}

// Of prepares the rules for snapshot s.
func Of(s *snapshot.Snapshot) *Cluster {
	c := &Cluster{live: map[int32]bool{}, adding: map[snapshot.PartitionRef][]int32{}}
	for _, b := range s.Brokers {
		c.live[b.ID] = Live(b)
	}
	for _, r := range s.Reassignments {
		if len(r.AddingReplicas) > 0 {
			c.adding[snapshot.PartitionRef{Topic: r.Topic, Partition: r.Partition}] = r.AddingReplicas
		}
	}
	return c
}

// Live reports whether the cluster counts broker b as alive: registered
// and, when that could be told, not fenced. Whether this tool could
// connect to it is a different question (its probe).
func Live(b snapshot.Broker) bool { return b.Registered && !(b.FencedKnown && b.Fenced) }

// IsLive reports whether broker id is registered and not fenced.
func (c *Cluster) IsLive(id int32) bool { return c.live[id] }

// LiveBrokers returns the ids of the live brokers as a set.
func (c *Cluster) LiveBrokers() map[int32]bool { return maps.Clone(c.live) }

// Adding returns the replicas a reassignment is adding to the partition.
func (c *Cluster) Adding(topic string, partition int32) []int32 {
	return c.adding[snapshot.PartitionRef{Topic: topic, Partition: partition}]
}

// ReplicationFactor is the topic's replication factor as kafka-topics.sh
// reports it: its partitions' largest replica count, not counting replicas
// a reassignment is still adding.
func (c *Cluster) ReplicationFactor(t snapshot.Topic) int {
	rf := 0
	for _, p := range t.Partitions {
		rf = max(rf, len(p.Replicas)-len(c.Adding(t.Name, p.ID)))
	}
	if rf == 0 {
		return t.ReplicationFactor
	}
	return rf
}

// Unavailable reports whether nobody can read or write partition p: it
// has no leader, or its leader is not a live broker. The one rule of
// Partition.Unavailable, for callers that need only it.
func (c *Cluster) Unavailable(p snapshot.Partition) bool { return !p.Online() || !c.IsLive(p.Leader) }

// Partition computes the state of partition p of topic t.
func (c *Cluster) Partition(t snapshot.Topic, p snapshot.Partition) Partition {
	rf := len(p.Replicas) - len(c.Adding(t.Name, p.ID))
	isr := len(p.ISR)
	h := Partition{
		ReplicationFactor: rf,
		MinISR:            MinISR(t),
		UnderReplicated:   isr < rf,
		Unavailable:       c.Unavailable(p),
	}
	switch {
	case !p.Online():
		h.UnderMinISR = ptr(true) // no leader takes no write, whatever the config
		if h.MinISR >= 0 {
			h.AtMinISR = ptr(isr == h.MinISR && isr < rf)
		}
	case h.MinISR >= 0:
		h.UnderMinISR = ptr(isr < h.MinISR)
		h.AtMinISR = ptr(isr == h.MinISR && isr < rf)
	}
	return h
}

// MinISR is the topic's configured min.insync.replicas, -1 when its
// configs could not be read.
func MinISR(t snapshot.Topic) int {
	v, ok := t.Config("min.insync.replicas")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil {
		return -1
	}
	return n
}

// ELRMinISR is the min ISR the controller applies to eligible leader
// replicas (KIP-966): min(min.insync.replicas, replication factor). -1 when
// unknown.
func ELRMinISR(t snapshot.Topic, rf int) int {
	n := MinISR(t)
	if n < 0 {
		return -1
	}
	return max(1, min(n, rf))
}

func ptr[T any](v T) *T { return &v }
