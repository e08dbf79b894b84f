package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// text writes prose around the tables of a runbook walk: plain lines for
// a terminal, Markdown for a postmortem.
type text struct {
	w        io.Writer
	markdown bool
}

func (t text) heading(s string) {
	if t.markdown {
		fmt.Fprintf(t.w, "\n## %s\n\n", s)
		return
	}
	fmt.Fprintf(t.w, "\n=== %s ===\n", s)
}

func (t text) field(label, value string) {
	if value == "" {
		return
	}
	if t.markdown {
		fmt.Fprintf(t.w, "**%s:** %s\n\n", label, value)
		return
	}
	fmt.Fprintf(t.w, "%s: %s\n", label, value)
}

func (t text) list(label string, items []string) {
	if len(items) == 0 {
		return
	}
	if t.markdown {
		fmt.Fprintf(t.w, "**%s**\n\n", label)
		for _, it := range items {
			fmt.Fprintf(t.w, "- %s\n", it)
		}
		fmt.Fprintln(t.w)
		return
	}
	fmt.Fprintf(t.w, "%s\n", label)
	for _, it := range items {
		fmt.Fprintf(t.w, "  - %s\n", it)
	}
}

func writeRunbookHeader(w io.Writer, ropts render.Options, rb runbooks.Runbook) {
	t := text{w: w, markdown: ropts.Format == render.FormatMarkdown}
	if t.markdown {
		fmt.Fprintf(w, "# Runbook: %s\n\n%s\n", rb.Title, rb.Summary)
	} else {
		fmt.Fprintf(w, "Runbook: %s (%d steps)\n%s\n", rb.Title, len(rb.Steps), rb.Summary)
	}
	t.list("Escalation:", rb.Escalation)
	t.list("Links:", rb.Links)
}

func writeStep(w io.Writer, ropts render.Options, rb runbooks.Runbook, s runbooks.StepResult, cmds runbooks.Commands) error {
	t := text{w: w, markdown: ropts.Format == render.FormatMarkdown}
	t.heading(fmt.Sprintf("Step %d/%d: %s", s.Number, len(rb.Steps), s.Title))
	t.field("Checks", s.Checks)
	t.field("Why", s.Why)
	fmt.Fprintln(w)
	tables := make([]render.Table, 0, len(s.Tables)+1)
	for _, tb := range s.Tables {
		tables = append(tables, stepTable(tb))
	}
	if len(s.Findings) > 0 {
		tables = append(tables, triage.FindingsTable(s.Findings))
	}
	if len(tables) > 0 {
		if err := render.Render(w, ropts, tables...); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	t.field("Verdict ["+s.Severity+"]", s.Verdict)
	var warnings []string
	for _, e := range s.Errors {
		warnings = append(warnings, triage.CollectErrorLine(e))
	}
	for _, u := range s.Unevaluated {
		warnings = append(warnings, "cannot evaluate: "+u.Reason)
	}
	t.list("Gaps:", warnings)
	var skipped []string
	for _, u := range s.Skipped {
		skipped = append(skipped, "not run: "+u.Reason)
	}
	t.list("Not asked for:", skipped)
	var actions []string
	for _, a := range s.Actions {
		actions = append(actions, formatAction(a, t.markdown))
	}
	t.list("Next actions:", actions)
	t.list("Do not:", s.Dont)
	t.list("Team notes:", s.Notes)
	t.list("Files written:", s.Files)
	if s.NextRunbook != "" {
		t.field("The evidence points to another runbook", cmds.Self("run", s.NextRunbook))
	}
	return nil
}

func writeRunFooter(w io.Writer, tr runbooks.Transcript) {
	stopped := ""
	if tr.Stopped {
		stopped = " (stopped before the last step)"
	}
	fmt.Fprintf(w, "\n%s: %s run, %s%s.\n", tr.Status, words.Plural(len(tr.Steps), "step", "steps"), words.Plural(len(tr.Findings), "finding", "findings"), stopped)
}

// formatAction shows the risk first, then the command to paste, then what
// goes wrong if it is run at the wrong moment. Read-only actions say so
// instead: they have no wrong moment.
func formatAction(a runbooks.Action, markdown bool) string {
	risk := strings.ToUpper(string(a.Risk))
	note := "if run at the wrong moment: " + a.Consequence
	if a.Risk == runbooks.Safe {
		note = a.Consequence
	}
	if markdown {
		return fmt.Sprintf("**[%s]** %s\n  ```\n  %s\n  ```\n  %s", risk, a.Title, a.Command, words.Capitalize(note))
	}
	return fmt.Sprintf("[%s] %s\n      $ %s\n      %s", risk, a.Title, a.Command, note)
}

// stepTable draws a runbook step's table through the one renderer,
// right-aligning the columns whose cells are all numbers.
func stepTable(t runbooks.Table) render.Table {
	out := render.Table{Title: t.Title, Rows: t.Rows, Notes: t.Notes, Warnings: t.Warnings, Empty: t.Empty}
	for i, name := range t.Columns {
		col := render.Column{Name: name}
		if numericColumn(t.Rows, i) {
			col.Align = render.AlignRight
		}
		out.Columns = append(out.Columns, col)
	}
	return out
}

// numericColumn reports whether every cell of column i is a number, empty
// or "-".
func numericColumn(rows [][]string, i int) bool {
	if len(rows) == 0 {
		return false
	}
	for _, r := range rows {
		if i >= len(r) {
			return false
		}
		if _, err := strconv.ParseInt(r[i], 10, 64); err != nil && r[i] != "" && r[i] != "-" {
			return false
		}
	}
	return true
}
