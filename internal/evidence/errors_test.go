package evidence

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copyFixture copies the fixture bundle to a temporary directory.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "incident")
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// editManifest applies fn to the decoded manifest of dir.
func editManifest(t *testing.T, dir string, fn func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, _ := json.Marshal(m)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// rehash makes the manifest match the files again, as a careful hand edit
// would: what is left to catch is the content itself.
func rehash(t *testing.T, dir string) {
	t.Helper()
	editManifest(t, dir, func(m map[string]any) {
		for _, f := range m["files"].([]any) {
			e := f.(map[string]any)
			data, err := os.ReadFile(filepath.Join(dir, e["path"].(string)))
			if err != nil {
				t.Fatal(err)
			}
			h := fileOf("", data)
			e["size"], e["sha256"] = h.Size, h.SHA256
		}
	})
}

func writeFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, rel), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

const snap0 = "snapshots/20260314T031000.000Z.json"
const snapLast = "snapshots/20260314T031035.000Z.json"

func TestBrokenBundlesAreOneClearError(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		// file is the path the error must name; problem a phrase it must say.
		file, problem string
	}{
		{"manifest missing", func(t *testing.T, d string) { os.Remove(filepath.Join(d, ManifestFile)) }, ManifestFile, "missing"},
		{"manifest not JSON", func(t *testing.T, d string) { writeFile(t, d, ManifestFile, `{"schema_version": 1,`) }, ManifestFile, "not valid JSON"},
		{"manifest without schema_version", func(t *testing.T, d string) { writeFile(t, d, ManifestFile, `{"files": []}`) }, ManifestFile, "no schema_version"},
		{"manifest from the future", func(t *testing.T, d string) {
			editManifest(t, d, func(m map[string]any) { m["schema_version"] = 7 })
		}, ManifestFile, "schema_version 7 is newer"},
		{"manifest wrong types", func(t *testing.T, d string) {
			editManifest(t, d, func(m map[string]any) { m["files"] = "all of them" })
		}, ManifestFile, "does not match schema version"},
		{"manifest path escapes", func(t *testing.T, d string) {
			editManifest(t, d, func(m map[string]any) { m["files"].([]any)[0].(map[string]any)["path"] = "../../etc/passwd" })
		}, ManifestFile, "not a plain path"},
		{"manifest bad hash text", func(t *testing.T, d string) {
			editManifest(t, d, func(m map[string]any) { m["files"].([]any)[0].(map[string]any)["sha256"] = "xyz" })
		}, ManifestFile, "hex"},
		{"snapshot edited", func(t *testing.T, d string) {
			data, _ := os.ReadFile(filepath.Join(d, snap0))
			writeFile(t, d, snap0, strings.Replace(string(data), `"leader": 3`, `"leader": 2`, 1))
		}, snap0, "sha256"},
		{"snapshot missing", func(t *testing.T, d string) { os.Remove(filepath.Join(d, snap0)) }, snap0, "missing"},
		{"snapshot truncated", func(t *testing.T, d string) {
			data, _ := os.ReadFile(filepath.Join(d, snap0))
			writeFile(t, d, snap0, string(data[:100]))
		}, snap0, "truncated"},
		{"findings grown", func(t *testing.T, d string) { appendFile(t, d, FindingsFile, " ") }, FindingsFile, "changed after it was written"},
		{"events appended after finish", func(t *testing.T, d string) {
			appendFile(t, d, EventsFile, `{"time":"2026-03-14T03:11:00Z","kind":"broker_fenced","severity":"critical","summary":"x"}`+"\n")
		}, EventsFile, "edited after the bundle was finished"},
		{"events line corrupt", func(t *testing.T, d string) {
			data, _ := os.ReadFile(filepath.Join(d, EventsFile))
			writeFile(t, d, EventsFile, strings.Replace(string(data), `"kind":"broker_fenced"`, `"kind":broker_fenced`, 1))
			rehash(t, d)
		}, EventsFile, "line 4 is not a valid record"},
		{"metrics wrong type", func(t *testing.T, d string) {
			data, _ := os.ReadFile(filepath.Join(d, MetricsFile))
			writeFile(t, d, MetricsFile, strings.Replace(string(data), `"offline":0`, `"offline":"none"`, 1))
			rehash(t, d)
		}, MetricsFile, "line 1 is not a valid record"},
		{"not a directory", func(t *testing.T, d string) {
			os.RemoveAll(d)
			writeFile(t, filepath.Dir(d), filepath.Base(d), "{}")
		}, "", "not a directory"},
		{"no such bundle", func(t *testing.T, d string) { os.RemoveAll(d) }, "", "no such bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t)
			tt.break_(t, dir)
			_, err := Open(dir)
			checkBundleError(t, err, filepath.Join(dir, tt.file), tt.problem)
		})
	}
}

