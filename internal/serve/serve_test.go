package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// fakeCluster answers polls with a fixture until told to fail or hang.
type fakeCluster struct {
	snap    *snapshot.Snapshot
	fail    atomic.Bool
	hang    atomic.Bool
	calls   atomic.Int32
	running atomic.Int32
	overlap atomic.Bool
}

func (f *fakeCluster) collect(ctx context.Context) (*snapshot.Snapshot, error) {
	f.calls.Add(1)
	if f.running.Add(1) > 1 {
		f.overlap.Store(true)
	}
	defer f.running.Add(-1)
	if f.hang.Load() {
		<-ctx.Done() // a hung broker: the collector gives up at the deadline
		return nil, ctx.Err()
	}
	if f.fail.Load() {
		return nil, errors.New("no bootstrap server answered")
	}
	s := *f.snap
	s.TakenAt = time.Now().UTC()
	return &s, nil
}

func newServer(t *testing.T, f *fakeCluster, inc IncidentOptions) (*Server, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	if inc.Capture == nil {
		inc.Capture = f.collect
	}
	if inc.Dir == "" {
		inc.Dir = t.TempDir()
	}
	inc.Timeout = time.Second
	srv, err := New(Options{Collect: f.collect, Interval: 20 * time.Millisecond, Timeout: 200 * time.Millisecond,
		MaxPerCode: 2, Incidents: inc, Log: &syncWriter{w: &log}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, &log
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestMetricsKeepTheLastGoodPollWhenAPollFails(t *testing.T) {
	f := &fakeCluster{snap: testkit.Snapshot(t, "degraded")}
	srv, log := newServer(t, f, IncidentOptions{})
	h := srv.Handler()
	if code, _ := get(t, h, "/triage"); code != http.StatusServiceUnavailable {
		t.Fatalf("/triage before any poll: %d, want 503", code)
	}
	srv.Poll(context.Background())
	_, good := get(t, h, "/metrics")
	for _, want := range []string{
		`kafka_runbook_last_poll_success 1`,
		`kafka_runbook_findings{cluster_id="`,
		`kafka_runbook_status{cluster_id=`,
		`go_goroutines `,
	} {
		if !strings.Contains(good, want) {
			t.Fatalf("/metrics lacks %q:\n%s", want, good)
		}
	}
	f.fail.Store(true)
	srv.Poll(context.Background())
	_, bad := get(t, h, "/metrics")
	for _, want := range []string{`kafka_runbook_last_poll_success 0`, `kafka_runbook_poll_failures_total 1`, `kafka_runbook_collection_errors{source="bootstrap"} 1`} {
		if !strings.Contains(bad, want) {
			t.Fatalf("after a failed poll /metrics lacks %q:\n%s", want, bad)
		}
	}
	if findingLines(good) != findingLines(bad) || findingLines(bad) == "" {
		t.Fatalf("a failed poll must keep the last good findings:\nbefore:\n%s\nafter:\n%s", findingLines(good), findingLines(bad))
	}
	if code, body := get(t, h, "/triage"); code != http.StatusOK || !strings.Contains(body, `"schema_version"`) {
		t.Fatalf("/triage after a failed poll: %d %s", code, body)
	}
	if _, body := get(t, h, "/healthz"); !strings.Contains(body, "did not reach the cluster") {
		t.Fatalf("/healthz: %s", body)
	}
	if !strings.Contains(log.String(), "poll failed, keeping the last good result") {
		t.Fatalf("log: %s", log.String())
	}
}

func findingLines(metrics string) string {
	var out []string
	for _, l := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(l, "kafka_runbook_finding") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestHungClusterKeepsServingAndPollsNeverOverlap runs the real loop with
// a collector that hangs until its deadline, ten times the interval:
// /metrics answers at once throughout, and no two polls ever run at once.
func TestHungClusterKeepsServingAndPollsNeverOverlap(t *testing.T) {
	f := &fakeCluster{snap: testkit.Snapshot(t, "degraded")}
	srv, _ := newServer(t, f, IncidentOptions{})
	srv.Poll(context.Background())
	f.hang.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(ctx) }()
	h := srv.Handler()
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		start := time.Now()
		code, body := get(t, h, "/metrics")
		if code != http.StatusOK || !strings.Contains(body, "kafka_runbook_finding{") {
			t.Fatalf("/metrics while the cluster hangs: %d\n%s", code, body)
		}
		if took := time.Since(start); took > 150*time.Millisecond {
			t.Fatalf("/metrics took %s while a poll hung: it must not wait for the poll", took)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if f.overlap.Load() {
		t.Fatal("two polls ran at once")
	}
	if n := f.calls.Load(); n < 3 || n > 8 {
		t.Fatalf("%d polls in 1s with a 200ms timeout: each hung poll must end at its deadline and the next start after it", n)
	}
	st := srv.State()
	if st.LastOK || st.Failures == 0 || st.Report == nil {
		t.Fatalf("state after hung polls: %+v", st)
	}
}

func webhook(t *testing.T, h http.Handler, status, fp string, startsAt time.Time, labels map[string]string) {
	t.Helper()
	alert := map[string]any{"status": status, "labels": labels, "annotations": map[string]string{"summary": "s"},
		"startsAt": startsAt, "endsAt": startsAt.Add(time.Minute), "fingerprint": fp}
	body, _ := json.Marshal(map[string]any{"version": "4", "status": status, "receiver": "kafka-runbook", "alerts": []any{alert}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/alertmanager", bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("webhook: %d %s", rec.Code, rec.Body.String())
	}
}

func incidentsOf(t *testing.T, h http.Handler) []Incident {
	t.Helper()
	_, body := get(t, h, "/incidents")
	var doc struct{ Incidents []Incident }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Incidents
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestWebhookCapturesOncePerFiringAlert: repeated notifications of one
// alert make one bundle; its resolution closes the bundle's timeline; the
// same alert firing again later is a new incident; an alert for another
// cluster and alerts beyond the hourly cap write nothing.
func TestWebhookCapturesOncePerFiringAlert(t *testing.T) {
	f := &fakeCluster{snap: testkit.Snapshot(t, "degraded")}
	dir := t.TempDir()
	srv, log := newServer(t, f, IncidentOptions{Dir: dir, MaxPerHour: 2})
	srv.Poll(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.inc.work(ctx)
	h := srv.Handler()
	fired := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	labels := map[string]string{"alertname": "KafkaBrokerDown", "cluster_id": f.snap.ClusterID}
	for range 3 {
		webhook(t, h, "firing", "fp1", fired, labels)
	}
	waitFor(t, "the bundle", func() bool { is := incidentsOf(t, h); return len(is) == 1 && is[0].Bundle != "" })
	webhook(t, h, "firing", "fp1", fired, labels)
	i := incidentsOf(t, h)[0]
	if i.Notifications != 4 || i.Triage != "critical" || len(i.Summary) == 0 {
		t.Fatalf("incident: %+v", i)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d entries in the incident dir for one alert notified 4 times, want 1 bundle", len(entries))
	}
	webhook(t, h, "resolved", "fp1", fired, labels)
	b, err := evidence.Open(i.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(i.Bundle, evidence.AlertFile))
	if err != nil {
		t.Fatal(err)
	}
	var a evidence.Alert
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Status != "resolved" || a.ResolvedAt == nil || a.Fingerprint != "fp1" || a.CapturedAt.IsZero() ||
		b.Manifest.FinishedAt.Before(*a.ResolvedAt) {
		t.Fatalf("alert.json after resolution: %+v, manifest finished %v", a, b.Manifest.FinishedAt)
	}

	webhook(t, h, "firing", "fp2", fired, map[string]string{"alertname": "KafkaBrokerDown", "cluster_id": "another"})
	webhook(t, h, "firing", "fp1", fired.Add(time.Hour), labels) // fires again: a new incident
	webhook(t, h, "firing", "fp3", fired, labels)                // the third in an hour
	waitFor(t, "the second bundle", func() bool {
		for _, i := range incidentsOf(t, h) {
			if i.Fingerprint == "fp1" && i.Status == "firing" {
				return i.Bundle != ""
			}
		}
		return false
	})
	skipped := map[string]string{}
	for _, i := range incidentsOf(t, h) {
		skipped[i.Fingerprint] = i.Skipped
	}
	if !strings.Contains(skipped["fp2"], "for cluster another") || !strings.HasPrefix(skipped["fp3"], "rate-limited") {
		t.Fatalf("skipped: %v\nlog:\n%s", skipped, log.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("%d bundles, want 2", len(entries))
	}
}

func TestWebhookRefusesWhatIsNotAnAlertmanagerMessage(t *testing.T) {
	f := &fakeCluster{snap: testkit.Snapshot(t, "healthy")}
	srv, _ := newServer(t, f, IncidentOptions{})
	for _, body := range []string{`{`, `{"alerts":[{"status":"firing","labels":{}}]}`} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/alertmanager", strings.NewReader(body)))
		if rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", body, rec.Code)
		}
	}
}

func TestPruneKeepsRetentionAndBudget(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	mk := func(dir string, age time.Duration, size int) string {
		p := filepath.Join(dir, bundlePrefix+now.Add(-age).Format("20060102T150405.000Z")+"-KafkaBrokerDown-fp")
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "f"), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name      string
		budget    int64
		retention time.Duration
		want      []int // indexes of the bundles left, of ages 3h, 2h, 1h, 0
	}{
		{"no limits keep all", 0, 0, []int{0, 1, 2, 3}},
		{"retention drops the old", 0, 90 * time.Minute, []int{2, 3}},
		{"budget drops the oldest first", 250, 0, []int{2, 3}},
		{"the newest is kept even over budget", 10, 0, []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, age := range []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour, 0} {
				paths = append(paths, mk(dir, age, 100))
			}
			other := filepath.Join(dir, "not-a-bundle")
			_ = os.Mkdir(other, 0o755)
			if err := prune(dir, tt.budget, tt.retention, now, paths[3]); err != nil {
				t.Fatal(err)
			}
			var left []int
			for i, p := range paths {
				if _, err := os.Stat(p); err == nil {
					left = append(left, i)
				}
			}
			if fmt.Sprint(left) != fmt.Sprint(tt.want) {
				t.Fatalf("left %v, want %v", left, tt.want)
			}
			if _, err := os.Stat(other); err != nil {
				t.Fatal("prune deleted a directory serve did not write")
			}
		})
	}
}
