package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// silentBroker listens on 127.0.0.1 and counts connections, to prove that
// a replay never touches the network.
func silentBroker(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return l.Addr().String(), &n
}

// captureDemo captures the demo incident into a new bundle.
func captureDemo(t *testing.T, addr string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "incident")
	out, stderr, code := run(t, nil, "evidence", "capture", "-b", addr, "--out", dir, "-X", "client.id=drill")
	if code != 2 { // the demo's triage: CRITICAL, as triage exits
		t.Fatalf("capture: exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(out) != dir {
		t.Errorf("capture printed %q, want the bundle path", out)
	}
	return dir
}

func TestTriageFromBundleEqualsLiveTriage(t *testing.T) {
	addr := demoCluster(t)
	live, _, liveCode := run(t, nil, "triage", "-b", addr, "-o", "json")
	dir := captureDemo(t, addr)
	silent, conns := silentBroker(t)
	replay, stderr, code := run(t, nil, "triage", "--from", dir, "-b", silent, "-o", "json")
	if code != liveCode || code != 2 {
		t.Fatalf("replay exit %d, live %d, want 2; stderr: %s", code, liveCode, stderr)
	}
	recorded, err := os.ReadFile(filepath.Join(dir, evidence.FindingsFile))
	if err != nil {
		t.Fatal(err)
	}
	if replay != string(recorded) {
		t.Errorf("triage --from differs from the findings recorded at capture time")
	}
	// A bundle records more than triage collects (log end offsets, for
	// one), so the replay may run checks that live triage skipped for want
	// of them. Everything else is the same, and the replay never skips a
	// check that live triage ran.
	replayRest, replaySkipped := splitSkipped(t, replay)
	liveRest, liveSkipped := splitSkipped(t, live)
	if stripVolatile(replayRest) != stripVolatile(liveRest) {
		t.Errorf("triage --from differs from live triage:\n%s\n---\n%s", replay, live)
	}
	for check := range replaySkipped {
		if !liveSkipped[check] {
			t.Errorf("triage --from skipped %s, which live triage ran", check)
		}
	}
	if conns.Load() != 0 {
		t.Errorf("triage --from opened %d connections to --bootstrap-server", conns.Load())
	}
	if !strings.Contains(stderr, "offline") {
		t.Errorf("stderr does not say the replay is offline: %s", stderr)
	}
}

// splitSkipped returns a triage report without its skipped checks, and
// their names.
func splitSkipped(t *testing.T, report string) (string, map[string]bool) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(report), &doc); err != nil {
		t.Fatalf("triage report: %v", err)
	}
	skipped := map[string]bool{}
	list, _ := doc["skipped"].([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			skipped[fmt.Sprint(m["check"])] = true
		}
	}
	delete(doc, "skipped")
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b), skipped
}

