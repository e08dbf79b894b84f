package atomicfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFullDiskLeavesNothing writes more than a tiny tmpfs holds: the error
// names the file and the cause, and no partial file (final or temporary)
// is left behind. Mounting needs root, as in CI; elsewhere it skips.
func TestFullDiskLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot mount a small tmpfs in CI (needs root): %v: %s", err, out)
		}
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })

	path := filepath.Join(dir, "snapshot.json")
	err := Write(path, bytes.Repeat([]byte("x"), 64<<10), 0o644)
	if err == nil {
		t.Fatal("writing 64 KiB to a 16 KiB file system succeeded")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("error = %q, want one naming %s and the full disk", err, path)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
