package sim

import (
	"fmt"
	"maps"
	"slices"
)

// states returns the starting state followed by the state after each
// inject, each a scenario of its own with every generated topic laid out
// partition by partition (so later injects can change single partitions of
// __consumer_offsets, and leader epochs only ever grow). Problems name the
// inject they come from. The scenario itself must already be valid.
func (s *Scenario) states() ([]*Scenario, []Problem) {
	cur := s.clone()
	cur.Injects = nil
	cur.settleQuorum()
	for i := range cur.Topics {
		materialize(&cur.Topics[i], cur.Brokers)
	}
	fixCommits(cur)
	out := []*Scenario{cur}
	var problems []Problem
	for i := range s.Injects {
		next := cur.clone()
		next.Quorum.forgetSilence()
		in := &s.Injects[i]
		prefix := fmt.Sprintf("injects[%d] (at %s)", i, in.At.D())
		ps := next.apply(in)
		if len(ps) == 0 {
			if verr, ok := next.Validate().(*ValidationError); ok {
				ps = verr.Problems
				for j := range ps {
					ps[j].Msg = "after this inject: " + ps[j].Msg
				}
			}
		}
		for _, p := range ps {
			problems = append(problems, Problem{Field: prefix + "." + p.Field, Msg: p.Msg})
		}
		if len(ps) > 0 {
			return nil, problems // later states build on a broken one
		}
		out = append(out, next)
		cur = next
	}
	return out, problems
}

// fixCommits turns every group's lag into the committed offset it stands
// for at the start, so that producers writing more (an inject raising the
// high watermark) grows the lag instead of moving the commit.
func fixCommits(s *Scenario) {
	for i := range s.Groups {
		g := &s.Groups[i]
		for t, ps := range g.Lag {
			top := s.topic(t)
			for p, lag := range ps {
				_, latest := top.partitionSpec(p).bounds()
				if g.Committed == nil {
					g.Committed = map[string]map[int32]int64{}
				}
				if g.Committed[t] == nil {
					g.Committed[t] = map[int32]int64{}
				}
				g.Committed[t][p] = latest - lag
			}
		}
		g.Lag = nil
	}
}

// materialize lays a generated topic out partition by partition: round-robin
// over the brokers (sorted by id), then the controller's rules for brokers
// that are down or fenced applied: they leave the ISR (except the last
// member) and leadership moves to the next live replica with a bumped
// epoch, or to -1.
func materialize(t *Topic, brokers []Broker) {
	if len(t.Partitions) > 0 || t.PartitionCount == 0 {
		return
	}
	ids := make([]int32, 0, len(brokers))
	state := map[int32]BrokerState{}
	for _, b := range brokers {
		ids = append(ids, b.ID)
		state[b.ID] = b.State
	}
	slices.Sort(ids)
	for p := range t.PartitionCount {
		part := Partition{Partition: int32(p), ISR: []int32{}}
		records := t.Records
		part.Records = &records
		for i := range t.ReplicationFactor {
			part.Replicas = append(part.Replicas, ids[(p+i)%len(ids)])
		}
		for _, id := range part.Replicas {
			if live(state[id]) {
				part.ISR = append(part.ISR, id)
			}
		}
		leader := part.Replicas[0]
		switch {
		case len(part.ISR) == 0:
			part.ISR = []int32{leader}
			leader, part.LeaderEpoch = -1, 1
		case part.ISR[0] != leader:
			leader, part.LeaderEpoch = part.ISR[0], 1
		}
		part.Leader = &leader
		t.Partitions = append(t.Partitions, part)
	}
	t.PartitionCount, t.ReplicationFactor, t.Records = 0, 0, 0
}

