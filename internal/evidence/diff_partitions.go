package evidence

import (
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// metadataMissing reports whether the snapshot has no topic metadata
// because reading it failed, not because the cluster has no topics.
func metadataMissing(s *snapshot.Snapshot) bool {
	return len(s.Topics) == 0 && len(s.ErrorsFor(snapshot.SourceMetadata)) > 0
}

// topics reports topics created, deleted or recreated, and every
// partition's leader, ISR and offset changes.
func (d *differ) topics() {
	if metadataMissing(d.prev) || metadataMissing(d.cur) {
		return
	}
	for _, t := range d.cur.Topics {
		old, ok := d.prev.Topic(t.Name)
		switch {
		case !ok:
			d.addf(Event{Kind: TopicCreated, Severity: findings.Info, Topic: t.Name},
				"topic %s was created (%d partitions)", t.Name, len(t.Partitions))
			continue
		case old.ID != "" && t.ID != "" && old.ID != t.ID:
			d.addf(Event{Kind: TopicRecreated, Severity: findings.Warning, Topic: t.Name},
				"topic %s was deleted and created again (id %s -> %s): its offsets restarted", t.Name, old.ID, t.ID)
			continue
		}
		minISR := t.MinISR()
		for _, p := range t.Partitions {
			if o, ok := partitionOf(old, p.ID); ok {
				d.partition(o, p, minISR)
			}
		}
	}
	for _, t := range d.prev.Topics {
		if _, ok := d.cur.Topic(t.Name); !ok {
			d.addf(Event{Kind: TopicDeleted, Severity: findings.Warning, Topic: t.Name},
				"topic %s was deleted", t.Name)
		}
	}
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

func (d *differ) partition(o, p snapshot.Partition, minISR int) {
	d.leader(o, p)
	d.isr(o, p, minISR)
	d.offsets(o, p)
}

func partEvent(k Kind, sev findings.Severity, p snapshot.Partition) Event {
	return Event{Kind: k, Severity: sev, Topic: p.Topic, Partition: findings.Int32(p.ID)}
}

func (d *differ) leader(o, p snapshot.Partition) {
	lc := &LeaderChange{From: o.Leader, To: p.Leader, FromEpoch: o.LeaderEpoch, ToEpoch: p.LeaderEpoch}
	switch {
	case o.Online() && !p.Online():
		e := partEvent(PartitionOffline, findings.Critical, p)
		e.Leader = lc
		d.addf(e, "%s/%d went offline: no leader (was %d; last ISR %s)", p.Topic, p.ID, o.Leader, ids(p.ISR))
	case !o.Online() && p.Online():
		e := partEvent(PartitionOnline, findings.Info, p)
		e.Leader = lc
		d.addf(e, "%s/%d is online again: leader %d at epoch %d", p.Topic, p.ID, p.Leader, p.LeaderEpoch)
	case o.Online() && o.Leader != p.Leader:
		// Moving off the preferred replica is the failure; moving back to
		// it is the recovery (a preferred leader election).
		sev, note := findings.Warning, ""
		if len(p.Replicas) > 0 && p.Replicas[0] == p.Leader {
			sev, note = findings.Info, ", back to the preferred replica"
		}
		e := partEvent(LeaderMoved, sev, p)
		e.Leader = lc
		d.addf(e, "%s/%d leader moved %d -> %d (epoch %d -> %d)%s", p.Topic, p.ID, o.Leader, p.Leader,
			o.LeaderEpoch, p.LeaderEpoch, note)
	case o.Online() && o.LeaderEpoch != p.LeaderEpoch && o.LeaderEpoch >= 0 && p.LeaderEpoch >= 0:
		e := partEvent(LeaderReelected, findings.Info, p)
		e.Leader = lc
		d.addf(e, "%s/%d leader %d re-elected (epoch %d -> %d)", p.Topic, p.ID, p.Leader, o.LeaderEpoch, p.LeaderEpoch)
	}
}

func (d *differ) isr(o, p snapshot.Partition, minISR int) {
	removed, added := minus(o.ISR, p.ISR), minus(p.ISR, o.ISR)
	change := &ISRChange{From: o.ISR, To: p.ISR, Removed: removed, Added: added, MinISR: minISR}
	if len(removed) > 0 {
		sev := findings.Warning
		below := p.Online() && minISR >= 0 && len(p.ISR) < minISR
		if below {
			sev = findings.Critical
		}
		e := partEvent(ISRShrink, sev, p)
		e.ISR = change
		note := ""
		if below {
			note = ", below min.insync.replicas: acks=all writes fail"
		}
		d.addf(e, "%s/%d ISR shrank %s -> %s (%s left%s)", p.Topic, p.ID, ids(o.ISR), ids(p.ISR), joinIDs(removed), note)
	}
	if len(added) > 0 {
		e := partEvent(ISRExpand, findings.Info, p)
		e.ISR = change
		d.addf(e, "%s/%d ISR expanded %s -> %s (%s rejoined)", p.Topic, p.ID, ids(o.ISR), ids(p.ISR), joinIDs(added))
	}
}

func (d *differ) offsets(o, p snapshot.Partition) {
	if o.LatestOffset >= 0 && p.LatestOffset >= 0 && p.LatestOffset < o.LatestOffset {
		e := partEvent(LogEndBackwards, findings.Critical, p)
		e.Offset = &OffsetChange{From: o.LatestOffset, To: p.LatestOffset}
		d.addf(e, "%s/%d log end went back %d -> %d: %d acknowledged records truncated", p.Topic, p.ID,
			o.LatestOffset, p.LatestOffset, o.LatestOffset-p.LatestOffset)
	}
	if o.EarliestOffset >= 0 && p.EarliestOffset >= 0 && p.EarliestOffset < o.EarliestOffset {
		e := partEvent(LogStartBackwards, findings.Warning, p)
		e.Offset = &OffsetChange{From: o.EarliestOffset, To: p.EarliestOffset}
		d.addf(e, "%s/%d log start went back %d -> %d", p.Topic, p.ID, o.EarliestOffset, p.EarliestOffset)
	}
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

// joinIDs renders ids as "1, 2".
func joinIDs(v []int32) string {
	s := ids(v)
	return s[1 : len(s)-1]
}
