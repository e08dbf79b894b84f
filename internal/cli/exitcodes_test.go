package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// TestCaptureExitsAsTriageDoes: evidence capture judges the cluster it
// captured, so its exit code is triage's on the same cluster (and the
// bundle is written whatever the verdict).
func TestCaptureExitsAsTriageDoes(t *testing.T) {
	codes := map[int]bool{}
	for _, name := range playbooks.List() {
		t.Run(name, func(t *testing.T) {
			c, _ := servePlaybook(t, name)
			addr := strings.Join(c.Bootstrap(), ",")
			_, _, want := run(t, nil, "triage", "-b", addr)
			bundle := filepath.Join(t.TempDir(), "b")
			out, stderr, got := run(t, nil, "evidence", "capture", "-b", addr, "--out", bundle)
			if got != want || strings.TrimSpace(out) != bundle {
				t.Errorf("capture: exit %d, printed %q; triage exits %d; stderr: %s", got, out, want, stderr)
			}
			codes[got] = true
		})
	}
	if len(codes) < 2 {
		t.Errorf("every scenario gave the same exit code %v: the test shows nothing", codes)
	}
}

// TestDrillStopExitsZeroOnAnOutage: drill stop judges the team, not the
// scripted outage: 0 once the report is written, even for a critical one.
func TestDrillStopExitsZeroOnAnOutage(t *testing.T) {
	state := t.TempDir()
	_, exit := startDrill(t, state, "demo-broker-down", "--speed", "600")
	if _, stderr, code := run(t, nil, "drill", "stop", "--state-dir", state); code != 0 {
		t.Errorf("drill stop: exit %d: %s", code, stderr)
	}
	<-exit
	if _, stderr, code := run(t, nil, "drill", "stop", "--state-dir", state); code != 3 || !strings.Contains(stderr, "no drill is running") {
		t.Errorf("drill stop without a drill: exit %d: %s", code, stderr)
	}
}
