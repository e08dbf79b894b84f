package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// catalogue is the codes view: JSON encodes the entries, tables list them.
type catalogue struct {
	Codes []findings.Entry `json:"codes"`
}

func (c catalogue) Tables() []render.Table {
	t := render.Table{
		Title:   "Finding codes",
		Columns: []render.Column{{Name: "Code"}, {Name: "Severity"}, {Name: "Runbook"}, {Name: "Meaning", Wrap: true}},
	}
	for _, e := range c.Codes {
		t.Rows = append(t.Rows, []string{e.Code, e.Severity.String(), e.Runbook, e.Meaning})
	}
	t.Notes = []string{"kafka-runbook explain CODE says why each matters and what to do."}
	return []render.Table{t}
}

func newCodesCmd(app *App) *cobra.Command {
	var docs bool
	cmd := &cobra.Command{
		Use:   "codes",
		Short: "List every finding code with its severity and meaning",
		Long: `List the catalogue of finding codes. Codes are stable: scripts and alerts may
match on them, and a shipped code is never renamed or re-used.

Each row gives the code, its default severity, the runbook that walks it and
what it means; 'kafka-runbook explain CODE' says why it matters and what to
do. Nothing is sent to a cluster.

--docs writes the full catalogue as a Markdown document (docs/CODES.md is
generated this way, so the docs never drift from the tool).`,
		Example: `  kafka-runbook codes
  kafka-runbook codes -o json | jq -r '.codes[] | select(.severity == "critical") | .code'
  kafka-runbook codes --docs > docs/CODES.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if docs {
				return writeCodesDoc(app.IO.Out)
			}
			ropts, err := (&ConnOptions{Output: cmd.Flag("output").Value.String()}).renderOptions(app.IO)
			if err != nil {
				return err
			}
			return render.View(app.IO.Out, ropts, catalogue{Codes: findings.Catalogue()})
		},
	}
	cmd.Flags().BoolVar(&docs, "docs", false, "write the full catalogue as Markdown documentation")
	return cmd
}

func newExplainCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "explain CODE",
		Short: "Explain a finding code: what it means, why it matters, what to do",
		Long: `Explain one finding code from the catalogue: what it means, why it matters
during an incident, what to do first, and which runbook walks it.

CODE is a code as triage prints it (UNDER_MIN_ISR), in any case, with dashes
or underscores; the partition statuses describe prints (under-min-isr,
at-min-isr, under-replicated, offline) name their codes too. A near miss is
answered with the code it probably meant. Nothing is sent to a cluster.

'kafka-runbook codes' lists every code; --output json prints the entry as
JSON.`,
		Example: `  kafka-runbook explain UNDER_MIN_ISR
  kafka-runbook explain zombie_leader
  kafka-runbook explain under-min-isr        # the status describe partitions prints
  kafka-runbook explain OFFLINE_PARTITION -o json`,
		Args: oneOf("finding code", codeNames),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return codeNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := lookupCode(args[0])
			if err != nil {
				return err
			}
			if cmd.Flag("output").Value.String() == "json" {
				return render.JSON(app.IO.Out, e)
			}
			return writeEntry(app.IO.Out, e, "")
		},
	}
}

func codeNames() []string {
	var codes []string
	for _, e := range findings.Catalogue() {
		codes = append(codes, e.Code)
	}
	return codes
}

// statusCodes are the partition statuses describe prints whose name is
// not their code's.
var statusCodes = map[string]string{"OFFLINE": findings.OfflinePartition}

// lookupCode finds the entry arg names: a code in any case, with dashes,
// spaces or underscores, or a describe status. An unknown name is a usage
// error that suggests the nearest code.
func lookupCode(arg string) (findings.Entry, error) {
	code := strings.ToUpper(strings.TrimSpace(arg))
	code = strings.NewReplacer("-", "_", " ", "_").Replace(code)
	if alias, ok := statusCodes[code]; ok {
		code = alias
	}
	if e, ok := findings.Lookup(code); ok {
		return e, nil
	}
	if near := closest(code, codeNames()); near != "" {
		return findings.Entry{}, exitcode.Usagef(fmt.Sprintf("did you mean %s? (kafka-runbook explain %s)", near, near),
			"unknown finding code %q", arg)
	}
	return findings.Entry{}, exitcode.Usagef("run 'kafka-runbook codes' to list them", "unknown finding code %q", arg)
}

// writeEntry writes one catalogue entry as Markdown-friendly text.
func writeEntry(w io.Writer, e findings.Entry, heading string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s (%s): %s\n\n", heading, e.Code, e.Severity, e.Title)
	fmt.Fprintf(&b, "What it means: %s\n\n", e.Meaning)
	fmt.Fprintf(&b, "Why it matters: %s\n\n", e.WhyItMatters)
	fmt.Fprintf(&b, "What to do: %s\n", e.WhatToDo)
	if len(e.Commands) > 0 {
		b.WriteString("\nCommands:\n")
		for _, c := range e.Commands {
			fmt.Fprintf(&b, "- %s (%s): %s\n", c.Title, c.Risk, c.Command)
			if c.Consequence != "" {
				fmt.Fprintf(&b, "  At the wrong moment: %s\n", c.Consequence)
			}
		}
	}
	if e.Runbook != "" {
		fmt.Fprintf(&b, "\nRunbook: kafka-runbook run %s\n", e.Runbook)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCodesDoc(w io.Writer) error {
	if _, err := io.WriteString(w, "# Finding codes\n\nGenerated by `kafka-runbook codes --docs`; do not edit by hand.\n"); err != nil {
		return err
	}
	for _, e := range findings.Catalogue() {
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
		if err := writeEntry(w, e, "## "); err != nil {
			return err
		}
	}
	return nil
}
