package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

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
// changed, sorted. It is pure: the times of the events are cur.TakenAt.
// A nil prev or cur gives no events (see Baseline for the first poll).
//
// A source that could not be read in either snapshot yields no events for
// what it covers (an offset of -1, nil topic configs, a group with an
// error): a gap in the data is never reported as a change.
func Diff(prev, cur *snapshot.Snapshot, opts DiffOptions) []Event {
	if prev == nil || cur == nil {
		return nil
	}
	d := &differ{prev: prev, cur: cur, opts: opts}
	d.brokers()
	d.topics()
	d.groups()
	d.configs()
	d.logDirs()
	d.collectErrors()
	SortEvents(d.out)
	return d.out
}

// differ accumulates the events of one comparison.
type differ struct {
	prev, cur *snapshot.Snapshot
	opts      DiffOptions
	out       []Event
}

func (d *differ) add(e Event) {
	e.Time = d.cur.TakenAt.UTC()
	d.out = append(d.out, e)
}

func (d *differ) addf(e Event, format string, args ...any) {
	e.Summary = fmt.Sprintf(format, args...)
	d.add(e)
}

// brokerCond is what the events compare of one broker.
type brokerCond struct {
	known, registered, fenced, fencedKnown bool
	probe                                  string
	probeErr                               string
}

func condOf(s *snapshot.Snapshot, id int32) brokerCond {
	b, ok := s.Broker(id)
	if !ok {
		return brokerCond{}
	}
	return brokerCond{known: true, registered: b.Registered, fenced: b.Fenced, fencedKnown: b.FencedKnown,
		probe: b.Probe.Status, probeErr: b.Probe.Error}
}

// answers reports whether a probe status says the broker answered, and
// whether the status says anything at all (not probed says nothing).
func answers(status string) (ok, meaningful bool) {
	switch status {
	case "", snapshot.StatusNotProbed:
		return false, false
	case snapshot.StatusOK:
		return true, true
	}
	return false, true
}

// brokers reports registration, fencing and reachability changes.
func (d *differ) brokers() {
	seen := map[int32]bool{}
	var all []int32
	for _, s := range []*snapshot.Snapshot{d.prev, d.cur} {
		for _, b := range s.Brokers {
			if !seen[b.ID] {
				seen[b.ID] = true
				all = append(all, b.ID)
			}
		}
	}
	slices.Sort(all)
	for _, id := range all {
		d.broker(id, condOf(d.prev, id), condOf(d.cur, id))
	}
}

func (d *differ) broker(id int32, p, c brokerCond) {
	e := Event{Broker: findings.Int32(id)}
	switch {
	case p.registered && !c.registered:
		e.Kind, e.Severity = BrokerGone, findings.Critical
		d.addf(e, "broker %d is no longer registered in the cluster", id)
	case !p.registered && c.registered:
		e.Kind, e.Severity = BrokerBack, findings.Info
		state := "unfenced"
		if c.fencedKnown && c.fenced {
			state = "fenced"
		}
		how := "is registered again"
		if !p.known {
			how = "joined the cluster"
		}
		d.addf(e, "broker %d %s (%s)", id, how, state)
	case p.registered && c.registered && p.fencedKnown && c.fencedKnown && !p.fenced && c.fenced:
		e.Kind, e.Severity = BrokerFenced, findings.Critical
		d.addf(e, "broker %d was fenced by the controller", id)
	case p.registered && c.registered && p.fencedKnown && c.fencedKnown && p.fenced && !c.fenced:
		e.Kind, e.Severity = BrokerUnfenced, findings.Info
		d.addf(e, "broker %d was unfenced: it is back in the cluster", id)
	}
	pOK, pMeant := answers(p.probe)
	cOK, cMeant := answers(c.probe)
	if !pMeant || !cMeant || pOK == cOK {
		return
	}
	e = Event{Broker: findings.Int32(id)}
	if cOK {
		e.Kind, e.Severity = BrokerReachable, findings.Info
		d.addf(e, "broker %d answers again", id)
		return
	}
	e.Kind, e.Severity = BrokerUnreachable, findings.Warning
	if c.registered && !(c.fencedKnown && c.fenced) {
		e.Severity = findings.Critical // still counted as a member, but not answering
	}
	d.addf(e, "broker %d stopped answering: %s%s", id, c.probe, suffix(": ", c.probeErr))
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

// collectErrors reports sources that started or stopped failing.
func (d *differ) collectErrors() {
	before, after := errIndex(d.prev.Errors), errIndex(d.cur.Errors)
	for _, k := range sortedKeys(after) {
		if _, ok := before[k]; !ok {
			ce := after[k]
			d.addf(errEvent(CollectError, findings.Warning, ce), "cannot read %s: %s", errWhere(ce), ce.Message)
		}
	}
	for _, k := range sortedKeys(before) {
		if _, ok := after[k]; !ok {
			ce := before[k]
			d.addf(errEvent(CollectCleared, findings.Info, ce), "%s can be read again", errWhere(ce))
		}
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

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
