package cli

import (
	"strings"
	"testing"
)

// TestDescribeLimitAndAll: --limit caps a long list and says so, --all
// lists it whole, and a limit that is not positive is a usage error.
func TestDescribeLimitAndAll(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "describe", "partitions", "-b", addr, "--limit", "2")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	if !strings.Contains(out, "showing 2 of ") || !strings.Contains(out, "--all for more") {
		t.Errorf("--limit 2 output does not say it is cut:\n%s", out)
	}
	out, stderr, code = run(t, nil, "describe", "partitions", "-b", addr, "--all")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	if strings.Contains(out, "--all for more") {
		t.Errorf("--all output is cut:\n%s", out)
	}
	for _, args := range [][]string{{"--limit", "0"}, {"--limit", "-3"}, {"--limit", "5", "--all"}} {
		_, stderr, code := run(t, nil, append([]string{"describe", "partitions", "-b", addr}, args...)...)
		if code != 3 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error (3)", args, code, stderr)
		}
	}
}