// apply changes the scenario by one inject and returns what in the inject
// names something that does not exist.
func (s *Scenario) apply(in *Inject) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if in.Quorum != nil {
		ps = append(ps, s.changeQuorum(in.Quorum)...)
	}
	for j := range in.Brokers {
		ps = append(ps, s.changeBroker(fmt.Sprintf("brokers[%d]", j), &in.Brokers[j])...)
	}
	if id := s.ControllerID; id != nil {
		if b := s.broker(*id); b != nil && b.State != StateUp {
			s.ControllerID = nil // the next controller is another up broker
		}
	}
	if in.ControllerID != nil {
		s.ControllerID = in.ControllerID
	}
	for j := range in.Partitions {
		ps = append(ps, s.changePartition(fmt.Sprintf("partitions[%d]", j), &in.Partitions[j])...)
	}
	for j, gc := range in.Groups {
		g := s.group(gc.ID)
		if g == nil {
			add(fmt.Sprintf("groups[%d].id", j), "unknown group %q", gc.ID)
			continue
		}
		if gc.State != "" {
			g.State = gc.State
		}
		if gc.Members != nil {
			g.Members = *gc.Members
		}
		if gc.Protocol != "" {
			g.Protocol = gc.Protocol
		}
		if g.Members == 0 {
			g.Protocol = ""
		}
	}
	for _, name := range slices.Sorted(maps.Keys(in.TopicConfigs)) {
		t := s.topic(name)
		if t == nil {
			add("topic_configs."+name, "unknown topic")
			continue
		}
		for k, v := range in.TopicConfigs[name] {
			if t.Configs == nil {
				t.Configs = map[string]string{}
			}
			if v == nil {
				delete(t.Configs, k)
			} else {
				t.Configs[k] = *v
			}
		}
	}
	return ps
}

// changeBroker applies one broker change and what the controller does
// about it. Fencing and registering need the active controller, so a
// broker cannot change liveness while the quorum has no leader.
func (s *Scenario) changeBroker(f string, bc *BrokerChange) []Problem {
	b := s.broker(bc.ID)
	if b == nil {
		return []Problem{{Field: f + ".id", Msg: fmt.Sprintf("unknown broker id %d", bc.ID)}}
	}
	var ps []Problem
	if bc.State != "" {
		was := b.State
		if live(was) != live(bc.State) && s.Quorum.leader() < 0 {
			ps = append(ps, Problem{Field: f + ".state", Msg: fmt.Sprintf("%s to %s needs the active controller (to fence or register it), "+
				"but the quorum has no leader; a broker that dies now stays registered: unreachable", was, bc.State)})
		}
		b.State = bc.State
		s.controllerReacts(b.ID, was, bc.State)
	}
	if bc.View != nil {
		b.View = bc.View
	}
	if bc.ClearView {
		b.View = nil
	}
	if bc.LogDirs != nil {
		b.LogDirs = bc.LogDirs
	}
	return ps
}

func (s *Scenario) changePartition(f string, pc *PartitionChange) []Problem {
	t := s.topic(pc.Topic)
	if t == nil {
		return []Problem{{Field: f + ".topic", Msg: fmt.Sprintf("unknown topic %q", pc.Topic)}}
	}
	p := t.partitionSpec(pc.Partition)
	if p == nil {
		return []Problem{{Field: f + ".partition", Msg: fmt.Sprintf("topic %s has no partition %d", pc.Topic, pc.Partition)}}
	}
	if pc.Leader != nil {
		l := *pc.Leader
		p.Leader = &l
	}
	if pc.LeaderEpoch != nil {
		p.LeaderEpoch = *pc.LeaderEpoch
	}
	if pc.Replicas != nil {
		p.Replicas = slices.Clone(pc.Replicas)
	}
	if pc.ISR != nil {
		p.ISR = slices.Clone(pc.ISR)
	}
	if pc.OfflineReplicas != nil {
		p.OfflineReplicas = slices.Clone(pc.OfflineReplicas)
	}
	if pc.ReplicaLag != nil {
		p.ReplicaLag = maps.Clone(pc.ReplicaLag)
	}
	if pc.ELR != nil {
		p.ELR = slices.Clone(pc.ELR)
	}
	if pc.LastKnownELR != nil {
		p.LastKnownELR = slices.Clone(pc.LastKnownELR)
	}
	if pc.Earliest != nil || pc.Latest != nil || pc.Produced != nil {
		earliest, latest := p.bounds()
		if pc.Earliest != nil {
			earliest = *pc.Earliest
		}
		if pc.Latest != nil {
			latest = *pc.Latest
		}
		if pc.Produced != nil {
			latest += *pc.Produced
		}
		p.Offsets, p.Records = &Offsets{Earliest: earliest, Latest: latest}, nil
	}
	return nil
}

