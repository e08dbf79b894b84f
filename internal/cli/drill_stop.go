package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
	"github.com/kafka-runbook/kafka-runbook/internal/drill"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// DrillStopOptions are the flags of `drill stop`.
type DrillStopOptions struct {
	*DrillOptions
	// Wait bounds how long to wait for the serving process to end and
	// write the report.
	Wait time.Duration
	// Out is a file to write the report to instead of standard output.
	Out string
}

// drillReportKind is what `drill stop` writes: the Markdown report, or its
// data as JSON.
func drillReportKind() outKind {
	return outKind{command: "drill stop", def: "markdown",
		names: map[string]string{"table": "markdown", "markdown": "markdown", "md": "markdown", "json": "json"},
		exts:  map[string]string{".md": "markdown", ".markdown": "markdown", ".json": "json"}}
}

func newDrillStopCmd(app *App, common *DrillOptions) *cobra.Command {
	opts := &DrillStopOptions{DrillOptions: common}
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "End the running drill and print its report (also written to the drill's directory)",
		Long: `End the running drill: the serving process stops the simulated cluster and
writes the drill report (Markdown) into the drill's directory; 'drill stop'
prints it (or, with -o json, the report's data). If the serving process is
gone (killed, crashed), the report is written from what it recorded.

Exit code: 0 once the report is written; 3 when no drill is running or its
files cannot be read. The report judges the team's response, not a cluster:
the simulated outage is scripted, so it never makes drill stop exit 1 or 2
as a triage of it would.`,
		Example: `  kafka-runbook drill stop --out drill-report.md
  kafka-runbook drill stop -o json | jq '.stages[] | {name, first_look}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := drillReportKind().format(explicitOutput(cmd), opts.Out)
			if err != nil {
				return err
			}
			return runDrillStop(app, opts, format)
		},
	}
	cmd.Flags().DurationVar(&opts.Wait, "wait", 15*time.Second, "how long to wait for the serving process to end")
	bindOut(cmd, &opts.Out, "write the report to this file (atomically) instead of standard output: .md, or .json for its data")
	return cmd
}

func runDrillStop(app *App, opts *DrillStopOptions, format string) error {
	state, err := opts.stateDir(app)
	if err != nil {
		return err
	}
	sess, err := activeSession(state)
	if err != nil {
		return err
	}
	if err := sess.RequestStop(); err != nil {
		return err
	}
	pid := sess.Meta.PID
	// Never signal ourselves: a drill started in this very process (tests)
	// sees the stop file.
	if pid != os.Getpid() && drill.Alive(pid) {
		_ = drill.Terminate(pid)
	}
	deadline := time.Now().Add(opts.Wait)
	for !reportWritten(sess) && drill.Alive(pid) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !reportWritten(sess) {
		why := "the serving process is gone"
		if drill.Alive(pid) {
			why = fmt.Sprintf("the serving process (pid %d) did not end within %s", pid, opts.Wait)
		}
		fmt.Fprintf(app.IO.Err, "Warning: %s; writing the report from what it recorded.\n", why)
		if _, err := drill.WriteReport(sess); err != nil {
			return exitcode.Usage(err, "the drill's files are in "+sess.Dir)
		}
		if err := sess.Deactivate(state); err != nil {
			return err
		}
	}
	r, err := drill.Build(sess)
	if err != nil {
		return exitcode.Usage(err, "the drill's files are in "+sess.Dir)
	}
	var buf bytes.Buffer
	if format == "json" {
		err = render.JSON(&buf, r)
	} else {
		err = r.Markdown(&buf)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(app.IO.Err, "Drill report written to %s\n", sess.Path(drill.ReportFile))
	if opts.Out == "" {
		_, err = app.IO.Out.Write(buf.Bytes())
		return err
	}
	if err := atomicfile.Write(opts.Out, buf.Bytes(), 0o644); err != nil {
		return exitcode.Usage(err, "choose a writable --out path; the report is also in "+sess.Dir)
	}
	fmt.Fprintf(app.IO.Err, "Wrote %s\n", opts.Out)
	return nil
}

func reportWritten(sess *drill.Session) bool {
	_, err := os.Stat(sess.Path(drill.ReportFile))
	return !errors.Is(err, fs.ErrNotExist)
}
