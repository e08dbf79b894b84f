package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// CaptureOptions says what a capture writes.
type CaptureOptions struct {
	// Out is the bundle directory to create; it must not exist.
	Out      string
	Snapshot *snapshot.Snapshot
	// Started is when the capture began (before collecting).
	Started time.Time
	Meta    Meta
	// Now stamps the end; nil means time.Now.
	Now func() time.Time
	// Disk are the LOG_DIR_LOW_SPACE thresholds of the triage; nil uses
	// the defaults.
	Disk *disk.Thresholds
}

// Capture writes a new bundle holding one snapshot and its triage report,
// atomically: until it returns nil, nothing exists at opts.Out.
func Capture(opts CaptureOptions) (triage.Report, error) {
	if opts.Snapshot == nil {
		return triage.Report{}, errors.New("capture: no snapshot")
	}
	report := triage.BuildFrom(checks.Input{Snap: opts.Snapshot, Disk: opts.Disk})
	st, err := stage(opts.Out, opts.Meta, opts.Started)
	if err != nil {
		return report, err
	}
	if err := writeCapture(st, opts.Snapshot, report, nowFunc(opts.Now)); err != nil {
		st.abort()
		return report, err
	}
	return report, nil
}

func writeCapture(st *staging, snap *snapshot.Snapshot, report triage.Report, now func() time.Time) error {
	var sb bytes.Buffer
	if err := snapshot.Encode(&sb, snap); err != nil {
		return err
	}
	if err := st.write(snapshotName(snap.TakenAt), sb.Bytes(), false); err != nil {
		return err
	}
	fb, err := encodeJSON(report)
	if err != nil {
		return err
	}
	if err := st.write(FindingsFile, fb, false); err != nil {
		return err
	}
	st.m.ClusterID = snap.ClusterID
	done := now().UTC()
	st.m.FinishedAt = &done
	return st.commit()
}

// encodeJSON encodes v as the CLI's --output json does, so findings.json
// is byte for byte what `triage -o json` printed.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := render.JSON(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func nowFunc(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// RecordTranscript stores a runbook transcript in the bundle at dir,
// creating the bundle (atomically) when dir does not exist, and returns
// the transcript's path inside the bundle. An existing dir must be a
// valid bundle.
func RecordTranscript(dir string, tr runbooks.Transcript, meta Meta, now func() time.Time) (string, error) {
	at := nowFunc(now)().UTC()
	data, err := encodeJSON(tr)
	if err != nil {
		return "", err
	}
	name := TranscriptDir + "/" + at.Format(snapshotTimeFormat) + "-" + safeName(tr.Runbook.Name) + ".json"
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		st, err := stage(dir, meta, at)
		if err != nil {
			return "", err
		}
		st.m.ClusterID = tr.Cluster.ID
		st.m.FinishedAt = &at
		if err := st.write(name, data, false); err != nil {
			st.abort()
			return "", err
		}
		if err := st.commit(); err != nil {
			st.abort()
			return "", err
		}
		return name, nil
	}
	b, err := Open(dir)
	if err != nil {
		return "", err
	}
	name = uniqueName(&b.Manifest, name)
	entry, err := writeInPlace(dir, name, data)
	if err != nil {
		return "", err
	}
	err = updateManifest(dir, func(m *Manifest) {
		m.upsert(entry)
		m.Commands = append(m.Commands, Command{At: at, Args: nonNilStrings(meta.Args)})
		if m.ClusterID == "" {
			m.ClusterID = tr.Cluster.ID
		}
	})
	if err != nil {
		return "", fmt.Errorf("recording %s: %w", name, err)
	}
	return name, nil
}

// safeName keeps a runbook name usable as part of a file name.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
	if s == "" {
		return "runbook"
	}
	return s
}
