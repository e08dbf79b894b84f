package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/internal/wait"
)

// WatchOptions configures Watch. Collect, Interval and Out are required.
type WatchOptions struct {
	// Collect takes one snapshot, within its own deadline. An error means
	// nothing could be collected (no bootstrap server answered); partial
	// failures belong in the snapshot's Errors.
	Collect func(ctx context.Context) (*snapshot.Snapshot, error)
	// Interval is the time from the start of one poll to the next.
	Interval time.Duration
	// For bounds the watch; zero watches until ctx ends.
	For time.Duration
	// Out is the bundle directory to create; it must not exist.
	Out string
	// Ticker receives one line per event as it is recorded; nil discards.
	Ticker io.Writer
	// TickerFold is how many events of one kind a poll prints one by one
	// before folding the rest into one line (default 5); the journal always
	// has every event.
	TickerFold int
	Diff       DiffOptions
	// SnapshotEvery stores a snapshot at least this often even when nothing
	// changes (default 5m). SnapshotMinGap is the least time between
	// snapshots stored because something changed that changes no finding
	// (default 15s); a poll that changes a finding is always stored.
	SnapshotEvery  time.Duration
	SnapshotMinGap time.Duration
	// SnapshotBudget bounds the bytes of the snapshots stored for changes
	// and periodically (default DefaultSnapshotBudget); see maybeStore for
	// what is kept once it is spent.
	SnapshotBudget int64
	Meta           Meta
	// Disk are the LOG_DIR_LOW_SPACE thresholds of the bundle's findings;
	// nil uses the defaults.
	Disk *disk.Thresholds
	// Now and Sleep are the clock; nil means the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// WatchResult counts what a watch recorded.
type WatchResult struct {
	Dir              string
	Started, Stopped time.Time
	Polls, Failed    int
	Events           int
	Snapshots        int
}

// Watch polls the cluster every Interval until ctx ends or For elapses,
// appending what changed to the bundle's events.jsonl (one flushed line per
// event), the health of every poll to metrics.jsonl, and the snapshots of
// the first poll, of every poll that changes a finding, of the worst moment,
// of the last poll and, within the budget, after other changes and
// periodically (maybeStore). Stopping
// through ctx is the normal end (Ctrl-C), not an error: the bundle is then
// finished with findings.json and a final manifest.
func Watch(ctx context.Context, opts WatchOptions) (WatchResult, error) {
	if err := opts.defaults(); err != nil {
		return WatchResult{}, err
	}
	w, err := startWatch(opts)
	if err != nil {
		return WatchResult{}, err
	}
	defer w.close()
	start := w.now()
	w.res.Started = start
	for n := int64(0); ; n++ {
		if n > 0 {
			// Polls keep to a fixed schedule from the start, so a slow
			// collection neither drifts the times nor shortens --for; a
			// poll that overran its slot skips the slots it missed.
			if behind := int64(w.now().Sub(start) / opts.Interval); behind >= n {
				n = behind + 1
			}
			next := start.Add(time.Duration(n) * opts.Interval)
			if opts.For > 0 && next.Sub(start) > opts.For {
				break
			}
			if w.sleep(ctx, next.Sub(w.now())) != nil {
				break
			}
		}
		if ctx.Err() != nil {
			break
		}
		if err := w.poll(ctx); err != nil {
			_ = w.finish()
			return w.res, err
		}
	}
	return w.res, w.finish()
}

func (o *WatchOptions) defaults() error {
	switch {
	case o.Collect == nil:
		return errors.New("watch: no collector")
	case o.Interval <= 0:
		return fmt.Errorf("watch: interval must be positive, got %s", o.Interval)
	case o.For < 0:
		return fmt.Errorf("watch: duration must not be negative, got %s", o.For)
	}
	if o.Ticker == nil {
		o.Ticker = io.Discard
	}
	if o.TickerFold <= 0 {
		o.TickerFold = 5
	}
	if o.SnapshotEvery <= 0 {
		o.SnapshotEvery = 5 * time.Minute
	}
	if o.SnapshotMinGap <= 0 {
		o.SnapshotMinGap = 15 * time.Second
	}
	if o.SnapshotBudget <= 0 {
		o.SnapshotBudget = DefaultSnapshotBudget
	}
	o.Now = nowFunc(o.Now)
	if o.Sleep == nil {
		o.Sleep = wait.For
	}
	return nil
}

// watcher is the state of one watch.
type watcher struct {
	opts            WatchOptions
	events, metrics *journal
	res             WatchResult
	first, last     *snapshot.Snapshot // first and last good snapshots
	// recent are the last good polls before last, oldest first, at most
	// WindowSamples: the window the final triage judges trends over.
	recent   []*snapshot.Snapshot
	failing  bool   // the last poll could not collect
	newFiles []File // written, not yet in the manifest
	// dropped are files replaced since the last commit: out of the
	// manifest at the next commit, then deleted.
	dropped []string
	names   map[string]bool
	store   storePolicy
}

func (w *watcher) now() time.Time { return w.opts.Now().UTC() }

func (w *watcher) sleep(ctx context.Context, d time.Duration) error { return w.opts.Sleep(ctx, d) }

// startWatch creates the bundle with empty journals and opens them.
func startWatch(opts WatchOptions) (*watcher, error) {
	st, err := stage(opts.Out, opts.Meta, opts.Now())
	if err != nil {
		return nil, err
	}
	for _, rel := range []string{EventsFile, MetricsFile} {
		if err := st.write(rel, nil, true); err != nil {
			st.abort()
			return nil, err
		}
	}
	if err := st.commit(); err != nil {
		st.abort()
		return nil, err
	}
	w := &watcher{opts: opts, res: WatchResult{Dir: opts.Out}, names: map[string]bool{}}
	if w.events, err = openJournal(opts.Out, EventsFile); err != nil {
		return nil, err
	}
	if w.metrics, err = openJournal(opts.Out, MetricsFile); err != nil {
		w.events.close()
		return nil, err
	}
	return w, nil
}

func (w *watcher) close() {
	w.events.close()
	w.metrics.close()
}

// poll collects once and records what it saw.
func (w *watcher) poll(ctx context.Context) error {
	snap, err := w.opts.Collect(ctx)
	if ctx.Err() != nil {
		return nil // stopped mid-collection: the cluster did not fail
	}
	w.res.Polls++
	if err != nil {
		return w.failed(err)
	}
	var evs []Event
	if w.failing {
		w.failing = false
		evs = append(evs, Event{Time: snap.TakenAt.UTC(), Kind: CollectRecovered, Severity: findings.Info,
			Summary: "the cluster answers again"})
	}
	changed := false
	if w.last == nil {
		evs = append(evs, Baseline(snap, w.opts.Diff))
		w.first = snap
	} else {
		diff := Diff(w.last, snap, w.opts.Diff)
		changed = len(diff) > 0
		evs = append(evs, diff...)
	}
	if w.last != nil {
		w.recent = append(w.recent, w.last)
		if len(w.recent) > WindowSamples {
			w.recent = w.recent[1:]
		}
	}
	w.last = snap
	m := Measure(snap)
	if err := w.appendMetrics(m); err != nil {
		return err
	}
	if err := w.record(evs); err != nil {
		return err
	}
	if err := w.maybeStore(snap, m, changed); err != nil {
		return err
	}
	return w.commit(nil)
}

// failed records a poll that collected nothing.
func (w *watcher) failed(cerr error) error {
	w.res.Failed++
	t := w.now()
	msg := strings.Join(strings.Fields(cerr.Error()), " ")
	if err := w.appendMetrics(Metrics{Time: t, Error: msg, TotalLag: -1}); err != nil {
		return err
	}
	if !w.failing {
		w.failing = true
		e := Event{Time: t, Kind: CollectFailed, Severity: findings.Critical, Summary: "cannot collect: " + msg}
		if err := w.record([]Event{e}); err != nil {
			return err
		}
	}
	return w.commit(nil)
}

func (w *watcher) appendMetrics(m Metrics) error {
	if err := w.metrics.append(m); err != nil {
		return err
	}
	return w.metrics.sync()
}

// record appends events to the journal, one write each, flushes them to
// disk and only then prints them: what the ticker showed is on disk.
func (w *watcher) record(evs []Event) error {
	for _, e := range evs {
		if err := w.events.append(e); err != nil {
			return err
		}
		w.res.Events++
	}
	if err := w.events.sync(); err != nil {
		return err
	}
	writeTicker(w.opts.Ticker, evs, w.opts.TickerFold)
	return nil
}

// commit brings the manifest up to date with the journals and new files,
// so a watch killed now leaves every flushed line covered by a hash.
func (w *watcher) commit(finished *time.Time) error {
	files := slices.Concat(w.newFiles, []File{w.events.entry(), w.metrics.entry()})
	err := updateManifest(w.opts.Out, func(m *Manifest) {
		for _, f := range files {
			m.upsert(f)
		}
		for _, rel := range w.dropped {
			m.remove(rel)
		}
		if w.last != nil {
			m.ClusterID = w.last.ClusterID
		}
		if finished != nil {
			m.FinishedAt = finished
		}
	})
	if err != nil {
		return err
	}
	w.newFiles = nil
	// Deleted only once the manifest no longer lists them: a watch killed
	// in between leaves an unlisted file, which readers tolerate, never a
	// listed one that is missing.
	for _, rel := range w.dropped {
		if err := os.Remove(filepath.Join(w.opts.Out, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	w.dropped = nil
	return nil
}

// finish stores the last snapshot and the triage of it, records the stop
// and marks the bundle finished.
func (w *watcher) finish() error {
	var errs []error
	if w.last != nil && w.store.last != w.last {
		_, err := w.write(w.last)
		errs = append(errs, err)
	}
	if w.last != nil {
		snap, prev := ReplayPair(w.first, w.last)
		errs = append(errs, w.writeFindings(triage.BuildFrom(checks.Input{Snap: snap, Previous: prev, Window: w.recent, Disk: w.opts.Disk})))
	}
	stopped := w.now()
	w.res.Stopped = stopped
	e := Event{Time: stopped, Kind: WatchStopped, Severity: findings.Info,
		Summary: fmt.Sprintf("watch stopped after %s: %d polls (%d failed), %d events, %d snapshots",
			stopped.Sub(w.res.Started).Round(time.Second), w.res.Polls, w.res.Failed, w.res.Events+1, w.res.Snapshots)}
	errs = append(errs, w.record([]Event{e}))
	errs = append(errs, w.commit(&stopped))
	return errors.Join(errs...)
}

func (w *watcher) writeFindings(r triage.Report) error {
	data, err := encodeJSON(r)
	if err != nil {
		return err
	}
	f, err := writeInPlace(w.opts.Out, FindingsFile, data)
	if err != nil {
		return err
	}
	w.newFiles = append(w.newFiles, f)
	return nil
}

// ReplayPair is the snapshot a replay judges and the earlier one it
// compares offsets with: the newest and the oldest of a recording, with no
// previous when they are the same snapshot.
func ReplayPair(first, last *snapshot.Snapshot) (snap, prev *snapshot.Snapshot) {
	if first == last || first == nil {
		return last, nil
	}
	return last, first
}
