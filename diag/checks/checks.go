// Package checks turns a snapshot into findings. Checks are pure functions:
// they never touch the network, so they run the same on a live snapshot, a
// recorded one and a test fixture.
package checks

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Input is what checks read.
type Input struct {
	Snap *snapshot.Snapshot
	// Previous is an earlier snapshot of the same cluster, nil when none:
	// checks that compare over time then cannot evaluate.
	Previous *snapshot.Snapshot
}

// Unevaluated names a check, or part of one, that could not run for lack of
// data. It is never a silent OK.
type Unevaluated struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// Result is the outcome of running checks.
type Result struct {
	Findings    []findings.Finding `json:"findings"`
	Unevaluated []Unevaluated      `json:"unevaluated"`
}

// Check is one named rule.
type Check struct {
	Name string
	// Codes are the finding codes the check can emit.
	Codes []string
	Run   func(in Input, r *Reporter)
}

// Reporter collects what one check found.
type Reporter struct {
	check string
	res   *Result
}

// Add records a finding, taking its severity from the catalogue.
func (r *Reporter) Add(f findings.Finding) {
	if e, ok := findings.Lookup(f.Code); ok && f.Severity == findings.Info {
		f.Severity = e.Severity
	}
	r.res.Findings = append(r.res.Findings, f)
}

// CannotEvaluate records that (part of) the check could not run.
func (r *Reporter) CannotEvaluate(format string, args ...any) {
	r.res.Unevaluated = append(r.res.Unevaluated, Unevaluated{Check: r.check, Reason: fmt.Sprintf(format, args...)})
}

// All returns every check, in a fixed order.
func All() []Check {
	return []Check{
		brokerHealth(),
		partitionAvailability(),
		replication(),
		metadataDivergence(),
		offsetsBackwards(),
		logStartPastCommitted(),
		topicConfigHygiene(),
		logDirHealth(),
		securityPosture(),
	}
}

// Run runs the given checks (all when nil) and returns sorted findings.
// A snapshot without a single answering broker cannot be evaluated at all.
func Run(in Input, checks []Check) Result {
	if checks == nil {
		checks = All()
	}
	res := Result{}
	for _, c := range checks {
		c.Run(in, &Reporter{check: c.Name, res: &res})
	}
	findings.Sort(res.Findings)
	slices.SortFunc(res.Unevaluated, func(a, b Unevaluated) int {
		return cmp.Or(cmp.Compare(a.Check, b.Check), cmp.Compare(a.Reason, b.Reason))
	})
	if res.Findings == nil {
		res.Findings = []findings.Finding{}
	}
	if res.Unevaluated == nil {
		res.Unevaluated = []Unevaluated{}
	}
	return res
}

// Named returns the checks with the given names, in All's order.
func Named(names ...string) []Check {
	var out []Check
	for _, c := range All() {
		for _, n := range names {
			if c.Name == n {
				out = append(out, c)
			}
		}
	}
	return out
}
