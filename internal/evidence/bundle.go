// Package evidence records a Kafka incident as evidence and renders it for
// the postmortem.
//
// A bundle is a directory:
//
//	manifest.json              what, who, when, and the SHA-256 of every file (written last)
//	snapshots/<UTC time>.json  snapshot documents (diag/snapshot), oldest first by name
//	findings.json              the triage report of the last snapshot
//	transcripts/*.json         runbook transcripts recorded with `run --record`
//	events.jsonl               what changed between polls (watch), append-only
//	metrics.jsonl              per-poll health counts (watch), append-only
//	alert.json                 the alert a bundle was captured for (serve's webhook), closed when it resolves
//
// Capture stages a bundle beside its final path and renames it into place,
// so an interrupted capture leaves nothing that looks whole. A watch writes
// its two journals in place, one write per line and an fsync per poll, so a
// watch killed with SIGKILL still leaves a readable bundle. Open verifies every hash and
// refuses anything corrupt, truncated or edited, naming the file. Every read
// stays inside the bundle and is bounded (readfile.go): links, devices and
// files above their kind's cap are refused before a byte is read.
package evidence

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Error is a bundle that cannot be read: the file at fault and what is
// wrong with it.
type Error struct {
	// Path is the file (or directory) at fault, as the user can find it.
	Path    string
	Problem string
}

// Error is "path: problem", one line.
func (e *Error) Error() string { return e.Path + ": " + e.Problem }

// Bundle is an opened, verified evidence bundle.
type Bundle struct {
	Dir      string
	Manifest Manifest
	// Events and Metrics are the journals' records, in file order.
	Events  []Event
	Metrics []Metrics
	// Warnings name what was tolerated: an unfinished watch, bytes written
	// after the last manifest update, a torn last line, unlisted files.
	Warnings []string
}

// SnapshotRef names one snapshot of a bundle.
type SnapshotRef struct {
	Path string
	// Time is when it was taken, from its name.
	Time time.Time
}

func (b *Bundle) fail(rel, format string, args ...any) *Error {
	return &Error{Path: filepath.Join(b.Dir, filepath.FromSlash(rel)), Problem: fmt.Sprintf(format, args...)}
}

// Open reads and verifies the bundle at dir. Any problem is an *Error.
func Open(dir string) (*Bundle, error) {
	b := &Bundle{Dir: dir}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{Path: dir, Problem: "no such bundle directory"}
	case err != nil:
		return nil, &Error{Path: dir, Problem: err.Error()}
	case !st.IsDir():
		return nil, &Error{Path: dir, Problem: "not a directory: an evidence bundle is a directory with a manifest.json"}
	case strings.Contains(filepath.Base(filepath.Clean(dir)), tmpMarker):
		return nil, &Error{Path: dir, Problem: "is the temporary directory of an interrupted capture, not a bundle"}
	}
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	b.Manifest = m
	if !m.Finished() {
		b.Warnings = append(b.Warnings, "the bundle was not finished (a watch still running, or killed): it holds what was recorded until then")
	}
	if err := b.verify(); err != nil {
		return nil, err
	}
	if err := b.readJournals(); err != nil {
		return nil, err
	}
	b.findUnlisted()
	return b, nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// readManifest reads and checks manifest.json of dir.
func readManifest(dir string) (Manifest, error) {
	p := filepath.Join(dir, ManifestFile)
	data, err := readInside(dir, ManifestFile)
	if errors.Is(err, errNotFound) {
		return Manifest{}, &Error{Path: p, Problem: "missing: not an evidence bundle, or its capture was interrupted"}
	}
	if err != nil {
		return Manifest{}, &Error{Path: p, Problem: err.Error()}
	}
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return Manifest{}, &Error{Path: p, Problem: "not valid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	switch v := probe.SchemaVersion; {
	case v == nil:
		return Manifest{}, &Error{Path: p, Problem: "has no schema_version: not a kafka-runbook bundle manifest"}
	case *v > ManifestSchemaVersion:
		return Manifest{}, &Error{Path: p, Problem: fmt.Sprintf("schema_version %d is newer than this tool reads (%d): upgrade kafka-runbook", *v, ManifestSchemaVersion)}
	case *v < 1:
		return Manifest{}, &Error{Path: p, Problem: fmt.Sprintf("schema_version %d is invalid", *v)}
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, &Error{Path: p, Problem: "does not match schema version 1: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if prob := checkEntry(f, seen); prob != "" {
			return Manifest{}, &Error{Path: p, Problem: prob}
		}
	}
	return m, nil
}

