package evidence

// partitions fills the leader, ISR and offset tables. Offsets are summed
// per topic (records appended, records removed), with the partitions that
// went backwards listed one by one.
func (c *Comparison) partitions(ps []PartitionDelta) {
	var sum *TopicOffsets
	for _, p := range ps {
		if l := p.Leader; l != nil {
			c.Leaders = append(c.Leaders, LeaderDiff{Topic: p.Topic, Partition: p.Partition,
				Before: l.From, EpochBefore: l.FromEpoch, After: l.To, EpochAfter: l.ToEpoch})
		}
		if i := p.ISR; i != nil {
			c.ISR = append(c.ISR, ISRDiff{Topic: p.Topic, Partition: p.Partition, Replicas: p.Replicas, Before: i.From, After: i.To})
		}
		m := p.Offsets
		if !m.Moved() {
			continue
		}
		// Partitions come sorted by topic: a new topic starts a new sum.
		if sum == nil || sum.Topic != p.Topic {
			c.Offsets = append(c.Offsets, TopicOffsets{Topic: p.Topic})
			sum = &c.Offsets[len(c.Offsets)-1]
		}
		sum.Appended += m.Appended()
		sum.Removed += m.Removed()
		if m.EndBackwards() || m.StartBackwards() {
			sum.Backwards++
			c.Backwards = append(c.Backwards, OffsetDiff{Topic: p.Topic, Partition: p.Partition,
				StartBefore: m.StartBefore, StartAfter: m.StartAfter, EndBefore: m.EndBefore, EndAfter: m.EndAfter})
		}
	}
}

// configs fills the config table: "topic NAME" or "broker ID", and Absent
// for a name one side lacks.
func (c *Comparison) configs(cs []ConfigDelta) {
	for _, d := range cs {
		c.Configs = append(c.Configs, ConfigDiff{Resource: d.Resource(), Name: d.Change.Name, Before: d.Change.From, After: d.Change.To})
	}
}
