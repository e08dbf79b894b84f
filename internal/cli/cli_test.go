package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// run executes the CLI with args and returns stdout, stderr and exit code.
func run(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &App{
		IO:      &IO{In: strings.NewReader(""), Out: &out, Err: &errOut},
		Getenv:  func(k string) string { return env[k] },
		Version: "test",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, app, args)
	return out.String(), errOut.String(), code
}

// demoCluster serves the demo scenario for one test.
func demoCluster(t *testing.T) string {
	t.Helper()
	c, _ := servePlaybook(t, demoScenario)
	return strings.Join(c.Bootstrap(), ",")
}

// servePlaybook serves the embedded scenario name for one test.
func servePlaybook(t *testing.T, name string) (*sim.Cluster, *sim.Scenario) {
	t.Helper()
	return testkit.ServePlaybook(t, name)
}

func TestTriageOnTheDemoIncident(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "triage", "-b", addr, "-o", "json")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (critical); stderr: %s", code, stderr)
	}
	var report struct {
		SchemaVersion int `json:"schema_version"`
		Cluster       struct {
			ID string `json:"id"`
		} `json:"cluster"`
		Findings []struct {
			Code      string `json:"code"`
			Severity  string `json:"severity"`
			Broker    *int32 `json:"broker"`
			Topic     string `json:"topic"`
			Partition *int32 `json:"partition"`
		} `json:"findings"`
		Summary struct {
			NextRunbook string `json:"next_runbook"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("triage JSON: %v\n%s", err, out)
	}
	if report.SchemaVersion != 2 || report.Cluster.ID == "" {
		t.Errorf("header = %+v", report)
	}
	has := map[string]bool{}
	for _, f := range report.Findings {
		key := f.Code
		switch {
		case f.Broker != nil:
			key += " broker " + itoa(*f.Broker)
		case f.Partition != nil:
			key += " " + f.Topic + "/" + itoa(*f.Partition)
		}
		has[key] = true
	}
	for _, want := range []string{"BROKER_DOWN broker 3", "OFFLINE_PARTITION audit-log/2", "UNDER_MIN_ISR payments/1", "UNDER_REPLICATED orders/0"} {
		if !has[want] {
			t.Errorf("missing finding %s in %v", want, has)
		}
	}
	if has["BROKER_DOWN broker 1"] || has["BROKER_DOWN broker 2"] {
		t.Error("a live broker reported down")
	}
	if report.Summary.NextRunbook != "broker-failure" {
		t.Errorf("next runbook = %q", report.Summary.NextRunbook)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

func TestDescribeEveryViewIsValidSortedJSON(t *testing.T) {
	addr := demoCluster(t)
	for _, view := range []string{"brokers", "topics", "partitions", "groups", "logdirs", "configs"} {
		t.Run(view, func(t *testing.T) {
			out, stderr, code := run(t, nil, "describe", view, "-b", addr, "-o", "json")
			if code != 0 {
				t.Fatalf("exit %d; stderr: %s", code, stderr)
			}
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("invalid JSON: %v", err)
			}
			again, _, _ := run(t, nil, "describe", view, "-b", addr, "-o", "json")
			if stripVolatile(out) != stripVolatile(again) {
				t.Errorf("two runs differ")
			}
		})
	}
}

// stripVolatile removes fields that legitimately change between runs:
// measured latencies and collection times.
func stripVolatile(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		// How old the unread records are grows with the clock between runs.
		if strings.Contains(l, "latency_ms") || strings.Contains(l, "taken_at") || strings.Contains(l, "duration_ms") ||
			strings.Contains(l, "time_lag_ms") {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func TestDescribeExitsZeroOnPartialView(t *testing.T) {
	addr := demoCluster(t)
	out, _, code := run(t, nil, "describe", "brokers", "-b", addr)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "refused") {
		t.Errorf("the down broker is not named as refusing:\n%s", out)
	}
}

func TestBadInputIsOneClearLineAndExit3(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, "client.properties")
	if err := os.WriteFile(props, []byte("security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nfoo.bar=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		mention string
	}{
		{"unknown command", nil, []string{"frobnicate"}, "unknown command"},
		{"unknown flag", nil, []string{"describe", "brokers", "--nope"}, "unknown flag"},
		{"unknown view", nil, []string{"describe", "things", "-b", "127.0.0.1:9"}, "unknown view"},
		{"no bootstrap", nil, []string{"describe", "brokers"}, "no bootstrap servers"},
		{"malformed bootstrap", nil, []string{"describe", "brokers", "-b", "nohostport"}, "nohostport"},
		{"bad output", nil, []string{"describe", "brokers", "-b", "127.0.0.1:9", "-o", "yaml"}, "unknown output format"},
		{"unknown property", nil, []string{"describe", "brokers", "-b", "127.0.0.1:9", "--command-config", props}, "foo.bar"},
		{"missing properties file", nil, []string{"triage", "-b", "127.0.0.1:9", "--command-config", filepath.Join(dir, "missing")}, "missing"},
		{"unknown runbook", nil, []string{"run", "nope", "-b", "127.0.0.1:9"}, "unknown runbook"},
		{"unknown code", nil, []string{"explain", "NOT_A_CODE"}, "unknown finding code"},
		{"bad timeout", nil, []string{"describe", "brokers", "-b", "127.0.0.1:9", "--timeout", "0s"}, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, tt.env, tt.args...)
			if code != 3 {
				t.Errorf("exit %d, want 3", code)
			}
			if !strings.Contains(stderr, tt.mention) {
				t.Errorf("stderr does not mention %q:\n%s", tt.mention, stderr)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines > 2 {
				t.Errorf("error is %d lines, want the error and a hint:\n%s", lines, stderr)
			}
		})
	}
}

func TestBootstrapFromEnvironment(t *testing.T) {
	addr := demoCluster(t)
	_, stderr, code := run(t, map[string]string{"KAFKA_BOOTSTRAP_SERVERS": addr}, "describe", "topics")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestClosedBootstrapPortFailsFastWithExit3(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	_, stderr, code := run(t, nil, "describe", "brokers", "-b", addr)
	if code != 3 || !strings.Contains(stderr, "refused") || !strings.Contains(stderr, "Hint:") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	elapsed := time.Since(start)
	t.Logf("closed port answered in %s", elapsed)
	if elapsed > 5*time.Second {
		t.Errorf("took %s, want under 5s", elapsed)
	}
}

func TestCodesAndExplain(t *testing.T) {
	out, _, code := run(t, nil, "codes", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var cat struct {
		Codes []struct{ Code string } `json:"codes"`
	}
	if err := json.Unmarshal([]byte(out), &cat); err != nil || len(cat.Codes) < 17 {
		t.Fatalf("codes json: %v, %d codes", err, len(cat.Codes))
	}
	out, _, code = run(t, nil, "explain", "under_min_isr")
	if code != 0 || !strings.Contains(out, "NOT_ENOUGH_REPLICAS") {
		t.Errorf("explain: exit %d\n%s", code, out)
	}
	doc, _, _ := run(t, nil, "codes", "--docs")
	committed, err := os.ReadFile(filepath.Join("..", "..", "docs", "CODES.md"))
	if err != nil {
		t.Fatalf("docs/CODES.md: %v (generate it with 'kafka-runbook codes --docs > docs/CODES.md')", err)
	}
	if string(committed) != doc {
		t.Error("docs/CODES.md is out of date: regenerate with 'go run ./cmd/kafka-runbook codes --docs > docs/CODES.md'")
	}
}

func TestListShowsRunbooks(t *testing.T) {
	out, _, code := run(t, nil, "list", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"broker-failure", "isr-shrinkage"} {
		if !strings.Contains(out, `"name": "`+name+`"`) {
			t.Errorf("list lacks %s", name)
		}
	}
}

func TestRunBrokerFailureOnTheDemo(t *testing.T) {
	addr := demoCluster(t)
	dir := t.TempDir()
	out, stderr, code := run(t, nil, "run", "broker-failure", "-b", addr, "-o", "json", "--plan-dir", dir)
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
	}
	var tr struct {
		Steps []struct {
			ID      string `json:"id"`
			Verdict string `json:"verdict"`
			Actions []struct {
				Command string `json:"command"`
				Risk    string `json:"risk"`
			} `json:"actions"`
			Files []string `json:"files"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range tr.Steps {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"classify", "blast-radius", "offline-wait", "wait-or-replace", "after-return"}) {
		t.Fatalf("steps = %v", ids)
	}
	plan := tr.Steps[3]
	if len(plan.Files) != 1 {
		t.Fatalf("no plan file written: %+v", plan)
	}
	data, err := os.ReadFile(plan.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Version    int `json:"version"`
		Partitions []struct {
			Replicas []int32 `json:"replicas"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	// Only the 4 RF 2 payments partitions fit on two live brokers. The 56
	// RF 3 ones cannot be placed, and audit-log/2 has no live replica to
	// copy from.
	if p.Version != 1 || len(p.Partitions) != 4 {
		t.Errorf("plan has version %d and %d partitions, want 1 and 4", p.Version, len(p.Partitions))
	}
	for _, part := range p.Partitions {
		if slices.Contains(part.Replicas, 3) {
			t.Errorf("plan keeps a replica on dead broker 3: %v", part.Replicas)
		}
	}
	for _, a := range plan.Actions {
		if strings.Contains(a.Command, "kafka-reassign-partitions.sh") && !strings.Contains(a.Command, addr) {
			t.Errorf("command not filled with this cluster's bootstrap: %s", a.Command)
		}
	}
}

// TestEveryPlaybookShowsItsExpectedFindings serves each embedded scenario
// and checks triage reports every code the scenario promises.
func TestEveryPlaybookShowsItsExpectedFindings(t *testing.T) {
	for _, name := range playbooks.List() {
		t.Run(name, func(t *testing.T) {
			c, sc := servePlaybook(t, name)
			out, stderr, code := run(t, nil, "triage", "-b", strings.Join(c.Bootstrap(), ","), "-o", "json")
			if code == 3 {
				t.Fatalf("could not evaluate: %s", stderr)
			}
			var report struct {
				Findings []struct{ Code string } `json:"findings"`
			}
			if err := json.Unmarshal([]byte(out), &report); err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, f := range report.Findings {
				got[f.Code] = true
			}
			for _, want := range sc.ExpectedFindings {
				if !got[want] {
					t.Errorf("scenario expects %s; triage found %v", want, got)
				}
			}
		})
	}
}

// TestSilentBootstrapFailsWithinTheDeadline: a listener that accepts and
// never answers (a hung broker, or not Kafka at all) gives a clear error
// within 10 s and exit 3.
func TestSilentBootstrapFailsWithinTheDeadline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	defer func() {
		l.Close()
		for _, c := range held {
			c.Close()
		}
	}()
	start := time.Now()
	_, stderr, code := run(t, nil, "describe", "brokers", "-b", l.Addr().String())
	elapsed := time.Since(start)
	t.Logf("silent listener answered in %s", elapsed)
	if code != 3 || !strings.Contains(stderr, "timeout") || !strings.Contains(stderr, "Hint:") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if elapsed > 10*time.Second {
		t.Errorf("took %s, want under 10s", elapsed)
	}
}
