package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/drill"
)

// printedCommand finds "kafka-runbook" where a command may follow; which
// of them are commands is decided by the command tree, not by a pattern.
var printedCommand = regexp.MustCompile(`(^|[\s'"(:>$])kafka-runbook [^\n]*`)

// extractCommands returns every kafka-runbook command line printed in
// text whose first word names a command (prose such as "a kafka-runbook
// look" is not one), split into words as a shell would.
func extractCommands(t *testing.T, text string, commands []string) [][]string {
	t.Helper()
	var out [][]string
	for _, m := range printedCommand.FindAllStringSubmatch(text, -1) {
		line := strings.TrimPrefix(m[0], m[1])
		quoted := m[1] == "'" || m[1] == `"`
		if quoted { // 'kafka-runbook explain X' ends at its quote
			line = line[:strings.IndexAny(line+m[1], m[1])]
		}
		words := shellWords(t, line)
		if len(words) > 1 && slices.Contains(commands, words[1]) {
			out = append(out, words[1:])
		}
	}
	return out
}

// shellWords splits a line as a POSIX shell does (quotes, backslashes),
// stopping at a comment or at prose after the command: "# ..." or "(or ...".
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case !inWord && (r == '#' || r == '('):
			return words
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unbalanced quote in printed command: %s", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// safeBuffer is a buffer a running command writes while the test reads.
type safeBuffer struct{ lockedWriter }

func newSafeBuffer() *safeBuffer { return &safeBuffer{lockedWriter{w: &bytes.Buffer{}}} }

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.(*bytes.Buffer).String()
}

