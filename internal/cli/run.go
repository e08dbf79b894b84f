package cli

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/wait"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// RunOptions are the flags of `run`.
type RunOptions struct {
	Name       string
	Step       int
	Yes        bool
	RunbookDir string
	PlanDir    string
	Interval   time.Duration
	ToDatetime string
	// Disk holds the LOG_DIR_LOW_SPACE thresholds (diskflags.go).
	Disk *DiskFlags
	// Replay holds --from, --at and --record (evidence_replay.go).
	Replay ReplayOptions
}

func newRunCmd(app *App, conn *ConnOptions) *cobra.Command {
	opts := &RunOptions{}
	cmd := &cobra.Command{
		Use:   "run RUNBOOK",
		Short: "Walk a runbook step by step against the live cluster",
		Long: `Walk a runbook: each step runs its diagnostics on fresh data at that moment,
shows tables of the cluster's current state, gives a verdict, and suggests the
next commands, filled in with this cluster's ids and labelled safe, caution
or dangerous.

On a terminal it pauses between steps: one key answers (Enter or space to
continue, q to stop). When stdin is not a terminal, or with --yes, it runs
every step without asking. Ctrl-C stops at once, at a prompt or during a
step: it says where it stopped, --record keeps the steps that ran, and the
exit code is 130.
kafka-runbook itself never changes the cluster: the suggested commands are
for you to run.

Files a step generates (broker-failure's reassignment plan) go to --plan-dir,
by default $XDG_STATE_HOME/kafka-runbook/plans (or
~/.local/state/kafka-runbook/plans, created 0700), never the current
directory, and the step names them. With -o json none is written unless
--plan-dir is given.

Steps that judge log dirs low on space (disk-pressure) use the --disk-*
thresholds, as triage does; its steps sample every log dir --interval apart
to tell how fast each fills, when it will be full and which topics grow
fastest.

Each step is bounded even when brokers hang: a hung broker costs one request
deadline (a third of --timeout), per-broker probes run in parallel, and a
step never takes longer than twice --timeout plus the --interval waits
between the samples of steps that measure change.

Exit code: the worst finding of any step (0 OK, 1 warning, 2 critical);
3 (UNKNOWN) when no step could run, or when some step could not evaluate
everything it checks and nothing at warning or above was found; 130 when
interrupted (Ctrl-C).`,
		Example: `  kafka-runbook run broker-failure -b kafka1:9092
  kafka-runbook run isr-shrinkage --step 3
  kafka-runbook run disk-pressure --interval 10s --disk-warning-percent 25
  kafka-runbook run broker-failure --yes -o json > transcript.json`,
		Args: oneOf("runbook", func() []string { return runbookNames(opts.RunbookDir) }),
		ValidArgsFunction: func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
			lib, err := runbooks.Load(opts.RunbookDir)
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			return lib.Names(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runRunbook(cmd.Context(), app, conn, opts)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Step, "step", 0, "run only step N")
	f.BoolVarP(&opts.Yes, "yes", "y", false, "run every step without pausing")
	addRunbookDirFlag(cmd, &opts.RunbookDir)
	f.StringVar(&opts.PlanDir, "plan-dir", "", planDirHelp)
	f.DurationVar(&opts.Interval, "interval", 2*time.Second, "time between the samples of steps that measure change")
	f.StringVar(&opts.ToDatetime, "to-datetime", "", "rewind target for data-recovery, e.g. 2026-11-26T03:00:00Z")
	opts.Disk = bindDiskFlags(cmd)
	opts.Replay.bindSince(cmd)
	opts.Replay.bindReplay(cmd)
	opts.Replay.bindRecord(cmd)
	return cmd
}

// runbookNames lists the runbooks for an error message; a runbook
// directory that does not load is reported when the command runs.
func runbookNames(dir string) []string {
	lib, err := runbooks.Load(dir)
	if err != nil {
		if lib, err = runbooks.Load(""); err != nil {
			return nil
		}
	}
	return lib.Names()
}

func addRunbookDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "runbook-dir", "", "directory of your own runbook YAML files (same name replaces a built-in one)")
	_ = cmd.MarkFlagDirname("runbook-dir")
}

