package evidence

import (
	"fmt"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// DiffOptions tunes event detection.
type DiffOptions struct {
	// LagThresholds are the group total-lag levels whose crossing is an
	// event, in any order. Empty means no lag events.
	LagThresholds []int64
}

// Diff compares two consecutive snapshots of one cluster and returns what
// changed as events, sorted. It is pure: the times of the events are
// cur.TakenAt. A nil prev or cur gives no events (see Baseline for the
// first poll).
//
// What counts as a change is Changes' (the same delta `evidence diff`
// shows); Diff only words it. Quantities that move all the time on a live
// cluster are events only where they matter: offsets when they go
// backwards, group lag when it crosses a threshold.
func Diff(prev, cur *snapshot.Snapshot, opts DiffOptions) []Event {
	if prev == nil || cur == nil {
		return nil
	}
	ch := Changes(prev, cur)
	d := &differ{at: cur.TakenAt.UTC(), opts: opts}
	for _, b := range ch.Brokers {
		d.broker(b)
	}
	d.topics(ch.Topics)
	for _, p := range ch.Partitions {
		d.partition(p)
	}
	d.groups(ch.Groups)
	d.configs(ch.Configs)
	d.logDirs(ch.LogDirs)
	d.collectErrors(ch.ErrorsNew, ch.ErrorsCleared)
	SortEvents(d.out)
	return d.out
}

// differ accumulates the events of one comparison.
type differ struct {
	at   time.Time
	opts DiffOptions
	out  []Event
}

func (d *differ) addf(e Event, format string, args ...any) {
	e.Time = d.at
	e.Summary = fmt.Sprintf(format, args...)
	d.out = append(d.out, e)
}

// broker words a broker's registration, fencing, reachability and
// address changes.
func (d *differ) broker(b BrokerDelta) {
	id, p, c := b.ID, condOf(b.Before), condOf(b.After)
	e := Event{Broker: findings.Int32(id)}
	switch {
	case b.Registration && p.Registered:
		e.Kind, e.Severity = BrokerGone, findings.Critical
		d.addf(e, "broker %d is no longer registered in the cluster", id)
	case b.Registration:
		e.Kind, e.Severity = BrokerBack, findings.Info
		state := "unfenced"
		if c.FencedKnown && c.Fenced {
			state = "fenced"
		}
		how := "is registered again"
		if b.Before == nil {
			how = "joined the cluster"
		}
		d.addf(e, "broker %d %s (%s)", id, how, state)
	case b.Fencing && c.Fenced:
		e.Kind, e.Severity = BrokerFenced, findings.Critical
		d.addf(e, "broker %d was fenced by the controller", id)
	case b.Fencing:
		e.Kind, e.Severity = BrokerUnfenced, findings.Info
		d.addf(e, "broker %d was unfenced: it is back in the cluster", id)
	}
	if b.Address {
		e = Event{Broker: findings.Int32(id), Kind: BrokerAddressChanged, Severity: findings.Warning}
		d.addf(e, "broker %d address changed %s -> %s", id, p.Address(), c.Address())
	}
	if !b.Reachability {
		return
	}
	e = Event{Broker: findings.Int32(id)}
	if c.Probe.Answered() {
		e.Kind, e.Severity = BrokerReachable, findings.Info
		d.addf(e, "broker %d answers again", id)
		return
	}
	e.Kind, e.Severity = BrokerUnreachable, findings.Warning
	if c.Registered && !(c.FencedKnown && c.Fenced) {
		e.Severity = findings.Critical // still counted as a member, but not answering
	}
	d.addf(e, "broker %d stopped answering: %s%s", id, c.Probe.Status, suffix(": ", c.Probe.Error))
}

func suffix(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// errKey identifies a collection error across polls; the message is left
// out because it often carries changing detail (latencies, addresses).
func errKey(e snapshot.CollectError) string {
	return fmt.Sprintf("%s|%d|%s|%s", e.Source, e.Broker, e.Subject, e.Kind)
}

// collectErrors words the sources that started or stopped failing.
func (d *differ) collectErrors(added, cleared []snapshot.CollectError) {
	for _, ce := range added {
		d.addf(errEvent(CollectError, findings.Warning, ce), "cannot read %s: %s", errWhere(ce), ce.Message)
	}
	for _, ce := range cleared {
		d.addf(errEvent(CollectCleared, findings.Info, ce), "%s can be read again", errWhere(ce))
	}
}

func errEvent(k Kind, sev findings.Severity, ce snapshot.CollectError) Event {
	e := Event{Kind: k, Severity: sev, Error: &ce}
	if ce.Broker >= 0 {
		e.Broker = findings.Int32(ce.Broker)
	}
	return e
}

func errIndex(es []snapshot.CollectError) map[string]snapshot.CollectError {
	out := make(map[string]snapshot.CollectError, len(es))
	for _, e := range es {
		out[errKey(e)] = e
	}
	return out
}

// errWhere names what could not be read: "offsets from broker 3 (orders)".
func errWhere(e snapshot.CollectError) string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Broker >= 0 {
		fmt.Fprintf(&b, " from broker %d", e.Broker)
	}
	if e.Subject != "" {
		fmt.Fprintf(&b, " (%s)", e.Subject)
	}
	return b.String()
}
