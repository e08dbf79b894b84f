package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// typicalInvocations are every command as a person types it against the
// cluster at addr; what they are told to write goes under elsewhere.
func typicalInvocations(t *testing.T, addr, elsewhere string) [][]string {
	t.Helper()
	bundle := filepath.Join(elsewhere, "bundle")
	cmds := [][]string{
		{"evidence", "capture", "-b", addr, "--out", bundle}, // first: the others read it
		{"triage", "-b", addr}, {"triage", "-b", addr, "-o", "json"}, {"triage", "-b", addr, "-o", "markdown"},
		{"triage", "--from", bundle}, {"triage", "-b", addr, "--since", bundle},
		{"snapshot", "-b", addr}, {"list"}, {"codes"}, {"explain", "BROKER_DOWN"}, {"version"},
		{"evidence", "report", bundle}, {"evidence", "report", bundle, "--format", "html"}, {"evidence", "diff", bundle, bundle},
		{"evidence", "watch", "-b", addr, "--interval", "200ms", "--for", "500ms", "--out", filepath.Join(elsewhere, "watch")},
		{"drill", "list"}, {"drill", "from-bundle", bundle}, {"demo"},
	}
	for _, view := range []string{"brokers", "topics", "partitions", "groups", "logdirs", "configs", "security", "quorum"} {
		cmds = append(cmds, []string{"describe", view, "-b", addr})
	}
	lib, err := runbooks.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range lib.Names() {
		live := []string{"run", name, "-b", addr, "--yes", "--interval", "10ms"}
		cmds = append(cmds, live, append(live, "-o", "json"), []string{"run", name, "--from", bundle, "--yes"},
			[]string{"run", name, "--from", bundle, "-o", "json"})
	}
	return cmds
}

// TestNoCommandWritesIntoTheCurrentDirectory runs every command's typical
// invocation against the demo cluster from a fresh, empty directory: it
// stays empty. Plans go to the state directory (0700) and are named in the
// output; with -o json none is written at all.
func TestNoCommandWritesIntoTheCurrentDirectory(t *testing.T) {
	addr := demoCluster(t)
	home, elsewhere, cwd := t.TempDir(), t.TempDir(), t.TempDir()
	env := map[string]string{"HOME": home}
	t.Chdir(cwd)
	plans := filepath.Join(home, ".local", "state", "kafka-runbook", "plans")
	for _, args := range typicalInvocations(t, addr, elsewhere) {
		before := planFiles(t, plans)
		out, stderr, _ := run(t, env, args...)
		if strings.Contains(stderr, "Error: ") { // a verdict's exit code is fine; a refusal did not do the work
			t.Errorf("%v: %s", args, stderr)
		}
		if entries, _ := os.ReadDir(cwd); len(entries) > 0 {
			t.Fatalf("%v wrote %s into the current directory", args, entries[0].Name())
		}
		written := planFiles(t, plans)[len(before):]
		json := strings.Contains(strings.Join(args, " "), "-o json")
		if json && len(written) > 0 {
			t.Errorf("%v (JSON) wrote plans %v", args, written)
		}
		for _, name := range written {
			if !strings.Contains(out, filepath.Join(plans, name)) {
				t.Errorf("%v wrote %s without naming it in its output", args, name)
			}
		}
	}
	if len(planFiles(t, plans)) == 0 {
		t.Error("no run of broker-failure wrote its plan into the state directory")
	}
	for _, dir := range []string{plans, filepath.Dir(plans)} {
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, mode %v; want 0700", dir, err, st.Mode().Perm())
		}
	}
}

// planFiles lists the plan directory, oldest first (names carry the time;
// a missing directory has none).
func planFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
