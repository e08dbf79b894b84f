package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

func newEvidenceCmd(app *App, conn *ConnOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Record an incident as evidence: capture, watch, report, diff",
		Long: `Record what the cluster looked like during an incident, for the postmortem.

An evidence bundle is a directory: snapshots, the triage findings, runbook
transcripts (run --record), what changed between polls (watch) and a
manifest.json with the SHA-256 of every file. Secrets in the recorded
command lines are removed; a --command-config file is never copied.

Replay a bundle offline with 'kafka-runbook triage --from BUNDLE' and
'kafka-runbook run RUNBOOK --from BUNDLE'.`,
		Example: `  kafka-runbook evidence capture -b kafka1:9092
  kafka-runbook evidence watch -b kafka1:9092 --interval 5s --for 30m --out incident-42
  kafka-runbook run broker-failure -b kafka1:9092 --record incident-42
  kafka-runbook evidence report incident-42 --out incident-42.html
  kafka-runbook evidence diff incident-42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newEvidenceCaptureCmd(app, conn), newEvidenceWatchCmd(app, conn),
		offline(newEvidenceReportCmd(app)), offline(newEvidenceDiffCmd(app, conn)))
	return cmd
}

func newEvidenceCaptureCmd(app *App, conn *ConnOptions) *cobra.Command {
	var out string
	var diskFlags *DiskFlags
	cmd := &cobra.Command{
		Use:   "capture",
		Short: "Write one full snapshot and its triage into a new evidence bundle",
		Long: `Collect everything kafka-runbook reads, triage it, and write both into a new
bundle directory. The bundle appears only once complete: an interrupted
capture leaves nothing that looks like a bundle. Prints the bundle's path.

Exit code: the triage of what was captured, as 'triage' gives it (0 OK,
1 WARNING, 2 CRITICAL, 3 UNKNOWN), once the bundle is written; 3 also when
nothing could be captured or written.`,
		Example: `  kafka-runbook evidence capture -b kafka1:9092 --out incident-42-start`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			th, err := diskFlags.thresholds()
			if err != nil {
				return err
			}
			return runEvidenceCapture(cmd.Context(), app, conn, out, th, recordedCommandLine(cmd, args))
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "bundle directory to create (default kafka-evidence-<UTC time>)")
	diskFlags = bindDiskFlags(cmd)
	_ = cmd.MarkFlagDirname("out")
	return cmd
}

func runEvidenceCapture(ctx context.Context, app *App, conn *ConnOptions, out string, th *disk.Thresholds, args []string) error {
	started := time.Now().UTC()
	snap, err := conn.collectOnce(ctx, app, source.PartAll, nil)
	if err != nil {
		return err
	}
	if out == "" {
		out = evidence.DefaultDir(started)
	}
	report, err := evidence.Capture(evidence.CaptureOptions{Out: out, Snapshot: snap, Started: started,
		Meta: evidence.Meta{ToolVersion: app.Version, Args: args}, Disk: th})
	if err != nil {
		return exitcode.Usage(err, "choose a new directory with --out")
	}
	fmt.Fprintf(app.IO.Err, "Wrote bundle %s: 1 snapshot of cluster %s, triage %s with %d findings.\nNext: %s\n",
		out, words.OrDash(snap.ClusterID), report.Status, len(report.Findings), runbooks.ShellLine("kafka-runbook", "evidence", "report", out))
	if _, err := fmt.Fprintln(app.IO.Out, out); err != nil {
		return err
	}
	if code := exitcode.For(report.Status); code != exitcode.OK {
		return &verdictError{code: code} // the bundle is written: the verdict is the cluster's
	}
	return nil
}

// EvidenceWatchOptions are the flags of `evidence watch`.
type EvidenceWatchOptions struct {
	Out           string
	Interval      time.Duration
	For           time.Duration
	LagThresholds []int64
	LogDirs       bool
	SnapshotEvery time.Duration
	// SnapshotBudget is --snapshot-budget as typed (e.g. 1GiB).
	SnapshotBudget string
	// Disk holds the LOG_DIR_LOW_SPACE thresholds of the bundle's findings.
	Disk *DiskFlags
}

func newEvidenceWatchCmd(app *App, conn *ConnOptions) *cobra.Command {
	opts := &EvidenceWatchOptions{}
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Poll the cluster and record every change as it happens (a live incident ticker)",
		Long: `Poll the cluster every --interval and record what changed into a new bundle:
brokers fenced, unfenced, gone or back; leaders moved (with epochs); ISRs
shrinking and expanding; partitions offline and back; log start or end going
backwards; group lag crossing --lag-threshold; configs changed; sources that
could not be read. Each change is printed as one line with its UTC time.

Every poll reads each log dir's usable space (cheap for the brokers), so the
bundle's findings, and 'triage --from BUNDLE', tell how fast each log dir
fills and when it will be full (LOG_DIR_LOW_SPACE); --log-dirs also lists
the replicas in them, which tells the fastest-growing topics and partitions
('run disk-pressure --from BUNDLE').

Every event is written as soon as it is seen and is on disk before it is
printed: Ctrl-C, a crash or kill -9 loses nothing already printed. A health
line per poll feeds the report's charts. Each poll is bounded by --timeout.

Which polls keep a full snapshot (each replayable with 'triage --from
BUNDLE --at TIME'):
  always   the first poll; every poll that changes a finding's state (a
           finding appearing, clearing or changing severity, as triage
           judges that poll); the worst poll so far, the report's "worst
           moment" (replaced when a worse one comes, unless kept for
           another reason); the last poll.
  budget   one poll soon after other changes (leaders, offsets, lag) and
           one every --snapshot-every, never two of the same state, while
           the snapshots stay within --snapshot-budget. Once it is spent,
           an event says so and only the polls above are kept; the budget
           is exceeded only by them.
