// Package triage runs every check once on a snapshot and presents the
// result: findings worst first, the blast radius in plain words and the
// runbook to open next. It is the first thing an on-call engineer reads.
package triage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/impact"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// SchemaVersion versions the JSON report. Version 2 writes "status" in
// lower case, as "severity" always was; version 1 reports still read.
const SchemaVersion = 2

// Cluster identifies what was diagnosed.
type Cluster struct {
	ID        string    `json:"id"`
	Bootstrap []string  `json:"bootstrap"`
	TakenAt   time.Time `json:"taken_at"`
	// Brokers counts broker ids known, and AnsweringBrokers those that answered.
	Brokers          int `json:"brokers"`
	AnsweringBrokers int `json:"answering_brokers"`
	Topics           int `json:"topics"`
	Partitions       int `json:"partitions"`
}

// Report is the result of triage, and the JSON document `triage --output
// json` writes.
type Report struct {
	SchemaVersion int     `json:"schema_version"`
	Cluster       Cluster `json:"cluster"`
	// Status is the verdict: the worst finding, or UNKNOWN when some checks
	// could not run and nothing at warning or above was found.
	Status verdict.Status `json:"status"`
	// Counts are the partitions by replication state (diag/health), the
	// numbers every describe view and runbook gives for the same snapshot.
	Counts      health.Counts           `json:"counts"`
	Findings    []findings.Finding      `json:"findings"`
	Summary     impact.Summary          `json:"summary"`
	Errors      []snapshot.CollectError `json:"errors"`
	Unevaluated []checks.Unevaluated    `json:"unevaluated"`
	// Skipped are checks that did not apply to what was asked (no --since).
	Skipped []checks.Unevaluated `json:"skipped"`
	// Window says over how many samples and how long the trend checks
	// judged; absent for a single snapshot.
	Window *Window `json:"window,omitempty"`
	// NextCommand is the command line that opens Summary.NextRunbook
	// against the same cluster or recording, filled in by the caller that
	// knows how it connected; empty prints the bare runbook command. JSON
	// has next_runbook: scripts build their own command lines.
	NextCommand string `json:"-"`
}

// Window is the span of samples a report's trend checks judged.
type Window struct {
	Samples    int       `json:"samples"`
	From       time.Time `json:"from"`
	DurationMS int64     `json:"duration_ms"`
}

// Build runs every check on snap (and prev, when given).
func Build(snap, prev *snapshot.Snapshot) Report {
	return BuildFrom(checks.Input{Snap: snap, Previous: prev})
}

// BuildFrom runs every check on in: a snapshot, an earlier one for
// --since, and the samples of a window for the checks that judge a trend.
func BuildFrom(in checks.Input) Report {
	snap := in.Snap
	res := checks.Run(in, nil)
	r := Report{
		SchemaVersion: SchemaVersion,
		Cluster:       ClusterOf(snap),
		Counts:        health.Count(snap),
		Findings:      res.Findings,
		Summary:       impact.Summarize(res.Findings),
		Errors:        snap.Errors,
		Unevaluated:   res.Unevaluated,
		Skipped:       res.Skipped,
	}
	if r.Errors == nil {
		r.Errors = []snapshot.CollectError{}
	}
	if len(in.Window) > 0 {
		first := in.Window[0].TakenAt
		r.Window = &Window{Samples: len(in.Window) + 1, From: first, DurationMS: snap.TakenAt.Sub(first).Milliseconds()}
	}
	// With --bootstrap-controller alone and every broker down, the quorum
	// is still evidence: nothing was evaluated only when neither answered.
	nothing := len(snap.Brokers) == 0 && snap.Quorum == nil
	r.Status = verdict.Of(r.Findings, verdict.Evidence{Nothing: nothing, Gaps: len(r.Unevaluated)})
	return r
}

// ClusterOf says what was diagnosed: counts every report shares.
func ClusterOf(s *snapshot.Snapshot) Cluster {
	c := Cluster{ID: s.ClusterID, TakenAt: s.TakenAt, Brokers: len(s.Brokers), Topics: len(s.Topics)}
	for _, ep := range s.Bootstrap {
		c.Bootstrap = append(c.Bootstrap, ep.Address)
	}
	if c.Bootstrap == nil {
		c.Bootstrap = []string{}
	}
	for _, b := range s.Brokers {
		if b.Probe.Answered() {
			c.AnsweringBrokers++
		}
	}
	for _, t := range s.Topics {
		c.Partitions += len(t.Partitions)
	}
	return c
}

