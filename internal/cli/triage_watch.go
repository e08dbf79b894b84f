package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/wait"
)

// TriageWatchOptions are the flags of `triage --watch`.
type TriageWatchOptions struct {
	// Watch is --watch as typed ("" when not given); Interval is what it
	// means once parsed.
	Watch    string
	Interval time.Duration
	// ExitWhenHealthy ends the watch with exit 0 at the first OK poll.
	ExitWhenHealthy bool
}

// defaultWatchInterval is --watch without a value. minWatchInterval keeps a
// watch from turning into a load test.
const (
	defaultWatchInterval = 5 * time.Second
	minWatchInterval     = 100 * time.Millisecond
)

// bind adds --watch and --exit-when-healthy to cmd.
func (o *TriageWatchOptions) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Watch, "watch", "", "re-run every INTERVAL (default 5s; --watch 10s or --watch=10s) and print only what changed, until Ctrl-C")
	f.Lookup("watch").NoOptDefVal = defaultWatchInterval.String()
	f.BoolVar(&o.ExitWhenHealthy, "exit-when-healthy", false, "with --watch: exit 0 as soon as the status is OK (for scripts that wait for recovery)")
}

// args accepts the INTERVAL of `triage --watch INTERVAL`, which pflag sees
// as an argument because --watch has a default value.
func (o *TriageWatchOptions) args(cmd *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case len(args) == 1 && cmd.Flags().Changed("watch") && o.Watch == defaultWatchInterval.String():
		o.Watch = args[0]
		return nil
	}
	return exitcode.Usagef("run 'kafka-runbook triage --help'", "triage takes no arguments, got %q", strings.Join(args, " "))
}

// validate parses --watch and checks what goes with it.
func (o *TriageWatchOptions) validate(replay *ReplayOptions, sample time.Duration) error {
	if o.Watch == "" {
		if o.ExitWhenHealthy {
			return exitcode.Usagef("add --watch", "--exit-when-healthy ends a watch: it needs --watch")
		}
		return nil
	}
	d, err := time.ParseDuration(o.Watch)
	switch {
	case err != nil || d < minWatchInterval:
		return exitcode.Usagef("use e.g. --watch 5s", "--watch takes an interval of at least %s, got %q", minWatchInterval, o.Watch)
	case replay.From != "":
		return exitcode.Usagef("drop --watch to replay, or drop --from to watch the live cluster", "--watch re-runs triage on a live cluster; --from replays a recording")
	case sample != 0:
		return exitcode.Usagef("drop --sample: a watch judges lag trends over its own polls", "--sample cannot be used with --watch")
	}
	o.Interval = d
	return nil
}

// runTriageWatch is `triage --watch`: a triage every Interval, the first
// printed whole and the later ones as what changed. Polls never overlap
// (one ends before the next starts; a poll that overran its slot skips
// the slots it missed), and each is bounded by --timeout. A poll that
// cannot reach the cluster is one event, and the watch goes on.
func runTriageWatch(ctx context.Context, app *App, conn *ConnOptions, replay *ReplayOptions, opts *TriageWatchOptions, th *disk.Thresholds) error {
	ropts, err := conn.renderOptions(app.IO)
	if err != nil {
		return err
	}
	prev, err := replay.since()
	if err != nil {
		return err
	}
	c, err := conn.connect(app)
	if err != nil {
		return err
	}
	until := ""
	if opts.ExitWhenHealthy {
		until = ", until the status is OK"
	}
	fmt.Fprintf(app.IO.Err, "Watching %s every %s%s. Ctrl-C to stop.\n", strings.Join(c.live.Bootstrap(), ","), opts.Interval, until)
	w := &triageWatcher{app: app, ropts: ropts, prev: prev, since: replay.Since, flags: conn.selfFlags(c), disk: th}
	start := time.Now()
	for n := int64(0); ; n++ {
		if n > 0 {
			if behind := int64(time.Since(start) / opts.Interval); behind >= n {
				n = behind + 1
			}
			if wait.For(ctx, time.Until(start.Add(time.Duration(n)*opts.Interval))) != nil {
				break
			}
		}
		snap, err := c.live.Snapshot(ctx, triage.Parts())
		if ctx.Err() != nil {
			break
		}
		status, err := w.poll(snap, err)
		if err != nil {
			return err
		}
		if opts.ExitWhenHealthy && status == verdict.OK {
			fmt.Fprintf(app.IO.Err, "Healthy (OK) after %s, %s: exiting.\n", time.Since(start).Round(time.Second), pollCount(w.polls))
			return nil
		}
	}
	fmt.Fprintf(app.IO.Err, "Stopped after %s, %s.\n", time.Since(start).Round(time.Second), pollCount(w.polls))
	if i := interruptOf(ctx); i != nil {
		return &verdictError{code: i.Code()}
	}
	return &exitcode.Error{Code: exitcode.Unknown, Err: fmt.Errorf("watch ended: %w", context.Cause(ctx))}
}