The report prints the command that replays the worst moment.`,
		Example: `  kafka-runbook evidence watch -b kafka1:9092 --interval 5s --for 30m --lag-threshold 10000 --out incident-42`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvidenceWatch(cmd.Context(), app, conn, opts, recordedCommandLine(cmd, args))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Out, "out", "", "bundle directory to create (default kafka-evidence-<UTC time>)")
	f.DurationVar(&opts.Interval, "interval", 5*time.Second, "time between the starts of two polls")
	f.DurationVar(&opts.For, "for", 0, "stop after this long (default: until Ctrl-C)")
	f.Int64SliceVar(&opts.LagThresholds, "lag-threshold", nil, "record when a group's total lag crosses this many records (repeatable, e.g. 10000,100000)")
	f.BoolVar(&opts.LogDirs, "log-dirs", false, "also list the replicas in every broker's log dirs, with their sizes (heavy on large clusters)")
	f.DurationVar(&opts.SnapshotEvery, "snapshot-every", 5*time.Minute, "keep a full snapshot at least this often, even when nothing changes")
	f.StringVar(&opts.SnapshotBudget, "snapshot-budget", "1GiB", "bytes of snapshots kept for changes and --snapshot-every before only the required ones are (e.g. 200MiB, 2GiB)")
	opts.Disk = bindDiskFlags(cmd)
	_ = cmd.MarkFlagDirname("out")
	return cmd
}

func (o *EvidenceWatchOptions) validate() (budget int64, err error) {
	budget, err = parseBytes(o.SnapshotBudget)
	if err != nil || budget <= 0 {
		return 0, exitcode.Usagef("use e.g. --snapshot-budget 500MiB or 2GiB", "--snapshot-budget %q is not a positive size", o.SnapshotBudget)
	}
	return budget, o.validateTimes()
}

func (o *EvidenceWatchOptions) validateTimes() error {
	switch {
	case o.Interval < 100*time.Millisecond:
		return exitcode.Usagef("use e.g. --interval 5s", "--interval must be at least 100ms, got %s", o.Interval)
	case o.For < 0:
		return exitcode.Usagef("use e.g. --for 30m, or leave it out to watch until Ctrl-C", "--for must not be negative, got %s", o.For)
	case o.SnapshotEvery <= 0:
		return exitcode.Usagef("use e.g. --snapshot-every 5m", "--snapshot-every must be positive, got %s", o.SnapshotEvery)
	}
	for _, t := range o.LagThresholds {
		if t <= 0 {
			return exitcode.Usagef("use e.g. --lag-threshold 10000", "--lag-threshold must be positive, got %d", t)
		}
	}
	return nil
}

func runEvidenceWatch(ctx context.Context, app *App, conn *ConnOptions, opts *EvidenceWatchOptions, args []string) error {
	budget, err := opts.validate()
	if err != nil {
		return err
	}
	c, err := conn.connect(app)
	if err != nil {
		return err
	}
	th, err := opts.Disk.thresholds()
	if err != nil {
		return err
	}
	// Log dir space always (time to full); the replicas only when asked.
	parts := source.PartAll &^ source.PartLogDirContents
	if opts.LogDirs {
		parts = source.PartAll
	}
	started := time.Now().UTC()
	if opts.Out == "" {
		opts.Out = evidence.DefaultDir(started)
	}
	fmt.Fprintf(app.IO.Err, "Watching %s every %s%s, recording to %s. Ctrl-C to stop.\n",
		strings.Join(c.live.Bootstrap(), ","), opts.Interval, watchForText(opts.For), opts.Out)
	res, err := evidence.Watch(ctx, evidence.WatchOptions{
		Collect: func(ctx context.Context) (*snapshot.Snapshot, error) {
			return c.live.Snapshot(ctx, parts)
		},
		Interval: opts.Interval, For: opts.For, Out: opts.Out, Ticker: app.IO.Out,
		Diff:           evidence.DiffOptions{LagThresholds: opts.LagThresholds},
		SnapshotEvery:  opts.SnapshotEvery,
		SnapshotBudget: budget,
		Meta:           evidence.Meta{ToolVersion: app.Version, Args: args},
		Disk:           th,
	})
	if res.Polls == 0 && err != nil {
		return exitcode.Usage(err, "choose a new directory with --out")
	}
	if err != nil {
		return fmt.Errorf("recording to %s: %w", opts.Out, err)
	}
	fmt.Fprintf(app.IO.Err, "Stopped after %s: %d polls (%d failed), %d events, %d snapshots in %s.\nNext: %s\n",
		res.Stopped.Sub(res.Started).Round(time.Second), res.Polls, res.Failed, res.Events, res.Snapshots, opts.Out,
		runbooks.ShellLine("kafka-runbook", "evidence", "report", opts.Out))
	if res.Polls > 0 && res.Failed == res.Polls {
		// Nothing was ever collected: the bundle records only failures.
		return &exitcode.Error{Code: exitcode.Unknown, Err: fmt.Errorf("no poll reached the cluster (%d tried)", res.Polls),
			Hint: "the bundle's events say why; check --bootstrap-server and --command-config"}
	}
	return nil
}

func watchForText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return " for " + d.String()
}

// recordedCommandLine reconstructs the command line from the parsed flags, secrets
// redacted, for a bundle's manifest. Flags appear in name order with their
// effective values, so the line re-runs the same command.
func recordedCommandLine(cmd *cobra.Command, args []string) []string {
	out := strings.Fields(cmd.CommandPath())
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				out = append(out, "--"+f.Name, v)
			}
			return
		}
		out = append(out, "--"+f.Name+"="+f.Value.String())
	})
	return evidence.RedactArgs(append(out, args...))
}

// evidenceInputError maps a damaged bundle or snapshot file to exit 3 with a hint.
func evidenceInputError(err error) error {
	var be *evidence.Error
	if errors.As(err, &be) {
		return exitcode.Usage(err, "give a bundle from 'kafka-runbook evidence capture' or 'watch', or a file from 'kafka-runbook snapshot --out FILE'; a bundle is trusted only as its manifest.json says")
	}
	return err
}
