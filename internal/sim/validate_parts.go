package sim

import (
	"fmt"
	"maps"
	"slices"
)

// bounds returns the partition's log start offset and high watermark.
func (p *Partition) bounds() (earliest, latest int64) {
	switch {
	case p.Offsets != nil:
		return p.Offsets.Earliest, p.Offsets.Latest
	case p.Records != nil:
		return 0, *p.Records
	}
	return 0, 0
}

// live reports whether the controller counts the broker as alive: hung
// brokers still are until their session times out, and unreachable ones
// are when nothing fenced them.
func live(s BrokerState) bool { return s == StateUp || s == StateHung || s == StateUnreachable }

func (c *checker) partition(f string, p *Partition) {
	c.brokerIDs(f+".replicas", p.Replicas, nil)
	if len(p.Replicas) == 0 {
		c.add(f+".replicas", "required")
	}
	c.brokerIDs(f+".isr", p.ISR, p.Replicas)
	if len(p.ISR) == 0 && len(p.ELR)+len(p.LastKnownELR) == 0 {
		// Without ELR (KIP-966) Kafka never empties an ISR: the last
		// member stays, naming the broker that must come back.
		c.add(f+".isr", "must not be empty; an offline partition keeps its last ISR member (or, with KIP-966, gives elr or last_known_elr)")
	}
	c.elr(f, p)
	c.brokerIDs(f+".offline_replicas", p.OfflineReplicas, p.Replicas)
	for _, id := range p.OfflineReplicas {
		if slices.Contains(p.ISR, id) {
			c.add(f+".offline_replicas", "broker %d is in the ISR; a replica on a failed log dir leaves it", id)
		}
	}
	c.brokerIDs(f+".adding_replicas", p.AddingReplicas, p.Replicas)
	c.brokerIDs(f+".removing_replicas", p.RemovingReplicas, p.Replicas)
	for _, id := range p.AddingReplicas {
		if slices.Contains(p.RemovingReplicas, id) {
			c.add(f+".removing_replicas", "broker %d is also being added", id)
		}
	}
	c.leader(f, p)
	if p.LeaderEpoch < 0 {
		c.add(f+".leader_epoch", "%d is negative", p.LeaderEpoch)
	}
	if p.Offsets != nil && p.Records != nil {
		c.add(f, "give offsets or records, not both")
	}
	earliest, latest := p.bounds()
	if earliest < 0 || latest < earliest {
		c.add(f+".offsets", "need 0 <= earliest <= latest, got %d..%d", earliest, latest)
	}
	c.records += latest
	for _, id := range slices.Sorted(maps.Keys(p.ReplicaLag)) {
		lag := p.ReplicaLag[id]
		lf := fmt.Sprintf("%s.replica_lag[%d]", f, id)
		if !slices.Contains(p.Replicas, id) {
			c.add(lf, "broker %d is not a replica", id)
		}
		if p.Leader != nil && id == *p.Leader {
			c.add(lf, "the leader's log end offset is the partition's; lag applies to followers")
		}
		if lag < 0 || lag > latest-earliest {
			c.add(lf, "%d is not in 0..%d (the records in the log)", lag, latest-earliest)
		}
	}
}

// elr checks the eligible leader replicas (KIP-966): replicas outside the
// ISR, so a partition whose ISR is empty has no leader.
func (c *checker) elr(f string, p *Partition) {
	c.brokerIDs(f+".elr", p.ELR, p.Replicas)
	c.brokerIDs(f+".last_known_elr", p.LastKnownELR, p.Replicas)
	for _, id := range p.ELR {
		if slices.Contains(p.ISR, id) {
			c.add(f+".elr", "broker %d is in the ISR; eligible leader replicas are the ones out of it", id)
		}
	}
}

// brokerIDs checks that ids are known, unique and, when within is not nil, a
// subset of within.
func (c *checker) brokerIDs(f string, ids, within []int32) {
	for i, id := range ids {
		if _, ok := c.brokers[id]; !ok {
			c.add(f, "unknown broker id %d", id)
		}
		if slices.Index(ids, id) < i {
			c.add(f, "broker %d listed twice", id)
		}
		if within != nil && !slices.Contains(within, id) {
			c.add(f, "broker %d is not in replicas %v", id, within)
		}
	}
}

