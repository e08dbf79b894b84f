package evidence

import (
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// groups words groups that appeared or went away, changed state or
// members, and total lags crossing thresholds.
func (d *differ) groups(gs []GroupDelta) {
	thresholds := slices.Clone(d.opts.LagThresholds)
	slices.Sort(thresholds)
	for _, g := range gs {
		e := Event{Group: g.Group}
		switch {
		case g.Before == nil:
			e.Kind, e.Severity = GroupCreated, findings.Info
			d.addf(e, "group %s appeared (%s, %d members)", g.Group, words.OrDash(g.After.State), len(g.After.Members))
			continue
		case g.After == nil:
			// ListGroups lists every group with members or committed
			// offsets: one it no longer lists has neither.
			e.Kind, e.Severity = GroupDeleted, findings.Warning
			d.addf(e, "group %s is gone: it has no members and no committed offsets", g.Group)
			continue
		}
		o, n := g.Before, g.After
		e.Kind, e.Severity = GroupState, findings.Info
		switch {
		case g.State:
			d.addf(e, "group %s went from %s to %s (%d members)", g.Group, o.State, n.State, len(n.Members))
		case g.Members:
			d.addf(e, "group %s went from %d to %d members (%s)", g.Group, len(o.Members), len(n.Members), words.OrDash(n.State))
		}
		if g.Lag {
			before, _ := groupLag(*o)
			after, _ := groupLag(*n)
			d.lag(g.Group, before, after, thresholds)
		}
	}
}

// lag reports the highest threshold crossed between two lags, if any:
// a jump over several thresholds at once is one event, not several.
func (d *differ) lag(group string, before, after int64, thresholds []int64) {
	crossed, up := int64(-1), after > before
	for _, t := range thresholds {
		switch {
		case up && before <= t && after > t:
			crossed = t
		case !up && after <= t && before > t && crossed < 0:
			crossed = t
		}
	}
	if crossed < 0 {
		return
	}
	e := Event{Group: group, Lag: &LagChange{From: before, To: after, Threshold: crossed}}
	if up {
		e.Kind, e.Severity = LagAbove, findings.Warning
		d.addf(e, "group %s lag rose above %d: %d -> %d", group, crossed, before, after)
		return
	}
	e.Kind, e.Severity = LagBelow, findings.Info
	d.addf(e, "group %s lag fell to %d or less: %d -> %d", group, crossed, before, after)
}

// configs words the topic and broker configs added, changed or removed.
func (d *differ) configs(cs []ConfigDelta) {
	for _, c := range cs {
		e := Event{Kind: ConfigChange, Severity: findings.Warning, Topic: c.Topic, Config: &c.Change}
		if c.Topic == "" {
			e.Broker = findings.Int32(c.Broker)
		}
		d.addf(e, "%s: %s changed %s -> %s", c.Resource(), c.Change.Name, c.Change.From, c.Change.To)
	}
}

// logDirs words log directories that failed or came back.
func (d *differ) logDirs(ls []LogDirDelta) {
	for _, l := range ls {
		e := Event{Broker: findings.Int32(l.Broker)}
		if l.ErrorAfter != "" {
			e.Kind, e.Severity = LogDirOffline, findings.Critical
			d.addf(e, "broker %d log dir %s failed: %s (%d partitions)", l.Broker, l.Path, l.ErrorAfter, l.Partitions)
			continue
		}
		e.Kind, e.Severity = LogDirOnline, findings.Info
		d.addf(e, "broker %d log dir %s is back online", l.Broker, l.Path)
	}
}
