package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// EvidenceReportOptions are the flags of `evidence report`.
type EvidenceReportOptions struct {
	Bundle string
	// Format is markdown or html (--format, or -o); empty means the
	// extension of Out decides, and Markdown without one.
	Format string
	Out    string
}

// reportKind is what `evidence report` writes.
func reportKind() outKind {
	return outKind{command: "evidence report", def: "markdown",
		names: map[string]string{"markdown": "markdown", "md": "markdown", "table": "markdown", "html": "html"},
		exts:  map[string]string{".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}}
}

func newEvidenceReportCmd(app *App) *cobra.Command {
	opts := &EvidenceReportOptions{}
	cmd := &cobra.Command{
		Use:   "report BUNDLE",
		Short: "Write a postmortem report of a bundle: Markdown, or HTML with charts",
		Long: `Render a bundle as a postmortem-ready document: summary, health over the
incident window, timeline (UTC), affected brokers, topics, partitions and
groups, the findings at the end, and the actions the recorded runbooks
suggested. The HTML version is one self-contained page with charts of brokers
alive, partitions under-replicated / under min ISR / offline, and total lag.
The bundle is verified first: a damaged or edited bundle is refused.`,
		Example: `  kafka-runbook evidence report incident-42 --out incident-42.html   # the extension picks the format
  kafka-runbook evidence report incident-42 --out postmortem.md
  kafka-runbook evidence report incident-42 -o html > incident-42.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Bundle = args[0]
			if opts.Format == "" {
				opts.Format = explicitOutput(cmd)
			}
			return runEvidenceReport(app, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "", "markdown or html, as -o does (default: from the --out extension, .md or .html; else markdown)")
	bindOut(cmd, &opts.Out, "write to this file (atomically) instead of standard output: .html or .md")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"markdown", "html"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func runEvidenceReport(app *App, opts *EvidenceReportOptions) error {
	format, err := reportKind().format(opts.Format, opts.Out)
	if err != nil {
		return err
	}
	b, err := evidence.Open(opts.Bundle)
	if err != nil {
		return evidenceInputError(err)
	}
	r, err := evidence.BuildReport(b)
	if err != nil {
		return evidenceInputError(err)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(app.IO.Err, "Warning: %s\n", w)
	}
	var buf bytes.Buffer
	if format == "html" {
		err = r.HTML(&buf)
	} else {
		err = r.Markdown(&buf)
	}
	if err != nil {
		return err
	}
	if opts.Out == "" {
		_, err = app.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := atomicfile.Write(opts.Out, buf.Bytes(), 0o644); err != nil {
		return exitcode.Usage(err, "check the --out path")
	}
	fmt.Fprintf(app.IO.Err, "Wrote %s\n", opts.Out)
	return nil
}

func newEvidenceDiffCmd(app *App, conn *ConnOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "diff A [B]",
		Short: "Show what changed between two snapshots or bundles, in tables",
		Long: `Compare two recorded states: brokers, topics, leaders and epochs, ISRs,
offsets (and any that went backwards), configs, consumer groups and log
directories: the same changes 'evidence watch' records as events. What a
side could not read is not compared, and a note says so.

A and B are snapshot files ('kafka-runbook snapshot --out') or bundles. A bundle
stands for its first snapshot as A and its last as B, so 'diff BUNDLE' shows
what changed over a watch (a bundle of one snapshot, such as a capture, has
nothing to compare with itself: exit 3), and 'diff BEFORE AFTER' compares
the start of one recording with the end of another. Two snapshots of
different clusters give a cross-cluster config diff.`,
		Example: `  kafka-runbook evidence diff incident-42
  kafka-runbook evidence diff before-upgrade.json incident-42 -o markdown
  kafka-runbook evidence diff a.json b.json -o json | jq '.offsets_backwards'`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvidenceDiff(app, conn, args)
		},
	}
}

func runEvidenceDiff(app *App, conn *ConnOptions, args []string) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		if st, err := os.Stat(args[0]); err == nil && !st.IsDir() {
			return exitcode.Usagef("give two snapshot files, or one bundle (its first and last snapshots are compared)",
				"%s is a single snapshot: nothing to compare it with", args[0])
		}
		if err := bundleHasTwoSnapshots(args[0]); err != nil {
			return err
		}
		args = append(args, args[0])
	}
	a, srcA, err := evidenceDiffSide(args[0], true)
	if err != nil {
		return evidenceInputError(err)
	}
	b, srcB, err := evidenceDiffSide(args[1], false)
	if err != nil {
		return evidenceInputError(err)
	}
	return render.View(app.IO.Out, ropts, evidence.Compare(a, b, srcA, srcB))
}

// bundleHasTwoSnapshots refuses to diff a bundle with itself when it
// holds one snapshot (a capture): comparing it with itself would show
// "no change", which reads as a finding.
func bundleHasTwoSnapshots(dir string) error {
	b, err := evidence.Open(dir)
	if err != nil {
		return evidenceInputError(err)
	}
	refs, err := b.Snapshots()
	if err != nil {
		return evidenceInputError(err)
	}
	if len(refs) == 1 {
		return exitcode.Usagef("give a second snapshot or bundle to compare it with (evidence diff "+dir+" LATER), or record more with 'kafka-runbook evidence watch'",
			"%s holds one snapshot (taken %s): there is nothing to compare it with", dir, refs[0].Time.Format(evidence.TimeFormat))
	}
	return nil
}

// evidenceDiffSide reads a snapshot file, or a bundle's first (or last) snapshot.
func evidenceDiffSide(path string, first bool) (*snapshot.Snapshot, string, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		s, err := evidence.ReadSnapshotFile(path)
		return s, path, err
	}
	b, err := evidence.Open(path)
	if err != nil {
		return nil, "", err
	}
	refs, err := b.Snapshots()
	if err != nil {
		return nil, "", err
	}
	if len(refs) == 0 {
		return nil, "", &evidence.Error{Path: path, Problem: "holds no snapshot to compare"}
	}
	ref := refs[len(refs)-1]
	if first {
		ref = refs[0]
	}
	s, err := b.LoadSnapshot(ref.Path)
	return s, filepath.Join(path, ref.Path), err
}
