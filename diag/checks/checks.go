// Package checks turns a snapshot into findings. Checks are pure functions:
// they never touch the network, so they run the same on a live snapshot, a
// recorded one and a test fixture.
package checks

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// Input is what checks read.
type Input struct {
	Snap *snapshot.Snapshot
	// Previous is an earlier snapshot of the same cluster, nil when none:
	// checks that compare over time then cannot evaluate.
	Previous *snapshot.Snapshot
	// Window holds the samples taken before Snap over a short window
	// (triage --sample, a runbook's own samples, a watch's history), oldest
	// first, Snap not included. Checks that judge a trend (consumer lag,
	// rebalances) need at least one; without any they skip.
	Window []*snapshot.Snapshot
	// Disk are the thresholds of LOG_DIR_LOW_SPACE; nil uses
	// disk.DefaultThresholds.
	Disk *disk.Thresholds

	// judge is the lag judgement (diag/lag) the checks of one Run share:
	// five checks read it, and on 100,000 partitions judging every group
	// is the costliest thing they do.
	judge *lag.Judge
}

// lagJudge returns the judgement of the groups over the window and the
// snapshot, shared by the checks of one Run.
func (in Input) lagJudge() *lag.Judge {
	if in.judge == nil {
		return lag.NewJudge(samplesOf(in))
	}
	return in.judge
}

// Unevaluated names a check, or part of one, that could not run for lack of
// data. It is never a silent OK.
type Unevaluated struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// Result is the outcome of running checks.
type Result struct {
	Findings []findings.Finding `json:"findings"`
	// Unevaluated are the gaps: checks, or parts of them, that should have
	// run and could not for lack of data. They make a verdict UNKNOWN
	// unless something worse was found.
	Unevaluated []Unevaluated `json:"unevaluated"`
	// Skipped are checks that did not apply to what was asked, such as
	// offsets going backwards when no earlier snapshot was given. They are
	// not gaps: nothing the user asked for went unanswered.
	Skipped []Unevaluated `json:"skipped"`
}

// Check is one named rule.
type Check struct {
	Name string
	// Codes are the finding codes the check can emit.
	Codes []string
	// Reads are the snapshot sources (snapshot.Source*) the check depends
	// on. When one of them failed and the check did not say itself what it
	// could not evaluate, Run records the failure as a gap of the check, so
	// that no check passes silently on data that was never read.
	Reads []string
	Run   func(in Input, r *Reporter)
}

// Reporter collects what one check found.
type Reporter struct {
	check   string
	res     *Result
	gaps    int
	skipped bool
	// judged: the check turned its sources' failures into findings itself.
	judged bool
	// accepted are sources whose failures the check has accounted for
	// itself (a refusal it words as a skip), so Run does not count them.
	accepted []string
}

// Add records a finding, taking its severity from the catalogue.
func (r *Reporter) Add(f findings.Finding) {
	if e, ok := findings.Lookup(f.Code); ok && f.Severity == findings.Info {
		f.Severity = e.Severity
	}
	r.res.Findings = append(r.res.Findings, f)
}

// AddAsIs records a finding with the severity it carries, info included:
// for a code whose severity depends on the case, such as an imbalance the
// controller will fix by itself.
func (r *Reporter) AddAsIs(f findings.Finding) {
	r.res.Findings = append(r.res.Findings, f)
}

// CannotEvaluate records that (part of) the check could not run.
func (r *Reporter) CannotEvaluate(format string, args ...any) {
	r.gaps++
	r.res.Unevaluated = append(r.res.Unevaluated, Unevaluated{Check: r.check, Reason: fmt.Sprintf(format, args...)})
}

// Judged records that the check read its sources' failures as evidence (a
// quorum that does not answer is itself the finding), so Run must not also
// count them as gaps.
func (r *Reporter) Judged() { r.judged = true }

// Accept records that the check has accounted for the failures of source
// itself, so that Run does not also count them as its gaps.
func (r *Reporter) Accept(source string) { r.accepted = append(r.accepted, source) }

// Skip records that the check does not apply to what was asked.
func (r *Reporter) Skip(format string, args ...any) {
	r.skipped = true
	r.res.Skipped = append(r.res.Skipped, Unevaluated{Check: r.check, Reason: fmt.Sprintf(format, args...)})
}

// All returns every check triage runs, in a fixed order. Of the hygiene
// checks (Hygiene) it runs only the urgent part: certificates expired or
// expiring within CertCriticalWithin, and throttles holding a follower
// back.
func All() []Check {
	return []Check{
		controllerQuorum(),
		brokerHealth(),
		partitionAvailability(),
		replication(),
		metadataDivergence(),
		offsetsBackwards(),
		logStartPastCommitted(),
		consumerLag(),
		rebalanceStorm(),
		emptyGroupLag(),
		groupPartitionAvailability(),
		lagRetention(),
		hangingTransactions(),
		topicConfigHygiene(),
		logDirHealth(),
		logDirSpace(),
		securityPosture(),
		certificates(true),
		replicationThrottles(true),
	}
}

// Run runs the given checks (all when nil) and returns sorted findings.
// A snapshot without a single answering broker cannot be evaluated at all.
func Run(in Input, checks []Check) Result {
	if checks == nil {
		checks = All()
	}
	res := Result{}
	in.judge = lag.NewJudge(samplesOf(in))
	for _, c := range checks {
		r := &Reporter{check: c.Name, res: &res}
		runOne(c, in, r)
		if r.gaps == 0 && !r.skipped && !r.judged {
			sourceGaps(c, in.Snap, r)
		}
	}
	findings.Sort(res.Findings)
	for _, list := range []*[]Unevaluated{&res.Unevaluated, &res.Skipped} {
		slices.SortFunc(*list, func(a, b Unevaluated) int {
			return cmp.Or(cmp.Compare(a.Check, b.Check), cmp.Compare(a.Reason, b.Reason))
		})
		*list = slices.Compact(*list)
		if *list == nil {
			*list = []Unevaluated{}
		}
	}
	if res.Findings == nil {
		res.Findings = []findings.Finding{}
	}
	return res
}

// runOne runs one check, turning a panic into a gap of that check: a bug
// in one rule must not lose every other rule's findings, nor pass as OK.
func runOne(c Check, in Input, r *Reporter) {
	defer func() {
		if p := recover(); p != nil {
			r.CannotEvaluate("internal error, cannot evaluate: %v (please report this as a bug)", p)
		}
	}()
	c.Run(in, r)
}

// sourceGaps records, as gaps of check c, the collection failures of the
// sources it reads, one per source and broker.
func sourceGaps(c Check, s *snapshot.Snapshot, r *Reporter) {
	if s == nil {
		return
	}
	for _, e := range s.Errors {
		if !slices.Contains(c.Reads, e.Source) || slices.Contains(r.accepted, e.Source) {
			continue
		}
		where := ""
		if e.Broker >= 0 {
			where = fmt.Sprintf(" from broker %d", e.Broker)
		}
		if e.Subject != "" {
			where += " for " + e.Subject
		}
		r.CannotEvaluate("%s could not be read%s: %s%s", e.Source, where, e.Message, snapshot.KindNote(e.Kind))
	}
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
