package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

// serveScenario serves testdata/scenarios/NAME.yaml for one test.
func serveScenario(t *testing.T, name string) *sim.Cluster {
	t.Helper()
	sc, err := sim.Load(os.DirFS("testdata/scenarios"), name+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sim.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// running is a command started in the background.
type running struct {
	out, err *syncBuffer
	done     chan int // the exit code, once
	stop     context.CancelCauseFunc
}

// start runs the CLI with args in the background, as main would: its
// context ends with an *Interrupt as the cause when the test stops it.
func start(t *testing.T, args ...string) *running {
	t.Helper()
	r := &running{out: &syncBuffer{}, err: &syncBuffer{}, done: make(chan int, 1)}
	ctx, cancel := context.WithCancelCause(context.Background())
	r.stop = cancel
	app := &App{IO: &IO{In: strings.NewReader(""), Out: r.out, Err: r.err}, Getenv: func(string) string { return "" }, Version: "test"}
	go func() { r.done <- Main(ctx, app, args) }()
	t.Cleanup(func() {
		cancel(nil)
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("the command did not stop")
		}
	})
	return r
}

// waitFor waits until stdout contains want, failing the test after 10 s
// or when the command exits first.
func (r *running) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.out.String(), want) {
		select {
		case code := <-r.done:
			r.done <- code
			t.Fatalf("exited %d before printing %q\nstdout:\n%s\nstderr:\n%s", code, want, r.out, r.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within 10s\nstdout:\n%s\nstderr:\n%s", want, r.out, r.err)
		}
	}
}

// exit waits for the exit code.
func (r *running) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case code := <-r.done:
		r.done <- code
		return code
	case <-time.After(within):
		t.Fatalf("still running after %s\nstdout:\n%s\nstderr:\n%s", within, r.out, r.err)
		return -1
	}
}

// lineWith returns the line of s containing want.
func lineWith(s, want string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, want) {
			return l
		}
	}
	return ""
}

// TestTriageWatchPrintsWhatChanges: the first poll prints the whole
// report, then a broker lost and back prints as findings appearing and
// clearing, each line with its UTC time; Ctrl-C exits 130.
func TestTriageWatchPrintsWhatChanges(t *testing.T) {
	c := serveScenario(t, "broker-restart")
	r := start(t, "triage", "--watch", "100ms", "-b", strings.Join(c.Bootstrap(), ","))
	r.waitFor(t, "watching: changes follow")
	if first := strings.SplitN(r.out.String(), "\n", 2)[0]; !strings.HasPrefix(first, "OK: cluster watch-test-cluster") {
		t.Errorf("the first poll is not the whole report: %q", first)
	}
	if err := c.Fire(0); err != nil { // broker 3 down
		t.Fatal(err)
	}
	r.waitFor(t, "appeared  CRITICAL BROKER_DOWN broker 3: broker 3 is down")
	r.waitFor(t, "status    CRITICAL was OK")
	if err := c.Fire(1); err != nil { // broker 3 back
		t.Fatal(err)
	}
	r.waitFor(t, "cleared   CRITICAL BROKER_DOWN broker 3, after ")
	r.waitFor(t, "status    OK       was CRITICAL")
	r.stop(&Interrupt{Signal: os.Interrupt})
	if code := r.exit(t, 5*time.Second); code != 130 {
		t.Errorf("Ctrl-C: exit %d, want 130", code)
	}
	out := r.out.String()
	appeared, cleared := lineWith(out, "appeared  CRITICAL BROKER_DOWN"), lineWith(out, "cleared   CRITICAL BROKER_DOWN")
	ta, errA := time.Parse(evidence.TimeFormat, strings.Fields(appeared)[0])
	tc, errC := time.Parse(evidence.TimeFormat, strings.Fields(cleared)[0])
	if errA != nil || errC != nil || tc.Before(ta) || time.Since(ta) > time.Minute {
		t.Errorf("lines without their times in order:\n%s\n%s", appeared, cleared)
	}
	// Only changes after the first report: the three under-replicated
	// partitions appear once each, never repeated by a later poll.
	if n := strings.Count(out, "appeared  WARNING  UNDER_REPLICATED orders/0"); n != 1 {
		t.Errorf("orders/0 under-replicated printed %d times:\n%s", n, out)
	}
	if !strings.Contains(r.err.String(), "Stopped after") {
		t.Errorf("stderr: %s", r.err)
	}
}

// TestTriageWatchExitsWhenHealthy: a script waiting for recovery. The
// watch starts on a broken cluster, does not exit while it is broken, and
// exits 0 at the first OK poll; -o json is one object per event.
func TestTriageWatchExitsWhenHealthy(t *testing.T) {
	c := serveScenario(t, "broker-restart")
	if err := c.Fire(0); err != nil {
		t.Fatal(err)
	}
	r := start(t, "triage", "--watch=100ms", "--exit-when-healthy", "-o", "json", "-b", strings.Join(c.Bootstrap(), ","))
	r.waitFor(t, `"event":"started"`)
	time.Sleep(300 * time.Millisecond) // a few polls of the broken cluster
	select {
	case code := <-r.done:
		t.Fatalf("exited %d while the cluster was broken:\n%s", code, r.err)
	default:
	}
	if err := c.Fire(1); err != nil {
		t.Fatal(err)
	}
	if code := r.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d after recovery, want 0\n%s", code, r.err)
	}
	var events []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(r.out.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		events = append(events, e)
	}
	first := events[0]
	if first["event"] != "started" || first["status"] != "critical" || first["report"] == nil {
		t.Errorf("first event: %v", first)
	}
	var clearedDown, toOK bool
	for _, e := range events[1:] {
		f, _ := e["finding"].(map[string]any)
		clearedDown = clearedDown || (e["event"] == "cleared" && f["code"] == "BROKER_DOWN" && e["time"] != nil)
		toOK = toOK || (e["event"] == "status" && e["status"] == "ok" && e["was"] == "critical")
	}
	if !clearedDown || !toOK {
		t.Errorf("cleared BROKER_DOWN %v, status OK %v in\n%s", clearedDown, toOK, r.out)
	}
	if !strings.Contains(r.err.String(), "Healthy (OK)") {
		t.Errorf("stderr: %s", r.err)
	}
}

func TestTriageWatchRefusesBadInput(t *testing.T) {
	tests := []struct {
		args    []string
		mention string
	}{
		{[]string{"triage", "--watch", "soon", "-b", "127.0.0.1:9"}, "--watch takes an interval"},
		{[]string{"triage", "--watch=10ms", "-b", "127.0.0.1:9"}, "at least 100ms"},
		{[]string{"triage", "--exit-when-healthy", "-b", "127.0.0.1:9"}, "needs --watch"},
		{[]string{"triage", "--watch", "--from", "x"}, "--from replays a recording"},
		{[]string{"triage", "--watch", "--sample", "10s", "-b", "127.0.0.1:9"}, "--sample cannot be used with --watch"},
		{[]string{"triage", "now", "-b", "127.0.0.1:9"}, "no arguments"},
	}
	for _, tt := range tests {
		_, stderr, code := run(t, nil, tt.args...)
		if code != 3 || !strings.Contains(stderr, tt.mention) {
			t.Errorf("%v: exit %d, stderr %q; want 3 and %q", tt.args, code, stderr, tt.mention)
		}
	}
}
