package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// ReplayOptions are the evidence flags of `triage` and `run`: --from
// replays recorded state offline, --record keeps the run's transcript.
type ReplayOptions struct {
	// From is a bundle directory or snapshot file; when set, nothing is
	// collected and no connection is made, whatever --bootstrap-server says.
	From string
	// At picks, in a bundle, the newest snapshot taken at or before it.
	At string
	// Record is a bundle to add the transcript to (created if missing).
	Record string
	// Since is an earlier snapshot file or bundle to compare offsets with.
	Since string

	commandLine []string
}

// bindReplay adds --from and --at to cmd.
func (r *ReplayOptions) bindReplay(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&r.From, "from", "", "replay a recorded bundle or snapshot file offline instead of connecting")
	f.StringVar(&r.At, "at", "", "with --from BUNDLE: the newest snapshot taken at or before this UTC time, e.g. 2026-03-14T03:12:05Z (that whole second; "+
		"add .000 for the millisecond). A time before the bundle's first snapshot or after its recording ended is an error (exit 3). Default: the last snapshot")
	_ = cmd.MarkFlagDirname("from")
	chainPreRun(cmd, func(*cobra.Command, []string) error {
		if r.At != "" && r.From == "" && r.Since == "" {
			return exitcode.Usagef("add --from BUNDLE (or --since BUNDLE)", "--at selects a recorded state and needs --from or --since")
		}
		return nil
	})
}

// bindSince adds --since to cmd.
func (r *ReplayOptions) bindSince(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.Since, "since", "", "earlier snapshot file or evidence bundle of this cluster (its last snapshot, or the one at --at "+
		"without --from): also report offsets that went backwards since (DATA_LOSS)")
	_ = cmd.MarkFlagFilename("since", "json")
}

// since reads the snapshot --since names: a snapshot file, or in a bundle
// its newest snapshot (at --at when --at does not already select in --from).
// Nil when --since is not given.
func (r *ReplayOptions) since() (*snapshot.Snapshot, error) {
	if r.Since == "" {
		return nil, nil
	}
	var at evidence.Moment
	if r.At != "" && r.From == "" {
		m, err := parseMoment(r.At)
		if err != nil {
			return nil, err
		}
		at = m
	}
	rec, err := evidence.LoadRecording(r.Since, at)
	if err != nil {
		return nil, exitcode.Usage(fmt.Errorf("--since: %w", err), "give a file written by 'kafka-runbook snapshot --out FILE' or an evidence bundle")
	}
	return rec.Snap, nil
}

// sameCluster refuses an earlier snapshot of another cluster: every offset
// would look like a loss.
func sameCluster(prev, now *snapshot.Snapshot, path string) error {
	if prev == nil || prev.ClusterID == "" || now.ClusterID == "" || prev.ClusterID == now.ClusterID {
		return nil
	}
	return exitcode.Usagef("give a snapshot or bundle of this cluster with --since, or leave --since out",
		"--since %s is a snapshot of cluster %s, not of this cluster (%s): its offsets cannot be compared", path, prev.ClusterID, now.ClusterID)
}

// bindRecord adds --record to cmd and remembers the command line for it.
func (r *ReplayOptions) bindRecord(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.Record, "record", "", "add this run's transcript to an evidence bundle (created if it does not exist)")
	_ = cmd.MarkFlagDirname("record")
	chainPreRun(cmd, func(cmd *cobra.Command, args []string) error {
		r.commandLine = recordedCommandLine(cmd, args)
		return nil
	})
}

// chainPreRun runs fn after any PreRunE cmd already has.
func chainPreRun(cmd *cobra.Command, fn func(*cobra.Command, []string) error) {
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if prev != nil {
			if err := prev(c, args); err != nil {
				return err
			}
		}
		return fn(c, args)
	}
}

