package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// buildTool builds the kafka-runbook binary, for tests that must kill it.
func buildTool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kafka-runbook")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/kafka-runbook/kafka-runbook/cmd/kafka-runbook").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestWatchRecordsAKilledAndRestartedBroker runs `evidence watch` as its
// own process while a broker is killed and restarted: the events come in
// order (down, ISR shrinks, leaders move, recovery) within one interval of
// each fault, the Markdown report's timeline shows them, and a SIGKILL of
// the watch leaves every event before it readable.
func TestWatchRecordsAKilledAndRestartedBroker(t *testing.T) {
	const interval = time.Second
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{3, 1, 2}, {1, 3, 2}, {2, 1, 3}}, nil)
	bin := buildTool(t)
	dir := filepath.Join(t.TempDir(), "incident")
	watch := exec.Command(bin, "evidence", "watch", "--out", dir, "--interval", interval.String(), "-b", bootstrap(c))
	var ticker strings.Builder
	watch.Stdout = &ticker
	watch.Stderr = &ticker
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = watch.Process.Kill(); _ = watch.Wait() })
	waitForEvents(t, dir, evidence.WatchStarted)

	killedAt := time.Now()
	c.Kill(t, 3)
	waitForEvents(t, dir, evidence.LeaderMoved, evidence.ISRShrink)
	// A script waiting for recovery, started while broker 3 is down.
	recovery := exec.Command(bin, "triage", "--watch", interval.String(), "--exit-when-healthy", "-o", "json", "-b", bootstrap(c))
	var recoveryOut, recoveryErr strings.Builder
	recovery.Stdout, recovery.Stderr = &recoveryOut, &recoveryErr
	if err := recovery.Start(); err != nil {
		t.Fatal(err)
	}
	recovered := make(chan error, 1)
	go func() { recovered <- recovery.Wait() }()
	t.Cleanup(func() { _ = recovery.Process.Kill() })
	restartedAt := time.Now()
	c.Restart(t, 3)
	waitForEvents(t, dir, evidence.ISRExpand)
	time.Sleep(2 * interval) // let the watch see the whole recovery
	checkWatchedRecovery(t, recovery, recovered, &recoveryOut, &recoveryErr)

	if err := watch.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = watch.Wait()

	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatalf("a bundle whose watch was SIGKILLed must stay readable: %v", err)
	}
	t.Logf("bundle warnings after SIGKILL: %v", b.Warnings)
	first := map[evidence.Kind]evidence.Event{}
	for _, e := range b.Events {
		if _, seen := first[e.Kind]; !seen {
			first[e.Kind] = e
		}
		t.Logf("%s %-20s %s", e.Time.Format("15:04:05.000"), e.Kind, e.Summary)
	}
	down, ok := firstOf(first, evidence.BrokerUnreachable, evidence.BrokerFenced, evidence.BrokerGone)
	if !ok || down.Broker == nil || *down.Broker != 3 {
		t.Fatalf("no event says broker 3 went down: %+v", down)
	}
	shrink, leader := first[evidence.ISRShrink], first[evidence.LeaderMoved]
	back, okBack := firstOf(first, evidence.BrokerReachable, evidence.BrokerUnfenced, evidence.BrokerBack)
	expand := first[evidence.ISRExpand]
	if !okBack {
		t.Fatal("no event says broker 3 came back")
	}
	// Order: down and the shrink and the leader move after the kill, the
	// recovery after the restart.
	for _, e := range []evidence.Event{down, shrink, leader} {
		if e.Time.Before(killedAt.Add(-interval)) {
			t.Errorf("%s at %s, before the kill at %s", e.Kind, e.Time, killedAt)
		}
	}
	if !back.Time.After(down.Time) || !expand.Time.After(shrink.Time) {
		t.Errorf("recovery not after the fault: down %s back %s, shrink %s expand %s", down.Time, back.Time, shrink.Time, expand.Time)
	}
	// Within one interval of the fault: the broker is fenced after the
	// session timeout (3 s), so the first sign is the broker refusing.
	if lag := down.Time.Sub(killedAt); lag > interval+time.Second {
		t.Errorf("broker down recorded %s after the kill, want within one interval (%s)", lag, interval)
	}
	if lag := back.Time.Sub(restartedAt); lag > 30*time.Second {
		t.Errorf("recovery recorded %s after the restart", lag)
	}

	r := runCLI(t, "evidence", "report", dir)
	if r.code != 0 {
		t.Fatalf("report exit %d: %s", r.code, r.stderr)
	}
	// The timeline folds events of one kind at one time into a row.
	for _, e := range []evidence.Event{down, shrink, leader, back, expand} {
		row := fmt.Sprintf("| %s | ", e.Time.UTC().Format("2006-01-02T15:04:05Z"))
		found := false
		for _, line := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(line, row) && strings.Contains(line, string(e.Kind)) && strings.Contains(line, e.Topic) {
				found = true
			}
		}
		if !found {
			t.Errorf("report timeline has no %s row at %s:\n%s", e.Kind, e.Time.UTC().Format(time.RFC3339), r.stdout)
		}
	}
	// The worst moment replays, with the command the report prints.
	_, replay, ok := strings.Cut(r.stdout, "Replay it: kafka-runbook ")
	if !ok {
		t.Fatalf("the report prints no replay of the worst moment:\n%s", r.stdout)
	}
	replay, _, _ = strings.Cut(replay, "\n")
	rr := runCLI(t, append(strings.Fields(replay), "-o", "json")...)
	var worst struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(rr.stdout), &worst); err != nil {
		t.Fatalf("replay %s: exit %d, %v: %s", replay, rr.code, err, rr.stderr)
	}
	brokerDown := slices.ContainsFunc(worst.Findings, func(f finding) bool {
		return f.Broker != nil && *f.Broker == 3 && strings.HasPrefix(f.Code, "BROKER_")
	})
	if rr.code != 1 && rr.code != 2 || !brokerDown {
		t.Errorf("replaying the worst moment (%s): exit %d, findings %+v; want broker 3's", replay, rr.code, worst.Findings)
	}
}

