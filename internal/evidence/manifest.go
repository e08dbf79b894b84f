package evidence

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// ManifestSchemaVersion is the version of manifest.json this package
// writes; readers refuse newer ones.
const ManifestSchemaVersion = 1

// The fixed names inside a bundle.
const (
	ManifestFile  = "manifest.json"
	FindingsFile  = "findings.json"
	EventsFile    = "events.jsonl"
	MetricsFile   = "metrics.jsonl"
	SnapshotsDir  = "snapshots"
	TranscriptDir = "transcripts"
)

// Manifest is manifest.json: what the bundle is, who wrote it with which
// command, and the SHA-256 of every file in it. It is written last, so a
// directory without a valid manifest is never a bundle.
type Manifest struct {
	SchemaVersion int    `json:"schema_version"`
	Tool          Tool   `json:"tool"`
	ClusterID     string `json:"cluster_id"`
	// CreatedAt is when the capture or watch began.
	CreatedAt time.Time `json:"created_at"`
	// FinishedAt is when it ended; nil while a watch is running, and
	// forever when it was killed. Readers accept such a bundle and say so.
	FinishedAt *time.Time `json:"finished_at"`
	// Commands are the command lines that wrote to the bundle, in order,
	// with secret values removed.
	Commands []Command `json:"commands"`
	// Files lists every file of the bundle but the manifest, sorted by path.
	Files []File `json:"files"`
}

// Tool identifies the program that wrote the bundle.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Command is one command line that wrote to the bundle.
type Command struct {
	At   time.Time `json:"at"`
	Args []string  `json:"args"`
}

// File is one file of the bundle and its hash.
type File struct {
	// Path is relative to the bundle, with forward slashes.
	Path string `json:"path"`
	// Size and SHA256 cover the file's first Size bytes. For an ordinary
	// file that is the whole file; an append-only file (events.jsonl,
	// metrics.jsonl) may have grown since the manifest was last written.
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	AppendOnly bool   `json:"append_only,omitempty"`
}

// Meta is what the caller tells a writer about the run.
type Meta struct {
	ToolVersion string
	// Args is the command line, already redacted (see RedactArgs).
	Args []string
}

// fileOf describes data as a bundle file.
func fileOf(path string, data []byte) File {
	sum := sha256.Sum256(data)
	return File{Path: path, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}

// upsert replaces the entry with f's path or adds f, keeping Files sorted.
func (m *Manifest) upsert(f File) {
	i, found := slices.BinarySearchFunc(m.Files, f.Path, func(e File, p string) int { return cmp.Compare(e.Path, p) })
	if found {
		m.Files[i] = f
		return
	}
	m.Files = slices.Insert(m.Files, i, f)
}

// remove drops the entry for path, if any.
func (m *Manifest) remove(path string) {
	m.Files = slices.DeleteFunc(m.Files, func(f File) bool { return f.Path == path })
}

// file returns the entry for path.
func (m *Manifest) file(path string) (File, bool) {
	for _, f := range m.Files {
		if f.Path == path {
			return f, true
		}
	}
	return File{}, false
}

// Finished reports whether the writer ended normally.
func (m *Manifest) Finished() bool { return m.FinishedAt != nil }

// secretWords mark a client property whose value must never be stored.
// "key" also catches ssl.keystore.* and ssl.key.password; "jaas" catches
// sasl.jaas.config, which carries the password inline.
var secretWords = []string{"password", "secret", "token", "key", "jaas", "credential"}

// RedactedValue replaces a secret in a stored command line.
const RedactedValue = "[redacted]"

// RedactArgs returns a copy of a command line with the values of secret
// client properties (-X key=value, --property key=value, in any of the
// forms pflag accepts) replaced by RedactedValue. --command-config keeps
// only its path: the file's contents are never read here.
func RedactArgs(args []string) []string {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "-X" || a == "--property":
			if i+1 < len(out) {
				out[i+1] = redactProperty(out[i+1])
				i++
			}
		case strings.HasPrefix(a, "--property="):
			out[i] = "--property=" + redactProperty(strings.TrimPrefix(a, "--property="))
		case strings.HasPrefix(a, "-X"):
			out[i] = "-X" + redactProperty(strings.TrimPrefix(strings.TrimPrefix(a, "-X"), "="))
		}
	}
	return out
}

func redactProperty(kv string) string {
	key, _, hasValue := strings.Cut(kv, "=")
	if !hasValue {
		return kv
	}
	lower := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return key + "=" + RedactedValue
		}
	}
	return kv
}
