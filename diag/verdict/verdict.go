// Package verdict is the one rule that turns what a command found into its
// status: the worst finding decides, and missing evidence is never health.
// Triage, runbook walks and evidence reports all judge through Of; the CLI
// alone turns a Status into an exit code (internal/exitcode).
package verdict

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
)

// Status is a command's verdict, in the monitoring-plugin vocabulary.
type Status int

// The statuses. Unknown is not "worse" than Critical: it says the evidence
// did not allow a judgement, and it is only given when nothing at warning
// or above was found.
const (
	OK Status = iota
	Warning
	Critical
	Unknown
)

var names = [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}

func (s Status) String() string {
	if s < OK || s > Unknown {
		return fmt.Sprintf("status(%d)", int(s))
	}
	return names[s]
}

// Parse reads a status name in any case: "CRITICAL" as String writes it
// for people, "critical" as JSON documents carry it.
func Parse(name string) (Status, error) {
	for i, n := range names {
		if strings.EqualFold(n, name) {
			return Status(i), nil
		}
	}
	return Unknown, fmt.Errorf("unknown status %q", name)
}

// MarshalJSON writes the status in lower case, as every severity-like value
// in the JSON documents is written ("severity":"critical" beside
// "status":"critical"): one casing for scripts to match. The triage report
// and the runbook transcript changed to it in their schema_version 2;
// documents of version 1 ("CRITICAL") still read.
func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(strings.ToLower(s.String())) }

// UnmarshalJSON reads the status from its name, in either case.
func (s *Status) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	v, err := Parse(name)
	*s = v
	return err
}

// Evidence says how complete the evidence behind some findings was.
type Evidence struct {
	// Nothing is true when nothing at all could be evaluated (no cluster
	// metadata, no step ran).
	Nothing bool
	// Gaps counts the checks, or parts of checks, that could not run.
	Gaps int
}

// Of is the status of findings fs judged on evidence ev:
//   - Rule 1: nothing evaluated is Unknown, whatever else was said.
//   - Rule 2: a critical finding is Critical, a warning Warning, even when
//     some checks could not run (what was found is true regardless).
//   - Rule 3: otherwise any gap is Unknown: a check that could not run is
//     not a check that passed.
//   - Rule 4: otherwise OK (info findings are knowledge, not trouble).
func Of(fs []findings.Finding, ev Evidence) Status {
	if ev.Nothing {
		return Unknown
	}
	if worst, ok := findings.Worst(fs); ok {
		switch worst {
		case findings.Critical:
			return Critical
		case findings.Warning:
			return Warning
		}
	}
	if ev.Gaps > 0 {
		return Unknown
	}
	return OK
}
