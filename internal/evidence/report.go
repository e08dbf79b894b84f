package evidence

import (
	"fmt"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// Report is the postmortem view of a bundle: everything the Markdown and
// HTML renderings show, computed once.
type Report struct {
	Dir       string
	Manifest  Manifest
	ClusterID string
	// Start and End bound the recorded window, UTC.
	Start, End time.Time
	Snapshots  []SnapshotRef
	Events     []Event
	// Metrics is one point per poll (from metrics.jsonl, or measured from
	// the snapshots of a capture).
	Metrics     []Metrics
	Triage      triage.Report
	TriageFrom  string
	Transcripts []runbooks.Transcript
	Warnings    []string
}

// BuildReport reads everything a report shows from an opened bundle.
func BuildReport(b *Bundle) (*Report, error) {
	r := &Report{Dir: b.Dir, Manifest: b.Manifest, ClusterID: b.Manifest.ClusterID,
		Events: b.Events, Metrics: b.Metrics, Warnings: b.Warnings}
	var err error
	if r.Snapshots, err = b.Snapshots(); err != nil {
		return nil, err
	}
	if r.Transcripts, err = b.Transcripts(); err != nil {
		return nil, err
	}
	if err := r.readTriage(b); err != nil {
		return nil, err
	}
	if next := r.Triage.Summary.NextRunbook; next != "" {
		// The postmortem's reader replays the same state, offline.
		r.Triage.NextCommand = runbooks.Commands{SelfFlags: []string{"--from", b.Dir}}.Self("run", next)
	}
	if len(r.Metrics) == 0 {
		// A capture has no journal: chart the snapshots themselves.
		for _, ref := range r.Snapshots {
			s, err := b.LoadSnapshot(ref.Path)
			if err != nil {
				return nil, err
			}
			r.Metrics = append(r.Metrics, Measure(s))
		}
	}
	r.window()
	return r, nil
}

// readTriage takes findings.json, or triages the snapshots when a killed
// watch left none.
func (r *Report) readTriage(b *Bundle) error {
	rep, ok, err := b.Findings()
	if err != nil {
		return err
	}
	if ok {
		r.Triage, r.TriageFrom = rep, FindingsFile
		return nil
	}
	if len(r.Snapshots) == 0 {
		r.TriageFrom = "none: the bundle holds no snapshot"
		return nil
	}
	first, last, err := b.FirstLast()
	if err != nil {
		return err
	}
	snap, prev := ReplayPair(first, last)
	r.Triage = triage.Build(snap, prev)
	r.TriageFrom = "computed from the last snapshot (" + FindingsFile + " is missing: the watch did not finish)"
	return nil
}

// window sets Start and End from the recorded times.
func (r *Report) window() {
	var ts []time.Time
	for _, m := range r.Metrics {
		ts = append(ts, m.Time)
	}
	for _, e := range r.Events {
		ts = append(ts, e.Time)
	}
	for _, s := range r.Snapshots {
		ts = append(ts, s.Time)
	}
	if len(ts) == 0 {
		r.Start = r.Manifest.CreatedAt
		r.End = r.Start
		if r.Manifest.FinishedAt != nil {
			r.End = *r.Manifest.FinishedAt
		}
		return
	}
	r.Start, r.End = ts[0], ts[0]
	for _, t := range ts {
		if t.Before(r.Start) {
			r.Start = t
		}
		if t.After(r.End) {
			r.End = t
		}
	}
	r.Start, r.End = r.Start.UTC(), r.End.UTC()
}

// Title is the report's heading.
func (r *Report) Title() string {
	return fmt.Sprintf("Kafka incident evidence: cluster %s, %s", words.OrDash(r.ClusterID), r.Start.Format("2006-01-02 15:04Z"))
}

// Summary is the opening paragraph, one sentence per line.
func (r *Report) Summary() []string {
	var out []string
	polls, failed := 0, 0
	for _, m := range r.Metrics {
		polls++
		if m.Failed() {
			failed++
		}
	}
	out = append(out, fmt.Sprintf("Recorded from %s to %s UTC (%s): %s (%d failed), %s, %s, %s.",
		r.Start.Format(TimeFormat), r.End.Format(TimeFormat), r.End.Sub(r.Start).Round(time.Second), words.Plural(polls, "poll", "polls"), failed,
		words.Plural(len(r.Events), "event", "events"), words.Plural(len(r.Snapshots), "snapshot", "snapshots"), words.Plural(len(r.Transcripts), "runbook transcript", "runbook transcripts")))
	if w, ok := worst(r.Metrics); ok {
		out = append(out, fmt.Sprintf("Worst moment: %s UTC, %d of %d brokers alive, partitions: %d offline, %d under min ISR, %d under-replicated%s. Replay it: %s",
			w.Time.Format(TimeFormat), w.BrokersAlive, w.BrokersKnown, w.Offline, w.UnderMinISR, w.UnderReplicated, lagText(w.TotalLag),
			runbooks.ShellLine("kafka-runbook", "triage", "--from", r.Dir, "--at", w.Time.Format(ExactTimeFormat))))
	}
	if len(r.Events) > 0 && r.Events[0].Kind == WatchStarted && r.Events[0].Severity >= findings.Warning {
		out = append(out, fmt.Sprintf("Already degraded when recording began: %s.", strings.TrimPrefix(r.Events[0].Summary, "watch started on ")))
	}
	if first, ok := r.firstSign(); ok {
		out = append(out, fmt.Sprintf("First sign of trouble: %s UTC, %s.", first.Time.Format(TimeFormat), first.Summary))
		if back, ok := r.recovered(first.Time); ok {
			out = append(out, fmt.Sprintf("Back to the starting state at %s UTC, %s after the first sign.", back.Format(TimeFormat), back.Sub(first.Time).Round(time.Second)))
		} else {
			out = append(out, "The cluster was not back to its starting state when recording stopped.")
		}
	}
	if r.Triage.SchemaVersion != 0 { // a triage was read or made
		status := "At the end: " + r.Triage.Status.String() + "."
		for _, l := range r.Triage.Summary.Lines {
			status += " " + strings.TrimSuffix(l, ".") + "."
		}
		out = append(out, status)
	}
	return out
}

func lagText(lag int64) string {
	if lag < 0 {
		return ""
	}
	return fmt.Sprintf(", total lag %d", lag)
}

// worst is the poll with the most damage (see damage): the first of the
// worst polls. A watch keeps that poll's snapshot (maybeStore).
func worst(ms []Metrics) (Metrics, bool) {
	var w Metrics
	found := false
	for _, m := range ms {
		if m.Failed() {
			continue
		}
		if !found || damageOf(m).worseThan(damageOf(w)) {
			w, found = m, true
		}
	}
	return w, found
}

// firstSign is the first warning or critical change after the start.
func (r *Report) firstSign() (Event, bool) {
	for _, e := range r.Events {
		if e.Kind != WatchStarted && e.Kind != WatchStopped && e.Severity >= findings.Warning {
			return e, true
		}
	}
	return Event{}, false
}

// recovered is when health got back to the first poll's level for good:
// the first poll after t from which every later poll is at least as
// healthy as the first.
func (r *Report) recovered(t time.Time) (time.Time, bool) {
	var base *Metrics
	var since time.Time
	for i := range r.Metrics {
		m := &r.Metrics[i]
		switch {
		case m.Failed():
			since = time.Time{}
		case base == nil:
			base = m
		case !m.Time.After(t):
		case m.Offline <= base.Offline && m.UnderMinISR <= base.UnderMinISR &&
			m.UnderReplicated <= base.UnderReplicated && m.BrokersAlive >= base.BrokersAlive:
			if since.IsZero() {
				since = m.Time
			}
		default:
			since = time.Time{}
		}
	}
	return since, !since.IsZero()
}
