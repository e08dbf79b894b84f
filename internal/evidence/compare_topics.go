package evidence

import (
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

func (c *Comparison) compareTopics(a, b *snapshot.Snapshot) {
	var names []string
	for _, s := range []*snapshot.Snapshot{a, b} {
		for _, t := range s.Topics {
			names = append(names, t.Name)
		}
	}
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		ta, okA := a.Topic(name)
		tb, okB := b.Topic(name)
		d := TopicDiff{Topic: name, PartitionsBefore: len(ta.Partitions), PartitionsAfter: len(tb.Partitions)}
		switch {
		case !okA:
			d.Change = "created"
		case !okB:
			d.Change = "deleted"
		case ta.ID != "" && tb.ID != "" && ta.ID != tb.ID:
			d.Change = "recreated"
		case d.PartitionsBefore != d.PartitionsAfter:
			d.Change = "partitions changed"
		}
		if d.Change != "" {
			c.Topics = append(c.Topics, d)
		}
		if okA && okB && d.Change != "recreated" {
			c.comparePartitions(ta, tb)
		}
	}
}

func (c *Comparison) comparePartitions(ta, tb snapshot.Topic) {
	sum := TopicOffsets{Topic: tb.Name}
	moved := false
	for _, p := range tb.Partitions {
		o, ok := partitionOf(ta, p.ID)
		if !ok {
			continue
		}
		if o.Leader != p.Leader || o.LeaderEpoch != p.LeaderEpoch {
			c.Leaders = append(c.Leaders, LeaderDiff{Topic: p.Topic, Partition: p.ID,
				Before: o.Leader, EpochBefore: o.LeaderEpoch, After: p.Leader, EpochAfter: p.LeaderEpoch})
		}
		if !slices.Equal(sortedIDs(o.ISR), sortedIDs(p.ISR)) {
			c.ISR = append(c.ISR, ISRDiff{Topic: p.Topic, Partition: p.ID, Replicas: p.Replicas, Before: o.ISR, After: p.ISR})
		}
		back := false
		if o.LatestOffset >= 0 && p.LatestOffset >= 0 {
			if d := p.LatestOffset - o.LatestOffset; d > 0 {
				sum.Appended += d
			} else if d < 0 {
				back = true
			}
		}
		if o.EarliestOffset >= 0 && p.EarliestOffset >= 0 {
			if d := p.EarliestOffset - o.EarliestOffset; d > 0 {
				sum.Removed += d
			} else if d < 0 {
				back = true
			}
		}
		if back {
			sum.Backwards++
			c.Backwards = append(c.Backwards, OffsetDiff{Topic: p.Topic, Partition: p.ID,
				StartBefore: o.EarliestOffset, StartAfter: p.EarliestOffset, EndBefore: o.LatestOffset, EndAfter: p.LatestOffset})
		}
		moved = moved || back || sum.Appended > 0 || sum.Removed > 0
	}
	if moved {
		c.Offsets = append(c.Offsets, sum)
	}
}

func sortedIDs(v []int32) []int32 {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

// compareConfigs lists differing topic and broker configs. A side whose
// configs were not read is skipped: "not read" is not a difference.
func (c *Comparison) compareConfigs(a, b *snapshot.Snapshot) {
	for _, tb := range b.Topics {
		ta, ok := a.Topic(tb.Name)
		if !ok || ta.Configs == nil || tb.Configs == nil {
			continue
		}
		c.configDiffs("topic "+tb.Name, ta.Configs, tb.Configs)
	}
	before := map[int32]snapshot.BrokerConfig{}
	for _, bc := range a.BrokerConfigs {
		before[bc.Broker] = bc
	}
	for _, bc := range b.BrokerConfigs {
		if o, ok := before[bc.Broker]; ok {
			c.configDiffs(fmt.Sprintf("broker %d", bc.Broker), o.Configs, bc.Configs)
		}
	}
}

func (c *Comparison) configDiffs(resource string, before, after map[string]snapshot.ConfigValue) {
	names := append(sortedKeys(before), sortedKeys(after)...)
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		from, to := "(absent)", "(absent)"
		if v, ok := before[n]; ok {
			from = configText(v)
		}
		if v, ok := after[n]; ok {
			to = configText(v)
		}
		if from != to {
			c.Configs = append(c.Configs, ConfigDiff{Resource: resource, Name: n, Before: from, After: to})
		}
	}
}
