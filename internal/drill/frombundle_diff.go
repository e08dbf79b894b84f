package drill

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

// diff is the inject that turns state a into state b. Every partition that
// changed, or has a replica on a broker whose liveness changed, is given
// in full, so the controller's own reaction to a broker change (which the
// simulator applies first) is overridden by what was recorded.
func diff(a, b *sim.Scenario) sim.Inject {
	var in sim.Inject
	var say []string
	flipped := map[int32]bool{}
	prevBroker := map[int32]sim.Broker{}
	for _, br := range a.Brokers {
		prevBroker[br.ID] = br
	}
	for _, br := range b.Brokers {
		old, ok := prevBroker[br.ID]
		if !ok {
			continue // a broker id first seen later: scenarios have a fixed broker set
		}
		ch := sim.BrokerChange{ID: br.ID}
		changed := false
		if old.State != br.State {
			ch.State, changed = br.State, true
			flipped[br.ID] = true
			say = append(say, fmt.Sprintf("broker %d %s", br.ID, br.State))
		}
		if !reflect.DeepEqual(old.View, br.View) {
			changed = true
			if br.View == nil {
				ch.ClearView = true
			} else {
				ch.View = br.View
			}
		}
		if !reflect.DeepEqual(old.LogDirs, br.LogDirs) {
			ch.LogDirs, changed = br.LogDirs, true
		}
		if changed {
			in.Brokers = append(in.Brokers, ch)
		}
	}
	prevPart := map[tpKey]sim.Partition{}
	for _, t := range a.Topics {
		for _, p := range t.Partitions {
			prevPart[tpKey{t.Name, p.Partition}] = p
		}
	}
	moved := 0
	for _, t := range b.Topics {
		for _, p := range t.Partitions {
			old, ok := prevPart[tpKey{t.Name, p.Partition}]
			if !ok {
				continue // topics created later are not simulated
			}
			touched := slices.ContainsFunc(p.Replicas, func(id int32) bool { return flipped[id] })
			if !touched && reflect.DeepEqual(old, p) {
				continue
			}
			if *old.Leader != *p.Leader {
				moved++
			}
			in.Partitions = append(in.Partitions, fullChange(t.Name, p))
		}
	}
	if n := len(in.Partitions); n > 0 {
		say = append(say, fmt.Sprintf("%d partitions changed (%d leaders moved)", n, moved))
	}
	groups(a, b, &in, &say)
	configs(a, b, &in, &say)
	in.Say = strings.Join(say, "; ")
	return in
}

func fullChange(topic string, p sim.Partition) sim.PartitionChange {
	leader, epoch := *p.Leader, p.LeaderEpoch
	earliest, latest := p.Offsets.Earliest, p.Offsets.Latest
	offline := p.OfflineReplicas
	if offline == nil {
		offline = []int32{}
	}
	return sim.PartitionChange{
		Topic: topic, Partition: p.Partition, Leader: &leader, LeaderEpoch: &epoch,
		Replicas: p.Replicas, ISR: p.ISR, OfflineReplicas: offline, Earliest: &earliest, Latest: &latest,
		ReplicaLag: map[int32]int64{},
	}
}

func groups(a, b *sim.Scenario, in *sim.Inject, say *[]string) {
	prev := map[string]sim.Group{}
	for _, g := range a.Groups {
		prev[g.ID] = g
	}
	for _, g := range b.Groups {
		old, ok := prev[g.ID]
		if !ok || (old.State == g.State && old.Members == g.Members) {
			continue
		}
		members := g.Members
		in.Groups = append(in.Groups, sim.GroupChange{ID: g.ID, State: g.State, Members: &members, Protocol: g.Protocol})
		*say = append(*say, fmt.Sprintf("group %s %s", g.ID, g.State))
	}
}

func configs(a, b *sim.Scenario, in *sim.Inject, say *[]string) {
	prev := map[string]map[string]string{}
	for _, t := range a.Topics {
		prev[t.Name] = t.Configs
	}
	for _, t := range b.Topics {
		old, ok := prev[t.Name]
		if !ok {
			continue
		}
		set := map[string]*string{}
		for _, k := range keys(t.Configs) {
			if v := t.Configs[k]; old[k] != v {
				set[k] = &v
			}
		}
		for _, k := range keys(old) {
			if _, still := t.Configs[k]; !still {
				set[k] = nil
			}
		}
		if len(set) == 0 {
			continue
		}
		if in.TopicConfigs == nil {
			in.TopicConfigs = map[string]map[string]*string{}
		}
		in.TopicConfigs[t.Name] = set
		*say = append(*say, "configs of "+t.Name+" changed")
	}
}
