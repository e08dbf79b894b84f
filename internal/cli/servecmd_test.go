package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	kserve "github.com/kafka-runbook/kafka-runbook/internal/serve"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// logBuffer is a stderr that several goroutines write and the test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

var servingRE = regexp.MustCompile(`Serving http://(\S+) `)

// startServe runs `serve` through the real command tree until the test
// ends, and returns its base URL and a function that stops it (Ctrl-C)
// and returns its exit code.
func startServe(t *testing.T, args ...string) (string, *logBuffer, func() int) {
	t.Helper()
	errOut := &logBuffer{}
	app := &App{IO: &IO{In: strings.NewReader(""), Out: io.Discard, Err: errOut}, Getenv: func(string) string { return "" }, Version: "test"}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- Main(ctx, app, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)) }()
	stop := func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(10 * time.Second):
			t.Fatalf("serve did not stop within 10s of Ctrl-C:\n%s", errOut)
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	var addr string
	waitUntil(t, "serve to listen", func() bool {
		m := servingRE.FindStringSubmatch(errOut.String())
		if m != nil {
			addr = m[1]
		}
		return m != nil
	})
	return "http://" + addr, errOut, stop
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// TestServeOnTheDemo: serve polls the simulated incident, exports its
// BROKER_DOWN for broker 3, an Alertmanager notification captures one
// bundle, triage --from on that bundle shows the fault, and Ctrl-C stops
// serve with exit 0.
func TestServeOnTheDemo(t *testing.T) {
	dir := t.TempDir()
	base, errOut, stop := startServe(t, "-b", demoCluster(t), "--interval", "200ms", "--incident-dir", dir)
	brokerDown := regexp.MustCompile(`kafka_runbook_finding\{broker="3",cluster_id="([^"]+)",code="BROKER_DOWN",[^}]*\} 1`)
	var clusterID string
	waitUntil(t, "BROKER_DOWN for broker 3 on /metrics", func() bool {
		m := brokerDown.FindStringSubmatch(httpGet(t, base+"/metrics"))
		if m != nil {
			clusterID = m[1]
		}
		return m != nil
	})
	if body := httpGet(t, base+"/metrics"); !strings.Contains(body, `kafka_runbook_findings{cluster_id="`+clusterID+`",code="BROKER_DOWN",severity="critical"} 1`) {
		t.Fatalf("no per-code count:\n%s", body)
	}
	var report triage.Report
	if err := json.Unmarshal([]byte(httpGet(t, base+"/triage")), &report); err != nil || report.Cluster.ID != clusterID {
		t.Fatalf("/triage: %v %+v", err, report.Cluster)
	}

	note := `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"KafkaBrokerDown","cluster_id":"` + clusterID +
		`"},"annotations":{},"startsAt":"2026-12-03T12:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"abc123"}]}`
	for range 2 {
		resp, err := http.Post(base+"/alertmanager", "application/json", strings.NewReader(note))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	var bundle string
	waitUntil(t, "the bundle", func() bool {
		var doc struct{ Incidents []kserve.Incident }
		_ = json.Unmarshal([]byte(httpGet(t, base+"/incidents")), &doc)
		if len(doc.Incidents) == 1 {
			bundle = doc.Incidents[0].Bundle
		}
		return bundle != ""
	})
	out, _, code := run(t, nil, "triage", "--from", bundle, "-o", "json")
	if code != 2 || !strings.Contains(out, `"code": "BROKER_DOWN"`) {
		t.Fatalf("triage --from %s: exit %d\n%s", bundle, code, out)
	}
	if c := stop(); c != 0 {
		t.Fatalf("serve exit %d after Ctrl-C, want 0:\n%s", c, errOut)
	}
	log := errOut.String()
	for _, want := range []string{"captured " + bundle + ": CRITICAL", "Stopped."} {
		if !strings.Contains(log, want) {
			t.Fatalf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestServeAndAlertsBadInputIsExit3(t *testing.T) {
	tests := [][]string{
		{"serve", "-b", "127.0.0.1:1", "--interval", "1ms"},
		{"serve", "-b", "127.0.0.1:1", "--listen", "nohostport"},
		{"serve", "-b", "127.0.0.1:1", "--max-series-per-code", "0"},
		{"serve", "-b", "127.0.0.1:1", "--captures-per-hour", "0"},
		{"serve", "-b", "127.0.0.1:1", "--incident-budget-mb", "-1"},
		{"alerts", "--metrics", "graphite"},
		{"alerts", "--format", "json"},
		{"alerts", "--for", "-1s"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := run(t, nil, args...)
			if code != 3 || out != "" || !strings.HasPrefix(errOut, "Error: ") || !strings.Contains(errOut, "Hint: ") {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
}

func TestAlertsWritesEachMetricSet(t *testing.T) {
	for _, args := range [][]string{
		{"alerts"},
		{"alerts", "--metrics", "jmx", "--format", "prometheusrule"},
		{"alerts", "--metrics", "kafka-exporter", "--for", "0s"},
	} {
		out, errOut, code := run(t, nil, args...)
		if code != 0 || errOut != "" || !strings.Contains(out, "alert: KafkaBrokerDown") || !strings.Contains(out, "runbook: kafka-runbook run broker-failure") {
			t.Fatalf("%v: exit %d %s\n%s", args, code, errOut, out)
		}
	}
}

// simProcessEnv makes the test binary serve the demo incident instead of
// testing (TestSimProcess), so BenchmarkServePolls measures serve's heap
// alone: the simulated cluster journals every request it serves and would
// grow the heap of the process it runs in.
const simProcessEnv = "KAFKA_RUNBOOK_SIM_PROCESS"

// TestSimProcess is the simulated cluster of BenchmarkServePolls, when the
// benchmark runs this binary with simProcessEnv set: it prints the
// bootstrap address and serves until its stdin closes. Otherwise it only
// checks that the demo scenario serves.
func TestSimProcess(t *testing.T) {
	c, _ := testkit.ServePlaybook(t, demoScenario)
	if os.Getenv(simProcessEnv) == "" {
		if len(c.Bootstrap()) == 0 {
			t.Fatal("the demo serves no bootstrap address")
		}
		return
	}
	fmt.Println(strings.Join(c.Bootstrap(), ","))
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// startSimProcess runs the demo cluster in a child process.
func startSimProcess(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimProcess$")
	cmd.Env = append(os.Environ(), simProcessEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("the simulated cluster did not start: %v", err)
	}
	return strings.TrimSpace(line)
}

// BenchmarkServePolls polls the simulated demo incident (in a child
// process) through the live collector, b.N times, and reports the heap in
// use after the first poll and after the last (after a GC each): run with
// -benchtime=1000x for the figure in docs/PERFORMANCE.md. It must stay
// flat: serve keeps one report and windowPolls snapshots, whatever the
// number of polls.
func BenchmarkServePolls(b *testing.B) {
	app := &App{IO: &IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}, Getenv: func(string) string { return "" }}
	conn := &ConnOptions{Bootstrap: startSimProcess(b), Timeout: 10 * time.Second}
	cn, err := conn.connect(app)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := kserve.New(kserve.Options{
		Collect: func(ctx context.Context) (*snapshot.Snapshot, error) {
			return cn.live.Collect(ctx, triage.SampledParts(), nil)
		},
		Interval: time.Millisecond, Timeout: 10 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	handler := srv.Handler()
	heap := func() float64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return float64(m.HeapInuse) / (1 << 20)
	}
	ctx := context.Background()
	srv.Poll(ctx)
	first := heap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		srv.Poll(ctx)
		if i%100 == 0 { // a scrape now and then, as Prometheus would
			handler.ServeHTTP(discardResponse{}, httptestRequest("/metrics"))
		}
	}
	b.StopTimer()
	last := heap()
	b.ReportMetric(first, "heap-MiB-first")
	b.ReportMetric(last, "heap-MiB-last")
	if st := srv.State(); st.Failures != 0 || st.Report == nil {
		b.Fatalf("%d of %d polls failed", st.Failures, st.Polls)
	}
}

type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (discardResponse) WriteHeader(int)             {}

func httptestRequest(path string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, path, nil)
	return r
}
