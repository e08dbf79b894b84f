//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// cleanEnv is the test process's environment without what changes how
// kafka-runbook draws (a developer's or CI's NO_COLOR and COLUMNS), with a
// HOME of its own (runbook plans go to its state directory), plus extra.
func cleanEnv(t *testing.T, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "COLUMNS=") && !strings.HasPrefix(kv, "HOME=") &&
			!strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			env = append(env, kv)
		}
	}
	return append(append(env, "HOME="+t.TempDir()), extra...)
}

// onPty runs kafka-runbook to its end on a pseudo-terminal of cols
// columns (stdin, stdout and stderr all on it, as in a shell) and returns
// everything the terminal received and the exit code.
func onPty(t *testing.T, cols uint16, env []string, args ...string) (string, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(), args...)
	cmd.Dir, cmd.Env = t.TempDir(), env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it; EOF on ptmx once it exits
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = screen.ReadFrom(ptmx); close(read) }()
	err = cmd.Wait()
	<-read
	if ctx.Err() != nil {
		t.Fatalf("kafka-runbook %v did not end:\n%s", args, screen.String())
	}
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return screen.String(), code
}

// piped runs kafka-runbook with stdout and stderr piped, as in a script.
func piped(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(), args...)
	cmd.Dir, cmd.Env = t.TempDir(), env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

