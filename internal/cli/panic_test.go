package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
)

// panickingApp is an App whose settings loader panics, standing in for a
// bug anywhere in a command.
func panickingApp(env map[string]string) (*App, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &App{
		IO:      &IO{In: strings.NewReader(""), Out: &out, Err: &errOut},
		Getenv:  func(k string) string { return env[k] },
		Version: "test",
		LoadSettings: func(clientconfig.Options) (*clientconfig.Settings, error) {
			panic("index out of range [3] with length 3\nsecond line")
		},
	}, &errOut
}

// TestPanicIsOneLineAndExit3: a bug is reported as one error line and a
// bug-report hint with exit 3 (never Go's exit 2, which reads as CRITICAL,
// and never a stack trace unless asked for).
func TestPanicIsOneLineAndExit3(t *testing.T) {
	app, errOut := panickingApp(nil)
	code := Main(context.Background(), app, []string{"triage", "-b", "127.0.0.1:1"})
	got := errOut.String()
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	if want := "Error: internal error: index out of range [3] with length 3 second line\n"; !strings.HasPrefix(got, want) {
		t.Errorf("stderr starts %q, want %q", got, want)
	}
	if !strings.Contains(got, "Hint: this is a bug in kafka-runbook test") || strings.Contains(got, "goroutine ") {
		t.Errorf("stderr:\n%s", got)
	}
	if strings.Count(got, "\n") != 2 {
		t.Errorf("want two lines, got:\n%s", got)
	}

	app, errOut = panickingApp(map[string]string{debugEnv: "1"})
	Main(context.Background(), app, []string{"triage", "-b", "127.0.0.1:1"})
	if !strings.Contains(errOut.String(), "goroutine ") {
		t.Errorf("%s=1 prints no stack:\n%s", debugEnv, errOut.String())
	}
}
