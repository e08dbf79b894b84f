// Package runbooks walks an on-call engineer through an incident, step by
// step. A runbook's words (what each step checks, why it matters, what not
// to do, the team's notes and escalation contacts) live in YAML files a
// team can read, copy and extend; the Go code holds the diagnostics each
// step runs.
package runbooks

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// content holds the runbooks shipped with the tool.
//
//go:embed content/*.yaml
var content embed.FS

// SchemaVersion is the version of the runbook file format.
const SchemaVersion = 1

// Runbook is one runbook as written in its file.
type Runbook struct {
	SchemaVersion int    `yaml:"schema_version" json:"-"`
	Name          string `yaml:"name" json:"name"`
	Title         string `yaml:"title" json:"title"`
	Summary       string `yaml:"summary" json:"summary"`
	// When lists the finding codes that send people here.
	When []string `yaml:"when" json:"when"`
	// Escalation and Links are the team's own: who to call, where to look.
	Escalation []string `yaml:"escalation" json:"escalation,omitempty"`
	Links      []string `yaml:"links" json:"links,omitempty"`
	Steps      []Step   `yaml:"steps" json:"steps"`
	// Source is the file the runbook was read from.
	Source string `yaml:"-" json:"source"`
}

// Step is one step of a runbook as written in its file.
type Step struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Checks says what the step looks at, Why why it matters.
	Checks string `yaml:"checks" json:"checks"`
	Why    string `yaml:"why" json:"why"`
	// Diagnostic names the Go diagnostic the step runs.
	Diagnostic string `yaml:"diagnostic" json:"diagnostic"`
	// Dont lists what not to do at this point.
	Dont []string `yaml:"dont" json:"dont"`
	// Notes are the team's own remarks, shown with the step.
	Notes []string `yaml:"notes" json:"notes,omitempty"`
}

// Library is the set of runbooks available: the shipped ones, replaced or
// extended by a user directory.
type Library struct {
	books map[string]Runbook
}

// Load reads the shipped runbooks and, when userDir is not empty, every
// *.yaml file in it. A user file with the name of a shipped runbook
// replaces it, so a team can copy one and add its own notes.
func Load(userDir string) (*Library, error) {
	lib := &Library{books: map[string]Runbook{}}
	if err := lib.addFS(content, "content", "built-in"); err != nil {
		return nil, err
	}
	if userDir == "" {
		return lib, nil
	}
	info, err := os.Stat(userDir)
	if err != nil {
		return nil, fmt.Errorf("runbook directory %s: %w", userDir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("runbook directory %s is not a directory", userDir)
	}
	if err := lib.addFS(os.DirFS(userDir), ".", userDir); err != nil {
		return nil, err
	}
	return lib, nil
}

func (l *Library) addFS(fsys fs.FS, dir, label string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("reading runbooks from %s: %w", label, err)
	}
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		path := filepath.Join(label, e.Name())
		data, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(dir, e.Name())))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rb, err := Parse(path, data)
		if err != nil {
			return err
		}
		l.books[rb.Name] = rb
	}
	return nil
}

// maxRunbookBytes bounds a runbook file; real ones are a few KiB.
const maxRunbookBytes = 1 << 20

// Parse reads one runbook file and validates it. Errors name the file.
func Parse(path string, data []byte) (Runbook, error) {
	if len(data) > maxRunbookBytes {
		return Runbook{}, fmt.Errorf("%s: runbook file is larger than %d bytes", path, maxRunbookBytes)
	}
	var rb Runbook
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&rb); err != nil {
		return Runbook{}, fmt.Errorf("%s: not a valid runbook file: %w", path, err)
	}
	rb.Source = path
	if err := rb.validate(); err != nil {
		return Runbook{}, fmt.Errorf("%s: %w", path, err)
	}
	return rb, nil
}

func (rb Runbook) validate() error {
	var errs []error
	if rb.SchemaVersion != SchemaVersion {
		errs = append(errs, fmt.Errorf("schema_version is %d, this tool reads %d", rb.SchemaVersion, SchemaVersion))
	}
	if rb.Name == "" || strings.ContainsAny(rb.Name, " /\\") {
		errs = append(errs, fmt.Errorf("name %q must be a single word like broker-failure", rb.Name))
	}
	if rb.Title == "" {
		errs = append(errs, errors.New("title is empty"))
	}
	if len(rb.Steps) == 0 {
		errs = append(errs, errors.New("no steps"))
	}
	seen := map[string]bool{}
	for i, s := range rb.Steps {
		switch {
		case s.ID == "":
			errs = append(errs, fmt.Errorf("step %d has no id", i+1))
		case seen[s.ID]:
			errs = append(errs, fmt.Errorf("step id %q used twice", s.ID))
		}
		seen[s.ID] = true
		if s.Title == "" {
			errs = append(errs, fmt.Errorf("step %d (%s) has no title", i+1, s.ID))
		}
		if _, ok := lookupDiagnostic(s.Diagnostic); !ok {
			errs = append(errs, fmt.Errorf("step %d (%s): unknown diagnostic %q; known: %s", i+1, s.ID, s.Diagnostic, strings.Join(DiagnosticNames(), ", ")))
		}
	}
	return errors.Join(errs...)
}

// Get returns the runbook with the given name.
func (l *Library) Get(name string) (Runbook, error) {
	rb, ok := l.books[name]
	if !ok {
		return Runbook{}, fmt.Errorf("unknown runbook %q: choose one of %s", name, strings.Join(l.Names(), ", "))
	}
	return rb, nil
}

// Names lists the runbook names, sorted.
func (l *Library) Names() []string {
	out := make([]string, 0, len(l.books))
	for n := range l.books {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// All returns every runbook, sorted by name.
func (l *Library) All() []Runbook {
	out := make([]Runbook, 0, len(l.books))
	for _, n := range l.Names() {
		out = append(out, l.books[n])
	}
	return out
}