// checkWatchedRecovery: triage --watch --exit-when-healthy, started while
// broker 3 was down, saw it broken, then its findings clear, and exited 0
// once the cluster was OK again.
func checkWatchedRecovery(t *testing.T, recovery *exec.Cmd, recovered <-chan error, out, errOut *strings.Builder) {
	t.Helper()
	select {
	case <-recovered:
	case <-time.After(60 * time.Second):
		_ = recovery.Process.Kill()
		<-recovered
		t.Fatalf("triage --watch --exit-when-healthy still running 60 s after the restart:\n%s\n%s", out, errOut)
	}
	if code := recovery.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("triage --watch --exit-when-healthy: exit %d, want 0 after the recovery\n%s", code, errOut)
	}
	var first, last struct {
		Event, Status string
	}
	cleared := 0
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, l := range lines {
		var e struct {
			Event, Status string
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		if i == 0 {
			first = e
		}
		if e.Event == "cleared" {
			cleared++
		}
		last = e
	}
	if first.Event != "started" || first.Status == "ok" || cleared == 0 || last.Status != "ok" {
		t.Errorf("watch of the recovery: first %+v, %d cleared, last %+v\n%s", first, cleared, last, out)
	}
}

func firstOf(first map[evidence.Kind]evidence.Event, kinds ...evidence.Kind) (evidence.Event, bool) {
	var best evidence.Event
	found := false
	for _, k := range kinds {
		if e, ok := first[k]; ok && (!found || e.Time.Before(best.Time)) {
			best, found = e, true
		}
	}
	return best, found
}

// waitForEvents waits until the bundle being written holds every kind.
func waitForEvents(t *testing.T, dir string, kinds ...evidence.Kind) {
	t.Helper()
	eventually(t, 60*time.Second, fmt.Sprintf("events %v in %s", kinds, dir), func() bool {
		data, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
		if err != nil {
			return false
		}
		for _, k := range kinds {
			if !strings.Contains(string(data), `"kind":"`+string(k)+`"`) {
				return false
			}
		}
		return true
	})
}

// TestTriageFromCaptureEqualsLiveTriage: on a faulted real cluster,
// `triage --from` a captured bundle gives the same findings as the live
// triage the capture recorded.
func TestTriageFromCaptureEqualsLiveTriage(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}}, nil)
	c.CreateTopic(t, "audit", [][]int32{{3}}, map[string]string{"min.insync.replicas": "1"})
	c.Kill(t, 3)
	eventually(t, 30*time.Second, "broker 3 down", func() bool {
		rep, _ := triage(t, c)
		return len(keys(rep, "BROKER_DOWN")) == 1
	})
	dir := filepath.Join(t.TempDir(), "capture")
	if r := runCLI(t, "evidence", "capture", "--out", dir, "-b", bootstrap(c)); r.code != 2 { // broker 3 down: CRITICAL, as triage
		t.Fatalf("capture exit %d: %s", r.code, r.stderr)
	}
	live, err := os.ReadFile(filepath.Join(dir, "findings.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "triage", "--from", dir, "-o", "json")
	if r.code != 2 {
		t.Errorf("triage --from exit %d, want 2", r.code)
	}
	liveKeys, replayKeys := findingKeys(t, live), findingKeys(t, []byte(r.stdout))
	if !slices.Equal(liveKeys, replayKeys) {
		t.Errorf("replayed findings differ from live:\n live   %v\n replay %v", liveKeys, replayKeys)
	}
	if len(liveKeys) == 0 {
		t.Error("no findings captured on a faulted cluster")
	}
}

func findingKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.key()+" "+f.Severity)
	}
	return out
}
