package evidence

import (
	"maps"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// metadataMissing reports whether the snapshot has no topic metadata
// because reading it failed, not because the cluster has no topics.
func metadataMissing(s *snapshot.Snapshot) bool {
	return len(s.Topics) == 0 && len(s.ErrorsFor(snapshot.SourceMetadata)) > 0
}

// topicDeltas lists the topics created, deleted, recreated or resized, and
// what changed in the partitions of every topic that is the same on both
// sides. A recreated topic's partitions are not compared: its offsets
// restarted, so every difference would be a false alarm.
func topicDeltas(a, b *snapshot.Snapshot) ([]TopicDelta, []PartitionDelta) {
	if metadataMissing(a) || metadataMissing(b) {
		return nil, nil
	}
	var topics []TopicDelta
	var parts []PartitionDelta
	for _, name := range union(a.Topics, b.Topics, func(t snapshot.Topic) string { return t.Name }) {
		ta, okA := a.Topic(name)
		tb, okB := b.Topic(name)
		d := TopicDelta{Topic: name, IDBefore: ta.ID, IDAfter: tb.ID,
			PartitionsBefore: len(ta.Partitions), PartitionsAfter: len(tb.Partitions)}
		switch {
		case !okA:
			d.Change = TopicWasCreated
		case !okB:
			d.Change = TopicWasDeleted
		case ta.ID != "" && tb.ID != "" && ta.ID != tb.ID:
			d.Change = TopicWasRecreated
		case d.PartitionsBefore != d.PartitionsAfter:
			d.Change = TopicWasResized
		}
		if d.Change != "" {
			topics = append(topics, d)
		}
		if okA && okB && d.Change != TopicWasRecreated {
			parts = partitionDeltas(parts, ta, tb)
		}
	}
	return topics, parts
}

// partitionDeltas appends the changes of every partition both sides of a
// topic have.
func partitionDeltas(out []PartitionDelta, ta, tb snapshot.Topic) []PartitionDelta {
	minISR := health.MinISR(tb)
	for _, p := range tb.Partitions {
		o, ok := partitionOf(ta, p.ID)
		if !ok {
			continue
		}
		d := PartitionDelta{Topic: tb.Name, Partition: p.ID, LeaderAfter: p.Leader, Replicas: p.Replicas, ISRAfter: p.ISR,
			Offsets: OffsetMove{StartBefore: o.EarliestOffset, StartAfter: p.EarliestOffset,
				EndBefore: o.LatestOffset, EndAfter: p.LatestOffset}}
		newEpoch := p.Online() && o.LeaderEpoch != p.LeaderEpoch && known(int64(o.LeaderEpoch), int64(p.LeaderEpoch))
		if o.Leader != p.Leader || newEpoch {
			d.Leader = &LeaderChange{From: o.Leader, To: p.Leader, FromEpoch: o.LeaderEpoch, ToEpoch: p.LeaderEpoch}
		}
		if removed, added := minus(o.ISR, p.ISR), minus(p.ISR, o.ISR); len(removed) > 0 || len(added) > 0 {
			d.ISR = &ISRChange{From: o.ISR, To: p.ISR, Removed: removed, Added: added, MinISR: minISR}
		}
		if d.Leader != nil || d.ISR != nil || d.Offsets.Moved() {
			out = append(out, d)
		}
	}
	return out
}

func partitionOf(t snapshot.Topic, id int32) (snapshot.Partition, bool) {
	i, ok := slices.BinarySearchFunc(t.Partitions, id, func(p snapshot.Partition, id int32) int {
		return int(p.ID) - int(id)
	})
	if !ok {
		return snapshot.Partition{}, false
	}
	return t.Partitions[i], true
}

// minus returns the ids of a not in b, in a's order.
func minus(a, b []int32) []int32 {
	out := []int32{}
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

// configDeltas lists the topic configs (by topic, then name), then the
// broker configs (by broker, then name) that were added, changed or
// removed. A side whose configs were not read is skipped: "not read" is not
// a difference. A recreated topic's configs are compared: a topic created
// again without the old one's settings is what a postmortem must show.
func configDeltas(a, b *snapshot.Snapshot) []ConfigDelta {
	var out []ConfigDelta
	for _, tb := range b.Topics {
		ta, ok := a.Topic(tb.Name)
		if !ok || ta.Configs == nil || tb.Configs == nil {
			continue
		}
		for _, c := range configChanges(ta.Configs, tb.Configs) {
			out = append(out, ConfigDelta{Topic: tb.Name, Change: c})
		}
	}
	before := map[int32]snapshot.BrokerConfig{}
	for _, bc := range a.BrokerConfigs {
		before[bc.Broker] = bc
	}
	for _, bc := range b.BrokerConfigs {
		o, ok := before[bc.Broker]
		if !ok || o.Configs == nil || bc.Configs == nil {
			continue
		}
		for _, c := range configChanges(o.Configs, bc.Configs) {
			out = append(out, ConfigDelta{Broker: bc.Broker, Change: c})
		}
	}
	return out
}

// configChanges lists the names added, removed or whose value differs,
// sorted by name. A name one side lacks is a change: Absent stands for it.
func configChanges(before, after map[string]snapshot.ConfigValue) []ConfigValueChange {
	names := append(slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after))...)
	slices.Sort(names)
	var out []ConfigValueChange
	for _, n := range slices.Compact(names) {
		from, to := Absent, Absent
		if v, ok := before[n]; ok {
			from = configText(v)
		}
		if v, ok := after[n]; ok {
			to = configText(v)
		}
		if from != to {
			out = append(out, ConfigValueChange{Name: n, From: from, To: to})
		}
	}
	return out
}

// configText is a config value as reports print it; sensitive values are
// never shown, so they compare equal.
func configText(v snapshot.ConfigValue) string {
	if v.Sensitive {
		return "(sensitive)"
	}
	if v.Value == "" {
		return `""`
	}
	return v.Value
}
