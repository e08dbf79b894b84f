package cli

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHeadersAndWordingOnTheDemo: the glitches a tired reader trips on,
// through the real commands against the demo incident.
func TestHeadersAndWordingOnTheDemo(t *testing.T) {
	addr := demoCluster(t)

	// 50 of the 65 partitions are listed: the title counts the rows shown.
	out, _, _ := run(t, nil, "describe", "partitions", "-b", addr)
	if !strings.Contains(out, "\nPartitions (50 shown of 65)\n") || strings.Contains(out, "(65 of 65)") {
		t.Errorf("partitions title:\n%s", grepLines(out, "Partitions ("))
	}
	out, _, _ = run(t, nil, "describe", "partitions", "-b", addr, "--under-min-isr")
	if !strings.Contains(out, "Partitions (5 of 65 match)") {
		t.Errorf("filtered partitions title:\n%s", grepLines(out, "Partitions ("))
	}

	// Broker 3 refuses connections: no latency, not "0ms".
	out, _, _ = run(t, nil, "describe", "brokers", "-b", addr)
	if !regexp.MustCompile(`(?m)^ 3 .* refused +- +0 `).MatchString(out) {
		t.Errorf("a refused broker shows a latency:\n%s", grepLines(out, "refused"))
	}

	// "(other)" after a warning says nothing.
	for _, args := range [][]string{{"triage"}, {"describe", "partitions"}, {"describe", "groups"}} {
		out, stderr, _ := run(t, nil, append(args, "-b", addr)...)
		if strings.Contains(out+stderr, "(other)") {
			t.Errorf("%v: %s", args, grepLines(out+stderr, "(other)"))
		}
	}

	// A recording without log dirs (as a watch without --log-dirs used to
	// keep) says so in a replay, without "broker -1".
	snap := filepath.Join(t.TempDir(), "s.json")
	if _, stderr, code := run(t, nil, "snapshot", "-b", addr, "--out", snap); code != 0 {
		t.Fatalf("snapshot: exit %d: %s", code, stderr)
	}
	withoutLogDirs(t, snap)
	for _, args := range [][]string{{"triage", "--from", snap}, {"run", "isr-shrinkage", "--from", snap, "--yes"}, {"triage", "--from", snap, "-o", "json"}} {
		out, stderr, _ := run(t, nil, args...)
		if strings.Contains(out+stderr, "broker -1") {
			t.Errorf("%v: %s", args, grepLines(out+stderr, "broker -1"))
		}
		if !strings.Contains(out, "log dirs: not recorded") {
			t.Errorf("%v does not say the log dirs were not recorded:\n%s", args, grepLines(out, "log dirs"))
		}
	}
}

// withoutLogDirs removes the log dirs from a snapshot file.
func withoutLogDirs(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "log_dirs")
	data, err = json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMarkdownReportReadsAsTyped: the evidence report in Markdown keeps
// "->" as typed, and an ISR change names the broker that left.
func TestMarkdownReportReadsAsTyped(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "r.md")
	if _, stderr, code := run(t, nil, "evidence", "report", filepath.Join("..", "evidence", "testdata", "bundle-v1"), "--out", md); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, "&gt;") || strings.Contains(text, "&lt;") {
		t.Errorf("HTML entities in the Markdown report:\n%s", grepLines(text, "&"))
	}
	if !strings.Contains(text, "payments/1 ISR shrank [3 1] -> [1] (broker 3 left the ISR, below min.insync.replicas") ||
		!strings.Contains(text, "(broker 3 rejoined the ISR)") {
		t.Errorf("ISR changes do not name the broker:\n%s", grepLines(text, "ISR"))
	}
}

// TestSilentBrokerSaysWhatTimedOut: a broker that accepts and never
// answers is reported with the limit that ran out and the command's
// --timeout, in words, not "within 3.333s: context deadline exceeded".
func TestSilentBrokerSaysWhatTimedOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for {
			select {
			case c := <-held:
				c.Close()
			default:
				return
			}
		}
	})
	_, stderr, code := run(t, nil, "describe", "brokers", "-b", l.Addr().String(), "--timeout", "3s")
	if code != 3 || !strings.Contains(stderr, "no answer within 1s, the most one request may take: a third of --timeout 3s") ||
		strings.Contains(stderr, "context deadline exceeded") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// TestJSONStatusHasOneCasing: triage's and run's JSON write "status" in
// lower case, like "severity", under schema_version 2; a bundle written
// with the old casing still reports and replays.
func TestJSONStatusHasOneCasing(t *testing.T) {
	addr := demoCluster(t)
	for _, args := range [][]string{{"triage"}, {"run", "broker-failure", "--yes"}} {
		out, _, code := run(t, nil, append(args, "-b", addr, "-o", "json")...)
		if code != 2 || !strings.Contains(out, `"schema_version": 2`) || !strings.Contains(out, `"status": "critical"`) ||
			!strings.Contains(out, `"severity": "critical"`) || strings.Contains(out, `"status": "CRITICAL"`) {
			t.Errorf("%v -o json: exit %d, status lines:\n%s", args, code, grepLines(out, `"status"`))
		}
	}
	old := filepath.Join("..", "evidence", "testdata", "bundle-status-v1")
	out, stderr, code := run(t, nil, "evidence", "report", old)
	if code != 0 || !strings.Contains(out, "At the end: WARNING") || !strings.Contains(out, "### Runbook broker-failure: CRITICAL") {
		t.Errorf("report of a schema_version 1 bundle: exit %d, %s\n%s", code, stderr, grepLines(out, "At the end"))
	}
	if _, stderr, code := run(t, nil, "triage", "--from", old); code != 1 {
		t.Errorf("triage --from a schema_version 1 bundle: exit %d, %s", code, stderr)
	}
}
