// Package audit is the hygiene report: every hygiene check (diag/checks
// Hygiene) once on a snapshot, the findings worst first and, for each code
// found, the commands that fix it with their risk. Teams run it before an
// incident, not during one; triage shows only its urgent part.
package audit

import (
	"fmt"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// SchemaVersion versions the JSON report. Version 2 writes "status" in
// lower case, as "severity" always was (verdict.Status); version 1 read
// "CRITICAL".
const SchemaVersion = 2

// Parts is what the hygiene checks read: broker and topic configs (drift,
// throttles, the rebalance settings), reassignments (which explain
// imbalance and throttles), and the log dirs with their contents (bytes
// per broker). Certificates and API versions come with every broker probe.
const Parts = source.PartConfigs | source.PartReassignments | source.PartLogDirs

// Report is the hygiene report, and the JSON document `audit -o json`
// writes.
type Report struct {
	SchemaVersion int            `json:"schema_version"`
	Cluster       triage.Cluster `json:"cluster"`
	// Status is the verdict over the hygiene findings: the worst one, or
	// UNKNOWN when a check could not run and nothing at warning or above
	// was found.
	Status   verdict.Status     `json:"status"`
	Findings []findings.Finding `json:"findings"`
	// Fixes are the commands of every code found, each with its risk.
	Fixes       []Fix                   `json:"fixes"`
	Errors      []snapshot.CollectError `json:"errors"`
	Unevaluated []checks.Unevaluated    `json:"unevaluated"`
	Skipped     []checks.Unevaluated    `json:"skipped"`
}

// Fix is one code found and the commands the catalogue suggests for it.
type Fix struct {
	Code     string             `json:"code"`
	Commands []findings.Command `json:"commands"`
}

// Build runs every hygiene check once on snap; th are the log dir space
// thresholds (nil: the defaults).
func Build(snap *snapshot.Snapshot, th *disk.Thresholds) Report {
	res := checks.Run(checks.Input{Snap: snap, Disk: th}, checks.Hygiene())
	r := Report{
		SchemaVersion: SchemaVersion,
		Cluster:       triage.ClusterOf(snap),
		Findings:      res.Findings,
		Fixes:         []Fix{},
		Errors:        snap.Errors,
		Unevaluated:   res.Unevaluated,
		Skipped:       res.Skipped,
	}
	if r.Errors == nil {
		r.Errors = []snapshot.CollectError{}
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if seen[f.Code] {
			continue
		}
		seen[f.Code] = true
		if e, ok := findings.Lookup(f.Code); ok && len(e.Commands) > 0 {
			r.Fixes = append(r.Fixes, Fix{Code: f.Code, Commands: e.Commands})
		}
	}
	r.Status = verdict.Of(r.Findings, verdict.Evidence{Nothing: len(snap.Brokers) == 0, Gaps: len(r.Unevaluated)})
	return r
}

// Tables presents the report for people.
func (r Report) Tables() []render.Table {
	head := render.Table{
		Title: fmt.Sprintf("Audit %s: cluster %s, %d/%d brokers answering, %d topics, %d partitions", r.Status,
			words.OrDash(r.Cluster.ID), r.Cluster.AnsweringBrokers, r.Cluster.Brokers, r.Cluster.Topics, r.Cluster.Partitions),
		Columns: []render.Column{{Name: "Checked", Wrap: true}},
		Rows: [][]string{{"leader balance and skew, racks, TLS certificates, broker config drift, broker versions, " +
			"replication throttles, automatic topic creation"}},
	}
	t := triage.FindingsTable(r.Findings)
	t.Empty = "No hygiene findings."
	for _, e := range r.Errors {
		t.Warnings = append(t.Warnings, triage.CollectErrorLine(e))
	}
	for _, u := range r.Unevaluated {
		t.Notes = append(t.Notes, fmt.Sprintf("cannot evaluate (%s): %s", u.Check, u.Reason))
	}
	// A command never folds: folded, it would not paste as one.
	fixes := render.Table{
		Title:   "How to fix",
		Columns: []render.Column{{Name: "Code"}, {Name: "Risk", Status: true}, {Name: "Command"}, {Name: "Consequence", Wrap: true, Drop: 1}},
		Empty:   "Nothing to fix.",
		Notes:   []string{"Upper-case words (BOOTSTRAP, TOPIC, BROKER) are yours to fill in; 'kafka-runbook explain CODE' says more."},
	}
	for _, fx := range r.Fixes {
		for _, c := range fx.Commands {
			fixes.Rows = append(fixes.Rows, []string{fx.Code, strings.ToUpper(c.Risk), c.Command, words.OrDash(c.Consequence)})
		}
	}
	return []render.Table{head, t, fixes}
}
