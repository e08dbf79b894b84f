package runbooks

import (
	"context"
	"fmt"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/wait"
)

// Env is what diagnostics may use.
type Env struct {
	Source source.Cluster
	// Probe sends the per-replica requests some steps need (replica log
	// end offsets); nil when replaying, and those parts then say they
	// cannot evaluate.
	Probe source.ReplicaProber
	// Epochs checks leader epochs on individual brokers; nil when
	// replaying.
	Epochs source.EpochChecker
	// Commands fills suggested commands with this cluster's connection.
	Commands Commands
	// Previous is an earlier snapshot (--since), nil when none.
	Previous *snapshot.Snapshot
	// ToDatetime is the rewind target of data-recovery, zero when not set.
	ToDatetime time.Time
	// PlanDir is where generated plan files are written; it must exist.
	// Empty writes none: the step's tables still list the plan's moves.
	PlanDir string
	// PollInterval separates the samples of steps that measure change.
	PollInterval time.Duration
	// StepTimeout bounds each step as a whole, its snapshots, probes and
	// waits included; 0 leaves only the caller's context.
	StepTimeout time.Duration
	// Window is a recording's samples before the state Source returns
	// (replay): the steps that judge a trend use them instead of sampling.
	// Nil when live.
	Window []*snapshot.Snapshot
	// Disk are the thresholds of LOG_DIR_LOW_SPACE; nil uses the
	// defaults.
	Disk *disk.Thresholds

	// trend caches the last window a step sampled, so the next steps of
	// the same walk judge the same trend instead of waiting again.
	trend *trendSamples
	// diskTrend is the same for the disk-pressure steps, whose samples
	// read log dirs instead of groups.
	diskTrend *trendSamples
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Outcome is what one diagnostic found.
type Outcome struct {
	// Verdict is one line: what the step concluded.
	Verdict     string
	Findings    []findings.Finding
	Tables      []Table
	Actions     []Action
	Unevaluated []checks.Unevaluated
	// Skipped are checks that did not apply to what was asked (no --since).
	Skipped []checks.Unevaluated
	// Next names a runbook the evidence points to, "" when none.
	Next string
	// Files are files the step wrote (plans).
	Files []string
	// Snapshot is the state the step looked at.
	Snapshot *snapshot.Snapshot
}

// Diagnostic runs one step's checks against the cluster.
type Diagnostic func(ctx context.Context, env *Env) (Outcome, error)

// StepResult is one step as run: its words from the runbook file and what
// its diagnostic found.
type StepResult struct {
	Number      int                     `json:"number"`
	ID          string                  `json:"id"`
	Title       string                  `json:"title"`
	Checks      string                  `json:"checks"`
	Why         string                  `json:"why"`
	Verdict     string                  `json:"verdict"`
	Severity    string                  `json:"severity"`
	Findings    []findings.Finding      `json:"findings"`
	Tables      []Table                 `json:"tables"`
	Actions     []Action                `json:"actions"`
	Dont        []string                `json:"dont"`
	Notes       []string                `json:"notes"`
	NextRunbook string                  `json:"next_runbook,omitempty"`
	Files       []string                `json:"files,omitempty"`
	Unevaluated []checks.Unevaluated    `json:"unevaluated"`
	Skipped     []checks.Unevaluated    `json:"skipped"`
	Errors      []snapshot.CollectError `json:"errors"`
	// Error is set when the step could not run at all.
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`

	snap *snapshot.Snapshot
	err  error
}

// Err is why the step could not run, nil when it ran.
func (r StepResult) Err() error { return r.err }

// Snapshot is the state the step looked at, nil if it could not collect.
func (r StepResult) Snapshot() *snapshot.Snapshot { return r.snap }

// RunStep runs step number n (1-based) of rb.
func RunStep(ctx context.Context, rb Runbook, n int, env *Env) StepResult {
	step := rb.Steps[n-1]
	res := StepResult{
		Number: n, ID: step.ID, Title: step.Title, Checks: step.Checks, Why: step.Why,
		Dont: nonNil(step.Dont), Notes: nonNil(step.Notes), StartedAt: env.now().UTC(),
	}
	start := time.Now()
	if env.StepTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, env.StepTimeout)
		defer cancel()
	}
	diag, ok := lookupDiagnostic(step.Diagnostic)
	var out Outcome
	var err error
	if !ok {
		err = fmt.Errorf("unknown diagnostic %q", step.Diagnostic)
	} else {
		out, err = diag(ctx, env)
	}
	res.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		res.err = err
		res.Error = err.Error()
		res.Verdict = "could not run: " + err.Error()
		res.Severity = "unknown"
	} else {
		findings.Sort(out.Findings)
		res.Verdict, res.NextRunbook, res.Files = out.Verdict, out.Next, out.Files
		res.Findings, res.Tables, res.Actions = out.Findings, out.Tables, out.Actions
		res.Unevaluated, res.Skipped = out.Unevaluated, out.Skipped
		res.Severity = severityName(out.Findings)
		if verdict.Of(out.Findings, verdict.Evidence{Gaps: len(out.Unevaluated)}) == verdict.Unknown {
			res.Severity = "unknown" // never a silent OK
		} else if len(out.Findings) == 0 && len(out.Skipped) > 0 {
			res.Severity = "skipped" // not asked for: neither OK nor a gap
		}
		if out.Snapshot != nil {
			res.Errors = out.Snapshot.Errors
			res.snap = out.Snapshot
		}
	}
	res.Findings, res.Tables, res.Actions = nonNil(res.Findings), nonNil(res.Tables), nonNil(res.Actions)
	res.Unevaluated, res.Skipped, res.Errors = nonNil(res.Unevaluated), nonNil(res.Skipped), nonNil(res.Errors)
	return res
}

// severityName is the one rule for a step's label: the severity of what
// the step found, its worst finding ("ok" when it found nothing). A
// diagnostic that finds harm (records a zombie will truncate, a stalled
// follower, a flapping ISR) therefore reports it as a finding, never only
// in its verdict line, or the label would say "ok" above it.
func severityName(fs []findings.Finding) string {
	worst, ok := findings.Worst(fs)
	if !ok {
		return "ok"
	}
	return worst.String()
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// sleep waits d, or returns early when ctx ends.
func (e *Env) sleep(ctx context.Context, d time.Duration) error {
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	return wait.For(ctx, d)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
