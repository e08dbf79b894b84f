package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// Recording is recorded cluster state to run checks and runbooks on,
// offline.
type Recording struct {
	// Snap is the state judged; Previous an earlier one of the same
	// recording to compare offsets with, nil when there is none.
	Snap, Previous *snapshot.Snapshot
	// From describes where Snap came from, for the user.
	From string
	// Bundle is the bundle it came from, nil for a plain snapshot file.
	Bundle *Bundle
	// Window is the bundle's snapshots recorded shortly before Snap (within
	// TrendWindow), oldest first, for the checks that judge a trend.
	Window []*snapshot.Snapshot
}

// Moment is a time a user named, to the precision they named it: --at
// 03:12:05Z stands for that whole second, so it selects a snapshot taken at
// 03:12:05.300.
type Moment struct {
	At time.Time
	// Within is how long the moment lasts: zero for an exact instant.
	Within time.Duration
}

// IsZero reports whether no moment was named.
func (m Moment) IsZero() bool { return m.At.IsZero() }

// Last is the last instant the moment covers.
func (m Moment) Last() time.Time {
	if m.Within <= 0 {
		return m.At
	}
	return m.At.Add(m.Within - time.Nanosecond)
}

func (m Moment) String() string {
	if m.Within >= time.Second {
		return m.At.UTC().Format(TimeFormat)
	}
	return m.At.UTC().Format(time.RFC3339Nano)
}

// LoadRecording reads a bundle directory or a single snapshot file. In a
// bundle it takes the newest snapshot taken within or before at (the newest
// of all when at is zero) and the bundle's oldest as Previous. A moment
// before the bundle's first snapshot or after the end of its recording is
// refused, never answered with the nearest snapshot. Any problem with the
// input is an *Error naming the file.
func LoadRecording(path string, at Moment) (*Recording, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{Path: path, Problem: "no such bundle or snapshot file"}
	}
	if err != nil {
		return nil, &Error{Path: path, Problem: err.Error()}
	}
	if !st.IsDir() {
		if !at.IsZero() {
			return nil, &Error{Path: path, Problem: "is a single snapshot: a time selects among the snapshots of a bundle"}
		}
		s, err := ReadSnapshotFile(path)
		if err != nil {
			return nil, err
		}
		return &Recording{Snap: annotate(s), From: fmt.Sprintf("snapshot %s taken %s", path, s.TakenAt.UTC().Format(TimeFormat))}, nil
	}
	b, err := Open(path)
	if err != nil {
		return nil, err
	}
	return b.recording(at)
}

func (b *Bundle) recording(at Moment) (*Recording, error) {
	refs, err := b.Snapshots()
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, &Error{Path: b.Dir, Problem: "holds no snapshot to replay (the cluster never answered while it was recorded)"}
	}
	pick := len(refs) - 1
	if !at.IsZero() {
		span := fmt.Sprintf("it holds snapshots from %s to %s UTC", refs[0].Time.Format(TimeFormat), refs[len(refs)-1].Time.Format(TimeFormat))
		if end := b.end(refs); at.At.After(end) {
			return nil, &Error{Path: b.Dir, Problem: fmt.Sprintf("its recording ended at %s UTC, before %s: %s", end.Format(TimeFormat), at, span)}
		}
		for pick >= 0 && refs[pick].Time.After(at.Last()) {
			pick--
		}
		if pick < 0 {
			return nil, &Error{Path: b.Dir, Problem: fmt.Sprintf("has no snapshot at or before %s: %s", at, span)}
		}
	}
	snap, err := b.LoadSnapshot(refs[pick].Path)
	if err != nil {
		return nil, err
	}
	r := &Recording{Snap: annotate(snap), Bundle: b,
		From: fmt.Sprintf("bundle %s, %s (taken %s)", b.Dir, refs[pick].Path, snap.TakenAt.UTC().Format(TimeFormat))}
	if pick > 0 {
		first, err := b.LoadSnapshot(refs[0].Path)
		if err != nil {
			return nil, err
		}
		r.Previous = first
	}
	if r.Window, err = b.window(refs[:pick], snap.TakenAt); err != nil {
		return nil, err
	}
	return r, nil
}