// Tables presents the report for people.
func (r Report) Tables() []render.Table {
	head := render.Table{
		Status:  r.Status.String(),
		Title:   fmt.Sprintf("cluster %s, %d/%d brokers answering, %d topics, %d partitions", words.OrDash(r.Cluster.ID), r.Cluster.AnsweringBrokers, r.Cluster.Brokers, r.Cluster.Topics, r.Cluster.Partitions),
		Columns: []render.Column{{Name: "Blast radius", Wrap: true}},
		Empty:   "Nothing is wrong that a client can see.",
	}
	for _, l := range r.Summary.Lines {
		head.Rows = append(head.Rows, []string{l})
	}
	if r.Summary.NextRunbook != "" {
		head.Notes = append(head.Notes, "Next: "+cmp.Or(r.NextCommand, "kafka-runbook run "+r.Summary.NextRunbook))
	}
	if w := r.Window; w != nil {
		head.Notes = append(head.Notes, fmt.Sprintf("Trends judged over %d samples in %s.", w.Samples,
			(time.Duration(w.DurationMS)*time.Millisecond).Round(100*time.Millisecond)))
	}
	return []render.Table{head, r.findingsTable()}
}

// groupAbove is how many findings of one code are listed one per row;
// beyond it they fold into one row per code, so 40,000 under-replicated
// partitions read as one line, not a flood. JSON always has every finding.
const groupAbove = 3

func (r Report) findingsTable() render.Table {
	t := FindingsTable(r.Findings)
	for _, e := range r.Errors {
		t.Warnings = append(t.Warnings, CollectErrorLine(e))
	}
	for _, u := range r.Unevaluated {
		t.Notes = append(t.Notes, fmt.Sprintf("cannot evaluate (%s): %s", u.Check, u.Reason))
	}
	return t
}

// FindingsTable lists findings worst first, folding codes with many
// subjects into one row each.
func FindingsTable(fs []findings.Finding) render.Table {
	t := render.Table{
		Title:   "Findings",
		Columns: []render.Column{{Name: "Severity", Status: true}, {Name: "Code"}, {Name: "Subject"}, {Name: "Summary", Wrap: true}},
		Empty:   "No findings.",
	}
	byCode := map[string][]findings.Finding{}
	var order []string
	for _, f := range fs {
		if len(byCode[f.Code]) == 0 {
			order = append(order, f.Code)
		}
		byCode[f.Code] = append(byCode[f.Code], f)
	}
	folded := false
	for _, code := range order {
		group := byCode[code]
		if len(group) <= groupAbove {
			for _, f := range group {
				t.Rows = append(t.Rows, []string{strings.ToUpper(f.Severity.String()), f.Code, f.Subject(), f.Summary})
			}
			continue
		}
		folded = true
		t.Rows = append(t.Rows, []string{strings.ToUpper(group[0].Severity.String()), code, subjectCount(group), foldedSummary(group)})
	}
	if folded {
		t.Notes = append(t.Notes, "Codes with more than 3 subjects are folded into one row; --output json lists every finding.")
	}
	return t
}

// foldedSummary counts a code's subjects per topic (or broker, or group).
func foldedSummary(fs []findings.Finding) string {
	counts := map[string]int{}
	var order []string
	for _, f := range fs {
		key := f.Topic
		switch {
		case key == "" && f.Group != "":
			key = "group " + f.Group
		case key == "":
			key = f.Subject()
		}
		if counts[key] == 0 {
			order = append(order, key)
		}
		counts[key]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(counts[b], counts[a]) })
	parts := make([]string, 0, len(order))
	for _, k := range order[:min(len(order), 6)] {
		parts = append(parts, fmt.Sprintf("%s (%d)", k, counts[k]))
	}
	if len(order) > 6 {
		parts = append(parts, fmt.Sprintf("and %d more", len(order)-6))
	}
	return strings.Join(parts, ", ")
}

// CollectErrorLine says in one line what could not be collected, from
// which broker and for what, for every output that lists gaps.
func CollectErrorLine(e snapshot.CollectError) string {
	where := ""
	if e.Broker >= 0 {
		where = fmt.Sprintf(" from broker %d", e.Broker)
	}
	if e.Subject != "" {
		where += " for " + e.Subject
	}
	return fmt.Sprintf("could not read %s%s: %s%s", e.Source, where, e.Message, snapshot.KindNote(e.Kind))
}

// subjectCount names what a folded row counts: partitions, topics,
// brokers or groups.
func subjectCount(fs []findings.Finding) string {
	noun := "subjects"
	switch f := fs[0]; {
	case f.Partition != nil:
		noun = "partitions"
	case f.Topic != "":
		noun = "topics"
	case f.Group != "":
		noun = "groups"
	case f.Broker != nil:
		noun = "brokers"
	}
	return fmt.Sprintf("%d %s", len(fs), noun)
}