// checkBundleError wants an *Error naming path and saying problem, on
// one line.
func checkBundleError(t *testing.T, err error, path, problem string) {
	t.Helper()
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("error = %v (%T), want *evidence.Error", err, err)
	}
	if be.Path != filepath.Clean(path) || !strings.Contains(be.Problem, problem) {
		t.Errorf("error = %q, want it to name %s and say %q", err, path, problem)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

// Content problems that survive a hash check are caught when the file is
// decoded, still naming the file.
func TestBrokenContentIsCaughtOnRead(t *testing.T) {
	tests := []struct {
		name    string
		break_  func(t *testing.T, dir string)
		read    func(b *Bundle) error
		file    string
		problem string
	}{
		{"snapshot not JSON", func(t *testing.T, d string) { writeFile(t, d, snapLast, "{not json") },
			func(b *Bundle) error { _, err := b.recording(Moment{}); return err }, snapLast, "not valid JSON"},
		{"snapshot from the future", func(t *testing.T, d string) { writeFile(t, d, snapLast, `{"schema_version": 9}`) },
			func(b *Bundle) error { _, err := b.recording(Moment{}); return err }, snapLast, "newer than this tool"},
		{"findings wrong schema", func(t *testing.T, d string) { writeFile(t, d, FindingsFile, `{"schema_version": 0}`) },
			func(b *Bundle) error { _, err := BuildReport(b); return err }, FindingsFile, "schema_version 0 is invalid"},
		{"transcript not JSON", func(t *testing.T, d string) {
			writeFile(t, d, "transcripts/20260314T031040.000Z-broker-failure.json", "[")
		}, func(b *Bundle) error { _, err := BuildReport(b); return err }, "transcripts/20260314T031040.000Z-broker-failure.json", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t)
			tt.break_(t, dir)
			rehash(t, dir)
			b, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			checkBundleError(t, tt.read(b), filepath.Join(dir, tt.file), tt.problem)
		})
	}
}

func TestUnfinishedBundlesAreReadWithWarnings(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(t *testing.T, dir string)
		events  int
		warning string
	}{
		{"unfinished", func(t *testing.T, d string) {}, 29, "not finished"},
		{"complete line after the last manifest update", func(t *testing.T, d string) {
			appendFile(t, d, EventsFile, `{"time":"2026-03-14T03:10:40Z","kind":"broker_fenced","severity":"critical","broker":2,"summary":"broker 2 was fenced"}`+"\n")
		}, 30, "not covered by a hash"},
		{"torn last line", func(t *testing.T, d string) {
			appendFile(t, d, EventsFile, `{"time":"2026-03-14T03:10:40Z","kind":"broker_fen`)
		}, 29, "last line is truncated"},
		{"unlisted file", func(t *testing.T, d string) { writeFile(t, d, "snapshots/extra.json", "{}") }, 29, "not listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t)
			editManifest(t, dir, func(m map[string]any) { m["finished_at"] = nil })
			tt.edit(t, dir)
			b, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if len(b.Events) != tt.events {
				t.Errorf("%d events, want %d", len(b.Events), tt.events)
			}
			if !strings.Contains(strings.Join(b.Warnings, "\n"), tt.warning) {
				t.Errorf("warnings %q lack %q", b.Warnings, tt.warning)
			}
		})
	}
}

func TestTemporaryDirectoryIsNotABundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".incident"+tmpMarker+"123")
	if err := os.CopyFS(dir, os.DirFS(fixtureDir)); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	checkBundleError(t, err, dir, "interrupted capture")
}

func TestRecordingSelection(t *testing.T) {
	r, err := LoadRecording(fixtureDir, Moment{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Snap.TakenAt.Equal(t0.Add(35*time.Second)) || r.Previous == nil || !r.Previous.TakenAt.Equal(t0) {
		t.Errorf("newest = %s, previous = %v", r.Snap.TakenAt, r.Previous)
	}
	r, err = LoadRecording(fixtureDir, Moment{At: t0.Add(12 * time.Second)})
	if err != nil || !r.Snap.TakenAt.Equal(t0.Add(10*time.Second)) {
		t.Errorf("at 03:10:12 got %v, %v; want the 03:10:10 snapshot", r, err)
	}
	_, err = LoadRecording(fixtureDir, Moment{At: t0.Add(-time.Minute)})
	checkBundleError(t, err, fixtureDir, "no snapshot at or before")
	r, err = LoadRecording(filepath.Join(fixtureDir, snap0), Moment{})
	if err != nil || r.Previous != nil || r.Bundle != nil {
		t.Errorf("single file: %+v, %v", r, err)
	}
	hasNote := false
	for _, e := range r.Snap.Errors {
		hasNote = hasNote || e.Message == notRecorded
	}
	if hasNote {
		t.Error("a snapshot with log dirs was marked as not having them")
	}
}
