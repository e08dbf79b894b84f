package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
)

// TestRunPausesBetweenStepsOnATerminal answers Enter once, then q: two
// steps run, the walk stops, and the prompt went to stderr.
func TestRunPausesBetweenStepsOnATerminal(t *testing.T) {
	addr := demoCluster(t)
	var out, errOut bytes.Buffer
	app := &App{
		IO:     &IO{In: strings.NewReader("\nq\n"), Out: &out, Err: &errOut, InIsTerminal: true},
		Getenv: func(string) string { return "" },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := Main(ctx, app, []string{"run", "broker-failure", "-b", addr, "--plan-dir", t.TempDir()})
	if code != 2 {
		t.Errorf("exit %d, want 2 (broker 3 is down)", code)
	}
	if got := strings.Count(out.String(), "=== Step "); got != 2 {
		t.Errorf("%d steps shown, want 2:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "stopped before the last step") {
		t.Errorf("the footer does not say the walk was stopped:\n%s", out.String())
	}
	if strings.Count(errOut.String(), "Enter for step") != 2 {
		t.Errorf("prompts on stderr:\n%s", errOut.String())
	}
}

// TestRunWithoutTerminalRunsEveryStep: stdin is not a terminal, so no
// prompt and all steps.
func TestRunWithoutTerminalRunsEveryStep(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "run", "isr-shrinkage", "-b", addr, "--interval", "10ms")
	if code != 2 {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if got := strings.Count(out, "=== Step "); got != 6 {
		t.Errorf("%d steps, want 6", got)
	}
	if strings.Contains(stderr, "Enter for step") {
		t.Error("prompted without a terminal")
	}
	if !strings.Contains(out, "kafka-runbook run broker-failure") {
		t.Errorf("isr-shrinkage caused by a down broker does not point to broker-failure:\n%s", out)
	}
}

// TestRunOnlyTheChosenStep runs only --step 3, and refuses a step that does not exist.
func TestRunOnlyTheChosenStep(t *testing.T) {
	addr := demoCluster(t)
	out, _, _ := run(t, nil, "run", "broker-failure", "--step", "3", "-b", addr)
	if strings.Count(out, "=== Step ") != 1 || !strings.Contains(out, "Step 3/5") {
		t.Errorf("--step 3 output:\n%s", out)
	}
	_, stderr, code := run(t, nil, "run", "broker-failure", "--step", "9", "-b", addr)
	if code != 3 || !strings.Contains(stderr, "has 5 steps") {
		t.Errorf("--step 9: exit %d, %s", code, stderr)
	}
}

// TestRunLoadsSettingsOnce: every step of a walk and every probe share one
// load of the connection settings, so the properties file and key stores
// are read once and their warnings printed once (here: the flag
// --insecure-skip-tls-verify without TLS, which every load warns about).
func TestRunLoadsSettingsOnce(t *testing.T) {
	addr := demoCluster(t)
	var out, errOut bytes.Buffer
	loads := 0
	app := &App{
		IO:     &IO{In: strings.NewReader(""), Out: &out, Err: &errOut},
		Getenv: func(string) string { return "" },
		LoadSettings: func(o clientconfig.Options) (*clientconfig.Settings, error) {
			loads++
			return clientconfig.Load(o)
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, rb := range []string{"broker-failure", "isr-shrinkage", "zombie-leader", "data-recovery"} {
		loads = 0
		errOut.Reset()
		Main(ctx, app, []string{"run", rb, "-b", addr, "--interval", "10ms", "--plan-dir", t.TempDir(), "--insecure-skip-tls-verify"})
		if loads != 1 {
			t.Errorf("run %s loaded the settings %d times, want 1", rb, loads)
		}
		if n := strings.Count(errOut.String(), "Warning: --insecure-skip-tls-verify has no effect"); n != 1 {
			t.Errorf("run %s printed the warning %d times, want 1:\n%s", rb, n, errOut.String())
		}
	}
}
