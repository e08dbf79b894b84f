package cli

import (
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// TestMissingArgumentListsTheChoices: a command that takes one name says
// which names it takes, with exit 3, not cobra's "accepts 1 arg(s)".
func TestMissingArgumentListsTheChoices(t *testing.T) {
	tests := []struct {
		args     []string
		mentions []string
	}{
		{[]string{"run"}, []string{"needs a runbook: one of broker-failure,", "zombie-leader", "Hint: e.g. 'kafka-runbook run broker-failure'"}},
		{[]string{"describe"}, []string{"needs a view: one of brokers, topics, partitions,", "quorum"}},
		{[]string{"explain"}, []string{"needs a finding code: one of", "UNDER_MIN_ISR", "ZOMBIE_LEADER"}},
		{[]string{"drill", "start"}, []string{"needs a scenario: one of demo-broker-down,", "zombie-leader"}},
		{[]string{"run", "broker-failure", "zombie-leader"}, []string{"takes one runbook, got 2"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, stderr, code := run(t, nil, tt.args...)
			if code != 3 || out != "" {
				t.Errorf("exit %d, stdout %q; want 3 and nothing", code, out)
			}
			for _, m := range append(tt.mentions, "Error: ") {
				if !strings.Contains(stderr, m) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			if strings.Contains(stderr, "accepts") || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("not one error line and a hint:\n%s", stderr)
			}
		})
	}
}

// TestExplainFindsTheCodeMeant: the status describe prints, any case and
// separator, and a typo's nearest code.
func TestExplainFindsTheCodeMeant(t *testing.T) {
	for _, arg := range []string{"UNDER_MIN_ISR", "under-min-isr", "Under_Min_ISR", "under min isr"} {
		out, stderr, code := run(t, nil, "explain", arg)
		if code != 0 || !strings.HasPrefix(out, "UNDER_MIN_ISR (critical)") {
			t.Errorf("explain %q: exit %d, %q %s", arg, code, firstLine(out), stderr)
		}
	}
	if out, _, code := run(t, nil, "explain", "offline"); code != 0 || !strings.HasPrefix(out, "OFFLINE_PARTITION") {
		t.Errorf("explain offline (describe's status): exit %d, %q", code, firstLine(out))
	}
	for arg, want := range map[string]string{"UNDER_MIN_ISRR": "UNDER_MIN_ISR", "zombie-leaders": "ZOMBIE_LEADER", "BROKR_DOWN": "BROKER_DOWN"} {
		_, stderr, code := run(t, nil, "explain", arg)
		if code != 3 || !strings.Contains(stderr, "Hint: did you mean "+want+"? (kafka-runbook explain "+want+")") {
			t.Errorf("explain %q: exit %d, stderr:\n%s", arg, code, stderr)
		}
	}
	if _, stderr, code := run(t, nil, "explain", "NOTHING_LIKE_IT"); code != 3 || strings.Contains(stderr, "did you mean") {
		t.Errorf("a far miss suggests a code: exit %d\n%s", code, stderr)
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// TestDurationWithoutUnitSuggestsSeconds: --timeout 5 is refused (Go
// durations need a unit) with the value people meant.
func TestDurationWithoutUnitSuggestsSeconds(t *testing.T) {
	for _, tt := range []struct{ args []string }{
		{[]string{"triage", "--timeout", "5"}},
		{[]string{"run", "broker-failure", "--interval", "5"}},
	} {
		_, stderr, code := run(t, nil, tt.args...)
		flag := tt.args[len(tt.args)-2]
		if code != 3 || !strings.Contains(stderr, "Hint: durations need a unit: use "+flag+" 5s") {
			t.Errorf("%v: exit %d\n%s", tt.args, code, stderr)
		}
	}
}

// TestOfflineHelpHasNoConnectionFlags: commands that never connect do not
// list --bootstrap-server and the rest; those that connect do.
func TestOfflineHelpHasNoConnectionFlags(t *testing.T) {
	offlineCmds := [][]string{{"codes"}, {"explain"}, {"list"}, {"version"}, {"drill"}, {"drill", "list"}, {"drill", "note"},
		{"drill", "start"}, {"drill", "stop"}, {"drill", "from-bundle"}, {"evidence", "report"}, {"evidence", "diff"}, {"completion", "bash"}, {"alerts"}}
	for _, args := range offlineCmds {
		out, _, code := run(t, nil, append(args, "--help")...)
		if code != 0 {
			t.Errorf("%v --help: exit %d", args, code)
		}
		for _, flag := range connectionFlags {
			if strings.Contains(out, "--"+flag) {
				t.Errorf("%v --help lists --%s", args, flag)
			}
		}
	}
	// The flags are only hidden while an offline command's help is
	// written: the next help of the same tree still lists them.
	out, _, _ := run(t, nil, "triage", "--help")
	if !strings.Contains(out, "--bootstrap-server") || !strings.Contains(out, "--timeout") {
		t.Errorf("triage --help lost the connection flags:\n%s", out)
	}
	// Every command that is not marked offline connects to a cluster (or
	// serves one, as demo does) and keeps them: the list above is all.
	app, _, _ := bufferApp("")
	var connecting []string
	walk(NewRootCmd(app), func(c *cobra.Command) {
		if c.Runnable() && !isOffline(c) && c.Name() != "help" {
			connecting = append(connecting, c.CommandPath())
		}
	})
	// context show resolves the connection settings the flags give, so
	// it keeps them too.
	want := "kafka-runbook audit, kafka-runbook context list, kafka-runbook context show, kafka-runbook context use, " +
		"kafka-runbook demo, kafka-runbook describe, kafka-runbook evidence, kafka-runbook evidence capture, kafka-runbook evidence watch, " +
		"kafka-runbook run, kafka-runbook serve, kafka-runbook snapshot, kafka-runbook triage"
	if got := strings.Join(connecting, ", "); got != want {
		t.Errorf("commands that connect:\n got  %s\n want %s", got, want)
	}
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// TestOfflineCommandsExplainThemselves: the catalogue and list commands
// have a long description and examples.
func TestOfflineCommandsExplainThemselves(t *testing.T) {
	for _, args := range [][]string{{"list"}, {"codes"}, {"drill", "list"}, {"explain"}, {"version"}} {
		out, _, _ := run(t, nil, append(args, "--help")...)
		if !strings.Contains(out, "Examples:") || strings.Count(out[:strings.Index(out, "Usage:")], "\n") < 4 {
			t.Errorf("%v --help has no long description or no examples:\n%s", args, out)
		}
	}
}

// TestDrillStartCompletesScenarios goes through cobra's own __complete, as
// the shell scripts of 'kafka-runbook completion' do.
func TestDrillStartCompletesScenarios(t *testing.T) {
	out, _, code := run(t, nil, "__complete", "drill", "start", "")
	names := strings.Fields(out[:strings.LastIndex(out, ":")])
	if code != 0 || strings.Join(names, " ") != strings.Join(playbooks.List(), " ") || !strings.Contains(out, ":4\n") {
		t.Errorf("exit %d, completions %q (want %v and no file completion)", code, out, playbooks.List())
	}
	out, _, _ = run(t, nil, "__complete", "drill", "start", "zo")
	if names := strings.Fields(out[:strings.LastIndex(out, ":")]); strings.Join(names, " ") != "zombie-leader" {
		t.Errorf("completing zo: %q", out)
	}
	out, _, _ = run(t, nil, "__complete", "drill", "start", "./my")
	if !strings.HasPrefix(out, "yaml\n:8") {
		t.Errorf("a path completes .yaml files: %q", out)
	}
}

// TestVersionPrintsTheBuild: version, commit and date, from -ldflags or
// else the binary's VCS stamp.
func TestVersionPrintsTheBuild(t *testing.T) {
	var out strings.Builder
	app, buf, _ := bufferApp("")
	app.Version, app.Commit, app.BuildDate = "v1.2.3", "abc123", "2026-12-03T10:00:00Z"
	if code := Main(t.Context(), app, []string{"version"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	out.WriteString(buf.String())
	for _, want := range []string{"kafka-runbook v1.2.3\n", "commit: abc123\n", "built:  2026-12-03T10:00:00Z\n", "go:     go"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version lacks %q:\n%s", want, out.String())
		}
	}
	app, buf, _ = bufferApp("")
	app.Version, app.Commit, app.BuildDate = "v1.2.3", "abc123", "2026-12-03T10:00:00Z"
	Main(t.Context(), app, []string{"version", "-o", "json"})
	var doc map[string]string
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc["commit"] != "abc123" || doc["build_date"] != "2026-12-03T10:00:00Z" {
		t.Errorf("version -o json: %v %q", err, buf)
	}

	stamped := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.26", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "fedcba9"}, {Key: "vcs.time", Value: "2026-12-01T08:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}, true
	}
	b := resolveBuild(&App{}, stamped)
	if b.Version != "dev" || b.Commit != "fedcba9-dirty" || b.Date != "2026-12-01T08:00:00Z" {
		t.Errorf("from the VCS stamp: %+v", b)
	}
	b = resolveBuild(&App{Version: "v2", Commit: "c", BuildDate: "d"}, stamped)
	if b.Version != "v2" || b.Commit != "c" || b.Date != "d" {
		t.Errorf("-ldflags must win over the stamp: %+v", b)
	}
	b = resolveBuild(&App{}, func() (*debug.BuildInfo, bool) { return nil, false })
	if b.Commit != "unknown" || b.Date != "unknown" {
		t.Errorf("nothing known: %+v", b)
	}
}

// TestCaptureAndDrillStopHelpDocumentExitCodes: the exit codes each one
// gives are in its --help (TestCaptureExitsAsTriageDoes and
// TestDrillStopExitsZeroOnAnOutage prove them).
func TestCaptureAndDrillStopHelpDocumentExitCodes(t *testing.T) {
	for args, wants := range map[string][]string{
		"evidence capture": {"Exit code", "0", "1", "2", "3"},
		"drill stop":       {"Exit code", "0"},
	} {
		out, _, _ := run(t, nil, append(strings.Fields(args), "--help")...)
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s --help lacks %q:\n%s", args, w, out)
			}
		}
	}
}
