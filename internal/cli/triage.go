package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/wait"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

func newTriageCmd(app *App, conn *ConnOptions) *cobra.Command {
	var replay ReplayOptions
	var sample time.Duration
	var watch TriageWatchOptions
	var diskFlags *DiskFlags
	cmd := &cobra.Command{
		Use:   "triage",
		Short: "Run every check once: what is broken, how bad, and which runbook to open",
		Long: `Take one live snapshot, run every check on it, and print the blast radius in
plain words, the findings worst first, and the runbook to open next.

This is the first command to type in an incident. Findings carry stable codes
(see 'kafka-runbook codes' and 'kafka-runbook explain CODE').

Status and exit code: the worst finding decides (0 OK or info only,
1 WARNING, 2 CRITICAL). A check that could not run (a broker that did not
answer a request, data that could not be read) is never a pass: when some
checks could not run and nothing at warning or above was found, the status
is UNKNOWN (exit 3), and the report names each check and why. Exit 3 also
means the cluster could not be reached at all. Checks that need input you
did not give (offsets going backwards needs --since, consumer lag trends
need --sample) are listed as not asked for and do not change the status.

With --sample DURATION, triage samples the consumer groups, offsets, last
stable offsets and every log dir's usable space five times over DURATION
before its full snapshot, and judges every group's lag over that window
(Burrow's rules: lag growing, stalled, stopped, rewound), rebalances, how
old the oldest unconsumed record is and how long until retention deletes
it, hanging transactions, and how fast each log dir fills and when it will
be full at that rate (LOG_DIR_LOW_SPACE). The command then takes DURATION
plus its usual time.

Log dirs low on space (LOG_DIR_LOW_SPACE): a warning under 15% usable or
full within 12 hours, critical under 5% or 1 GiB usable or full within the
hour; the --disk-* flags change these. A fill rate is trusted at most 60
times the window ahead: --sample 6s judges the next 6 minutes.

With --watch [INTERVAL] (default 5s), triage runs again every INTERVAL
until Ctrl-C: the first poll prints the whole report, later ones only what
changed, one line each with its UTC time: a finding appeared, cleared
(with how long it lasted) or changed severity, the status changed, the
cluster could not be reached or answers again. More than 3 changes of one
code in a poll fold into one line. Polls never overlap and each is bounded
by --timeout; lag trends are judged over the recent polls. With -o json
every change is one JSON object per line (JSON lines): {"time", "event"
(started, appeared, cleared, severity, status, collect_failed,
collect_recovered), "status" (after that poll), "finding", "was", "since",
"report" (started only: the whole report), "error"}.

Exit codes with --watch: 0 when --exit-when-healthy saw an OK status (at
the first poll, or later), 130 on Ctrl-C (143 on SIGTERM), 3 for bad input.
A cluster that cannot be reached does not end the watch.

Of the hygiene checks ('kafka-runbook audit') triage reports only the urgent
ones: a broker TLS certificate expired or expiring within 7 days, and a
replication throttle left set that holds a follower out of the ISR.`,
		Example: `  kafka-runbook triage -b kafka1:9092
  kafka-runbook triage -o json | jq -r '.findings[] | select(.severity=="critical") | .code'
  kafka-runbook triage --sample 30s       # also judge consumer lag and disk growth over 30 seconds
  kafka-runbook triage --disk-warning-percent 25 --disk-critical-free 10GiB
  kafka-runbook triage --watch            # print what changes, every 5 s, until Ctrl-C
  kafka-runbook triage --watch 10s --exit-when-healthy && echo recovered
  kafka-runbook triage --watch -o json | jq -c 'select(.event=="appeared") | .finding.code'`,
		Args: func(cmd *cobra.Command, args []string) error { return watch.args(cmd, args) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := watch.validate(&replay, sample); err != nil {
				return err
			}
			th, err := diskFlags.thresholds()
			if err != nil {
				return err
			}
			if watch.Interval > 0 {
				return runTriageWatch(cmd.Context(), app, conn, &replay, &watch, th)
			}
			if replay.From != "" {
				if sample != 0 {
					return exitcode.Usagef("drop --sample: a replay judges trends over the bundle's own snapshots",
						"--sample samples a live cluster; it cannot be used with --from")
				}
				return evidenceReplayTriage(app, conn, &replay, th)
			}
			return runTriage(cmd.Context(), app, conn, &replay, sample, th)
		},
	}
	cmd.Flags().DurationVar(&sample, "sample", 0, "also sample consumer groups and log dirs over this long (e.g. 30s) and judge lag, rebalances, hanging transactions and disk growth over the window")
	watch.bind(cmd)
	diskFlags = bindDiskFlags(cmd)
	replay.bindSince(cmd)
	replay.bindReplay(cmd)
	return cmd
}