var escapeCode = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// screenLines is what a terminal shows, line by line, without escape
// codes; a carriage return starts the line over, as on the screen.
func screenLines(raw string) []string {
	var lines []string
	for _, l := range strings.Split(escapeCode.ReplaceAllString(raw, ""), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if i := strings.LastIndexByte(l, '\r'); i >= 0 {
			l = l[i+1:]
		}
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return lines
}

func isTableLine(l string) bool {
	return strings.HasPrefix(l, "┌") || strings.HasPrefix(l, "│") || strings.HasPrefix(l, "├") || strings.HasPrefix(l, "└")
}

// TestNarrowTerminal: at 80 and 100 columns, no table line of describe
// partitions, brokers and groups, triage and a runbook walk on the demo
// incident is wider than the terminal (measured without escape codes:
// colour is on), what was left out is named, and prose folds on words:
// every word on the screen is a word of the piped output, which is not
// folded (and has lines wider than 80, so the folding is exercised).
func TestNarrowTerminal(t *testing.T) {
	addr := demo(t)
	commands := [][]string{
		{"describe", "partitions"}, {"describe", "brokers"}, {"describe", "groups"}, {"triage"},
		{"run", "broker-failure", "--yes"},
	}
	for _, cols := range []uint16{80, 100} {
		for _, args := range commands {
			args := append(args, "-b", addr)
			t.Run(strings.Join(args[:2], "-")+"-"+strconv.Itoa(int(cols)), func(t *testing.T) {
				env := cleanEnv(t) // one HOME: the same plan paths in both
				screen, _ := onPty(t, cols, env, args...)
				out, _, _ := piped(t, env, args...)
				// The two runs may save their plans a second apart.
				stamp := regexp.MustCompile(`[0-9]{8}T[0-9]{6}Z`)
				screen, out = stamp.ReplaceAllString(screen, "TIME"), stamp.ReplaceAllString(out, "TIME")
				if !strings.Contains(screen, "\x1b[") {
					t.Errorf("no colour on the terminal: the widths were not measured around escape codes")
				}
				// The words of the note naming the columns left out.
				pipedWords := map[string]bool{"Not": true, "shown": true, "at": true, strconv.Itoa(int(cols)): true,
					"columns:": true, "widen": true, "the": true, "terminal": true, "or": true, "use": true, "-o": true,
					"json": true, "to": true, "see": true, "them.": true}
				wide := 0
				for _, l := range strings.Split(out, "\n") {
					wide = max(wide, utf8.RuneCountInString(l))
					for _, w := range strings.Fields(l) {
						pipedWords[w] = true
						if w == strings.ToUpper(w) { // a header, as the note lists it
							pipedWords[w+","], pipedWords[w+";"] = true, true
						}
					}
				}
				if wide <= int(cols) && cols == 80 {
					t.Errorf("piped output is at most %d wide: nothing to fold", wide)
				}
				tables := 0
				for _, l := range screenLines(screen) {
					n := utf8.RuneCountInString(l)
					if isTableLine(l) {
						tables++
						if n > int(cols) {
							t.Errorf("table line of %d columns at %d: %q", n, cols, l)
						}
						continue
					}
					trimmed := strings.TrimSpace(l)
					if strings.HasPrefix(trimmed, "$ ") || strings.Contains(l, "kafka-runbook ") {
						continue // commands are never folded: they must paste as one line
					}
					if n > int(cols) && len(strings.Fields(l)) > 1 {
						t.Errorf("prose line of %d columns at %d: %q", n, cols, l)
					}
					for _, w := range strings.Fields(l) {
						if !pipedWords[w] {
							t.Errorf("word %q on the terminal is not a word of the piped output (split?) in %q", w, l)
						}
					}
				}
				if tables == 0 {
					t.Errorf("no table on the screen:\n%s", screen)
				}
				if args[0] == "triage" && !slices.Contains(screenLines(screen), "Next: kafka-runbook run broker-failure -b "+addr) {
					t.Errorf("triage's next command is not whole on one line:\n%s", screen)
				}
			})
		}
	}
	// What was left out is named, with how to see it.
	screen, _ := onPty(t, 80, cleanEnv(t), "describe", "partitions", "-b", addr)
	flat := strings.Join(strings.Fields(strings.Join(screenLines(screen), " ")), " ")
	if !regexp.MustCompile(`Not shown at 80 columns: [A-Z ,]*EARLIEST[A-Z ,]*; widen the terminal or use -o json to see them\.`).MatchString(flat) {
		t.Errorf("no note of the columns left out:\n%s", screen)
	}
	// A command is never folded, even when it is wider than the terminal:
	// folded, it would not paste as one.
	screen, _ = onPty(t, 60, cleanEnv(t), "triage", "-b", addr)
	if !slices.Contains(screenLines(screen), "Next: kafka-runbook run broker-failure -b "+addr) {
		t.Errorf("at 60 columns triage's next command is not whole on one line:\n%s", screen)
	}
	// COLUMNS replaces the terminal's width.
	screen, _ = onPty(t, 200, cleanEnv(t, "COLUMNS=80"), "describe", "brokers", "-b", addr)
	for _, l := range screenLines(screen) {
		if isTableLine(l) && utf8.RuneCountInString(l) > 80 {
			t.Errorf("COLUMNS=80 on a 200-column terminal: table line of %d columns", utf8.RuneCountInString(l))
		}
	}
}

// TestColour: on a terminal the status, severities and risk labels are
// coloured; NO_COLOR, --color never and a pipe give no escape code at
// all; --color always colours through a pipe; a bad --color is refused.
func TestColour(t *testing.T) {
	addr := demo(t)
	critical := "\x1b[1;31mCRITICAL\x1b[0m"
	screen, code := onPty(t, 160, cleanEnv(t), "triage", "-b", addr)
	if code != 2 || !strings.Contains(screen, critical+": cluster") || !strings.Contains(screen, "\x1b[33mWARNING\x1b[0m") {
		t.Errorf("exit %d; the terminal shows no coloured status and severities:\n%q", code, screen)
	}
	screen, _ = onPty(t, 160, cleanEnv(t), "run", "broker-failure", "--yes", "-b", addr)
	for _, want := range []string{"\x1b[32m[SAFE]\x1b[0m", "\x1b[33m[CAUTION]\x1b[0m", "Verdict \x1b[1;31m[critical]\x1b[0m"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the runbook walk does not show %q", want)
		}
	}
	for name, env := range map[string][]string{"NO_COLOR=1": cleanEnv(t, "NO_COLOR=1"), "--color never": cleanEnv(t)} {
		args := []string{"triage", "-b", addr}
		if name == "--color never" {
			args = append(args, "--color", "never")
		}
		if screen, _ := onPty(t, 160, env, args...); strings.Contains(screen, "\x1b") || !strings.Contains(screen, "CRITICAL: cluster") {
			t.Errorf("%s on a terminal: escape codes or no report:\n%q", name, screen)
		}
	}
	out, errOut, _ := piped(t, cleanEnv(t), "triage", "-b", addr)
	if strings.Contains(out+errOut, "\x1b") || !strings.Contains(out, "CRITICAL: cluster") {
		t.Errorf("piped: escape codes or no report:\n%q", out)
	}
	out, _, _ = piped(t, cleanEnv(t, "NO_COLOR=1"), "triage", "-b", addr, "--color", "always")
	if !strings.Contains(out, critical+": cluster") {
		t.Errorf("--color always through a pipe: no colour:\n%q", out)
	}
	// JSON and Markdown are read elsewhere: never coloured.
	for _, args := range [][]string{{"triage", "-o", "json"}, {"triage", "-o", "markdown"}, {"run", "broker-failure", "--yes", "-o", "markdown"}} {
		out, _, _ := piped(t, cleanEnv(t), append(args, "-b", addr, "--color", "always")...)
		if strings.Contains(out, "\x1b") {
			t.Errorf("%v --color always: escape codes", args)
		}
	}
	_, errOut, code = piped(t, cleanEnv(t), "triage", "-b", addr, "--color", "sometimes")
	if code != 3 || !strings.Contains(errOut, `unknown --color value "sometimes"`) {
		t.Errorf("--color sometimes: exit %d, stderr %q", code, errOut)
	}
}

