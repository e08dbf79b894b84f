package sim

import (
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

// findingCodes checks a list of expected finding codes against the
// catalogue: a misspelt code would make a drill wait for a finding that
// can never come.
func (c *checker) findingCodes(field string, codes []string) {
	for i, f := range codes {
		ff := fmt.Sprintf("%s[%d]", field, i)
		switch _, known := findings.Lookup(f); {
		case !findingRe.MatchString(f):
			c.add(ff, "%q is not a finding code (UPPER_SNAKE_CASE)", f)
		case !known:
			c.add(ff, "%q is not a finding code kafka-runbook knows (see 'kafka-runbook codes')", f)
		}
		if slices.Index(codes, f) < i {
			c.add(ff, "duplicate %q", f)
		}
	}
}

// view checks a broker's differing metadata view against the cluster's:
// a view can lag behind the cluster, never run ahead of it.
func (c *checker) view(f string, v *View) {
	c.brokerIDs(f+".brokers", v.Brokers, nil)
	for j := range v.Partitions {
		vp := &v.Partitions[j]
		pf := fmt.Sprintf("%s.partitions[%d]", f, j)
		t, ok := c.topics[vp.Topic]
		if !ok {
			c.add(pf+".topic", "unknown topic %q", vp.Topic)
			continue
		}
		p := t.partitionSpec(vp.Partition)
		if p == nil {
			c.add(pf+".partition", "topic %s has no partition %d", vp.Topic, vp.Partition)
			continue
		}
		c.brokerIDs(pf+".isr", vp.ISR, p.Replicas)
		if vp.Leader == nil {
			c.add(pf+".leader", "required (-1 for a partition it sees offline)")
			continue
		}
		if l := *vp.Leader; l != -1 && !slices.Contains(p.Replicas, l) {
			c.add(pf+".leader", "broker %d is not in replicas %v", l, p.Replicas)
		}
		if p.Leader != nil {
			switch {
			case vp.LeaderEpoch > p.LeaderEpoch:
				c.add(pf+".leader_epoch", "%d is newer than the cluster's %d: a broker's view can only lag behind", vp.LeaderEpoch, p.LeaderEpoch)
			case vp.LeaderEpoch == p.LeaderEpoch && *vp.Leader != *p.Leader:
				c.add(pf+".leader", "at the cluster's own epoch %d the leader is %d; a stale view has an older epoch", p.LeaderEpoch, *p.Leader)
			}
		}
		earliest, latest := p.bounds()
		if vp.LogEnd != nil && *vp.LogEnd < earliest {
			c.add(pf+".log_end", "%d is below the log start %d", *vp.LogEnd, earliest)
		}
		if d := vp.DivergedAt; d != nil && (*d < earliest || *d > latest) {
			c.add(pf+".diverged_at", "%d is not in %d..%d (the partition's log)", *d, earliest, latest)
		}
	}
}

// injects checks what can be checked of each inject on its own; the state
// each one leads to is checked by states.
func (c *checker) injects() {
	var prev Duration
	for i := range c.sc.Injects {
		in := &c.sc.Injects[i]
		f := fmt.Sprintf("injects[%d]", i)
		switch {
		case in.At < 0:
			c.add(f+".at", "%s is negative; injects happen after the start", in.At.D())
		case in.At < prev:
			c.add(f+".at", "%s is before the previous inject (%s); list injects in time order", in.At.D(), prev.D())
		}
		prev = max(prev, in.At)
		empty := in.ControllerID == nil && in.Quorum == nil && len(in.Brokers)+len(in.Partitions)+len(in.Groups)+len(in.TopicConfigs) == 0
		if empty {
			c.add(f, "changes nothing: give quorum, brokers, partitions, groups, topic_configs or controller_id")
		}
		if qc := in.Quorum; qc != nil {
			for j := range qc.Voters {
				c.voter(fmt.Sprintf("%s.quorum.voters[%d]", f, j), &qc.Voters[j], false)
			}
		}
		c.findingCodes(f+".expect", in.Expect)
		for j, bc := range in.Brokers {
			bf := fmt.Sprintf("%s.brokers[%d]", f, j)
			switch bc.State {
			case "", StateUp, StateDown, StateHung, StateFenced, StateUnreachable:
			default:
				c.add(bf+".state", "%q is not one of up, down, hung, fenced, unreachable", bc.State)
			}
			if bc.View != nil && bc.ClearView {
				c.add(bf, "give view or clear_view, not both")
			}
		}
		for j, gc := range in.Groups {
			if gc.State != "" && !slices.Contains(groupStates, gc.State) {
				c.add(fmt.Sprintf("%s.groups[%d].state", f, j), "%q is not one of %v", gc.State, groupStates)
			}
		}
	}
	if len(c.problems) > 0 {
		return // the states would only repeat what is already wrong
	}
	_, problems := c.sc.states()
	c.problems = append(c.problems, problems...)
}
