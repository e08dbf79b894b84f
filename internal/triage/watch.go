package triage

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
)

// The events of `triage --watch` besides the finding changes (Appeared,
// Cleared, Severity). Like those, a contract of its JSON lines.
const (
	// Started is the first poll: the whole report.
	Started ChangeKind = "started"
	// StatusChanged is the verdict moving (after the poll's finding changes).
	StatusChanged ChangeKind = "status"
	// CollectFailed is a poll that reached no bootstrap server (said once
	// until one answers again); CollectRecovered the poll that did.
	CollectFailed    ChangeKind = "collect_failed"
	CollectRecovered ChangeKind = "collect_recovered"
)

// WatchEvent is one change `triage --watch` reports, and one line of its
// JSON output.
type WatchEvent struct {
	// Time is when the poll that saw it was taken, UTC.
	Time  time.Time  `json:"time"`
	Event ChangeKind `json:"event"`
	// Status is the verdict after this poll.
	Status verdict.Status `json:"status"`
	// Finding, for appeared, cleared and severity.
	Finding *findings.Finding `json:"finding,omitempty"`
	// Was is the earlier severity (severity) or status (status).
	Was string `json:"was,omitempty"`
	// Since is when a cleared finding appeared, if the watch saw it appear.
	Since *time.Time `json:"since,omitempty"`
	// Report is the first poll's whole report (started).
	Report *Report `json:"report,omitempty"`
	// Error is why a poll could not collect (collect_failed).
	Error string `json:"error,omitempty"`
}

// Watch turns successive triages into the events `triage --watch` prints.
// It is pure: the caller polls, and says when a poll failed.
type Watch struct {
	last      *Report
	failing   bool
	firstSeen map[string]time.Time // by state key, when the watch saw each finding appear
}

// Poll takes the report of one poll and returns what changed since the
// last good one: the whole report on the first poll.
func (w *Watch) Poll(r Report) []WatchEvent {
	t := r.Cluster.TakenAt.UTC()
	var out []WatchEvent
	if w.failing {
		w.failing = false
		out = append(out, WatchEvent{Time: t, Event: CollectRecovered, Status: r.Status})
	}
	if w.last == nil {
		w.last, w.firstSeen = &r, map[string]time.Time{}
		rep := r
		return append(out, WatchEvent{Time: t, Event: Started, Status: r.Status, Report: &rep})
	}
	for _, c := range FindingChanges(w.last.Findings, r.Findings) {
		f := c.Finding
		e := WatchEvent{Time: t, Event: c.Kind, Status: r.Status, Finding: &f}
		switch c.Kind {
		case Appeared:
			w.firstSeen[c.key] = t
		case Cleared:
			if since, ok := w.firstSeen[c.key]; ok {
				e.Since = &since
				delete(w.firstSeen, c.key)
			}
		case Severity:
			e.Was = c.Was.String()
		}
		out = append(out, e)
	}
	if r.Status != w.last.Status {
		out = append(out, WatchEvent{Time: t, Event: StatusChanged, Status: r.Status, Was: strings.ToLower(w.last.Status.String())}) // the JSON casing of "status"
	}
	w.last = &r
	return out
}

// Failed records a poll that collected nothing: one event until the
// cluster answers again. The findings of the last good poll stay the
// baseline, so a blip does not replay every finding as new.
func (w *Watch) Failed(t time.Time, err error) []WatchEvent {
	if w.failing {
		return nil
	}
	w.failing = true
	return []WatchEvent{{Time: t.UTC(), Event: CollectFailed, Status: verdict.Unknown, Error: strings.Join(strings.Fields(err.Error()), " ")}}
}

// watchFold is how many changes of one kind and code a poll lists one by
// one before it folds them into one line, as the findings table does.
const watchFold = groupAbove

// WriteWatchEvents writes events as lines for people: the time, what
// happened, the severity, code and subject. A poll's changes of one kind
// and code beyond watchFold are folded into one line; JSON lists them all.
// Started is not written here: the caller renders its report as triage
// does.
func WriteWatchEvents(w io.Writer, evs []WatchEvent) error {
	type group struct {
		kind ChangeKind
		code string
	}
	counts := map[group][]findings.Finding{}
	for _, e := range evs {
		if e.Finding != nil {
			g := group{e.Event, e.Finding.Code}
			counts[g] = append(counts[g], *e.Finding)
		}
	}
	folded := map[group]bool{}
	for _, e := range evs {
		var line string
		if e.Finding != nil {
			g := group{e.Event, e.Finding.Code}
			if fs := counts[g]; len(fs) > watchFold {
				if folded[g] {
					continue
				}
				folded[g] = true
				line = fmt.Sprintf("%-9s %-8s %s %s: %s", e.Event, severityWord(fs[0].Severity), g.code, subjectCount(fs), foldedSummary(fs))
			} else {
				line = findingLine(e)
			}
		} else {
			line = otherLine(e)
		}
		if line == "" {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s  %s\n", e.Time.Format(watchTimeFormat), line); err != nil {
			return err
		}
	}
	return nil
}

const watchTimeFormat = "2006-01-02T15:04:05Z"

func severityWord(s findings.Severity) string { return strings.ToUpper(s.String()) }

func findingLine(e WatchEvent) string {
	f := e.Finding
	subject := f.Code
	if s := f.Subject(); s != "" {
		subject += " " + s
	}
	switch e.Event {
	case Cleared:
		text := fmt.Sprintf("%-9s %-8s %s", e.Event, severityWord(f.Severity), subject)
		if e.Since != nil {
			text += ", after " + lasted(e.Time.Sub(*e.Since))
		}
		return text
	case Severity:
		return fmt.Sprintf("%-9s %-8s %s: was %s; %s", e.Event, severityWord(f.Severity), subject, e.Was, f.Summary)
	}
	return fmt.Sprintf("%-9s %-8s %s: %s", e.Event, severityWord(f.Severity), subject, f.Summary)
}

// lasted words how long a finding lasted: to the second, or to a tenth
// of one below ten seconds (a watch polls as often as every 100 ms).
func lasted(d time.Duration) string {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func otherLine(e WatchEvent) string {
	switch e.Event {
	case StatusChanged:
		return fmt.Sprintf("%-9s %-8s was %s", e.Event, e.Status, strings.ToUpper(e.Was))
	case CollectFailed:
		return fmt.Sprintf("%-9s %-8s cannot collect: %s", "failed", e.Status, e.Error)
	case CollectRecovered:
		return fmt.Sprintf("%-9s %-8s the cluster answers again", "recovered", e.Status)
	}
	return ""
}
