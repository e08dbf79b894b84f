package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
)

// toolName is the program named in every manifest.
const toolName = "kafka-runbook"

// tmpMarker is in the name of a bundle being staged, so that a reader can
// tell an interrupted capture's leftovers from a bundle.
const tmpMarker = ".tmp-"

// staging is a bundle being written in a temporary directory beside its
// final path. Nothing appears under the final path until commit renames
// the finished directory, manifest included, into place.
type staging struct {
	tmp, final string
	m          Manifest
}

// stage starts a new bundle that will appear at final, which must not exist.
func stage(final string, meta Meta, created time.Time) (*staging, error) {
	if final == "" {
		return nil, errors.New("no bundle directory given")
	}
	if _, err := os.Lstat(final); err == nil {
		return nil, fmt.Errorf("%s already exists: choose a new directory for the bundle", final)
	}
	parent, base := filepath.Split(filepath.Clean(final))
	if parent == "" {
		parent = "."
	}
	tmp, err := os.MkdirTemp(parent, "."+base+tmpMarker+"*")
	if err != nil {
		return nil, fmt.Errorf("cannot create bundle %s: %w", final, err)
	}
	s := &staging{tmp: tmp, final: final, m: Manifest{
		SchemaVersion: ManifestSchemaVersion,
		Tool:          Tool{Name: toolName, Version: meta.ToolVersion},
		CreatedAt:     created.UTC(),
		Commands:      []Command{{At: created.UTC(), Args: nonNilStrings(meta.Args)}},
		Files:         []File{},
	}}
	return s, nil
}

// write adds a file to the staged bundle.
func (s *staging) write(rel string, data []byte, appendOnly bool) error {
	path := filepath.Join(s.tmp, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot write %s: %w", rel, err)
	}
	if err := writeSynced(path, data); err != nil {
		return fmt.Errorf("cannot write %s in %s: %w", rel, s.final, err)
	}
	f := fileOf(rel, data)
	f.AppendOnly = appendOnly
	s.m.upsert(f)
	return nil
}

// commit writes the manifest last, makes everything durable and renames
// the directory into place.
func (s *staging) commit() error {
	data, err := encodeManifest(s.m)
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(s.tmp, ManifestFile), data); err != nil {
		return fmt.Errorf("cannot write %s in %s: %w", ManifestFile, s.final, err)
	}
	if err := syncTree(s.tmp); err != nil {
		return fmt.Errorf("cannot write bundle %s: %w", s.final, err)
	}
	// Rename would replace an empty directory created meanwhile; refuse.
	if _, err := os.Lstat(s.final); err == nil {
		return fmt.Errorf("%s already exists: choose a new directory for the bundle", s.final)
	}
	if err := os.Rename(s.tmp, s.final); err != nil {
		return fmt.Errorf("cannot create bundle %s: %w", s.final, err)
	}
	syncDir(filepath.Dir(filepath.Clean(s.final)))
	return nil
}

// abort removes the staged directory.
func (s *staging) abort() { _ = os.RemoveAll(s.tmp) }

func encodeManifest(m Manifest) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", ManifestFile, err)
	}
	return buf.Bytes(), nil
}

// writeSynced creates path with data and flushes it to disk.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncTree flushes every directory under root, so the entries of the files
// in them survive a crash once root is renamed.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			syncDir(path)
		}
		return nil
	})
}

// syncDir flushes a directory's entries; best effort, as not every
// file system supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// writeInPlace adds or replaces one file of an existing bundle atomically
// and returns its manifest entry; the manifest is updated separately.
func writeInPlace(dir, rel string, data []byte) (File, error) {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return File{}, fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return File{}, err
	}
	return fileOf(rel, data), nil
}

// updateManifest re-reads the manifest of an existing bundle, applies fn
// and writes it back atomically, under a lock so that a watch and a
// `run --record` into the same bundle never drop each other's entries.
func updateManifest(dir string, fn func(*Manifest)) error {
	unlock, err := lockBundle(dir)
	if err != nil {
		return err
	}
	defer unlock()
	m, err := readManifest(dir)
	if err != nil {
		return err
	}
	fn(&m)
	data, err := encodeManifest(m)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, ManifestFile), data, 0o644)
}

// snapshotName is the bundle path of a snapshot taken at t; names sort in
// time order and avoid ':' so bundles copy to any file system.
func snapshotName(t time.Time) string {
	return SnapshotsDir + "/" + t.UTC().Format(snapshotTimeFormat) + ".json"
}

const snapshotTimeFormat = "20060102T150405.000Z"

// uniqueName appends -2, -3, ... to name until m has no such file.
func uniqueName(m *Manifest, name string) string {
	if _, taken := m.file(name); !taken {
		return name
	}
	stem := strings.TrimSuffix(name, ".json")
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s-%d.json", stem, i)
		if _, taken := m.file(n); !taken {
			return n
		}
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DefaultDir is the bundle directory used when none is given: the UTC
// start time, so bundles of one incident sort in order.
func DefaultDir(t time.Time) string {
	return "kafka-evidence-" + t.UTC().Format("20060102T150405Z")
}
