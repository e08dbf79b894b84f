package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// TestDiskThresholdFlags: the degraded fixture's broker 1 /var/lib/kafka/data
// has 8.2% usable. The --disk-* flags move it between no finding, warning
// and critical; bad values are one clear line and exit 3.
func TestDiskThresholdFlags(t *testing.T) {
	fixture := filepath.Join("..", "..", "testdata", "snapshots", "degraded.json")
	lowSpace := func(args ...string) string {
		t.Helper()
		out, stderr, _ := run(t, nil, append([]string{"triage", "--from", fixture, "-o", "json"}, args...)...)
		var r triage.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		for _, f := range r.Findings {
			if f.Code == findings.LogDirLowSpace {
				if f.Broker == nil || *f.Broker != 1 || f.LogDir != "/var/lib/kafka/data" {
					t.Errorf("%v: subject %s", args, f.Subject())
				}
				return f.Severity.String()
			}
		}
		return ""
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "warning"},
		{[]string{"--disk-warning-percent", "5"}, ""},
		{[]string{"--disk-critical-percent", "10"}, "critical"},
		{[]string{"--disk-critical-free", "50GiB"}, "critical"},
		{[]string{"--disk-critical-free", "0", "--disk-warning-percent", "0", "--disk-critical-percent", "0"}, ""},
	} {
		if got := lowSpace(tt.args...); got != tt.want {
			t.Errorf("%v: LOG_DIR_LOW_SPACE %q, want %q", tt.args, got, tt.want)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"triage", "--from", fixture, "--disk-critical-free", "12 parsecs"}, "--disk-critical-free"},
		{[]string{"triage", "--from", fixture, "--disk-critical-percent", "20"}, "must not be above the warning one"},
		{[]string{"run", "disk-pressure", "--from", fixture, "--disk-warning-percent", "101"}, "from 0 to 100"},
		{[]string{"evidence", "capture", "--disk-warning-within", "-1h", "-b", "127.0.0.1:9"}, "must not be negative"},
	} {
		out, stderr, code := run(t, nil, tt.args...)
		if code != exitcode.Unknown || out != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 3 naming %q", tt.args, code, out, stderr, tt.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "1GiB": 1 << 30, "1.5 GiB": 3 << 29, "500MB": 500_000_000, "2g": 2 << 30, "10 KiB": 10240} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1GiB", "lots", "1XB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}