func newListCmd(app *App) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the runbooks, one line each",
		Long: `List the runbooks 'kafka-runbook run' walks: name, number of steps and what
each is for. With --runbook-dir, your own runbook files are listed too (a
file with a built-in runbook's name replaces it). Nothing is sent to a
cluster: 'kafka-runbook triage' says which runbook the cluster needs.`,
		Example: `  kafka-runbook list
  kafka-runbook list --runbook-dir ./team-runbooks
  kafka-runbook list -o json | jq -r '.runbooks[].name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := runbooks.Load(dir)
			if err != nil {
				return exitcode.Usage(err, "fix the runbook file named above")
			}
			ropts, err := (&ConnOptions{Output: cmd.Flag("output").Value.String()}).renderOptions(app.IO)
			if err != nil {
				return err
			}
			return render.View(app.IO.Out, ropts, runbookList{Runbooks: lib.All()})
		},
	}
	addRunbookDirFlag(cmd, &dir)
	return cmd
}

type runbookList struct {
	Runbooks []runbooks.Runbook `json:"runbooks"`
}

func (l runbookList) Tables() []render.Table {
	t := render.Table{Title: "Runbooks", Columns: []render.Column{{Name: "Name"}, {Name: "Steps", Align: render.AlignRight}, {Name: "Summary", Wrap: true}}}
	for _, rb := range l.Runbooks {
		t.Rows = append(t.Rows, []string{rb.Name, fmt.Sprint(len(rb.Steps)), rb.Summary})
	}
	t.Notes = []string{"kafka-runbook run NAME walks one; kafka-runbook triage tells you which."}
	return []render.Table{t}
}

func runRunbook(ctx context.Context, app *App, conn *ConnOptions, opts *RunOptions) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	lib, err := runbooks.Load(opts.RunbookDir)
	if err != nil {
		return exitcode.Usage(err, "fix the runbook file named above")
	}
	rb, err := lib.Get(opts.Name)
	if err != nil {
		return exitcode.Usage(err, "run 'kafka-runbook list' to see them")
	}
	if opts.Step < 0 || opts.Step > len(rb.Steps) {
		return exitcode.Usagef(fmt.Sprintf("use --step 1 to --step %d", len(rb.Steps)), "runbook %s has %d steps, not %d", rb.Name, len(rb.Steps), opts.Step)
	}
	th, err := opts.Disk.thresholds()
	if err != nil {
		return err
	}
	plans, err := planDir(app, opts.PlanDir, ropts.Format == render.FormatJSON)
	if err != nil {
		return err
	}
	if opts.Replay.From != "" { // recorded state: no connection at all
		env, err := evidenceReplayEnv(app, conn, opts)
		if err != nil {
			return err
		}
		env.PlanDir, env.Disk = plans, th
		return walkAndRender(ctx, app, ropts, rb, env, opts)
	}
	c, err := conn.connect(app)
	if err != nil {
		return err
	}
	prev, err := opts.Replay.since()
	if err != nil {
		return err
	}
	if prev != nil {
		// Refuse another cluster's snapshot before the first step: every
		// offset in it would read as lost. Metadata alone tells the id.
		now, err := c.live.Snapshot(ctx, 0)
		if err != nil {
			return collectFailure(err)
		}
		if err := sameCluster(prev, now, opts.Replay.Since); err != nil {
			return err
		}
	}
	target, err := parseDatetime(opts.ToDatetime)
	if err != nil {
		return err
	}
	env := &runbooks.Env{
		Source: progressSource{Cluster: c.live, io: app.IO, what: c.waitingFor(), timeout: conn.Timeout}, Probe: c.live, Epochs: c.live, Previous: prev, ToDatetime: target, PlanDir: plans, PollInterval: opts.Interval,
		StepTimeout: stepTimeout(conn.Timeout, opts.Interval), Sleep: progressSleep(app.IO, wait.For), Disk: th,
		Commands: runbooks.Commands{Bootstrap: strings.Join(c.settings.BootstrapServers, ","), CommandConfig: c.settings.CommandConfig,
			BootstrapController: conn.BootstrapController, SelfFlags: conn.selfFlags(c)},
	}
	return walkAndRender(ctx, app, ropts, rb, env, opts)
}

// walkAndRender walks rb, printing each step as it completes (table and
// markdown) or the whole transcript at the end (json).
func walkAndRender(ctx context.Context, app *App, ropts render.Options, rb runbooks.Runbook, env *runbooks.Env, opts *RunOptions) error {
	interactive := app.IO.InIsTerminal && !opts.Yes && opts.Step == 0 && ropts.Format != render.FormatJSON
	walk := runbooks.WalkOptions{Step: opts.Step}
	if ropts.Format != render.FormatJSON {
		writeRunbookHeader(app.IO.Out, ropts, rb)
		walk.Emit = func(step runbooks.StepResult) error {
			return writeStep(app.IO.Out, ropts, rb, step, env.Commands)
		}
	}
	var stoppedBy *Interrupt // Ctrl-C, as a key at a raw prompt or as a signal
	if interactive {
		prompt := newStepPrompt(app.IO)
		walk.Continue = func(next int) bool {
			switch prompt.ask(ctx, fmt.Sprintf("\nEnter for step %d/%d (%s), q to stop: ", next, len(rb.Steps), rb.Steps[next-1].Title)) {
			case goOn:
				return true
			case interrupted:
				stoppedBy = cmp.Or(interruptOf(ctx), &Interrupt{Signal: os.Interrupt})
			}
			return false
		}
	}
	tr, err := runbooks.Walk(ctx, rb, env, walk)
	if err != nil {
		return err
	}
	stoppedBy = cmp.Or(stoppedBy, interruptOf(ctx))
	if err := evidenceRecordRun(app, opts, tr); err != nil {
		return err
	}
	if stoppedBy != nil {
		return reportInterrupt(app, ropts, rb, tr, opts, stoppedBy)
	}
	if failure := tr.Failure(); failure != nil && ropts.Format != render.FormatJSON {
		// Nothing could be evaluated: say why as every command does, on
		// stderr with a hint, after the steps already shown.
		return collectFailure(failure)
	}
	if ropts.Format == render.FormatJSON {
		if err := render.JSON(app.IO.Out, tr); err != nil {
			return err
		}
	} else {
		writeRunFooter(app.IO.Out, ropts, tr)
	}
	if failure := tr.Failure(); failure != nil {
		return collectFailure(failure)
	}
	if code := exitcode.For(tr.Status); code != exitcode.OK {
		return &verdictError{code: code}
	}
	return nil
}

// reportInterrupt ends a walk stopped by Ctrl-C: what ran is shown (and
// was recorded) as for any stopped walk, then one line says where it
// stopped and what was kept, and the exit status is the signal's (130).
func reportInterrupt(app *App, ropts render.Options, rb runbooks.Runbook, tr runbooks.Transcript, opts *RunOptions, by *Interrupt) error {
	if ropts.Format == render.FormatJSON {
		if err := render.JSON(app.IO.Out, tr); err != nil {
			return err
		}
	} else {
		writeRunFooter(app.IO.Out, ropts, tr)
	}
	n := max(opts.Step, 1) + len(tr.Steps)
	where := "after the last step"
	if n <= len(rb.Steps) {
		where = fmt.Sprintf("at step %d/%d (%s)", n, len(rb.Steps), rb.Steps[n-1].Title)
	}
	kept := "nothing was recorded (--record BUNDLE keeps a walk's transcript)"
	if opts.Replay.Record != "" {
		kept = fmt.Sprintf("the transcript of %s is in %s", words.Plural(len(tr.Steps), "step", "steps"), opts.Replay.Record)
	}
	fmt.Fprintf(app.IO.Err, "Interrupted %s: %s; %s.\n", where, words.Plural(len(tr.Steps), "step ran", "steps ran"), kept)
	return &verdictError{code: by.Code()}
}

// stepTimeout bounds one runbook step as a whole. A step that samples takes
// up to four snapshots (--interval apart): each costs at most one request
// deadline (a third of --timeout) when a broker hangs, so twice --timeout
// covers their collection, plus the waits between them.
func stepTimeout(timeout, interval time.Duration) time.Duration { return 2*timeout + 4*interval }

// parseDatetime reads --to-datetime in the forms people paste: RFC 3339,
// or Kafka's own yyyy-MM-ddTHH:mm:ss.SSS (taken as UTC).
func parseDatetime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, exitcode.Usagef("use e.g. --to-datetime 2026-11-26T03:00:00Z", "--to-datetime %q is not a date and time", s)
}