func pollCount(n int) string {
	if n == 1 {
		return "1 poll"
	}
	return fmt.Sprintf("%d polls", n)
}

// triageWatcher is the state of one triage --watch.
type triageWatcher struct {
	app   *App
	ropts render.Options
	// prev is --since: the earlier snapshot offsets are compared with.
	prev  *snapshot.Snapshot
	since string
	flags []string // selfFlags, for the report's Next command
	disk  *disk.Thresholds
	// recent are the last good polls, the window lag trends are judged over.
	recent []*snapshot.Snapshot
	events triage.Watch
	polls  int
	status verdict.Status
}

// poll judges one poll (or its failure) and prints what changed; it
// returns the status after it.
func (w *triageWatcher) poll(snap *snapshot.Snapshot, collectErr error) (verdict.Status, error) {
	w.polls++
	var evs []triage.WatchEvent
	if collectErr != nil {
		w.status = verdict.Unknown
		evs = w.events.Failed(time.Now(), collectErr)
	} else {
		if err := sameCluster(w.prev, snap, w.since); err != nil {
			return w.status, err
		}
		report := triage.BuildFrom(checks.Input{Snap: snap, Previous: w.prev, Window: w.window(snap.TakenAt), Disk: w.disk})
		w.status = report.Status
		evs = w.events.Poll(withNextCommand(report, w.flags))
		w.recent = append(w.recent, snap)
	}
	return w.status, w.write(evs)
}

// window is the recent polls within evidence.TrendWindow before t, at most
// evidence.WindowSamples, as a replay of a watch's bundle would judge.
func (w *triageWatcher) window(t time.Time) []*snapshot.Snapshot {
	for len(w.recent) > 0 && (len(w.recent) > evidence.WindowSamples || t.Sub(w.recent[0].TakenAt) > evidence.TrendWindow) {
		w.recent = w.recent[1:]
	}
	return w.recent
}

// write prints events: JSON lines for -o json (one object per event, the
// first with the whole report), else the first report as triage draws it
// and one line per change.
func (w *triageWatcher) write(evs []triage.WatchEvent) error {
	out := w.app.IO.Out
	if w.ropts.Format == render.FormatJSON {
		enc := json.NewEncoder(out)
		for _, e := range evs {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		}
		return nil
	}
	var changes []triage.WatchEvent
	for _, e := range evs {
		if e.Event != triage.Started {
			changes = append(changes, e)
			continue
		}
		if err := render.View(out, w.ropts, *e.Report); err != nil {
			return fmt.Errorf("writing output: %w", err)
		}
		if _, err := fmt.Fprintf(out, "\n%s  watching: changes follow\n", e.Time.Format(evidence.TimeFormat)); err != nil {
			return err
		}
	}
	if err := triage.WriteWatchEvents(out, changes); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	return nil
}
