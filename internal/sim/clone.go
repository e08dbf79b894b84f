package sim

import (
	"maps"
	"slices"
)

// clone deep-copies the scenario's state, so no slice, map or pointer is
// shared with the original. Injects are shared: nothing edits them.
func (s *Scenario) clone() *Scenario {
	c := *s
	c.ExpectedFindings = slices.Clone(s.ExpectedFindings)
	c.ControllerID = clonePtr(s.ControllerID)
	if s.Quorum != nil {
		q := *s.Quorum
		q.Leader, q.Voters = clonePtr(q.Leader), slices.Clone(q.Voters)
		for i := range q.Voters {
			v := &q.Voters[i]
			v.Lag, v.LastFetch, v.LastCaughtUp = clonePtr(v.Lag), clonePtr(v.LastFetch), clonePtr(v.LastCaughtUp)
		}
		c.Quorum = &q
	}
	c.BrokerConfigs = maps.Clone(s.BrokerConfigs)
	c.Brokers = slices.Clone(s.Brokers)
	for i := range c.Brokers {
		b := &c.Brokers[i]
		b.Configs, b.LogDirs = maps.Clone(b.Configs), slices.Clone(b.LogDirs)
		if b.View != nil {
			v := View{Brokers: slices.Clone(b.View.Brokers), Partitions: slices.Clone(b.View.Partitions)}
			for j := range v.Partitions {
				vp := &v.Partitions[j]
				vp.Leader, vp.ISR, vp.LogEnd, vp.DivergedAt = clonePtr(vp.Leader), slices.Clone(vp.ISR), clonePtr(vp.LogEnd), clonePtr(vp.DivergedAt)
			}
			b.View = &v
		}
	}
	c.Topics = slices.Clone(s.Topics)
	for i := range c.Topics {
		t := &c.Topics[i]
		t.Configs, t.Partitions = maps.Clone(t.Configs), slices.Clone(t.Partitions)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.Replicas, p.ISR, p.OfflineReplicas = slices.Clone(p.Replicas), slices.Clone(p.ISR), slices.Clone(p.OfflineReplicas)
			p.AddingReplicas, p.RemovingReplicas = slices.Clone(p.AddingReplicas), slices.Clone(p.RemovingReplicas)
			p.ELR, p.LastKnownELR = slices.Clone(p.ELR), slices.Clone(p.LastKnownELR)
			p.Leader, p.Offsets, p.Records, p.ReplicaLag = clonePtr(p.Leader), clonePtr(p.Offsets), clonePtr(p.Records), maps.Clone(p.ReplicaLag)
		}
	}
	c.Groups = slices.Clone(s.Groups)
	for i := range c.Groups {
		g := &c.Groups[i]
		g.Committed, g.Lag = cloneOffsets(g.Committed), cloneOffsets(g.Lag)
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneOffsets(m map[string]map[int32]int64) map[string]map[int32]int64 {
	if m == nil {
		return nil
	}
	out := make(map[string]map[int32]int64, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v)
	}
	return out
}
