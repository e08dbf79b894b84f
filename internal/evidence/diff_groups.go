package evidence

import (
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// groups reports group state changes and total lag crossing thresholds.
// A group that could not be read in either poll is skipped.
func (d *differ) groups() {
	prev := map[string]snapshot.Group{}
	for _, g := range d.prev.Groups {
		prev[g.ID] = g
	}
	thresholds := slices.Clone(d.opts.LagThresholds)
	slices.Sort(thresholds)
	for _, g := range d.cur.Groups {
		o, ok := prev[g.ID]
		if !ok || o.Error != "" || g.Error != "" {
			continue
		}
		if o.State != "" && g.State != "" && o.State != g.State {
			d.addf(Event{Kind: GroupState, Severity: findings.Info, Group: g.ID},
				"group %s went from %s to %s (%d members)", g.ID, o.State, g.State, len(g.Members))
		}
		before, ok1 := groupLag(o)
		after, ok2 := groupLag(g)
		if ok1 && ok2 {
			d.lag(g.ID, before, after, thresholds)
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

// configs reports changed topic and broker configs. Only names read in both
// polls are compared: a config missing from one answer is not a change.
func (d *differ) configs() {
	for _, t := range d.cur.Topics {
		o, ok := d.prev.Topic(t.Name)
		if !ok || o.Configs == nil || t.Configs == nil || (o.ID != "" && t.ID != "" && o.ID != t.ID) {
			continue
		}
		for _, c := range configChanges(o.Configs, t.Configs) {
			d.addf(Event{Kind: ConfigChange, Severity: findings.Warning, Topic: t.Name, Config: &c},
				"topic %s: %s changed %s -> %s", t.Name, c.Name, c.From, c.To)
		}
	}
	prev := map[int32]snapshot.BrokerConfig{}
	for _, bc := range d.prev.BrokerConfigs {
		prev[bc.Broker] = bc
	}
	for _, bc := range d.cur.BrokerConfigs {
		o, ok := prev[bc.Broker]
		if !ok {
			continue
		}
		for _, c := range configChanges(o.Configs, bc.Configs) {
			d.addf(Event{Kind: ConfigChange, Severity: findings.Warning, Broker: findings.Int32(bc.Broker), Config: &c},
				"broker %d: %s changed %s -> %s", bc.Broker, c.Name, c.From, c.To)
		}
	}
}

// configChanges lists the names whose value differs, sorted by name.
func configChanges(before, after map[string]snapshot.ConfigValue) []ConfigValueChange {
	var out []ConfigValueChange
	for _, name := range sortedKeys(after) {
		o, ok := before[name]
		if !ok {
			continue
		}
		from, to := configText(o), configText(after[name])
		if from != to {
			out = append(out, ConfigValueChange{Name: name, From: from, To: to})
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

// logDirs reports log directories that failed or came back.
func (d *differ) logDirs() {
	prev := map[string]snapshot.LogDir{}
	for _, l := range d.prev.LogDirs {
		prev[fmt.Sprintf("%d|%s", l.Broker, l.Path)] = l
	}
	for _, l := range d.cur.LogDirs {
		o, ok := prev[fmt.Sprintf("%d|%s", l.Broker, l.Path)]
		if !ok {
			continue
		}
		e := Event{Broker: findings.Int32(l.Broker)}
		switch {
		case o.Error == "" && l.Error != "":
			e.Kind, e.Severity = LogDirOffline, findings.Critical
			d.addf(e, "broker %d log dir %s failed: %s (%d partitions)", l.Broker, l.Path, l.Error, l.Partitions)
		case o.Error != "" && l.Error == "":
			e.Kind, e.Severity = LogDirOnline, findings.Info
			d.addf(e, "broker %d log dir %s is back online", l.Broker, l.Path)
		}
	}
}
