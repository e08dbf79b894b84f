package evidence

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// storeSeries is a watch of a broker loss, one poll a second. billing
// stalls from poll 1 on; orders/0 takes more writes at polls 3 to 5, so its
// lag grows without any finding changing: poll 4 is the worst moment (as
// broken as polls 2 to 5, the most lag, the first with it), a poll no
// finding change would keep.
func storeSeries() []*snapshot.Snapshot {
	produced := map[int]int64{3: 100, 4: 300, 5: 300}
	var out []*snapshot.Snapshot
	for i := range 8 {
		c := newCluster(t0.Add(time.Duration(i)*time.Second), 0)
		if i >= 2 && i <= 5 {
			c.brokerThreeDown()
		}
		c.p("orders", 0).LatestOffset += produced[i]
		c.relag()
		c.s.Normalize()
		out = append(out, c.s)
	}
	return out
}

func watchSeries(t *testing.T, series []*snapshot.Snapshot, opts WatchOptions) (string, WatchResult) {
	t.Helper()
	clock := &fakeClock{now: t0}
	dir := filepath.Join(t.TempDir(), "w")
	opts.Collect, opts.Interval, opts.For, opts.Out = seriesCollector(series), time.Second, time.Duration(len(series)-1)*time.Second, dir
	opts.Now, opts.Sleep = clock.Now, clock.Sleep
	if opts.SnapshotEvery == 0 {
		opts.SnapshotEvery = time.Hour // only the snapshots that must be kept
	}
	if opts.SnapshotMinGap == 0 {
		opts.SnapshotMinGap = time.Hour
	}
	res, err := Watch(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res
}

func storedSeconds(t *testing.T, dir string) []int {
	t.Helper()
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Warnings) != 0 {
		t.Errorf("warnings: %v", b.Warnings)
	}
	refs, err := b.Snapshots()
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, r := range refs {
		out = append(out, int(r.Time.Sub(t0)/time.Second))
	}
	entries, _ := os.ReadDir(filepath.Join(dir, SnapshotsDir))
	if len(entries) != len(refs) {
		t.Errorf("%d snapshot files, %d in the manifest: a replaced snapshot was left behind", len(entries), len(refs))
	}
	return out
}

// TestWatchKeepsEveryFindingChangeAndTheWorstMoment: issue 14 item 3.
func TestWatchKeepsEveryFindingChangeAndTheWorstMoment(t *testing.T) {
	dir, res := watchSeries(t, storeSeries(), WatchOptions{})
	// 0 first; 1 billing stalls and 2 broker 3 is lost (findings appear);
	// 3 then 4 the worst so far (4 replaces 3, both kept only as the
	// worst); 6 broker 3 back (findings clear); 7 the last. 5 is as bad as
	// 4, later, and changes no finding.
	got := storedSeconds(t, dir)
	if want := []int{0, 1, 2, 4, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("snapshots at seconds %v, want %v", got, want)
	}
	if res.Snapshots != len(got) {
		t.Errorf("result counts %d snapshots, the bundle holds %d", res.Snapshots, len(got))
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := BuildReport(b)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := worst(r.Metrics)
	if !w.Time.Equal(t0.Add(4 * time.Second)) {
		t.Fatalf("worst moment %s, want poll 4", w.Time)
	}
	replay := "kafka-runbook triage --from " + dir + " --at " + w.Time.Format(ExactTimeFormat)
	if !strings.Contains(strings.Join(r.Summary(), "\n"), replay) {
		t.Errorf("summary does not say how to replay the worst moment (%s):\n%s", replay, strings.Join(r.Summary(), "\n"))
	}
	for _, at := range []Moment{{At: w.Time}, {At: w.Time.Truncate(time.Second), Within: time.Second}} {
		rec, err := LoadRecording(dir, at)
		if err != nil {
			t.Fatal(err)
		}
		if !rec.Snap.TakenAt.Equal(w.Time) || Measure(rec.Snap) != w {
			t.Errorf("--at %s replays %s, want the worst moment %s", at, rec.Snap.TakenAt, w.Time)
		}
	}
}

func TestWatchSnapshotBudgetAndDuplicates(t *testing.T) {
	// A snapshot every poll is asked for (SnapshotEvery 1s), but the budget
	// (room for about two) stops the periodic ones; findings changes, the
	// worst moment and the last are still kept.
	series := storeSeries()
	one, _, err := encodeSnapshot(series[0])
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := watchSeries(t, series, WatchOptions{SnapshotEvery: time.Second, SnapshotBudget: int64(len(one)) * 5 / 2})
	if got, want := storedSeconds(t, dir), []int{0, 1, 2, 4, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("snapshots at seconds %v, want %v", got, want)
	}
	b, _ := Open(dir)
	spent := 0
	for _, e := range b.Events {
		if e.Kind == SnapshotBudgetSpent {
			spent++
		}
	}
	if spent != 1 {
		t.Errorf("%d %s events, want 1", spent, SnapshotBudgetSpent)
	}

	// With room to spare, the periodic snapshots are kept (3, which is no
	// longer replaced by 4), but never two of the same state: 5 repeats 4.
	dir, _ = watchSeries(t, series, WatchOptions{SnapshotEvery: time.Second})
	if got, want := storedSeconds(t, dir), []int{0, 1, 2, 3, 4, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("snapshots at seconds %v, want %v", got, want)
	}
}

func TestRecordingRefusesMomentsOutsideIt(t *testing.T) {
	dir, _ := watchSeries(t, storeSeries(), WatchOptions{})
	tests := []struct {
		name string
		at   Moment
		want string // the snapshot's second, or the error
	}{
		{"the whole second the user typed", Moment{At: t0.Add(4 * time.Second), Within: time.Second}, "4"},
		{"between two snapshots: the one before", Moment{At: t0.Add(5 * time.Second)}, "4"},
		{"the end of the recording", Moment{At: t0.Add(7 * time.Second)}, "7"},
		{"before the first snapshot", Moment{At: t0.Add(-time.Second)}, "has no snapshot at or before 2026-03-14T03:09:59Z: it holds snapshots from 2026-03-14T03:10:00Z to 2026-03-14T03:10:07Z UTC"},
		{"after the end", Moment{At: t0.Add(time.Minute), Within: time.Second}, "its recording ended at 2026-03-14T03:10:07Z UTC, before 2026-03-14T03:11:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := LoadRecording(dir, tt.at)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = rec.Snap.TakenAt.Sub(t0).String()
				got = strings.TrimSuffix(got, "s")
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadSnapshotFileRefusesOtherDocuments(t *testing.T) {
	dir := t.TempDir()
	docs := map[string]string{
		"triage.json":     `{"schema_version": 1, "cluster": {"id": "x"}, "status": "CRITICAL", "findings": []}`,
		"manifest.json":   `{"schema_version": 1, "tool": {"name": "kafka-runbook"}, "files": []}`,
		"transcript.json": `{"schema_version": 1, "runbook": {"name": "broker-failure"}, "steps": []}`,
		"other.json":      `{"schema_version": 1}`,
	}
	want := map[string]string{
		"triage.json": "is a triage report", "manifest.json": "give the bundle's directory",
		"transcript.json": "is a runbook transcript", "other.json": "has no taken_at",
	}
	for name, doc := range docs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadRecording(p, Moment{})
		if err == nil || !strings.Contains(err.Error(), want[name]) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: %v, want %q", name, err, want[name])
		}
	}
}