// controllerReacts applies what a KRaft controller does on its own when a
// broker's liveness changes.
func (s *Scenario) controllerReacts(id int32, was, now BrokerState) {
	switch {
	case live(was) && !live(now):
		s.eachPartition(func(p *Partition) { fence(s, p, id) })
	case !live(was) && live(now):
		s.eachPartition(func(p *Partition) { rejoin(s, p, id) })
	}
}

// fence removes a broker the controller fenced from the partition's ISR
// (unless it is the last member) and moves its leadership to the first live
// ISR member in assignment order, bumping the epoch; with none left the
// partition goes offline, also with a new epoch.
func fence(s *Scenario, p *Partition, id int32) {
	if !slices.Contains(p.ISR, id) {
		return
	}
	if p.Leader != nil && *p.Leader == id {
		next := int32(-1)
		for _, r := range p.Replicas {
			if b := s.broker(r); r != id && b != nil && live(b.State) && slices.Contains(p.ISR, r) {
				next = r
				break
			}
		}
		p.Leader = &next
		p.LeaderEpoch++
		delete(p.ReplicaLag, next)
	}
	if len(p.ISR) > 1 {
		p.ISR = slices.DeleteFunc(slices.Clone(p.ISR), func(r int32) bool { return r == id })
	}
}

// rejoin puts a broker that came back (and caught up) into the ISR of every
// partition it holds, and makes it leader of the offline partitions whose
// last ISR it was.
func rejoin(s *Scenario, p *Partition, id int32) {
	if !slices.Contains(p.Replicas, id) {
		return
	}
	delete(p.ReplicaLag, id)
	p.OfflineReplicas = slices.DeleteFunc(slices.Clone(p.OfflineReplicas), func(r int32) bool { return r == id })
	if p.Leader != nil && *p.Leader == -1 {
		if len(p.ISR) == 0 && slices.Contains(p.ELR, id) {
			// An eligible leader replica holds every committed record:
			// it is elected alone, the others rejoin as they catch up.
			l := id
			p.Leader, p.ISR = &l, []int32{id}
			p.LeaderEpoch++
			p.ELR = slices.DeleteFunc(slices.Clone(p.ELR), func(r int32) bool { return r == id })
			return
		}
		if !slices.Contains(p.ISR, id) {
			return // an out-of-sync replica is not elected without an unclean election
		}
		l := id
		p.Leader = &l
		p.LeaderEpoch++
		p.ISR = []int32{}
		for _, r := range p.Replicas {
			if b := s.broker(r); b != nil && (r == id || live(b.State)) {
				p.ISR = append(p.ISR, r)
			}
		}
		return
	}
	if slices.Contains(p.ISR, id) {
		return
	}
	var isr []int32
	for _, r := range p.Replicas {
		if r == id || slices.Contains(p.ISR, r) {
			isr = append(isr, r)
		}
	}
	p.ISR = isr
}

func (s *Scenario) eachPartition(fn func(*Partition)) {
	for i := range s.Topics {
		for j := range s.Topics[i].Partitions {
			fn(&s.Topics[i].Partitions[j])
		}
	}
}

func (s *Scenario) broker(id int32) *Broker {
	for i := range s.Brokers {
		if s.Brokers[i].ID == id {
			return &s.Brokers[i]
		}
	}
	return nil
}

func (s *Scenario) topic(name string) *Topic {
	for i := range s.Topics {
		if s.Topics[i].Name == name {
			return &s.Topics[i]
		}
	}
	return nil
}

func (s *Scenario) group(id string) *Group {
	for i := range s.Groups {
		if s.Groups[i].ID == id {
			return &s.Groups[i]
		}
	}
	return nil
}
