package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/cli"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// lagCodes are every code of issue 11 a group can be named in.
var lagCodes = []string{"CONSUMER_LAG_GROWING", "CONSUMER_STALLED", "CONSUMER_STOPPED", "OFFSET_REWIND", "REBALANCE_STORM",
	"EMPTY_GROUP_LAGGING", "GROUP_PARTITION_UNAVAILABLE", "LAG_EXCEEDS_RETENTION", "LAG_NEAR_RETENTION"}

// lagReport is triage's JSON report as the lag tests read it: the verdict
// fields, when its final snapshot was taken, and the window it judged.
type lagReport struct {
	verdict
	Cluster struct {
		TakenAt time.Time `json:"taken_at"`
	} `json:"cluster"`
	Window *struct {
		Samples    int   `json:"samples"`
		DurationMS int64 `json:"duration_ms"`
	} `json:"window"`
}

// ofGroup returns the findings that name group, as "CODE subject" keys.
func (r lagReport) ofGroup(group string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Group == group {
			out = append(out, f.key())
		}
	}
	return out
}

// find returns the finding with code about group; it fails the test,
// listing the report's findings, when there is none.
func (r lagReport) find(t *testing.T, code, group string) finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.Code == code && f.Group == group {
			return f
		}
	}
	t.Fatalf("no %s for group %s; findings: %v", code, group, r.keys())
	return finding{}
}

func (r lagReport) keys() []string {
	out := []string{}
	for _, f := range r.Findings {
		out = append(out, f.Severity+" "+f.key())
	}
	return out
}

// number reads a number from a finding's evidence; false when absent.
func number(f finding, key string) (int64, bool) {
	v, ok := f.Evidence[key].(float64)
	return int64(v), ok
}

// signalWriter keeps what a command writes and closes seen once needle
// has been written.
type signalWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	needle string
	seen   chan struct{}
	once   sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.needle) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// samplingLine is what a command with --sample writes to stderr just
// before it takes its first sample (internal/cli.sampleWindow).
const samplingLine = "Sampling consumer groups"

// startCLI runs kafka-runbook in-process in a goroutine, as runCLI does.
// sampling is closed when the command announces its first sample; done
// delivers the result when the command ends.
func startCLI(args ...string) (sampling <-chan struct{}, done <-chan result) {
	errOut := &signalWriter{needle: samplingLine, seen: make(chan struct{})}
	ch := make(chan result, 1)
	go func() {
		var out bytes.Buffer
		app := &cli.App{IO: &cli.IO{In: strings.NewReader(""), Out: &out, Err: errOut},
			Getenv: func(string) string { return "" }, Version: "integration"}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		start := time.Now()
		code := cli.Main(ctx, app, args)
		ch <- result{stdout: out.String(), stderr: errOut.String(), code: code, elapsed: time.Since(start)}
	}()
	return errOut.seen, ch
}

// sampledTriage runs `triage -o json --sample window`. during, when not
// nil, runs once triage announces its first sample, while triage samples.
// It checks what holds of every run: the exit code is the status's, and
// the status is the verdict rule's over the findings and gaps.
func sampledTriage(t *testing.T, c *kafkatest.Cluster, window time.Duration, during func()) (lagReport, result) {
	t.Helper()
	sampling, done := startCLI("triage", "-b", bootstrap(c), "-o", "json", "--sample", window.String())
	var r result
	select {
	case <-sampling:
		if during != nil {
			during()
		}
		r = <-done
	case r = <-done:
		t.Fatalf("triage --sample ended before sampling: exit %d\nstderr: %s", r.code, r.stderr)
	}
	var rep lagReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("triage output is not JSON (exit %d): %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	t.Logf("triage --sample %s took %s: exit %d %s, findings %v, %d gaps", window, r.elapsed.Round(time.Millisecond), r.code,
		rep.Status, rep.keys(), len(rep.Unevaluated))
	if want, ok := statusExit[rep.Status]; !ok || r.code != want {
		t.Errorf("triage: status %q with exit %d", rep.Status, r.code)
	}
	if want := ruleStatus(rep.verdict); rep.Status != want {
		t.Errorf("triage: status %s, but its findings %v and gaps %+v give %s", rep.Status, rep.keys(), rep.Unevaluated, want)
	}
	if rep.Window == nil || rep.Window.Samples != 5 {
		t.Errorf("triage --sample %s: window %+v, want 5 samples", window, rep.Window)
	}
	return rep, r
}

