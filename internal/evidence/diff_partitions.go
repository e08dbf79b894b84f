package evidence

import (
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// topics words the topics created, deleted, recreated or resized.
func (d *differ) topics(ts []TopicDelta) {
	for _, t := range ts {
		e := Event{Topic: t.Topic}
		switch t.Change {
		case TopicWasCreated:
			e.Kind, e.Severity = TopicCreated, findings.Info
			d.addf(e, "topic %s was created (%d partitions)", t.Topic, t.PartitionsAfter)
		case TopicWasDeleted:
			e.Kind, e.Severity = TopicDeleted, findings.Warning
			d.addf(e, "topic %s was deleted", t.Topic)
		case TopicWasRecreated:
			e.Kind, e.Severity = TopicRecreated, findings.Warning
			d.addf(e, "topic %s was deleted and created again (id %s -> %s): its offsets restarted", t.Topic, t.IDBefore, t.IDAfter)
		case TopicWasResized:
			// More partitions send keys to other partitions from now on:
			// per-key ordering across the change is lost.
			e.Kind, e.Severity = TopicResized, findings.Warning
			d.addf(e, "topic %s went from %d to %d partitions", t.Topic, t.PartitionsBefore, t.PartitionsAfter)
		}
	}
}

func (d *differ) partition(p PartitionDelta) {
	if p.Leader != nil {
		d.leader(p)
	}
	if p.ISR != nil {
		d.isr(p)
	}
	d.offsets(p)
}

func partEvent(k Kind, sev findings.Severity, p PartitionDelta) Event {
	return Event{Kind: k, Severity: sev, Topic: p.Topic, Partition: findings.Int32(p.Partition)}
}

func (d *differ) leader(p PartitionDelta) {
	lc := p.Leader
	wasOnline, isOnline := lc.From >= 0, lc.To >= 0
	var e Event
	switch {
	case wasOnline && !isOnline:
		e = partEvent(PartitionOffline, findings.Critical, p)
		e.Leader = lc
		d.addf(e, "%s/%d went offline: no leader (was %d; last ISR %s)", p.Topic, p.Partition, lc.From, ids(p.ISRAfter))
	case !wasOnline && isOnline:
		e = partEvent(PartitionOnline, findings.Info, p)
		e.Leader = lc
		d.addf(e, "%s/%d is online again: leader %d at epoch %d", p.Topic, p.Partition, lc.To, lc.ToEpoch)
	case lc.From != lc.To:
		// Moving off the preferred replica is the failure; moving back to
		// it is the recovery (a preferred leader election).
		sev, note := findings.Warning, ""
		if len(p.Replicas) > 0 && p.Replicas[0] == lc.To {
			sev, note = findings.Info, ", back to the preferred replica"
		}
		e = partEvent(LeaderMoved, sev, p)
		e.Leader = lc
		d.addf(e, "%s/%d leader moved %d -> %d (epoch %d -> %d)%s", p.Topic, p.Partition, lc.From, lc.To,
			lc.FromEpoch, lc.ToEpoch, note)
	default:
		e = partEvent(LeaderReelected, findings.Info, p)
		e.Leader = lc
		d.addf(e, "%s/%d leader %d re-elected (epoch %d -> %d)", p.Topic, p.Partition, lc.To, lc.FromEpoch, lc.ToEpoch)
	}
}

func (d *differ) isr(p PartitionDelta) {
	c := p.ISR
	if len(c.Removed) > 0 {
		sev := findings.Warning
		below := p.online() && c.MinISR >= 0 && len(c.To) < c.MinISR
		if below {
			sev = findings.Critical
		}
		e := partEvent(ISRShrink, sev, p)
		e.ISR = c
		note := ""
		if below {
			note = ", below min.insync.replicas: acks=all writes fail"
		}
		d.addf(e, "%s/%d ISR shrank %s -> %s (%s left the ISR%s)", p.Topic, p.Partition, ids(c.From), ids(c.To), brokersNamed(c.Removed), note)
	}
	if len(c.Added) > 0 {
		e := partEvent(ISRExpand, findings.Info, p)
		e.ISR = c
		d.addf(e, "%s/%d ISR expanded %s -> %s (%s rejoined the ISR)", p.Topic, p.Partition, ids(c.From), ids(c.To), brokersNamed(c.Added))
	}
}

// brokersNamed is "broker 3" or "brokers 1, 2": a bare "(2 left)" read as a
// count of replicas left, not as the broker that left.
func brokersNamed(ids []int32) string {
	if len(ids) == 1 {
		return "broker " + words.JoinIDs(ids, ", ")
	}
	return "brokers " + words.JoinIDs(ids, ", ")
}

// offsets words offsets that went backwards; offsets moving forward are
// the normal life of a partition, not an event.
func (d *differ) offsets(p PartitionDelta) {
	m := p.Offsets
	if m.EndBackwards() {
		e := partEvent(LogEndBackwards, findings.Critical, p)
		e.Offset = &OffsetChange{From: m.EndBefore, To: m.EndAfter}
		d.addf(e, "%s/%d log end went back %d -> %d: %d acknowledged records truncated", p.Topic, p.Partition,
			m.EndBefore, m.EndAfter, m.EndBefore-m.EndAfter)
	}
	if m.StartBackwards() {
		e := partEvent(LogStartBackwards, findings.Warning, p)
		e.Offset = &OffsetChange{From: m.StartBefore, To: m.StartAfter}
		d.addf(e, "%s/%d log start went back %d -> %d", p.Topic, p.Partition, m.StartBefore, m.StartAfter)
	}
}