// checkEntry rejects entries a hand edit could use to read outside the
// bundle, or that cannot be verified.
func checkEntry(f File, seen map[string]bool) string {
	switch {
	case f.Path == "" || path.IsAbs(f.Path) || strings.Contains(f.Path, `\`) || path.Clean(f.Path) != f.Path ||
		f.Path == ".." || strings.HasPrefix(f.Path, "../"):
		return fmt.Sprintf("file path %q is not a plain path inside the bundle", f.Path)
	case f.Path == ManifestFile:
		return "lists itself"
	case seen[f.Path]:
		return fmt.Sprintf("lists %s twice", f.Path)
	case !sha256Hex.MatchString(f.SHA256):
		return fmt.Sprintf("sha256 of %s is not 64 lower-case hex digits", f.Path)
	case f.Size < 0:
		return fmt.Sprintf("size of %s is negative", f.Path)
	}
	seen[f.Path] = true
	return ""
}

// verify checks every listed file against its size and hash.
func (b *Bundle) verify() error {
	for _, f := range b.Manifest.Files {
		if _, err := b.read(f); err != nil {
			return err
		}
	}
	return nil
}

// read returns a listed file's verified contents: for an append-only file,
// everything written, of which the first Size bytes are verified.
func (b *Bundle) read(f File) ([]byte, error) {
	if limit := maxBytesOf(f.Path); f.Size > limit {
		return nil, b.fail(f.Path, "%s says it is %d bytes, more than a bundle file of its kind may hold (%s)", ManifestFile, f.Size, sizeText(limit))
	}
	data, err := readInside(b.Dir, f.Path)
	switch {
	case errors.Is(err, errNotFound):
		return nil, b.fail(f.Path, "listed in %s but missing", ManifestFile)
	case err != nil:
		return nil, b.fail(f.Path, "%v", err)
	case int64(len(data)) < f.Size:
		return nil, b.fail(f.Path, "truncated or edited: %d bytes, %s says %d", len(data), ManifestFile, f.Size)
	case int64(len(data)) > f.Size && !f.AppendOnly:
		return nil, b.fail(f.Path, "changed after it was written: %d bytes, %s says %d", len(data), ManifestFile, f.Size)
	case int64(len(data)) > f.Size && b.Manifest.Finished():
		return nil, b.fail(f.Path, "has %d bytes after the end recorded in %s: edited after the bundle was finished", int64(len(data))-f.Size, ManifestFile)
	}
	if got := fileOf(f.Path, data[:f.Size]).SHA256; got != f.SHA256 {
		return nil, b.fail(f.Path, "sha256 %s does not match %s (%s): the file was changed after it was written", short(got), ManifestFile, short(f.SHA256))
	}
	return data, nil
}

func short(h string) string { return h[:min(12, len(h))] }

// readJournals decodes events.jsonl and metrics.jsonl when listed.
func (b *Bundle) readJournals() error {
	if err := readJournal(b, EventsFile, &b.Events); err != nil {
		return err
	}
	return readJournal(b, MetricsFile, &b.Metrics)
}

func readJournal[T any](b *Bundle, rel string, out *[]T) error {
	f, ok := b.Manifest.file(rel)
	if !ok {
		return nil
	}
	data, err := b.read(f)
	if err != nil {
		return err
	}
	if extra := int64(len(data)) - f.Size; extra > 0 {
		b.Warnings = append(b.Warnings, fmt.Sprintf("%s: %d bytes were written after the last manifest update and are not covered by a hash", rel, extra))
	}
	warning, err := parseJSONL(rel, data, func(line []byte) error {
		var v T
		if err := json.Unmarshal(line, &v); err != nil {
			return err
		}
		*out = append(*out, v)
		return nil
	})
	if err != nil {
		return b.fail(rel, "%v", err)
	}
	if warning != "" {
		b.Warnings = append(b.Warnings, warning)
	}
	return nil
}

// findUnlisted warns of files the manifest does not list: they are never
// read, but someone may wonder why a file they added is ignored.
func (b *Bundle) findUnlisted() {
	_ = filepath.WalkDir(b.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if p != b.Dir && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, rerr := filepath.Rel(b.Dir, p)
		if rerr != nil || d.IsDir() || rel == ManifestFile {
			return nil
		}
		if _, ok := b.Manifest.file(filepath.ToSlash(rel)); !ok {
			b.Warnings = append(b.Warnings, fmt.Sprintf("%s is not listed in %s and was ignored", filepath.ToSlash(rel), ManifestFile))
		}
		return nil
	})
}

// Snapshots lists the bundle's snapshots, oldest first.
func (b *Bundle) Snapshots() ([]SnapshotRef, error) {
	var out []SnapshotRef
	for _, f := range b.Manifest.Files {
		dir, name := path.Split(f.Path)
		if dir != SnapshotsDir+"/" {
			continue
		}
		stem, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), "-")
		t, err := time.Parse(snapshotTimeFormat, stem)
		if err != nil {
			return nil, b.fail(f.Path, "snapshot name is not a UTC time like 20260102T031205.000Z.json")
		}
		out = append(out, SnapshotRef{Path: f.Path, Time: t})
	}
	// Within one millisecond, "T.json" was written before "T-2.json".
	slices.SortFunc(out, func(x, y SnapshotRef) int {
		return cmp.Or(x.Time.Compare(y.Time), cmp.Compare(len(x.Path), len(y.Path)), cmp.Compare(x.Path, y.Path))
	})
	return out, nil
}