// wantStatus checks a report's status and exit code, naming its findings
// and gaps when they are not the expected ones.
func wantStatus(t *testing.T, rep lagReport, r result, status string) {
	t.Helper()
	if rep.Status != status || r.code != statusExit[status] {
		t.Errorf("triage: status %s exit %d, want %s exit %d; findings %v, gaps %+v", rep.Status, r.code, status,
			statusExit[status], rep.keys(), rep.Unevaluated)
	}
}

// noLagFindings checks that no consumer-lag code names any of groups.
func noLagFindings(t *testing.T, rep lagReport, groups ...string) {
	t.Helper()
	for _, f := range rep.Findings {
		if slices.Contains(groups, f.Group) && slices.Contains(lagCodes, f.Code) {
			t.Errorf("%s: %s (evidence %v)", f.key(), f.Summary, f.Evidence)
		}
	}
}

// lagGroupsJSON is `describe groups -o json` with the lag fields.
type lagGroupsJSON struct {
	Groups []lagGroupRow `json:"groups"`
}

type lagGroupRow struct {
	Group        string `json:"group"`
	Type         string `json:"type"`
	State        string `json:"state"`
	Status       string `json:"status"`
	MemberCount  int    `json:"member_count"`
	TotalLag     int64  `json:"total_lag"`
	MaxTimeLagMS int64  `json:"max_time_lag_ms"`
	Offsets      []struct {
		Topic     string `json:"topic"`
		Partition int32  `json:"partition"`
		Committed int64  `json:"committed"`
		Latest    int64  `json:"latest"`
		Lag       int64  `json:"lag"`
		TimeLagMS int64  `json:"time_lag_ms"`
		Status    string `json:"status"`
	} `json:"offsets"`
}

// group returns the view's row of group.
func (v lagGroupsJSON) group(t *testing.T, group string) lagGroupRow {
	t.Helper()
	i := slices.IndexFunc(v.Groups, func(g lagGroupRow) bool { return g.Group == group })
	if i < 0 {
		t.Fatalf("describe groups does not list %s: %+v", group, v.Groups)
	}
	return v.Groups[i]
}

// sampledGroups runs `describe groups -o json --sample window` in a
// goroutine and returns a function that waits for its view.
func sampledGroups(t *testing.T, c *kafkatest.Cluster, window time.Duration) func() lagGroupsJSON {
	_, done := startCLI("describe", "groups", "-b", bootstrap(c), "-o", "json", "--sample", window.String())
	return func() lagGroupsJSON {
		t.Helper()
		r := <-done
		var v lagGroupsJSON
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("describe groups --sample: exit %d, not JSON: %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
		}
		return v
	}
}

// transcriptJSON is `run RUNBOOK -o json` as the lag tests read it.
type transcriptJSON struct {
	Status   string    `json:"status"`
	Findings []finding `json:"findings"`
	Steps    []struct {
		ID      string `json:"id"`
		Verdict string `json:"verdict"`
		Error   string `json:"error"`
		Actions []struct {
			Title   string `json:"title"`
			Command string `json:"command"`
			Risk    string `json:"risk"`
		} `json:"actions"`
	} `json:"steps"`
}

// commandsFor lists the transcript's action commands that name group
// with --group, as "step: risk: command".
func (tr transcriptJSON) commandsFor(group string) []string {
	var out []string
	for _, s := range tr.Steps {
		for _, a := range s.Actions {
			if strings.Contains(a.Command+" ", "--group "+group+" ") {
				out = append(out, fmt.Sprintf("%s: %s: %s", s.ID, a.Risk, a.Command))
			}
		}
	}
	return out
}
