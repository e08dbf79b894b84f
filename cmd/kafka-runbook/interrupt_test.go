//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// demo serves the demo incident for one test and returns its bootstrap.
func demo(t *testing.T) string {
	t.Helper()
	c, _ := testkit.ServePlaybook(t, "demo-broker-down")
	return strings.Join(c.Bootstrap(), ",")
}

// onTerminal is kafka-runbook running on a pseudo-terminal, as in a
// person's shell: its controlling terminal, stdin, stdout and stderr.
type onTerminal struct {
	cmd        *exec.Cmd
	ptmx       *os.File
	tty        *os.File
	mu         sync.Mutex
	screen     bytes.Buffer
	exited     chan struct{}
	termBefore *unix.Termios
}

func startOnTerminal(t *testing.T, args ...string) *onTerminal {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary(), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "HOME="+t.TempDir())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &onTerminal{cmd: cmd, ptmx: ptmx, tty: tty, exited: make(chan struct{}), termBefore: before}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			p.mu.Lock()
			p.screen.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.exited })
	return p
}

func (p *onTerminal) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.String()
}

// waitFor waits until the screen shows s n times.
func (p *onTerminal) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.Count(p.text(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q %d times:\n%s", s, n, p.text())
		}
		select {
		case <-p.exited:
			t.Fatalf("kafka-runbook exited %d before showing %q:\n%s", p.cmd.ProcessState.ExitCode(), s, p.text())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// exit waits at most limit for the process and returns its exit code,
// once the screen has caught up with what it wrote last: the reader may
// still be copying it from the terminal when the process is gone.
func (p *onTerminal) exit(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(limit):
		t.Fatalf("still running %s later:\n%s", limit, p.text())
	}
	for seen, quiet := len(p.text()), 0; quiet < 5; quiet++ {
		time.Sleep(20 * time.Millisecond)
		if n := len(p.text()); n != seen {
			seen, quiet = n, 0
		}
	}
	return p.cmd.ProcessState.ExitCode()
}

// termRestored checks the terminal is as the tool found it: a shell after
// a tool that left raw mode on shows nothing typed.
func (p *onTerminal) termRestored(t *testing.T) {
	t.Helper()
	now, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if now.Lflag != p.termBefore.Lflag || now.Iflag != p.termBefore.Iflag || now.Oflag != p.termBefore.Oflag {
		t.Errorf("terminal left changed: lflag %#x iflag %#x oflag %#x, was %#x %#x %#x",
			now.Lflag, now.Iflag, now.Oflag, p.termBefore.Lflag, p.termBefore.Iflag, p.termBefore.Oflag)
	}
}

const prompt2 = "Enter for step 2/5 (Size the blast radius), q to stop: "

// TestCtrlCAtAPromptStopsAtOnce: at the prompt between steps, Ctrl-C (the
// key, which a raw terminal delivers as a byte, and SIGINT from outside)
// ends the walk within 1 s with exit 130, says where it stopped and what
// was recorded, keeps the steps that ran in the --record bundle, and
// leaves the terminal as it was.
func TestCtrlCAtAPromptStopsAtOnce(t *testing.T) {
	addr := demo(t)
	for _, how := range []string{"key", "signal"} {
		t.Run(how, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "incident")
			p := startOnTerminal(t, "run", "broker-failure", "-b", addr, "--record", bundle)
			p.waitFor(t, prompt2, 1)
			time.Sleep(100 * time.Millisecond) // the prompt is printed before raw mode starts
			sent := time.Now()
			if how == "key" {
				_, _ = p.ptmx.Write([]byte{0x03})
			} else {
				_ = p.cmd.Process.Signal(os.Interrupt)
			}
			code := p.exit(t, time.Second)
			if code != 130 {
				t.Errorf("exit %d after %s, want 130", code, time.Since(sent).Round(time.Millisecond))
			}
			want := "Interrupted at step 2/5 (Size the blast radius): 1 step ran; the transcript of 1 step is in " + bundle + "."
			if !strings.Contains(p.text(), want) {
				t.Errorf("the screen does not say %q:\n%s", want, p.text())
			}
			p.termRestored(t)
			recorded(t, bundle, 1)
		})
	}
}

// recorded checks the bundle holds one transcript of steps steps.
func recorded(t *testing.T, bundle string, steps int) {
	t.Helper()
	b, err := evidence.Open(bundle)
	if err != nil {
		t.Fatal(err)
	}
	trs, err := b.Transcripts()
	if err != nil || len(trs) != 1 || len(trs[0].Steps) != steps || !trs[0].Stopped {
		t.Fatalf("transcripts %v (%v); want one stopped after %d steps", len(trs), err, steps)
	}
}

// TestQStopsWithoutEnter: on a terminal one key answers the prompt: Enter
// goes on, q stops, with no Enter after it.
func TestQStopsWithoutEnter(t *testing.T) {
	addr := demo(t)
	p := startOnTerminal(t, "run", "broker-failure", "-b", addr)
	p.waitFor(t, prompt2, 1)
	time.Sleep(100 * time.Millisecond)
	_, _ = p.ptmx.Write([]byte("x\r")) // an unrelated key is ignored, then Enter
	p.waitFor(t, "q to stop: ", 2)
	time.Sleep(100 * time.Millisecond)
	_, _ = p.ptmx.Write([]byte("q"))
	if code := p.exit(t, time.Second); code != 2 {
		t.Errorf("exit %d, want 2 (broker 3 is down)", code)
	}
	if !strings.Contains(p.text(), "CRITICAL: 2 steps run") || !strings.Contains(p.text(), "(stopped before the last step).") {
		t.Errorf("footer:\n%s", p.text())
	}
	p.termRestored(t)
}

// TestCtrlCDuringAStepStopsAtOnce: Ctrl-C while a step samples the cluster
// (no prompt, no terminal) ends the walk within 1 s with exit 130 too; the
// step cut short is not reported as what the cluster showed.
func TestCtrlCDuringAStepStopsAtOnce(t *testing.T) {
	addr := demo(t)
	cmd := exec.Command(binary(), "run", "isr-shrinkage", "-b", addr, "--yes", "--interval", "10s")
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(2 * time.Second) // into the sampling step's 10 s waits
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 1 s after SIGINT:\n%s\n%s", out.String(), errOut.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(errOut.String(), "Interrupted at step ") {
		t.Errorf("exit %d; stderr:\n%s", code, errOut.String())
	}
	if strings.Contains(out.String(), "context canceled") {
		t.Errorf("the interrupted step was reported:\n%s", out.String())
	}
}

// TestCtrlCEndsTriageWatch: triage --watch runs until Ctrl-C, which on a
// terminal is SIGINT from the line discipline: it stops within 1 s, says
// how long it watched, and exits 130 as every command does.
func TestCtrlCEndsTriageWatch(t *testing.T) {
	addr := demo(t)
	p := startOnTerminal(t, "triage", "--watch", "200ms", "-b", addr)
	p.waitFor(t, "watching: changes follow", 1)
	time.Sleep(300 * time.Millisecond) // a poll or two more
	sent := time.Now()
	_, _ = p.ptmx.Write([]byte{0x03}) // Ctrl-C, cooked mode: the terminal sends SIGINT
	if code := p.exit(t, time.Second); code != 130 {
		t.Errorf("exit %d after %s, want 130", code, time.Since(sent).Round(time.Millisecond))
	}
	if !strings.Contains(p.text(), "Stopped after ") {
		t.Errorf("the screen does not say the watch stopped:\n%s", p.text())
	}
	p.termRestored(t)
}