// drillOutputs runs a drill with its own --state-dir, checks the
// briefing's commands while the drill serves, and returns what the other
// drill commands print: a scenario made from bundle, and stop. It returns
// those and the briefing's commands seen.
func drillOutputs(t *testing.T, env map[string]string, state, bundle string) (string, []string) {
	t.Helper()
	briefing := newSafeBuffer()
	app := &App{IO: &IO{In: strings.NewReader(""), Out: briefing, Err: briefing}, Getenv: func(k string) string { return env[k] }, Version: "test"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	exit := make(chan int, 1)
	go func() {
		exit <- Main(ctx, app, []string{"drill", "start", "zombie-leader", "--speed", "600", "--state-dir", state})
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(briefing.String(), "All injects fired"); {
		if time.Now().After(deadline) {
			t.Fatalf("the drill did not fire its injects:\n%s", briefing.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sess, err := drill.Active(state)
	if err != nil {
		t.Fatal(err)
	}
	// The team's commands reach the drill's cluster and nothing else.
	seen := checkPrintedCommands(t, env, briefing.String(), state, "-b "+strings.Join(sess.Meta.Bootstrap, ","))
	scenario := filepath.Join(t.TempDir(), "replay.yaml")
	_, fromBundle, _ := run(t, env, "drill", "from-bundle", bundle, "--out", scenario, "--state-dir", state)
	stop, stopErr, code := run(t, env, "drill", "stop", "--state-dir", state)
	if code != 0 || <-exit != 0 {
		t.Fatalf("drill stop: exit %d: %s", code, stopErr)
	}
	return strings.Join([]string{fromBundle, stop, stopErr}, "\n"), seen
}

// readOnly are the commands a test may run as printed: they only read the
// cluster or a recording and write nothing unless told to.
var readOnly = []string{"triage", "run", "describe", "explain", "codes", "list", "evidence report", "evidence diff", "drill list"}

// TestEveryPrintedCommandRunsAsPrinted: the kafka-runbook commands that
// triage, run, evidence and drill print parse with the real command tree,
// carry the bootstrap, --bootstrap-controller, --command-config, the
// non-secret -X and the drill's --state-dir, never a secret; the read-only
// ones run as printed against the demo cluster.
func TestEveryPrintedCommandRunsAsPrinted(t *testing.T) {
	addr := demoCluster(t)
	env := map[string]string{"HOME": t.TempDir()}
	dir := t.TempDir()
	props := filepath.Join(dir, "client.properties")
	if err := os.WriteFile(props, []byte("security.protocol=PLAINTEXT\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	controller := strings.Split(addr, ",")[0]
	conn := []string{"-b", addr, "--command-config", props, "-X", "client.id=oncall", "-X", "ssl.key.password=s3cret", "--bootstrap-controller", controller}
	bundle, watched, state := filepath.Join(dir, "bundle"), filepath.Join(dir, "watched"), filepath.Join(dir, "state")
	var outputs []string
	for _, args := range [][]string{
		{"evidence", "capture", "--out", bundle}, {"triage"}, {"triage", "-o", "markdown"},
		{"run", "broker-failure", "--yes", "--plan-dir", dir}, {"run", "isr-shrinkage", "--yes", "--interval", "10ms"},
		{"evidence", "watch", "--interval", "200ms", "--for", "500ms", "--out", watched},
		{"triage", "--from", bundle}, {"run", "isr-shrinkage", "--from", bundle, "--yes"},
		{"evidence", "report", bundle}, {"evidence", "diff", watched}, {"evidence", "report", watched},
	} {
		if !slices.Contains(args, "--from") && (args[0] != "evidence" || args[1] == "capture" || args[1] == "watch") {
			args = append(args, conn...)
		}
		out, stderr, _ := run(t, env, args...)
		outputs = append(outputs, out, stderr)
	}
	drillText, drillSeen := drillOutputs(t, env, state, bundle)
	text := strings.Join(append(outputs, drillText), "\n")
	if strings.Contains(text, "s3cret") {
		t.Errorf("a secret was printed:\n%s", grepLines(text, "s3cret"))
	}
	seen := checkPrintedCommands(t, env, text, state, "-b "+addr, "--command-config "+props, "-X client.id=oncall", "--bootstrap-controller "+controller)
	seen = append(seen, drillSeen...)
	for _, want := range []string{"run broker-failure -b", "run broker-failure --from", "evidence report " + bundle, "triage -b", "run zombie-leader -b",
		"drill note --state-dir", "drill stop --state-dir", "drill start "} {
		if !slices.ContainsFunc(seen, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no printed command %q among %q", want, seen)
		}
	}
}

// checkPrintedCommands parses every kafka-runbook command printed in text
// with the real command tree and runs the read-only ones. A live triage or
// run must carry every one of reach; a drill command the drill's
// --state-dir. It returns the commands seen, as "path args".
func checkPrintedCommands(t *testing.T, env map[string]string, text, state string, reach ...string) []string {
	t.Helper()
	var names, seen []string
	for _, c := range NewRootCmd(&App{IO: &IO{}, Getenv: env2func(nil)}).Commands() {
		names = append(names, c.Name())
	}
	for _, words := range extractCommands(t, text, names) {
		line := strings.Join(words, " ")
		cmd, rest, err := NewRootCmd(&App{IO: &IO{}, Getenv: env2func(nil)}).Find(words)
		if err == nil {
			err = cmd.ParseFlags(rest)
		}
		if err == nil {
			err = cmd.ValidateArgs(cmd.Flags().Args())
		}
		if err != nil {
			t.Errorf("printed command does not parse: kafka-runbook %s: %v", line, err)
			continue
		}
		path := strings.TrimPrefix(cmd.CommandPath(), "kafka-runbook ")
		seen = append(seen, path+" "+strings.Join(rest, " "))
		if template(words) || slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, "--bootstrap-server=") }) {
			continue // a template, or a command line the bundle recorded
		}
		checkCarries(t, path, line, state, reach)
		if !slices.Contains(readOnly, path) || cmd.Flags().Changed("record") || cmd.Flags().Changed("out") {
			continue
		}
		if _, stderr, _ := run(t, env, words...); strings.Contains(stderr, "Error:") {
			t.Errorf("printed command does not run as printed: kafka-runbook %s\n%s", line, stderr)
		}
	}
	return seen
}

func env2func(env map[string]string) Env { return func(k string) string { return env[k] } }

// checkCarries: a command that reaches a cluster says which and how; a
// drill command names the drill's state directory.
func checkCarries(t *testing.T, path, line, state string, reach []string) {
	t.Helper()
	var want []string
	switch {
	case strings.HasPrefix(path, "drill ") && path != "drill list":
		want = []string{"--state-dir " + state}
	case (path == "triage" || path == "run") && !strings.Contains(line, "--from "):
		want = reach
	}
	for _, w := range want {
		if !strings.Contains(line, w) {
			t.Errorf("printed command lacks %q: kafka-runbook %s", w, line)
		}
	}
}

// template reports a command with a placeholder for the reader to fill in
// (record one with 'kafka-runbook run NAME --record BUNDLE'): it must
// parse, but cannot run as it stands.
func template(words []string) bool {
	return slices.ContainsFunc(words, func(w string) bool {
		return slices.Contains([]string{"NAME", "BUNDLE", "SCENARIO", "CODE", "FILE", "DIR", "RUNBOOK"}, w)
	})
}
