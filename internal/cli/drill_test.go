package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/internal/drill"
)

// startDrill runs `drill start` in the background and waits until its
// session is active; the returned channel gives its exit code.
func startDrill(t *testing.T, state string, args ...string) (*drill.Session, <-chan int) {
	t.Helper()
	exit := make(chan int, 1)
	go func() {
		_, stderr, code := run(t, nil, append([]string{"drill", "start", "--state-dir", state}, args...)...)
		if code != 0 {
			t.Logf("drill start: %s", stderr)
		}
		exit <- code
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s, err := drill.Active(state); err == nil {
			return s, exit
		}
		select {
		case code := <-exit:
			t.Fatalf("drill start exited %d before the drill was active", code)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("the drill did not become active within 10s")
	return nil, nil
}

// TestDrillRoundTrip: start a drill, look with triage, note a decision,
// walk the expected runbook with --record, make a dangerous change with
// another client, let the injects fire, stop: the report has it all.
func TestDrillRoundTrip(t *testing.T) {
	state := t.TempDir()
	sess, exit := startDrill(t, state, "zombie-leader", "--speed", "300")
	boot := strings.Join(sess.Meta.Bootstrap, ",")

	// A watch polls all along, as on-call engineers leave one running.
	watched := make(chan string, 1)
	go func() {
		_, stderr, code := run(t, nil, "evidence", "watch", "-b", boot, "--interval", "1600ms", "--for", "5s",
			"--out", filepath.Join(t.TempDir(), "watch"), "--timeout", "3s")
		if code != 0 {
			stderr = "exit " + itoa(int32(code)) + ": " + stderr
		} else {
			stderr = ""
		}
		watched <- stderr
	}()
	if _, stderr, code := run(t, nil, "triage", "-b", boot, "-o", "json", "--timeout", "3s"); code == 3 {
		t.Fatalf("triage: %s", stderr)
	}
	if out, stderr, code := run(t, nil, "drill", "note", "--state-dir", state, "broker 3 is a zombie; not restarting 1 or 2"); code != 0 || !strings.Contains(out, "Noted at") {
		t.Fatalf("note: exit %d %s %s", code, out, stderr)
	}
	rec := sess.Path(drill.EvidenceDir)
	if _, stderr, code := run(t, nil, "run", "zombie-leader", "-b", boot, "--timeout", "3s", "--interval", "50ms", "--record", rec); code == 3 {
		t.Fatalf("run zombie-leader: %s", stderr)
	}
	uncleanElection(t, boot)
	time.Sleep(time.Until(sess.Meta.StartedAt.Add(time.Second))) // both injects (+0.3s, +0.5s at 300x)

	if msg := <-watched; msg != "" {
		t.Fatalf("watch: %s", msg)
	}

	out, stderr, code := run(t, nil, "drill", "stop", "--state-dir", state, "-o", "json")
	if code != 0 {
		t.Fatalf("stop: exit %d: %s", code, stderr)
	}
	if code := <-exit; code != 0 {
		t.Fatalf("drill start exited %d", code)
	}
	var r drill.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out)
	}
	if len(r.Stages) != 3 || r.Stages[0].FirstLook == nil || r.Stages[0].FirstNote == nil {
		t.Errorf("stages %+v: want start + 2 injects, the start seen by triage and noted", r.Stages)
	}
	for _, s := range r.Stages[1:] {
		if late := s.At.Sub(s.Due); late < 0 || late > 250*time.Millisecond {
			t.Errorf("%s took effect %s after its due time", s.Name, late)
		}
	}
	if r.RunbookOpened != "yes" {
		t.Errorf("expected runbook zombie-leader opened = %q, runbooks %+v, warnings %v", r.RunbookOpened, r.Runbooks, r.Warnings)
	}
	var unclean bool
	for _, c := range r.Changes {
		unclean = unclean || (c.Risk == "dangerous" && c.ClientID == "adminclient-7" && strings.Contains(c.What, "unclean leader election of orders/2"))
	}
	if !unclean {
		t.Errorf("the unclean election is not reported as a dangerous change: %+v", r.Changes)
	}
	md, err := os.ReadFile(sess.Path(drill.ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Drill report: ", "Time to first correct finding", "broker 3 is a zombie", "dangerous change by adminclient-7", "| yes "} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if _, err := drill.Active(state); err == nil {
		t.Error("the drill is still marked active after stop")
	}
	checkDrillReportReadable(t, r, string(md))
}

// checkDrillReportReadable: kafka-runbook is one tool in the report (not
// one row per library, none named "kafka-runbook 1"), the recorded
// zombie-leader walk is listed once, and the watch's polls do not get a
// timeline row each.
func checkDrillReportReadable(t *testing.T, r drill.Report, md string) {
	t.Helper()
	var ours []drill.Tool
	for _, tool := range r.Tools {
		if tool.ClientID == "kafka-runbook" {
			ours = append(ours, tool)
		}
	}
	if len(ours) != 1 || strings.Contains(ours[0].Software, "kafka-runbook 1") || !strings.Contains(ours[0].Software, "kafka-runbook test") ||
		!strings.Contains(ours[0].Software, "sarama") {
		t.Errorf("kafka-runbook in the tools: %+v", ours)
	}
	var zombie []drill.RunbookRun
	for _, rb := range r.Runbooks {
		if strings.Contains(rb.Name, "zombie-leader") {
			zombie = append(zombie, rb)
		}
	}
	if len(zombie) != 1 || zombie[0].Source != "recorded" {
		t.Errorf("zombie-leader runs: %+v", zombie)
	}
	timeline := md[strings.Index(md, "### Timeline"):]
	timeline = timeline[:strings.Index(timeline, "### Changes")]
	rows := strings.Count(timeline, "| kafka-runbook (")
	if rows >= len(r.Looks) || !strings.Contains(timeline, " times until ") {
		t.Errorf("%d looks are %d timeline rows, none folded:\n%s", len(r.Looks), rows, timeline)
	}
}

// uncleanElection sends what kafka-leader-election.sh --election-type
// unclean sends, as Kafka's admin client would name itself.
func uncleanElection(t *testing.T, boot string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(boot, ",")...), kgo.ClientID("adminclient-7"), kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrElectLeadersRequest()
	req.ElectionType = 1
	rt := kmsg.NewElectLeadersRequestTopic()
	rt.Topic, rt.Partitions = "orders", []int32{2}
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = req.RequestWith(ctx, cl) // the sim may refuse it; the attempt is what counts
}

