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
// a terminal, folded on words to its width and with coloured labels, and
// Markdown for a postmortem.
type text struct {
	w        io.Writer
	markdown bool
	opts     render.Options
}

func newText(w io.Writer, ropts render.Options) text {
	return text{w: w, markdown: ropts.Format == render.FormatMarkdown, opts: ropts}
}

func (t text) heading(s string) {
	if t.markdown {
		fmt.Fprintf(t.w, "\n## %s\n\n", s)
		return
	}
	fmt.Fprintf(t.w, "\n%s\n", t.opts.Wrap("=== "+s+" ===", "    "))
}

func (t text) field(label, value string) {
	t.labelled(label, label, value)
}

// labelled writes "label: value"; shown is the label as printed (coloured
// or not), label its plain text, which the folding measures.
func (t text) labelled(label, shown, value string) {
	if value == "" {
		return
	}
	if t.markdown {
		fmt.Fprintf(t.w, "**%s:** %s\n\n", label, value)
		return
	}
	line := t.opts.Wrap(label+": "+value, "  ")
	fmt.Fprintf(t.w, "%s%s\n", shown, line[len(label):])
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
		fmt.Fprintf(t.w, "%s\n", t.item("  - "+it))
	}
}

// item folds a list item line by line; render.Wrap leaves the commands
// ("$ ...") whole, so that they paste as one.
func (t text) item(s string) string {
	return t.opts.Wrap(s, "  ")
}

func writeRunbookHeader(w io.Writer, ropts render.Options, rb runbooks.Runbook) {
	t := newText(w, ropts)
	if t.markdown {
		fmt.Fprintf(w, "# Runbook: %s\n\n%s\n", rb.Title, rb.Summary)
	} else {
		fmt.Fprintf(w, "%s\n%s\n", ropts.Wrap(fmt.Sprintf("Runbook: %s (%d steps)", rb.Title, len(rb.Steps)), "  "), ropts.Wrap(rb.Summary, ""))
	}
	t.list("Escalation:", rb.Escalation)
	t.list("Links:", rb.Links)
}

func writeStep(w io.Writer, ropts render.Options, rb runbooks.Runbook, s runbooks.StepResult, cmds runbooks.Commands) error {
	t := newText(w, ropts)
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
	label := "Verdict [" + s.Severity + "]"
	t.labelled(label, "Verdict "+ropts.LabelAs("["+s.Severity+"]", s.Severity), s.Verdict)
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
		actions = append(actions, formatAction(a, t.markdown, ropts))
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

func writeRunFooter(w io.Writer, ropts render.Options, tr runbooks.Transcript) {
	stopped := ""
	if tr.Stopped {
		stopped = " (stopped before the last step)"
	}
	status := tr.Status.String()
	fmt.Fprintf(w, "\n%s: %s run, %s%s.\n", ropts.Label(status), words.Plural(len(tr.Steps), "step", "steps"), words.Plural(len(tr.Findings), "finding", "findings"), stopped)
}

// formatAction shows the risk first, then the command to paste, then what
// goes wrong if it is run at the wrong moment. Read-only actions say so
// instead: they have no wrong moment.
func formatAction(a runbooks.Action, markdown bool, ropts render.Options) string {
	risk := strings.ToUpper(string(a.Risk))
	note := "if run at the wrong moment: " + a.Consequence
	if a.Risk == runbooks.Safe {
		note = a.Consequence
	}
	if markdown {
		return fmt.Sprintf("**[%s]** %s\n  ```\n  %s\n  ```\n  %s", risk, a.Title, a.Command, words.Capitalize(note))
	}
	return fmt.Sprintf("%s %s\n      $ %s\n      %s", ropts.LabelAs("["+risk+"]", risk), a.Title, a.Command, note)
}

// stepTable draws a runbook step's table through the one renderer. A
// step's table is plain data (runbooks is public API), so its layout is
// declared here, from its columns: numbers are right-aligned; prose
// (errors, reasons) folds; state columns are coloured; on a narrow
// terminal the columns right of the subject are left out from the right,
// and the subject (the first column, and any broker, topic, partition or
// group) never is.
func stepTable(t runbooks.Table) render.Table {
	out := render.Table{Title: t.Title, Rows: t.Rows, Notes: t.Notes, Warnings: t.Warnings, Empty: t.Empty}
	for i, name := range t.Columns {
		col := render.Column{Name: name, Drop: i}
		switch {
		case numericColumn(t.Rows, i):
			col.Align = render.AlignRight
		case proseColumn(t.Rows, i):
			col.Wrap, col.Drop = true, 0 // it folds instead
		}
		if stepSubjects[strings.ToLower(name)] {
			col.Drop = 0
		}
		col.Status = stepStates[strings.ToLower(name)]
		out.Columns = append(out.Columns, col)
	}
	return out
}

// stepSubjects are the step table columns that name what a row is about.
var stepSubjects = map[string]bool{
	"broker": true, "topic": true, "partition": true, "group": true, "voter": true, "missing broker": true, "code": true,
}

// stepStates are the step table columns that hold a state label.
var stepStates = map[string]bool{
	"state": true, "status": true, "broker state": true, "answered": true,
}

// proseColumn reports whether column i holds free text: some cell of
// three words or more, which folds on words better than it is cut.
func proseColumn(rows [][]string, i int) bool {
	for _, r := range rows {
		if i < len(r) && len(strings.Fields(r[i])) >= 3 {
			return true
		}
	}
	return false
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