// parseMoment reads --at: a UTC time to the second (2026-03-14T03:12:05Z,
// which stands for that whole second), the minute, or a fraction of a
// second (the millisecond evidence reports print selects one poll). The
// zero Moment when s is empty.
func parseMoment(s string) (evidence.Moment, error) {
	if s == "" {
		return evidence.Moment{}, nil
	}
	t, err := parseDatetime(s)
	if err != nil {
		return evidence.Moment{}, exitcode.Usagef("use e.g. --at 2026-03-14T03:12:00Z", "--at %q is not a date and time", s)
	}
	clock := s[strings.IndexByte(s, 'T')+1:]
	if end := strings.IndexAny(clock, "Z+-"); end >= 0 {
		clock = clock[:end] // the zone
	}
	hms, fraction, _ := strings.Cut(clock, ".")
	within := time.Second
	if strings.Count(hms, ":") == 1 {
		within = time.Minute
	}
	for range min(len(fraction), 9) {
		within /= 10
	}
	return evidence.Moment{At: t, Within: within}, nil
}

// selfFlags point a printed kafka-runbook command at the same recording.
func (r *ReplayOptions) selfFlags() []string {
	out := []string{"--from", r.From}
	if r.At != "" {
		out = append(out, "--at", r.At)
	}
	return out
}

// load reads the recording --from names, at --at.
func (r *ReplayOptions) load(app *App) (*evidence.Recording, error) {
	at, err := parseMoment(r.At)
	if err != nil {
		return nil, err
	}
	rec, err := evidence.LoadRecording(r.From, at)
	if err != nil {
		return nil, evidenceInputError(err)
	}
	fmt.Fprintf(app.IO.Err, "Replaying %s, offline.\n", rec.From)
	for _, w := range recordingWarnings(rec) {
		fmt.Fprintf(app.IO.Err, "Warning: %s\n", w)
	}
	return rec, nil
}

func recordingWarnings(rec *evidence.Recording) []string {
	if rec.Bundle == nil {
		return nil
	}
	return rec.Bundle.Warnings
}

// evidenceReplayEnv is the runbook environment of `run --from`: the recorded
// snapshot for every step, no per-broker probes (those parts say they
// cannot evaluate), no waiting.
func evidenceReplayEnv(app *App, conn *ConnOptions, opts *RunOptions) (*runbooks.Env, error) {
	rec, err := opts.Replay.load(app)
	if err != nil {
		return nil, err
	}
	since, err := opts.Replay.since()
	if err != nil {
		return nil, err
	}
	if err := sameCluster(since, rec.Snap, opts.Replay.Since); err != nil {
		return nil, err
	}
	target, err := parseDatetime(opts.ToDatetime)
	if err != nil {
		return nil, err
	}
	env := rec.Env(runbooks.Commands{Bootstrap: conn.Bootstrap, CommandConfig: conn.CommandConfig, SelfFlags: opts.Replay.selfFlags()})
	if since != nil {
		env.Previous = since
	}
	env.ToDatetime, env.PollInterval = target, opts.Interval
	return env, nil
}

// evidenceRecordRun adds the transcript to the --record bundle, if any.
func evidenceRecordRun(app *App, opts *RunOptions, tr runbooks.Transcript) error {
	r := &opts.Replay
	if r.Record == "" {
		return nil
	}
	name, err := evidence.RecordTranscript(r.Record, tr, evidence.Meta{ToolVersion: app.Version, Args: r.commandLine}, nil)
	if err != nil {
		return evidenceInputError(err)
	}
	fmt.Fprintf(app.IO.Err, "Recorded %s in %s\n", name, r.Record)
	return nil
}

// evidenceReplayTriage is `triage --from`: the same checks on recorded state, with
// the recording's oldest snapshot (or --since) to compare offsets with.
func evidenceReplayTriage(app *App, conn *ConnOptions, r *ReplayOptions, th *disk.Thresholds) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	rec, err := r.load(app)
	if err != nil {
		return err
	}
	prev, err := r.since()
	if err != nil {
		return err
	}
	if err := sameCluster(prev, rec.Snap, r.Since); err != nil {
		return err
	}
	if prev == nil {
		prev = rec.Previous
	}
	report := triage.BuildFrom(checks.Input{Snap: rec.Snap, Previous: prev, Window: rec.Window, Disk: th})
	return writeReport(app, ropts, withNextCommand(report, r.selfFlags()))
}