// end is when the bundle's recording ended: when it finished, or, for a
// watch still running or killed, the last thing it recorded.
func (b *Bundle) end(refs []SnapshotRef) time.Time {
	var end time.Time
	if b.Manifest.FinishedAt != nil {
		end = *b.Manifest.FinishedAt
	}
	for _, m := range b.Metrics {
		end = latest(end, m.Time)
	}
	for _, e := range b.Events {
		end = latest(end, e.Time)
	}
	for _, r := range refs {
		end = latest(end, r.Time)
	}
	return end.UTC()
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TrendWindow is how far back a replay looks for the samples the trend
// checks (consumer lag, rebalances) judge, and WindowSamples how many of
// the newest it takes.
const (
	TrendWindow   = 15 * time.Minute
	WindowSamples = 10
)

// window loads the snapshots recorded within TrendWindow before t, the
// newest WindowSamples of them, oldest first.
func (b *Bundle) window(before []SnapshotRef, t time.Time) ([]*snapshot.Snapshot, error) {
	var out []*snapshot.Snapshot
	for i := len(before) - 1; i >= 0 && len(out) < WindowSamples; i-- {
		if t.Sub(before[i].Time) > TrendWindow {
			break
		}
		s, err := b.LoadSnapshot(before[i].Path)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	slices.Reverse(out)
	return out, nil
}

// ReadSnapshotFile decodes one snapshot document; problems are an *Error.
func ReadSnapshotFile(path string) (*snapshot.Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Problem: unwrapPath(err)}
	}
	defer f.Close()
	// The user named this file, so a link or a pipe (/dev/stdin) is fine;
	// a device would be read until the cap, and a file above it never fits.
	if st, err := f.Stat(); err == nil {
		switch {
		case st.Mode()&fs.ModeDevice != 0:
			return nil, &Error{Path: path, Problem: "is a device, not a snapshot file"}
		case st.Mode().IsRegular() && st.Size() > snapshot.MaxDocumentBytes:
			return nil, &Error{Path: path, Problem: fmt.Sprintf("is %d bytes, more than a snapshot may hold (%s)", st.Size(), sizeText(snapshot.MaxDocumentBytes))}
		}
	}
	s, err := snapshot.Decode(f)
	if err != nil {
		return nil, &Error{Path: path, Problem: err.Error()}
	}
	if s.TakenAt.IsZero() {
		var doc io.Reader // a pipe cannot be read again: the problem is then said without the document's kind
		if _, err := f.Seek(0, io.SeekStart); err == nil {
			doc = f
		}
		return nil, &Error{Path: path, Problem: notSnapshot(s, doc)}
	}
	return s, nil
}

func unwrapPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// notRecorded is the message for a part a recording skipped.
const notRecorded = "not recorded (evidence watch skips log dirs unless --log-dirs)"

// annotate marks log dirs as not collected when a recording skipped them,
// so checks on them say "cannot evaluate" instead of a silent OK. Every
// live broker has at least one log dir, so none at all and no error means
// the part was not asked for.
func annotate(s *snapshot.Snapshot) *snapshot.Snapshot {
	if len(s.LogDirs) > 0 || len(s.ErrorsFor(snapshot.SourceLogDirs)) > 0 || len(s.Brokers) == 0 {
		return s
	}
	c := *s
	c.Errors = append(append([]snapshot.CollectError{}, s.Errors...), snapshot.CollectError{
		Source: snapshot.SourceLogDirs, Broker: -1, Kind: snapshot.KindOther, Message: notRecorded,
	})
	c.Normalize()
	return &c
}

// Source returns a runbook source that answers every step with the
// recorded snapshot: a replay sees one moment, so steps that sample twice
// see no change.
func (r *Recording) Source() source.Cluster {
	return source.Func(func(context.Context, source.Parts) (*snapshot.Snapshot, error) {
		return r.Snap, nil
	})
}

// Env returns a runbook environment for an offline replay: the recorded
// source, no per-broker probes (those steps say they cannot evaluate), no
// waiting between samples, and no plan directory (the caller chooses one).
func (r *Recording) Env(cmds runbooks.Commands) *runbooks.Env {
	if cmds.Bootstrap == "" {
		for i, ep := range r.Snap.Bootstrap {
			if i > 0 {
				cmds.Bootstrap += ","
			}
			cmds.Bootstrap += ep.Address
		}
	}
	window := r.Window
	if window == nil {
		window = []*snapshot.Snapshot{} // a replay: never sample the one recorded moment as if it were a trend
	}
	return &runbooks.Env{
		Source: r.Source(), Previous: r.Previous, Commands: cmds, Window: window,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}