// TestBadScenariosAreOneClearErrorAndExit3: corrupt and hand-edited
// scenario files name the file and the problem, exit 3, never panic.
func TestBadScenariosAreOneClearErrorAndExit3(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("..", "..", "playbooks", "zombie-leader.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(from, to string) string {
		if !strings.Contains(string(good), from) {
			t.Fatalf("zombie-leader.yaml lacks %q", from)
		}
		return strings.Replace(string(good), from, to, 1)
	}
	cases := []struct{ name, doc, mention string }{
		{"bad-yaml", "schema_version: 1\nname: [unclosed\n", "yaml:"},
		{"truncated", string(good)[:len(good)/3], ""},
		{"unknown-field", edit("title:", "owner: me\ntitle:"), "field owner not found"},
		{"wrong-schema", edit("schema_version: 1", "schema_version: 7"), "schema_version: 7 is not supported"},
		{"unknown-broker", edit("replicas: [1, 2, 3], isr: [1, 2], leader: 1, leader_epoch: 3", "replicas: [1, 2, 9], isr: [1, 2], leader: 1, leader_epoch: 3"), "unknown broker id 9"},
		{"negative-inject", edit("at: 1m30s", "at: -30s"), "injects[0].at: -30s is negative"},
		{"inject-unknown-partition", edit("    brokers:\n      - {id: 3, clear_view: true}", "    partitions:\n      - {topic: orders, partition: 17, leader: 1}"),
			"topic orders has no partition 17"},
		{"unknown-code", edit("[ZOMBIE_LEADER,", "[ZOMBIE_LEADERS,"), `"ZOMBIE_LEADERS" is not a finding code`},
	}
	dir := t.TempDir()
	state := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".yaml")
			if err := os.WriteFile(path, []byte(tc.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"drill", "start", tc.name, "--scenario-dir", dir, "--state-dir", state},
				{"drill", "start", path, "--state-dir", state},
			} {
				_, stderr, code := run(t, nil, args...)
				if code != 3 {
					t.Errorf("%v: exit %d, want 3", args, code)
				}
				if !strings.Contains(stderr, path) || !strings.Contains(stderr, tc.mention) {
					t.Errorf("%v: stderr does not name %s and %q:\n%s", args, path, tc.mention, stderr)
				}
				if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
					t.Errorf("stack trace:\n%s", stderr)
				}
				if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines > 2 {
					t.Errorf("error is %d lines, want the error and a hint:\n%s", lines, stderr)
				}
			}
		})
	}
	if _, stderr, code := run(t, nil, "drill", "list", "--scenario-dir", dir); code != 3 || !strings.Contains(stderr, dir) {
		t.Errorf("drill list with broken files: exit %d\n%s", code, stderr)
	}
	if _, err := drill.Active(state); err == nil {
		t.Error("a failed start left a drill marked active")
	}
}

func TestDrillCommandsWithoutADrill(t *testing.T) {
	state := t.TempDir()
	for _, args := range [][]string{{"drill", "note", "x"}, {"drill", "stop"}} {
		_, stderr, code := run(t, nil, append(args, "--state-dir", state)...)
		if code != 3 || !strings.Contains(stderr, "no drill is running") || !strings.Contains(stderr, "Hint:") {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	if _, stderr, code := run(t, nil, "drill", "start", "no-such-scenario", "--state-dir", state); code != 3 || !strings.Contains(stderr, "zombie-leader") {
		t.Errorf("unknown scenario: exit %d\n%s", code, stderr)
	}
	out, _, code := run(t, nil, "drill", "list", "-o", "json")
	var l scenarioList
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Scenarios) < 8 {
		t.Fatalf("drill list: exit %d\n%s", code, out)
	}
}
