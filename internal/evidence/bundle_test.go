package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

var update = flag.Bool("update", false, "rewrite the golden files and the fixture bundle")

// fixtureDir is a bundle of the fixture incident, kept in the repository
// so that later versions of the tool are tested against a v1 bundle.
const fixtureDir = "testdata/bundle-v1"

var fixtureArgs = []string{"kafka-runbook", "evidence", "watch", "--interval", "5s", "--for", "35s", "--lag-threshold", "10000",
	"--out", "bundle-v1", "-X", "sasl.password=" + RedactedValue}

// writeFixture records the fixture incident into dir with a fake clock
// and returns the ticker output.
func writeFixture(t *testing.T, dir string) (WatchResult, string) {
	t.Helper()
	clock := &fakeClock{now: t0}
	var ticker bytes.Buffer
	res, err := Watch(context.Background(), WatchOptions{
		Collect: seriesCollector(fixtureSeries()), Interval: 5 * time.Second, For: 35 * time.Second,
		Out: dir, Ticker: &ticker, Diff: DiffOptions{LagThresholds: []int64{10000}}, SnapshotMinGap: 10 * time.Second,
		Meta: Meta{ToolVersion: "v1.0.0-fixture", Args: fixtureArgs}, Now: clock.Now, Sleep: clock.Sleep,
	})
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	_, err = RecordTranscript(dir, fixtureTranscript(), Meta{ToolVersion: "v1.0.0-fixture",
		Args: []string{"kafka-runbook", "run", "broker-failure", "--from", "bundle-v1", "--record", "bundle-v1"}},
		func() time.Time { return t0.Add(40 * time.Second) })
	if err != nil {
		t.Fatalf("RecordTranscript: %v", err)
	}
	return res, ticker.String()
}

// readTree returns every non-hidden file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/evidence -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; diff it against -update's version\n--- got ---\n%s", path, got)
	}
}

