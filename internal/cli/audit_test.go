package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAuditOnTheDemoIncident: audit runs through the real command tree on
// the simulated incident, in every format, read-only; its JSON carries the
// hygiene report's contract and its exit code follows the verdict.
func TestAuditOnTheDemoIncident(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "audit", "-b", addr, "-o", "json")
	var report struct {
		SchemaVersion int    `json:"schema_version"`
		Status        string `json:"status"`
		Findings      []struct {
			Code    string `json:"code"`
			Broker  *int32 `json:"broker"`
			Summary string `json:"summary"`
		} `json:"findings"`
		Fixes []struct {
			Code     string `json:"code"`
			Commands []struct {
				Command string `json:"command"`
				Risk    string `json:"risk"`
			} `json:"commands"`
		} `json:"fixes"`
		Unevaluated []struct{ Check, Reason string } `json:"unevaluated"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("audit -o json is not JSON: %v\n%s\nstderr: %s", err, out, stderr)
	}
	t.Logf("exit %d, status %s, findings %+v, gaps %+v", code, report.Status, report.Findings, report.Unevaluated)
	if report.SchemaVersion != 2 || report.Fixes == nil {
		t.Errorf("schema_version %d, fixes %v", report.SchemaVersion, report.Fixes)
	}
	want := map[string]int{"ok": 0, "warning": 1, "critical": 2, "unknown": 3}[report.Status]
	if code != want {
		t.Errorf("exit %d for status %s, want %d", code, report.Status, want)
	}
	// The demo's broker 3 is down: the leaders it prefers are elsewhere,
	// which audit says without alarm.
	imbalance := false
	for _, f := range report.Findings {
		imbalance = imbalance || f.Code == "PREFERRED_LEADER_IMBALANCE" && f.Broker != nil && *f.Broker == 3 &&
			strings.Contains(f.Summary, "the broker is down")
	}
	if !imbalance {
		t.Errorf("no PREFERRED_LEADER_IMBALANCE for the down broker 3: %+v", report.Findings)
	}
	for _, f := range report.Fixes {
		for _, c := range f.Commands {
			if c.Risk == "" || c.Command == "" {
				t.Errorf("%s: a command without its risk: %+v", f.Code, c)
			}
		}
	}
	for _, format := range []string{"table", "markdown"} {
		text, stderr, _ := run(t, nil, "audit", "-b", addr, "-o", format)
		if !strings.Contains(text, "Audit "+strings.ToUpper(report.Status)) || !strings.Contains(text, "How to fix") {
			t.Errorf("audit -o %s:\n%s\nstderr: %s", format, text, stderr)
		}
	}
}

// TestAuditIsNamedInHelp: the root help lists audit.
func TestAuditIsNamedInHelp(t *testing.T) {
	out, _, code := run(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "audit") {
		t.Errorf("--help (exit %d) does not name audit:\n%s", code, out)
	}
}

// TestAuditBadInput: an argument or an unknown format is one clear line and
// exit 3, with nothing half-written on stdout.
func TestAuditBadInput(t *testing.T) {
	for _, args := range [][]string{{"audit", "extra"}, {"audit", "-b", "127.0.0.1:1", "-o", "yaml"}} {
		out, stderr, code := run(t, nil, args...)
		if code != 3 || out != "" || !strings.HasPrefix(stderr, "Error: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}

// TestAuditReplaysARecordedSnapshot: --from runs the hygiene checks on a
// recorded snapshot, with no network.
func TestAuditReplaysARecordedSnapshot(t *testing.T) {
	out, stderr, code := run(t, nil, "audit", "--from", "../../testdata/snapshots/healthy.json", "-o", "json")
	if code != 0 || !strings.Contains(out, `"findings": []`) {
		t.Errorf("exit %d\n%s\nstderr: %s", code, out, stderr)
	}
}