func runTriage(ctx context.Context, app *App, conn *ConnOptions, replay *ReplayOptions, sample time.Duration, th *disk.Thresholds) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	if sample != 0 && (sample < minSample || sample > maxSample) {
		return exitcode.Usagef("use e.g. --sample 30s", "--sample must be between %s and %s, got %s", minSample, maxSample, sample)
	}
	prev, err := replay.since()
	if err != nil {
		return err
	}
	window, err := sampleWindow(ctx, app, conn, sample)
	if err != nil {
		return err
	}
	parts := triage.Parts()
	if sample > 0 {
		parts = triage.SampledParts()
	}
	snap, err := conn.collectOnce(ctx, app, parts, nil)
	if err != nil {
		return err
	}
	if err := sameCluster(prev, snap, replay.Since); err != nil {
		return err
	}
	c, err := conn.connect(app)
	if err != nil {
		return err
	}
	report := triage.BuildFrom(checks.Input{Snap: snap, Previous: prev, Window: window, Disk: th})
	return writeReport(app, ropts, withNextCommand(report, conn.selfFlags(c)))
}

// withNextCommand fills in the command that opens the runbook triage
// names, with the flags that reach the same cluster or recording.
func withNextCommand(r triage.Report, flags []string) triage.Report {
	if r.Summary.NextRunbook != "" {
		r.NextCommand = runbooks.Commands{SelfFlags: flags}.Self("run", r.Summary.NextRunbook)
	}
	return r
}

// writeTriage renders the triage of a snapshot and ends with its verdict.
func writeTriage(app *App, ropts render.Options, snap, prev *snapshot.Snapshot) error {
	return writeReport(app, ropts, triage.Build(snap, prev))
}

// writeReport renders a triage report and ends with its verdict.
func writeReport(app *App, ropts render.Options, report triage.Report) error {
	if err := render.View(app.IO.Out, ropts, report); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if code := exitcode.For(report.Status); code != exitcode.OK {
		return &verdictError{code: code}
	}
	return nil
}

// The bounds of --sample: shorter gives no trend to judge; longer is a
// watch (evidence watch), not a triage.
const (
	minSample     = time.Second
	maxSample     = 10 * time.Minute
	windowSamples = 4 // samples before the final snapshot
)

// sampleWindow takes the samples of triage --sample before its final
// snapshot, evenly over d; none when d is 0. A sample that fails is left
// out (the final snapshot says why the cluster did not answer).
func sampleWindow(ctx context.Context, app *App, conn *ConnOptions, d time.Duration) ([]*snapshot.Snapshot, error) {
	if d == 0 {
		return nil, nil
	}
	if _, err := conn.connect(app); err != nil {
		return nil, err // bad settings: say so now, not after the wait
	}
	fmt.Fprintf(app.IO.Err, "Sampling consumer groups and log dirs for %s (%d samples)...\n", d, windowSamples+1)
	sampling := func(n int) string {
		return fmt.Sprintf("Sampling consumer groups and log dirs: sample %d of %d", n, windowSamples+1)
	}
	p := app.IO.startProgress(sampling(1), time.Now().Add(d), 0)
	defer p.end()
	every := d / windowSamples
	var window []*snapshot.Snapshot
	for i := range windowSamples {
		p.update(sampling(i + 1))
		if i > 0 {
			if err := wait.For(ctx, every); err != nil {
				return nil, err
			}
		}
		if s, err := conn.collectOnce(ctx, app, triage.SampleParts, nil); err == nil {
			window = append(window, s)
		}
	}
	return window, wait.For(ctx, every)
}
