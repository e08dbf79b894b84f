// Package drill runs a tabletop incident drill on the simulated cluster:
// the session files other terminals find it by, the journal of what was
// injected and what the team's tools sent, the team's notes, and the
// report written when it ends.
//
// A session is a directory under the state directory:
//
//	drills/active.json            which session is running (removed when it ends)
//	drills/<id>/session.json      scenario, start time, bootstrap, planned injects, serving pid
//	drills/<id>/journal.jsonl     what the serving process saw: injects fired, requests received
//	drills/<id>/notes.jsonl       decisions recorded with `drill note`, one line each
//	drills/<id>/stop              asks the serving process to end the drill
//	drills/<id>/evidence/         an evidence bundle: `run --record` transcripts land here
//	drills/<id>/report.md         the drill report, written once, atomically
//
// The journal and the notes are append-only JSON Lines written by one
// process each, so a crash loses at most the line being written.
package drill

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
)

// SchemaVersion versions session.json and the journal lines.
const SchemaVersion = 1

// File names inside a session directory.
const (
	MetaFile     = "session.json"
	JournalFile  = "journal.jsonl"
	NotesFile    = "notes.jsonl"
	StopFile     = "stop"
	ReportFile   = "report.md"
	EvidenceDir  = "evidence"
	activeFile   = "active.json"
	drillsSubdir = "drills"
)

// Meta is session.json: what is being drilled and how to reach it.
type Meta struct {
	SchemaVersion int    `json:"schema_version"`
	ID            string `json:"id"`
	Scenario      string `json:"scenario"`
	Title         string `json:"title"`
	// Source is where the scenario came from: "embedded" or a file path.
	Source           string    `json:"source"`
	ExpectedFindings []string  `json:"expected_findings"`
	ExpectedRunbook  string    `json:"expected_runbook"`
	Injects          []Planned `json:"injects"`
	StartedAt        time.Time `json:"started_at"`
	// Speed divides every inject time (1 is real time).
	Speed     float64  `json:"speed"`
	Bootstrap []string `json:"bootstrap"`
	// PID is the serving process.
	PID int `json:"pid"`
}

// Planned is one inject as the scenario schedules it.
type Planned struct {
	// At is the offset from the start at speed 1, as written ("1m30s").
	At     string   `json:"at"`
	Offset Duration `json:"offset_ms"`
	Say    string   `json:"say"`
	Expect []string `json:"expect"`
}

// Duration is a time.Duration serialised as milliseconds.
type Duration time.Duration

// MarshalJSON writes milliseconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Milliseconds())
}

// UnmarshalJSON reads milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var ms int64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	*d = Duration(time.Duration(ms) * time.Millisecond)
	return nil
}

// Session is one drill's directory.
type Session struct {
	Dir  string
	Meta Meta
}

// Path returns a file of the session.
func (s *Session) Path(name string) string { return filepath.Join(s.Dir, name) }

// active is drills/active.json.
type active struct {
	ID  string `json:"id"`
	Dir string `json:"dir"`
	PID int    `json:"pid"`
}

// ErrNoActive means no drill is running under the state directory.
var ErrNoActive = errors.New("no drill is running")

// Create makes the session directory of a new drill and marks it active.
// It refuses when another drill's serving process is still alive.
func Create(stateDir string, m Meta) (*Session, error) {
	if cur, err := Active(stateDir); err == nil && Alive(cur.Meta.PID) {
		return nil, fmt.Errorf("drill %s is already running (pid %d); end it first with 'kafka-runbook drill stop'", cur.Meta.ID, cur.Meta.PID)
	}
	m.SchemaVersion = SchemaVersion
	m.ID = m.StartedAt.UTC().Format("20060102T150405Z") + "-" + m.Scenario
	dir := filepath.Join(stateDir, drillsSubdir, m.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the drill directory: %w", err)
	}
	s := &Session{Dir: dir, Meta: m}
	if err := writeJSON(s.Path(MetaFile), m); err != nil {
		return nil, err
	}
	for _, name := range []string{JournalFile, NotesFile} {
		f, err := os.OpenFile(s.Path(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("cannot create %s: %w", s.Path(name), err)
		}
		f.Close()
	}
	if err := writeJSON(filepath.Join(stateDir, drillsSubdir, activeFile), active{ID: m.ID, Dir: dir, PID: m.PID}); err != nil {
		return nil, err
	}
	return s, nil
}

// Active returns the running drill of the state directory, ErrNoActive when
// there is none.
func Active(stateDir string) (*Session, error) {
	p := filepath.Join(stateDir, drillsSubdir, activeFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoActive
	}
	if err != nil {
		return nil, err
	}
	var a active
	if err := json.Unmarshal(data, &a); err != nil || a.Dir == "" {
		return nil, fmt.Errorf("%s: not a drill marker (delete it to start over)", p)
	}
	return Open(a.Dir)
}

// Open reads an existing session directory.
func Open(dir string) (*Session, error) {
	p := filepath.Join(dir, MetaFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: not valid JSON: %v", p, err)
	}
	if m.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d, this build reads %d", p, m.SchemaVersion, SchemaVersion)
	}
	return &Session{Dir: dir, Meta: m}, nil
}

// Deactivate removes the active marker if it still names this session.
func (s *Session) Deactivate(stateDir string) error {
	p := filepath.Join(stateDir, drillsSubdir, activeFile)
	if cur, err := Active(stateDir); err == nil && cur.Meta.ID != s.Meta.ID {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// RequestStop asks the serving process to end the drill: it polls for the
// stop file, and SIGTERM (sent by the caller where it can) is faster.
func (s *Session) RequestStop() error {
	return atomicfile.Write(s.Path(StopFile), []byte(time.Now().UTC().Format(time.RFC3339Nano)+"\n"), 0o600)
}

// StopRequested reports whether `drill stop` asked to end the drill.
func (s *Session) StopRequested() bool {
	_, err := os.Stat(s.Path(StopFile))
	return err == nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o600)
}

// unwrapPath drops the *PathError wrapper, whose path the caller already
// names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
