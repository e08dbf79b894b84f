package runbooks

import (
	"context"
	"fmt"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
)

// TranscriptSchemaVersion versions the JSON document of a walked runbook.
// Version 2 writes "status" in lower case, as each step's "severity"
// always was; version 1 transcripts still read.
const TranscriptSchemaVersion = 2

// Transcript is a walked runbook: what every step found, in order. It is
// the JSON output of `run` and what evidence bundles record.
type Transcript struct {
	SchemaVersion int     `json:"schema_version"`
	Runbook       Summary `json:"runbook"`
	Cluster       Cluster `json:"cluster"`
	// Status is the verdict over every step: the worst finding, or UNKNOWN
	// when some step could not evaluate everything and nothing at warning or
	// above was found.
	Status verdict.Status `json:"status"`
	// Findings is the union of the steps' findings, worst first.
	Findings []findings.Finding      `json:"findings"`
	Errors   []snapshot.CollectError `json:"errors"`
	Steps    []StepResult            `json:"steps"`
	// Stopped is true when the user stopped before the last step, or the
	// walk's context ended (a step it cut short is left out).
	Stopped bool `json:"stopped"`
}

// Summary identifies a runbook in a transcript.
type Summary struct {
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Steps      int      `json:"steps"`
	Escalation []string `json:"escalation"`
	Links      []string `json:"links"`
	Source     string   `json:"source"`
}

// Cluster identifies the cluster a transcript is about.
type Cluster struct {
	ID        string    `json:"id"`
	Bootstrap []string  `json:"bootstrap"`
	TakenAt   time.Time `json:"taken_at"`
}

// WalkOptions controls a walk.
type WalkOptions struct {
	// Step runs only step Step (1-based); 0 runs them all.
	Step int
	// Emit is called with each step as soon as it has run, so a terminal
	// shows it before the next one starts. An error stops the walk.
	Emit func(StepResult) error
	// Continue is asked between steps; false stops the walk. Nil continues.
	Continue func(next int) bool
}

// Walk runs the runbook's steps in order, each on fresh data.
func Walk(ctx context.Context, rb Runbook, env *Env, opts WalkOptions) (Transcript, error) {
	tr := Transcript{
		SchemaVersion: TranscriptSchemaVersion,
		Runbook: Summary{Name: rb.Name, Title: rb.Title, Summary: rb.Summary, Steps: len(rb.Steps),
			Escalation: nonNil(rb.Escalation), Links: nonNil(rb.Links), Source: rb.Source},
		Findings: []findings.Finding{}, Errors: []snapshot.CollectError{}, Steps: []StepResult{},
	}
	first, last := 1, len(rb.Steps)
	if opts.Step != 0 {
		if opts.Step < 1 || opts.Step > len(rb.Steps) {
			return tr, fmt.Errorf("runbook %s has steps 1 to %d, not %d", rb.Name, len(rb.Steps), opts.Step)
		}
		first, last = opts.Step, opts.Step
	}
	seen := map[string]bool{}
	seenErr := map[snapshot.CollectError]bool{}
	for n := first; n <= last; n++ {
		if n > first && opts.Continue != nil && !opts.Continue(n) {
			tr.Stopped = true
			break
		}
		if err := ctx.Err(); err != nil {
			tr.Stopped = true
			break
		}
		res := RunStep(ctx, rb, n, env)
		if ctx.Err() != nil {
			// Cut short (Ctrl-C): what the step saw is the interruption,
			// not the cluster, so it is not part of the transcript.
			tr.Stopped = true
			break
		}
		tr.Steps = append(tr.Steps, res)
		if s := res.Snapshot(); s != nil {
			tr.Cluster = clusterOf(s)
		}
		for _, f := range res.Findings {
			key := f.Code + "|" + f.Subject()
			if !seen[key] {
				seen[key] = true
				tr.Findings = append(tr.Findings, f)
			}
		}
		for _, e := range res.Errors {
			if !seenErr[e] {
				seenErr[e] = true
				tr.Errors = append(tr.Errors, e)
			}
		}
		if opts.Emit != nil {
			if err := opts.Emit(res); err != nil {
				return tr, err
			}
		}
	}
	findings.Sort(tr.Findings)
	tr.Status = verdict.Of(tr.Findings, tr.evidence())
	return tr, nil
}

func clusterOf(s *snapshot.Snapshot) Cluster {
	c := Cluster{ID: s.ClusterID, TakenAt: s.TakenAt, Bootstrap: []string{}}
	for _, ep := range s.Bootstrap {
		c.Bootstrap = append(c.Bootstrap, ep.Address)
	}
	return c
}

// evidence is how complete the steps' evidence was: nothing when no step
// ran, and a gap for every step that could not run or could not evaluate
// part of its checks.
func (t Transcript) evidence() verdict.Evidence {
	ev := verdict.Evidence{Nothing: true}
	for _, s := range t.Steps {
		if s.Error != "" {
			ev.Gaps++
			continue
		}
		ev.Nothing = false
		ev.Gaps += len(s.Unevaluated)
	}
	return ev
}

// Failure returns why the walk could not evaluate anything: the first
// step's error when no step ran, nil otherwise.
func (t Transcript) Failure() error {
	for _, s := range t.Steps {
		if s.Error == "" {
			return nil
		}
	}
	if len(t.Steps) == 0 {
		return nil
	}
	return t.Steps[0].Err()
}