func TestCaptureRecordsTheCommandLineWithoutSecrets(t *testing.T) {
	addr := demoCluster(t)
	props := filepath.Join(t.TempDir(), "client.properties")
	secret := "s3cr3t-in-file"
	if err := os.WriteFile(props, []byte("client.id=from-file\n# "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "b")
	_, stderr, code := run(t, nil, "evidence", "capture", "-b", addr, "--command-config", props, "-X", "ssl.key.password=hunter2", "--out", dir)
	if code != 2 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(b.Manifest.Commands[0].Args, " ")
	for _, want := range []string{"evidence capture", "--command-config=" + props, "ssl.key.password=[redacted]"} {
		if !strings.Contains(args, want) {
			t.Errorf("command line %q lacks %q", args, want)
		}
	}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		if strings.Contains(string(data), "hunter2") || strings.Contains(string(data), secret) {
			t.Errorf("%s contains a secret", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWatchOnTheSimulatedCluster(t *testing.T) {
	addr := demoCluster(t)
	dir := filepath.Join(t.TempDir(), "watch")
	out, stderr, code := run(t, nil, "evidence", "watch", "-b", addr, "--interval", "100ms", "--for", "1s", "--out", dir, "--lag-threshold", "1000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// How many polls fit in --for depends on the machine's load; every
	// poll has a metrics line, and the watch starts and stops cleanly.
	last := b.Events[len(b.Events)-1]
	if !b.Manifest.Finished() || len(b.Metrics) < 1 || b.Events[0].Kind != evidence.WatchStarted || last.Kind != evidence.WatchStopped {
		t.Errorf("manifest finished=%v, %d metrics, events %v ... %v", b.Manifest.Finished(), len(b.Metrics), b.Events[0].Kind, last.Kind)
	}
	if want := fmt.Sprintf("%d polls", len(b.Metrics)); !strings.Contains(stderr, want) {
		t.Errorf("stderr does not report %s: %s", want, stderr)
	}
	first := strings.SplitN(out, "\n", 2)[0]
	if _, err := time.Parse(evidence.TimeFormat, strings.Fields(first)[0]); err != nil || !strings.Contains(first, "broker 3 down") {
		t.Errorf("ticker line %q: want a UTC time and the starting state", first)
	}
	if _, _, err := b.FirstLast(); err != nil {
		t.Error(err)
	}
}

func TestRunFromBundleIsOfflineAndRecords(t *testing.T) {
	addr := demoCluster(t)
	dir := captureDemo(t, addr)
	silent, conns := silentBroker(t)
	out, stderr, code := run(t, nil, "run", "broker-failure", "--from", dir, "--record", dir, "--yes", "-o", "json", "-b", silent, "--plan-dir", t.TempDir())
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr)
	}
	var tr runbooks.Transcript
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatalf("transcript: %v", err)
	}
	if conns.Load() != 0 {
		t.Errorf("run --from opened %d connections", conns.Load())
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	trs, err := b.Transcripts()
	if err != nil || len(trs) != 1 || trs[0].Status != tr.Status || len(b.Manifest.Commands) != 2 {
		t.Fatalf("recorded %d transcripts (%v), %d commands", len(trs), err, len(b.Manifest.Commands))
	}
	if args := strings.Join(b.Manifest.Commands[1].Args, " "); !strings.Contains(args, "run --bootstrap-server="+silent+" --from="+dir) || !strings.Contains(args, "broker-failure") {
		t.Errorf("recorded command %q", args)
	}
	md, _, code := run(t, nil, "evidence", "report", dir)
	if code != 0 || !strings.Contains(md, "Runbook broker-failure") || !strings.Contains(md, "## Timeline") {
		t.Errorf("report exit %d:\n%s", code, md)
	}
}

func TestEvidenceReportHTMLAndDiff(t *testing.T) {
	addr := demoCluster(t)
	dir := captureDemo(t, addr)
	html := filepath.Join(t.TempDir(), "r.html")
	if _, stderr, code := run(t, nil, "evidence", "report", dir, "--out", html); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.HasPrefix(string(page), "<!DOCTYPE html>") || strings.Count(string(page), "<svg") != 3 {
		t.Errorf("--out x.html did not write the HTML report (%v)", err)
	}
	snapFile := filepath.Join(t.TempDir(), "s.json")
	if _, stderr, code := run(t, nil, "snapshot", "-b", addr, "-f", snapFile); code != 0 {
		t.Fatalf("snapshot: %s", stderr)
	}
	out, stderr, code := run(t, nil, "evidence", "diff", dir, snapFile, "-o", "json")
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	var c evidence.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.A.ClusterID != c.B.ClusterID || len(c.Brokers) != 0 {
		t.Errorf("diff JSON %v: %+v", err, c)
	}
	if out, _, code := run(t, nil, "evidence", "diff", dir, dir, "-o", "markdown"); code != 0 || !strings.Contains(out, "### Leaders") {
		t.Errorf("diff of a bundle with itself, markdown: exit %d\n%s", code, out)
	}
}

func TestBadEvidenceInputIsOneClearLineAndExit3(t *testing.T) {
	addr := demoCluster(t)
	dir := captureDemo(t, addr)
	tmp := t.TempDir()
	tampered := filepath.Join(tmp, "tampered")
	if err := os.CopyFS(tampered, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	findingsPath := filepath.Join(tampered, evidence.FindingsFile)
	recorded, _ := os.ReadFile(findingsPath)
	if err := os.WriteFile(findingsPath, []byte(strings.Replace(string(recorded), `"status": "critical"`, `"status": "warning!"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(tmp, "truncated")
	if err := os.CopyFS(truncated, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(truncated, evidence.FindingsFile), recorded[:100], 0o644)
	badSnap := filepath.Join(tmp, "bad.json")
	_ = os.WriteFile(badSnap, []byte(`{"schema_version": 1, "brokers": [`), 0o644)
	futureSnap := filepath.Join(tmp, "future.json")
	_ = os.WriteFile(futureSnap, []byte(`{"schema_version": 42}`), 0o644)
	empty := filepath.Join(tmp, "empty")
	_ = os.Mkdir(empty, 0o755)
	tests := []struct {
		name    string
		args    []string
		mention []string
	}{
		{"report missing bundle", []string{"evidence", "report", filepath.Join(tmp, "nope")}, []string{"nope", "no such bundle"}},
		{"report directory without manifest", []string{"evidence", "report", empty}, []string{"manifest.json", "missing"}},
		{"report tampered bundle", []string{"evidence", "report", tampered}, []string{"findings.json", "sha256"}},
		{"triage from tampered bundle", []string{"triage", "--from", tampered, "-b", "127.0.0.1:9"}, []string{"findings.json", "changed after it was written"}},
		{"report truncated bundle", []string{"evidence", "report", truncated}, []string{"findings.json", "truncated"}},
		{"triage from bad JSON", []string{"triage", "--from", badSnap}, []string{"bad.json", "not valid JSON"}},
		{"triage from newer schema", []string{"triage", "--from", futureSnap}, []string{"future.json", "newer"}},
		{"triage at before the recording", []string{"triage", "--from", dir, "--at", "2000-01-01T00:00:00Z"}, []string{"no snapshot at or before"}},
		{"at without from", []string{"triage", "--at", "2026-01-01T00:00:00Z", "-b", "127.0.0.1:9"}, []string{"--from"}},
		{"triage at not a time", []string{"triage", "--from", dir, "--at", "yesterday"}, []string{"--at"}},
		{"run from missing", []string{"run", "broker-failure", "--from", filepath.Join(tmp, "gone"), "--yes", "--plan-dir", tmp}, []string{"gone"}},
		{"record into a non-bundle", []string{"run", "broker-failure", "--from", dir, "--record", empty, "--yes", "--plan-dir", tmp}, []string{"manifest.json"}},
		{"diff one snapshot", []string{"evidence", "diff", badSnap}, []string{"single snapshot"}},
		{"diff bad snapshot", []string{"evidence", "diff", dir, badSnap}, []string{"bad.json"}},
		{"report unknown format", []string{"evidence", "report", dir, "--format", "pdf"}, []string{"pdf"}},
		{"watch interval too short", []string{"evidence", "watch", "-b", "127.0.0.1:9", "--interval", "0s"}, []string{"--interval"}},
		{"watch into existing bundle", []string{"evidence", "watch", "-b", addr, "--out", dir, "--for", "1s"}, []string{"already exists"}},
		{"capture over existing bundle", []string{"evidence", "capture", "-b", addr, "--out", dir}, []string{"already exists"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, nil, tt.args...)
			if code != 3 {
				t.Errorf("exit %d, want 3; stderr: %s", code, stderr)
			}
			errLine := ""
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "Error: ") {
					errLine = l
				}
			}
			for _, m := range tt.mention {
				if !strings.Contains(errLine, m) {
					t.Errorf("error line %q does not mention %q", errLine, m)
				}
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace:\n%s", stderr)
			}
		})
	}
}

// TestWatchThatNeverConnectsExits3: a watch whose every poll failed could
// evaluate nothing, so it says so with exit 3 (the bundle keeps the failures).
func TestWatchThatNeverConnectsExits3(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := filepath.Join(t.TempDir(), "bundle")
	_, stderr, code := run(t, nil, "evidence", "watch", "--out", dir, "--interval", "100ms", "--for", "250ms", "-b", addr)
	if code != 3 || !strings.Contains(stderr, "no poll reached the cluster") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
