package evidence

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// helperDirEnv makes the test binary act as a watch process writing to the
// named bundle, for the SIGKILL test.
const helperDirEnv = "EVIDENCE_TEST_WATCH_DIR"

func TestWatchHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestWatchSurvivesSIGKILL")
	}
	series := fixtureSeries()
	n := 0
	collect := func(context.Context) (*snapshot.Snapshot, error) {
		s := series[n%len(series)]
		n++
		return seriesCollector([]*snapshot.Snapshot{s})(context.Background())
	}
	_, err := Watch(context.Background(), WatchOptions{Collect: collect, Interval: 10 * time.Millisecond, Out: dir,
		SnapshotMinGap: time.Nanosecond, Diff: DiffOptions{LagThresholds: []int64{10000}}})
	t.Fatalf("watch ended: %v", err) // it must run until killed
}

func TestWatchSurvivesSIGKILL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "killed")
	cmd := exec.Command(os.Args[0], "-test.run=^TestWatchHelperProcess$")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait() //nolint:errcheck // reaped after the kill below
	deadline := time.Now().Add(30 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(dir, EventsFile))
		if bytes.Count(data, []byte{'\n'}) >= 60 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the watch process wrote fewer than 60 events in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to finish
		t.Fatal(err)
	}
	_ = cmd.Wait()
	onDisk, _ := os.ReadFile(filepath.Join(dir, EventsFile))
	complete := bytes.Count(onDisk, []byte{'\n'})

	b, err := Open(dir)
	if err != nil {
		t.Fatalf("a killed watch left an unreadable bundle: %v", err)
	}
	if b.Manifest.Finished() {
		t.Error("a killed watch's bundle says it finished")
	}
	if len(b.Events) < complete || len(b.Events) < 60 {
		t.Errorf("read %d events, %d complete lines on disk", len(b.Events), complete)
	}
	if b.Events[0].Kind != WatchStarted {
		t.Errorf("first event %s", b.Events[0].Kind)
	}
	t.Logf("warnings after SIGKILL: %q", b.Warnings)
	// Everything downstream works on what was kept.
	if _, err := LoadRecording(dir, Moment{}); err != nil {
		t.Errorf("replay: %v", err)
	}
	r, err := BuildReport(b)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if r.TriageFrom == FindingsFile {
		t.Error("report claims a findings.json the killed watch never wrote")
	}
}
