package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

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
}

func newDrillStopCmd(app *App, conn *ConnOptions, common *DrillOptions) *cobra.Command {
	opts := &DrillStopOptions{DrillOptions: common}
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "End the running drill and print its report (also written to the drill's directory)",
		Long: `End the running drill: the serving process stops the simulated cluster and
writes the drill report (Markdown) into the drill's directory; 'drill stop'
prints it (or, with -o json, the report's data). If the serving process is
gone (killed, crashed), the report is written from what it recorded.`,
		Example: `  kafka-runbook drill stop > drill-report.md
  kafka-runbook drill stop -o json | jq '.stages[] | {name, first_look}'`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runDrillStop(app, conn, opts)
		},
	}
	cmd.Flags().DurationVar(&opts.Wait, "wait", 15*time.Second, "how long to wait for the serving process to end")
	return cmd
}

func runDrillStop(app *App, conn *ConnOptions, opts *DrillStopOptions) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
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
	if ropts.Format == render.FormatJSON {
		err = render.JSON(app.IO.Out, r)
	} else {
		err = r.Markdown(app.IO.Out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(app.IO.Err, "Drill report written to %s\n", sess.Path(drill.ReportFile))
	return nil
}

func reportWritten(sess *drill.Session) bool {
	_, err := os.Stat(sess.Path(drill.ReportFile))
	return !errors.Is(err, fs.ErrNotExist)
}
