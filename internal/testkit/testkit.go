// Package testkit holds what the tests of several packages share: golden
// files, the snapshot fixtures in testdata/snapshots and a simulated
// cluster per test. Only tests import it.
package testkit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// update is the -update flag of every test binary that uses Golden.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Updating reports whether the test run rewrites golden files.
func Updating() bool { return *update }

// Golden compares got with testdata/golden/name in the package under test,
// or rewrites the file when the tests run with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (review, then rerun with -update):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// Snapshot decodes testdata/snapshots/<name>.json at the module root
// through the public decoder, so fixtures are checked against the schema
// like any recorded snapshot.
func Snapshot(t testing.TB, name string) *snapshot.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join(moduleRoot(t), "testdata", "snapshots", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := snapshot.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// moduleRoot walks up from the package directory to go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testkit: no go.mod above the package directory")
		}
		dir = parent
	}
}
