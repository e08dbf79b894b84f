package evidence

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit/diskseries"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// TestWatchKeepsTheTimeToFull: a watch over a log dir filling at 50 MiB/s
// (5 GiB left: full in 102 s) stores only its first and last polls, as
// nothing else changes; the bundle's findings and a replay of the bundle
// both give the time to full from them.
func TestWatchKeepsTheTimeToFull(t *testing.T) {
	series := diskseries.Filling(func() *snapshot.Snapshot { return newCluster(t0, 0).s }, 2*time.Second)
	clock := &fakeClock{now: series[0].TakenAt}
	dir := filepath.Join(t.TempDir(), "disk")
	res, err := Watch(context.Background(), WatchOptions{Collect: seriesCollector(series), Interval: 2 * time.Second, For: 6 * time.Second,
		Out: dir, Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if res.Polls != 4 {
		t.Fatalf("%d polls, want 4", res.Polls)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, fs []findings.Finding) {
		t.Helper()
		for _, f := range fs {
			if f.Code != findings.LogDirLowSpace {
				continue
			}
			ttf, ok := f.Evidence["seconds_to_full"].(float64)
			if f.Broker == nil || *f.Broker != 1 || f.LogDir != "/data" || !ok || ttf < 100 || ttf > 105 {
				t.Errorf("%s: %s %v, want broker 1 /data full in ~102s", what, f.Subject(), f.Evidence)
			}
			return
		}
		t.Errorf("%s: no LOG_DIR_LOW_SPACE in %+v", what, fs)
	}
	report, ok, err := b.Findings()
	if err != nil || !ok {
		t.Fatalf("bundle findings: %v (present %v)", err, ok)
	}
	check("bundle findings", report.Findings)
	rec, err := LoadRecording(dir, Moment{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Window) == 0 {
		t.Fatal("the replay has no window: no time to full")
	}
	check("replay", triage.BuildFrom(checks.Input{Snap: rec.Snap, Previous: rec.Previous, Window: rec.Window}).Findings)
}
