package sim

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Fired is one inject as it happened.
type Fired struct {
	// Index is the inject's position in Scenario.Injects.
	Index  int
	Inject Inject
	// Due is when it was scheduled (start + At), At when it took effect:
	// from At on, every response is built from the new state.
	Due, At time.Time
}

// Injects returns the scenario's injects in time order.
func (c *Cluster) Injects() []Inject { return c.sc.Injects }

// Fire applies inject i: from its return on the cluster serves the state
// after it (and after every inject before it). Responses already being
// built finish from the state they started with.
func (c *Cluster) Fire(i int) error {
	_, err := c.fire(i)
	return err
}

// fire applies inject i and returns when the new state took effect: the
// moment every response started being built from it.
func (c *Cluster) fire(i int) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i+1 >= len(c.states) {
		return time.Time{}, fmt.Errorf("sim: scenario %s has no inject %d", c.sc.Name, i)
	}
	prev := c.world.Load()
	w := newWorld(c.states[i+1], time.Now())
	w.carry(prev)
	c.world.Store(w)
	at := time.Now()
	if err := c.setGates(w); err != nil {
		return at, err
	}
	// kfake's own leaders serve Fetch and Produce; they follow after the
	// state everything else is built from.
	for _, t := range w.topics {
		for _, p := range t.parts {
			old := prev.partition(t.name, p.id)
			if leader := servingLeader(p); leader != servingLeader(old) {
				if err := c.kc.MoveTopicPartition(t.name, p.id, leader); err != nil {
					return at, fmt.Errorf("sim: moving %s/%d: %w", t.name, p.id, err)
				}
			}
			if p.earliest > old.earliest {
				// Retention or DeleteRecords: the records are gone for
				// Fetch too. kfake cannot undo it, so a later inject
				// lowering the log start shows only in ListOffsets.
				_ = c.kc.DeleteRecords(t.name, p.id, min(p.earliest, old.latest))
			}
		}
	}
	return at, nil
}

// servingLeader is the broker kfake makes leader: the leader, or for an
// offline partition where it waits (whose listener refuses).
func servingLeader(p *partInfo) int32 {
	if p.leader < 0 {
		return p.lastHolder()
	}
	return p.leader
}

// RunInjects fires every inject at start plus its At divided by speed (1
// is real time; a facilitator rehearsing, or a test, runs faster), in
// order, calling fired after each, until all have fired or ctx ends.
// Injects whose time has already passed fire at once.
func (c *Cluster) RunInjects(ctx context.Context, start time.Time, speed float64, fired func(Fired)) error {
	if speed <= 0 {
		speed = 1
	}
	for i, in := range c.sc.Injects {
		due := start.Add(time.Duration(float64(in.At.D()) / speed))
		t := time.NewTimer(time.Until(due))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		at, err := c.fire(i)
		if err != nil {
			return err
		}
		if fired != nil {
			fired(Fired{Index: i, Inject: in, Due: due, At: at})
		}
	}
	return nil
}

// carry keeps what Start learnt from kfake (addresses, topic ids, group
// coordinators, record timestamps) in a world built for a later state, and
// scales partition sizes with the records they now hold.
func (w *world) carry(prev *world) {
	w.recordBase = prev.recordBase
	w.quorum.carry(prev.quorum)
	for _, b := range w.brokers {
		if pb := prev.byID[b.id]; pb != nil {
			b.host, b.port = pb.host, pb.port
		}
	}
	for _, t := range w.topics {
		pt := prev.byName[t.name]
		if pt == nil {
			continue
		}
		t.id = pt.id
		w.byTopicID[t.id] = t
		for i, p := range t.parts {
			if i >= len(pt.parts) {
				break
			}
			pp := pt.parts[i]
			if span := pp.latest - pp.earliest; span > 0 {
				p.size = pp.size * max(p.latest-p.earliest, 0) / span
			}
		}
	}
	for _, g := range w.groups {
		if pg := prev.groupByID[g.id]; pg != nil {
			g.coordinator = pg.coordinator
		}
	}
}

// PartitionState is one partition as the cluster serves it now.
type PartitionState struct {
	Topic                  string
	Partition              int32
	Leader, LeaderEpoch    int32
	Replicas, ISR          []int32
	EarliestOffset, Latest int64
}

// Partitions returns every partition as the cluster serves it now (the
// cluster's own view, not a stale broker's), sorted by topic and
// partition.
func (c *Cluster) Partitions() []PartitionState {
	var out []PartitionState
	for _, t := range c.world.Load().topics {
		for _, p := range t.parts {
			out = append(out, PartitionState{
				Topic: t.name, Partition: p.id, Leader: p.leader, LeaderEpoch: p.epoch,
				Replicas: slices.Clone(p.replicas), ISR: slices.Clone(p.isr), EarliestOffset: p.earliest, Latest: p.latest,
			})
		}
	}
	return out
}