func TestWatchRecordsTheFixtureIncident(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle-v1")
	res, ticker := writeFixture(t, dir)
	// Snapshots: the first poll, every poll that changed a finding (03:10:05,
	// :10, :20, :25, :30) and the last.
	if res.Polls != 8 || res.Failed != 1 || res.Snapshots != 7 {
		t.Errorf("result = %+v, want 8 polls, 1 failed, 7 snapshots", res)
	}
	golden(t, "ticker.golden", []byte(ticker))
	got := readTree(t, dir)
	if *update {
		if err := os.RemoveAll(fixtureDir); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(fixtureDir, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	want := readTree(t, fixtureDir)
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Fatalf("files = %v\nfixture has %v (run go test ./internal/evidence -update)", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	// findings.json is the checks' output, which changes with their
	// wording; everything the evidence writer decides must not.
	delete(got, FindingsFile)
	got[ManifestFile] = withoutFindings(t, got[ManifestFile])
	want[ManifestFile] = withoutFindings(t, want[ManifestFile])
	for name, data := range got {
		if !bytes.Equal(data, want[name]) {
			t.Errorf("%s differs from %s: the writer is not deterministic, or the format changed (run -update and review)", name, fixtureDir)
		}
	}
}

// withoutFindings drops findings.json's entry from a manifest.
func withoutFindings(t *testing.T, manifest []byte) []byte {
	t.Helper()
	var m Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	m.Files = slices.DeleteFunc(m.Files, func(f File) bool { return f.Path == FindingsFile })
	out, err := encodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFixtureEventsInOrder(t *testing.T) {
	b, err := Open(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Warnings) != 0 {
		t.Errorf("warnings on a finished bundle: %v", b.Warnings)
	}
	// The broker-failure story, in the order a watch must record it.
	story := []string{
		"watch_started", "broker_unreachable broker 3", "broker_fenced broker 3", "isr_shrink payments/1",
		"log_end_backwards orders/2", "partition_offline audit-log/0", "leader_moved orders/2 warning",
		"collect_failed", "collect_recovered", "config_changed payments", "lag_above group billing",
		"broker_unfenced broker 3", "isr_expand orders/0", "partition_online audit-log/0",
		"isr_expand orders/1", "leader_moved orders/2 info", "watch_stopped",
	}
	next := 0
	for _, e := range b.Events {
		if next < len(story) && strings.HasPrefix(brief(e), story[next]) {
			next++
		}
	}
	if next < len(story) {
		var got []string
		for _, e := range b.Events {
			got = append(got, e.Time.Format("15:04:05")+" "+brief(e))
		}
		t.Errorf("missing %q in order; events:\n%s", story[next], strings.Join(got, "\n"))
	}
	if len(b.Metrics) != 8 || !b.Metrics[3].Failed() {
		t.Errorf("metrics: %d lines, 4th failed=%v", len(b.Metrics), len(b.Metrics) > 3 && b.Metrics[3].Failed())
	}
	if got := b.Manifest.Commands[0].Args; !slices.Equal(got, fixtureArgs) {
		t.Errorf("command line = %q", got)
	}
}

func TestCaptureIsAtomicAndComplete(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "cap")
	snap := fixtureSeries()[2]
	report, err := Capture(CaptureOptions{Out: dir, Snapshot: snap, Started: t0, Meta: Meta{ToolVersion: "test"}, Now: func() time.Time { return t0.Add(time.Second) }})
	if err != nil {
		t.Fatal(err)
	}
	if report.Status.String() != "CRITICAL" {
		t.Errorf("status = %s", report.Status)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 || entries[0].Name() != "cap" {
		t.Errorf("parent holds %v, want only the bundle (no temporary directory)", entries)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Manifest.Finished() || b.Manifest.ClusterID != "fixture-cluster-1" || len(b.Manifest.Files) != 2 {
		t.Errorf("manifest = %+v", b.Manifest)
	}
	if _, err := Capture(CaptureOptions{Out: dir, Snapshot: snap, Started: t0}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("capture over an existing bundle: %v", err)
	}
}

func TestCaptureFailureLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	// A file where the snapshots directory must go makes staging fail
	// midway; nothing may appear under the final name.
	st, err := stage(filepath.Join(parent, "b"), Meta{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(st.tmp, SnapshotsDir), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeCapture(st, fixtureSeries()[0], triage.Build(fixtureSeries()[0], nil), time.Now); err == nil {
		t.Fatal("no error")
	}
	st.abort()
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left %v behind", entries)
	}
}

func TestRecordTranscriptCreatesABundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	name, err := RecordTranscript(dir, fixtureTranscript(), Meta{ToolVersion: "test"}, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	trs, err := b.Transcripts()
	if err != nil || len(trs) != 1 || trs[0].Runbook.Name != "broker-failure" {
		t.Fatalf("transcripts = %v, %v", trs, err)
	}
	if name != "transcripts/20260314T031000.000Z-broker-failure.json" {
		t.Errorf("name = %s", name)
	}
	again, err := RecordTranscript(dir, fixtureTranscript(), Meta{}, func() time.Time { return t0 })
	if err != nil || again == name {
		t.Errorf("second record = %s, %v; want a new name", again, err)
	}
}

func TestRedactArgs(t *testing.T) {
	in := []string{"kafka-runbook", "-X", "sasl.password=hunter2", "--property", "ssl.keystore.password=x", "-Xsasl.jaas.config=abc",
		"--property=client.id=me", "-X=oauth.token=t", "--command-config", "/etc/kafka/client.properties", "-X", "acks=all", "-X", "noequals"}
	want := []string{"kafka-runbook", "-X", "sasl.password=[redacted]", "--property", "ssl.keystore.password=[redacted]", "-Xsasl.jaas.config=[redacted]",
		"--property=client.id=me", "-Xoauth.token=[redacted]", "--command-config", "/etc/kafka/client.properties", "-X", "acks=all", "-X", "noequals"}
	if got := RedactArgs(in); !slices.Equal(got, want) {
		t.Errorf("RedactArgs =\n%q\nwant\n%q", got, want)
	}
	if in[2] != "sasl.password=hunter2" {
		t.Error("RedactArgs changed its input")
	}
}
