package evidence

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// A broker lost on a 30,000-partition cluster is ~20,000 events in one
// poll: they must all reach the journal, the ticker must stay readable, and
// the poll must not take long.
func TestWatchLargeBrokerLoss(t *testing.T) {
	series := []*snapshot.Snapshot{largeCluster(t0, 300, 0), largeCluster(t0.Add(5*time.Second), 300, 3)}
	clock := &fakeClock{now: t0}
	var ticker bytes.Buffer
	dir := filepath.Join(t.TempDir(), "large")
	start := time.Now()
	res, err := Watch(context.Background(), WatchOptions{Collect: seriesCollector(series), Interval: 5 * time.Second, For: 5 * time.Second,
		Out: dir, Ticker: &ticker, Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != res.Events || res.Events < 20000 {
		t.Errorf("%d events recorded, %d read back", res.Events, len(b.Events))
	}
	lines := strings.Count(ticker.String(), "\n")
	if lines > 40 || !strings.Contains(ticker.String(), "more isr_shrink events") {
		t.Errorf("ticker printed %d lines for %d events:\n%s", lines, res.Events, ticker.String())
	}
	t.Logf("%d events, %d ticker lines, watch took %s", res.Events, lines, elapsed)
	if elapsed > 20*time.Second {
		t.Errorf("two polls took %s", elapsed)
	}
}

func TestWatchStopsOnContextAndFinishes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := &fakeClock{now: t0}
	polls := 0
	collect := func(context.Context) (*snapshot.Snapshot, error) {
		polls++
		if polls == 3 {
			cancel() // Ctrl-C during the third poll
			return nil, context.Canceled
		}
		return newCluster(clock.now, polls).s, nil
	}
	dir := filepath.Join(t.TempDir(), "w")
	res, err := Watch(ctx, WatchOptions{Collect: collect, Interval: time.Second, Out: dir, Now: clock.Now, Sleep: clock.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	if res.Polls != 2 || res.Failed != 0 {
		t.Errorf("result %+v: the interrupted poll must not count as a failure", res)
	}
	b, err := Open(dir)
	if err != nil || !b.Manifest.Finished() {
		t.Fatalf("bundle: %v", err)
	}
	if _, ok, _ := b.Findings(); !ok {
		t.Error("no findings.json after Ctrl-C")
	}
}

func TestWatchRefusesBadOptionsAndExistingDir(t *testing.T) {
	dir := t.TempDir()
	ok := func(context.Context) (*snapshot.Snapshot, error) { return nil, errors.New("unused") }
	for _, o := range []WatchOptions{
		{Interval: time.Second, Out: filepath.Join(dir, "a")},
		{Collect: ok, Out: filepath.Join(dir, "b")},
		{Collect: ok, Interval: time.Second, For: -time.Second, Out: filepath.Join(dir, "c")},
		{Collect: ok, Interval: time.Second, Out: dir},
	} {
		if _, err := Watch(context.Background(), o); err == nil {
			t.Errorf("Watch(%+v) did not fail", o)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused watches left %v", entries)
	}
}
