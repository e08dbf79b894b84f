package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
)

// TestWrongInputsNeverPassQuietly: issue 14 item 4. Each input is wrong in
// a way that used to give a plausible answer (an empty cluster "taken
// 0001-01-01", the last snapshot for a time after the recording, a bundle
// compared with itself, an empty table); each is now one error line naming
// what is wrong and what to give instead, exit 3.
func TestWrongInputsNeverPassQuietly(t *testing.T) {
	addr := demoCluster(t)
	capture := captureDemo(t, addr)
	tmp := t.TempDir()
	report := filepath.Join(tmp, "triage.json")
	out, stderr, code := run(t, nil, "triage", "-b", addr, "-o", "json")
	if code != 2 {
		t.Fatalf("triage: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(report, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(capture)
	if err != nil {
		t.Fatal(err)
	}
	refs, _ := b.Snapshots()
	taken := refs[0].Time
	ended := taken // a capture ends when its bundle is written, a moment later
	if f := b.Manifest.FinishedAt; f != nil && f.After(ended) {
		ended = f.UTC()
	}
	tests := []struct {
		name    string
		args    []string
		mention []string
	}{
		{"triage from a triage report", []string{"triage", "--from", report},
			[]string{report, "is a triage report", "not a snapshot"}},
		{"triage since a triage report", []string{"triage", "-b", addr, "--since", report},
			[]string{report, "is a triage report"}},
		{"at after the recording", []string{"triage", "--from", capture, "--at", taken.Add(time.Hour).Format(evidence.TimeFormat)},
			[]string{capture, "recording ended at " + ended.Format(evidence.TimeFormat), "before " + taken.Add(time.Hour).Format(evidence.TimeFormat)}},
		{"at before the recording", []string{"triage", "--from", capture, "--at", taken.Add(-time.Hour).Format(evidence.TimeFormat)},
			[]string{capture, "no snapshot at or before " + taken.Add(-time.Hour).Format(evidence.TimeFormat), "holds snapshots from"}},
		{"diff of a one-snapshot bundle", []string{"evidence", "diff", capture},
			[]string{capture, "holds one snapshot", "nothing to compare"}},
		{"describe partitions of no such topic", []string{"describe", "partitions", "--topic", "nosuch", "-b", addr},
			[]string{"--topic nosuch matches no topic"}},
		{"describe groups of no such group", []string{"describe", "groups", "--group", "nosuch", "-b", addr},
			[]string{"--group nosuch matches no consumer group"}},
	}
	hints := map[string]string{
		"describe partitions of no such topic": "audit-log, orders, payments",
		"describe groups of no such group":     "kafka-runbook describe groups",
		"diff of a one-snapshot bundle":        "evidence watch",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := run(t, nil, tt.args...)
			if code != 3 {
				t.Errorf("exit %d, want 3; stderr: %s", code, stderr)
			}
			if out != "" {
				t.Errorf("wrote output for wrong input:\n%s", out)
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
			if h := hints[tt.name]; !strings.Contains(stderr, "Hint: ") || !strings.Contains(stderr, h) {
				t.Errorf("no hint with %q:\n%s", h, stderr)
			}
		})
	}

	// One name of several that matches nothing is a warning: the rest is
	// shown, exit 0 (describe's exit for a view it could collect).
	out, stderr, code = run(t, nil, "describe", "partitions", "--topic", "nosuch", "--topic", "orders", "-b", addr)
	if code != 0 || !strings.Contains(stderr, "Warning: --topic nosuch matches no topic") || !strings.Contains(out, "orders") {
		t.Errorf("one unknown topic of two: exit %d, stderr %q\n%s", code, stderr, out)
	}
}
