//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// validBundle writes a real one-snapshot bundle and returns its directory
// and its snapshot's path inside it.
func validBundle(t *testing.T) (dir, snap string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "bundle")
	s := testkit.Snapshot(t, "degraded")
	if _, err := evidence.Capture(evidence.CaptureOptions{Out: dir, Snapshot: s, Started: s.TakenAt}); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := b.Snapshots()
	if err != nil || len(refs) != 1 {
		t.Fatalf("snapshots %v, %v", refs, err)
	}
	return dir, filepath.Join(dir, filepath.FromSlash(refs[0].Path))
}

// vouchFor makes the manifest claim size bytes for every snapshot, as a
// hand edit would.
func vouchFor(t *testing.T, dir string, size int64) {
	t.Helper()
	p := filepath.Join(dir, evidence.ManifestFile)
	var m evidence.Manifest
	data, err := os.ReadFile(p)
	must(t, err)
	must(t, json.Unmarshal(data, &m))
	for i, f := range m.Files {
		if strings.HasPrefix(f.Path, evidence.SnapshotsDir+"/") {
			m.Files[i].Size = size
		}
	}
	data, err = json.Marshal(m)
	must(t, err)
	must(t, os.WriteFile(p, data, 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// hostileBundles each damage a valid bundle the way a hostile or broken one
// arrives, and name the words the refusal must contain.
var hostileBundles = []struct {
	name, want string
	make       func(t *testing.T, dir, snap string)
}{
	{"snapshot is a link to /dev/zero", "symbolic link", func(t *testing.T, _, snap string) {
		must(t, os.Remove(snap))
		must(t, os.Symlink("/dev/zero", snap))
	}},
	{"manifest is a link to /dev/zero", "symbolic link", func(t *testing.T, dir, _ string) {
		p := filepath.Join(dir, evidence.ManifestFile)
		must(t, os.Remove(p))
		must(t, os.Symlink("/dev/zero", p))
	}},
	{"snapshot links out of the bundle to a valid copy", "symbolic link", func(t *testing.T, dir, snap string) {
		outside := filepath.Join(filepath.Dir(dir), "outside.json")
		must(t, os.Rename(snap, outside))
		must(t, os.Symlink(outside, snap))
	}},
	{"snapshots directory links out of the bundle", "outside the bundle", func(t *testing.T, dir, _ string) {
		outside := filepath.Join(filepath.Dir(dir), "elsewhere")
		must(t, os.Rename(filepath.Join(dir, evidence.SnapshotsDir), outside))
		must(t, os.Symlink(outside, filepath.Join(dir, evidence.SnapshotsDir)))
	}},
	{"snapshot is a 2 GiB sparse file", "more than a bundle file", func(t *testing.T, _, snap string) {
		must(t, os.Truncate(snap, 2<<30))
	}},
	{"the manifest vouches for a 2 GiB sparse file", "more than a bundle file", func(t *testing.T, dir, snap string) {
		must(t, os.Truncate(snap, 2<<30))
		vouchFor(t, dir, 2<<30)
	}},
	{"snapshot is a named pipe nobody writes", "not a regular file", func(t *testing.T, _, snap string) {
		must(t, os.Remove(snap))
		mkfifo(t, snap)
	}},
}

// TestHostileBundlesAreRefusedAtOnce: every command that reads a bundle
// refuses each hostile one with exit 3 and one clear line naming the file,
// within 2 s, never reading outside the bundle or without bound.
func TestHostileBundlesAreRefusedAtOnce(t *testing.T) {
	commands := [][]string{
		{"triage", "--from"}, {"run", "broker-failure", "--yes", "--from"}, {"evidence", "report"},
		{"evidence", "diff"}, {"drill", "from-bundle"},
	}
	for _, hb := range hostileBundles {
		t.Run(hb.name, func(t *testing.T) {
			dir, snap := validBundle(t)
			hb.make(t, dir, snap)
			for _, args := range commands {
				res := runBinary(t, t.TempDir(), 10*time.Second, append(args, dir)...)
				errLines := strings.Count(res.stderr, "Error: ")
				if res.code != 3 || errLines != 1 || !strings.Contains(res.stderr, hb.want) || res.took > 2*time.Second {
					t.Errorf("%v: exit %d after %s, want 3 within 2s with one error saying %q; stderr:\n%s",
						args, res.code, res.took.Round(time.Millisecond), hb.want, res.stderr)
				}
				if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "fatal error") {
					t.Errorf("%v: a crash, not an error:\n%s", args, res.stderr)
				}
			}
		})
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}