// leader checks the partition against what a KRaft controller would allow,
// so a served cluster never contradicts itself.
func (c *checker) leader(f string, p *Partition) {
	if p.Leader == nil {
		c.add(f+".leader", "required (-1 for an offline partition)")
		return
	}
	l := *p.Leader
	if l == -1 {
		for _, id := range p.ISR {
			if b, ok := c.brokers[id]; ok && live(b.State) {
				c.add(f+".leader", "-1 but ISR member %d is %s; the controller would have elected it", id, b.State)
			}
		}
		for _, id := range p.ELR {
			if b, ok := c.brokers[id]; ok && live(b.State) && len(p.ISR) == 0 {
				c.add(f+".leader", "-1 but eligible leader replica %d is %s; the controller would have elected it", id, b.State)
			}
		}
		return
	}
	if !slices.Contains(p.Replicas, l) {
		c.add(f+".leader", "broker %d is not in replicas %v", l, p.Replicas)
		return
	}
	if !slices.Contains(p.ISR, l) {
		c.add(f+".leader", "broker %d is not in isr %v", l, p.ISR)
	}
	if b, ok := c.brokers[l]; ok && !live(b.State) {
		c.add(f+".leader", "broker %d is %s; a fenced broker loses its leaderships", l, b.State)
	}
	for _, id := range p.ISR {
		if b, ok := c.brokers[id]; ok && !live(b.State) {
			c.add(f+".isr", "broker %d is %s; the controller removes fenced brokers from the ISR while a leader remains", id, b.State)
		}
	}
}

func (c *checker) group(f string, g *Group) {
	if g.ID == "" {
		c.add(f+".id", "required")
	}
	if !slices.Contains(groupStates, g.State) {
		c.add(f+".state", "%q is not one of %v", g.State, groupStates)
	}
	active := g.State == "Stable" || g.State == "PreparingRebalance" || g.State == "CompletingRebalance"
	switch {
	case g.Members < 0:
		c.add(f+".members", "negative")
	case active && g.Members == 0:
		c.add(f+".members", "a %s group has at least one member", g.State)
	case !active && g.Members > 0:
		c.add(f+".members", "a %s group has no members", g.State)
	}
	if g.State == "Dead" && len(g.Committed)+len(g.Lag) > 0 {
		c.add(f+".state", "a Dead group has no committed offsets")
	}
	if g.Protocol != "" && g.Members == 0 {
		c.add(f+".protocol", "a group without members has no protocol")
	}
	c.offsetsOf(f+".committed", g.Committed, func(_ *Partition, v int64) string {
		if v < 0 {
			return "negative offset"
		}
		return ""
	})
	c.offsetsOf(f+".lag", g.Lag, func(p *Partition, v int64) string {
		if _, latest := p.bounds(); v < 0 || v > latest {
			return fmt.Sprintf("lag %d is not in 0..%d (the partition's latest offset)", v, latest)
		}
		return ""
	})
	for _, t := range slices.Sorted(maps.Keys(g.Lag)) {
		for _, p := range slices.Sorted(maps.Keys(g.Lag[t])) {
			if _, both := g.Committed[t][p]; both {
				c.add(fmt.Sprintf("%s.lag.%s[%d]", f, t, p), "also in committed; give one")
			}
		}
	}
}

// offsetsOf checks a topic → partition → value map against the topics, and
// each value with check (which returns "" when it is fine).
func (c *checker) offsetsOf(f string, m map[string]map[int32]int64, check func(*Partition, int64) string) {
	for _, t := range slices.Sorted(maps.Keys(m)) {
		top, ok := c.topics[t]
		if !ok {
			c.add(f+"."+t, "unknown topic")
			continue
		}
		for _, p := range slices.Sorted(maps.Keys(m[t])) {
			v := m[t][p]
			pf := fmt.Sprintf("%s.%s[%d]", f, t, p)
			part := top.partitionSpec(p)
			if part == nil {
				c.add(pf, "topic %s has no partition %d", t, p)
				continue
			}
			if msg := check(part, v); msg != "" {
				c.add(pf, "%s", msg)
			}
		}
	}
}

// partitionSpec returns the partition as written, or for a generated topic
// a stand-in carrying its offsets; nil when there is no such partition.
func (t *Topic) partitionSpec(p int32) *Partition {
	if len(t.Partitions) == 0 {
		if p < 0 || int(p) >= t.PartitionCount {
			return nil
		}
		n := t.Records
		return &Partition{Partition: p, Records: &n}
	}
	for i := range t.Partitions {
		if t.Partitions[i].Partition == p {
			return &t.Partitions[i]
		}
	}
	return nil
}