// TestProgress: during triage --sample 2s a terminal shows what is being
// waited for and how long is left, and the line is blanked out before the
// report (nothing left over); piped stderr never shows it.
func TestProgress(t *testing.T) {
	addr := demo(t)
	// NO_COLOR: the progress line itself writes no escape code either.
	screen, code := onPty(t, 100, cleanEnv(t, "NO_COLOR=1"), "triage", "--sample", "2s", "-b", addr)
	if code != 2 || strings.Contains(screen, "\x1b") {
		t.Errorf("exit %d (want 2), escape codes %v (want none)", code, strings.Contains(screen, "\x1b"))
	}
	drawn := regexp.MustCompile(`\r[|/\\-] Sampling consumer groups and log dirs: sample [1-5] of 5, [0-9.]+m?s left`).FindAllStringIndex(screen, -1)
	if len(drawn) < 3 {
		t.Fatalf("%d progress drawings in 2s, want several:\n%q", len(drawn), screen)
	}
	report := strings.Index(screen, "CRITICAL: cluster")
	last := drawn[len(drawn)-1]
	if report < last[1] {
		t.Fatalf("the report comes before the last progress line:\n%q", screen)
	}
	if between := screen[last[1]:report]; !regexp.MustCompile(`^ *\r +\r$`).MatchString(between) {
		t.Errorf("the progress line is not blanked out before the report: %q", between)
	}
	for _, l := range screenLines(screen) {
		if strings.Contains(l, "left") {
			t.Errorf("a progress line is left on the screen: %q", l)
		}
	}
	out, errOut, _ := piped(t, cleanEnv(t), "triage", "--sample", "2s", "-b", addr)
	if strings.Contains(out+errOut, "\r") || strings.Contains(out+errOut, "left") {
		t.Errorf("progress in piped output:\nstdout %q\nstderr %q", out, errOut)
	}

	// A runbook's window: the wait between its samples counts down.
	screen, _ = onPty(t, 100, cleanEnv(t, "NO_COLOR=1"), "run", "consumer-lag", "--yes", "--interval", "1s", "-b", addr)
	if !regexp.MustCompile(`\r[|/\\-] Waiting 1s for the next sample, [0-9.]+m?s left`).MatchString(screen) {
		t.Errorf("no progress during a runbook's sampling window:\n%q", screen)
	}
	for _, l := range screenLines(screen) {
		if strings.Contains(l, "s left") {
			t.Errorf("a progress line is left on the screen: %q", l)
		}
	}

	// A broker that accepts connections and never answers: the wait says
	// whom it waits for and how long is left within --timeout.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	go func() {
		var open []net.Conn // held open, unanswered, until the listener closes
		for {
			c, err := hung.Accept()
			if err != nil {
				for _, c := range open {
					c.Close()
				}
				return
			}
			open = append(open, c)
		}
	}()
	screen, code = onPty(t, 100, cleanEnv(t, "NO_COLOR=1"), "triage", "--timeout", "3s", "-b", hung.Addr().String())
	if code != 3 {
		t.Errorf("exit %d against a hung broker, want 3", code)
	}
	if !regexp.MustCompile(`\r[|/\\-] Waiting for the cluster at ` + regexp.QuoteMeta(hung.Addr().String()) + `, [0-9.]+m?s left`).MatchString(screen) {
		t.Errorf("no progress while waiting for a hung broker:\n%q", screen)
	}
	for _, l := range screenLines(screen) {
		if strings.Contains(l, "left") {
			t.Errorf("a progress line is left on the screen: %q", l)
		}
	}
}
