package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// LoadSnapshot reads and decodes one snapshot of the bundle.
func (b *Bundle) LoadSnapshot(rel string) (*snapshot.Snapshot, error) {
	f, ok := b.Manifest.file(rel)
	if !ok {
		return nil, b.fail(rel, "not listed in %s", ManifestFile)
	}
	data, err := b.read(f)
	if err != nil {
		return nil, err
	}
	s, err := snapshot.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, b.fail(rel, "%v", err)
	}
	if problem := notSnapshot(s, bytes.NewReader(data)); problem != "" {
		return nil, b.fail(rel, "%s", problem)
	}
	return s, nil
}

// FirstLast returns the oldest and newest snapshots (the same one when
// there is only one). A bundle without snapshots is an *Error.
func (b *Bundle) FirstLast() (first, last *snapshot.Snapshot, err error) {
	refs, err := b.Snapshots()
	if err != nil {
		return nil, nil, err
	}
	if len(refs) == 0 {
		return nil, nil, &Error{Path: b.Dir, Problem: "holds no snapshot (the cluster never answered while it was recorded)"}
	}
	if first, err = b.LoadSnapshot(refs[0].Path); err != nil {
		return nil, nil, err
	}
	if len(refs) == 1 {
		return first, first, nil
	}
	last, err = b.LoadSnapshot(refs[len(refs)-1].Path)
	return first, last, err
}

// Findings reads findings.json; ok is false when the bundle has none (a
// watch that was killed before it finished).
func (b *Bundle) Findings() (report triage.Report, ok bool, err error) {
	f, listed := b.Manifest.file(FindingsFile)
	if !listed {
		return triage.Report{}, false, nil
	}
	data, err := b.read(f)
	if err != nil {
		return triage.Report{}, false, err
	}
	if err := decodeVersioned(data, triage.SchemaVersion, &report); err != nil {
		return triage.Report{}, false, b.fail(FindingsFile, "%v", err)
	}
	return report, true, nil
}

// Transcripts reads every recorded runbook transcript, in name (time) order.
func (b *Bundle) Transcripts() ([]runbooks.Transcript, error) {
	var out []runbooks.Transcript
	for _, f := range b.Manifest.Files {
		if dir, _ := path.Split(f.Path); dir != TranscriptDir+"/" {
			continue
		}
		data, err := b.read(f)
		if err != nil {
			return nil, err
		}
		var tr runbooks.Transcript
		if err := decodeVersioned(data, runbooks.TranscriptSchemaVersion, &tr); err != nil {
			return nil, b.fail(f.Path, "%v", err)
		}
		out = append(out, tr)
	}
	return out, nil
}

// decodeVersioned decodes a JSON document with a schema_version no newer
// than max.
func decodeVersioned(data []byte, max int, v any) error {
	var probe struct {
		SchemaVersion *int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return fmt.Errorf("not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	switch sv := probe.SchemaVersion; {
	case sv == nil:
		return fmt.Errorf("has no schema_version")
	case *sv > max:
		return fmt.Errorf("schema_version %d is newer than this tool reads (%d): upgrade kafka-runbook", *sv, max)
	case *sv < 1:
		return fmt.Errorf("schema_version %d is invalid", *sv)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("does not match schema version %d: %s", max, strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}
