package views

import (
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

// Health is the replication state of one partition, as the filters and the
// status column see it.
type Health struct {
	// ReplicationFactor excludes replicas a reassignment is still adding:
	// they are not expected in the ISR yet (kafka-topics.sh does the same).
	ReplicationFactor int `json:"replication_factor"`
	// MinISR is the effective min.insync.replicas, min(config, RF), or -1
	// when the topic's configs could not be read.
	MinISR          int  `json:"min_isr"`
	UnderReplicated bool `json:"under_replicated"`
	Unavailable     bool `json:"unavailable"`
	// UnderMinISR and AtMinISR are null when MinISR is unknown and the
	// answer depends on it: "cannot evaluate" is not "no".
	UnderMinISR *bool `json:"under_min_isr"`
	AtMinISR    *bool `json:"at_min_isr"`
}

// Status returns the worst status that applies.
func (h Health) Status() string {
	switch {
	case h.Unavailable:
		return StatusOffline
	case isTrue(h.UnderMinISR):
		return StatusUnderMinISR
	case isTrue(h.AtMinISR):
		return StatusAtMinISR
	case h.UnderReplicated:
		return StatusUnderReplicated
	}
	return StatusOK
}

// cluster holds facts several views derive from the snapshot, computed
// once: which brokers are live and which replicas are being added.
type cluster struct {
	snap   *snapshot.Snapshot
	live   map[int32]bool
	adding map[topicPartition]int
}

type topicPartition struct {
	topic     string
	partition int32
}

func newCluster(s *snapshot.Snapshot) *cluster {
	c := &cluster{snap: s, live: map[int32]bool{}, adding: map[topicPartition]int{}}
	for _, b := range s.Brokers {
		// Live as the cluster sees it: registered and, when we could tell,
		// not fenced. Whether *we* could connect is the probe's business.
		c.live[b.ID] = b.Registered && !(b.FencedKnown && b.Fenced)
	}
	for _, r := range s.Reassignments {
		c.adding[topicPartition{r.Topic, r.Partition}] = len(r.AddingReplicas)
	}
	return c
}

// isLive reports whether broker id is registered and not fenced.
func (c *cluster) isLive(id int32) bool { return c.live[id] }

// minISR returns the topic's effective min.insync.replicas for a partition
// of replication factor rf, or -1 when unknown. Effective is min(config,
// RF): a topic with RF 1 and min ISR 2 behaves as min ISR 1 (KIP-966).
func minISR(t snapshot.Topic, rf int) int {
	n := t.MinISR()
	if n < 0 {
		return -1
	}
	return max(1, min(n, rf))
}

// health computes the state of partition p of topic t.
func (c *cluster) health(t snapshot.Topic, p snapshot.Partition) Health {
	rf := len(p.Replicas) - c.adding[topicPartition{t.Name, p.ID}]
	h := Health{
		ReplicationFactor: rf,
		MinISR:            minISR(t, rf),
		UnderReplicated:   len(p.ISR) < rf,
		Unavailable:       !p.Online() || !c.isLive(p.Leader),
	}
	isr := len(p.ISR)
	switch {
	case !p.Online():
		// kafka-topics.sh counts a leaderless partition as under min ISR.
		h.UnderMinISR = ptr(true)
		if h.MinISR >= 0 {
			h.AtMinISR = ptr(isr == h.MinISR)
		}
	case h.MinISR >= 0:
		h.UnderMinISR = ptr(isr < h.MinISR)
		h.AtMinISR = ptr(isr == h.MinISR)
	}
	return h
}

func ptr[T any](v T) *T { return &v }
