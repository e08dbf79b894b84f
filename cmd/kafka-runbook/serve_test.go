//go:build unix

package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeStopsCleanlyOnSignals: serve is a long-running command; Ctrl-C
// (SIGINT) and SIGTERM (what systemd and Kubernetes send) stop it at once,
// its listener closed, with exit 0.
func TestServeStopsCleanlyOnSignals(t *testing.T) {
	boot := demo(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(binary(), "serve", "-b", boot, "--listen", "127.0.0.1:0", "--interval", "200ms",
				"--incident-dir", filepath.Join(t.TempDir(), "incidents"))
			cmd.Env = append(os.Environ(), "NO_COLOR=1")
			var errOut syncBuffer
			cmd.Stderr = &errOut
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill() }()
			serving := regexp.MustCompile(`Serving http://(\S+) `)
			var addr string
			for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if m := serving.FindStringSubmatch(errOut.String()); m != nil {
					addr = m[1]
				}
			}
			if addr == "" {
				t.Fatalf("serve did not start:\n%s", errOut.String())
			}
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz: %v %v", err, resp)
			}
			resp.Body.Close()
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve after %s: %v, want exit 0\n%s", sig, err, errOut.String())
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("serve still running 10s after %s", sig)
			}
			t.Logf("stopped %s after %s", time.Since(sent).Round(time.Millisecond), sig)
			if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
				t.Fatal("serve's listener still answers after it exited")
			}
		})
	}
}
