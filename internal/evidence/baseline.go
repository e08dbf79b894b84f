package evidence

import (
	"fmt"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Baseline is the first event of a watch: the state the cluster was in
// when watching began, so that a timeline shows what was already broken
// rather than only what changed afterwards.
func Baseline(s *snapshot.Snapshot, opts DiffOptions) Event {
	m := Measure(s)
	e := Event{Time: s.TakenAt.UTC(), Kind: WatchStarted, Severity: findings.Info, Metrics: &m}
	var b strings.Builder
	fmt.Fprintf(&b, "watch started on cluster %s: %d of %d brokers alive, %d partitions (%d offline, %d under-replicated, %d under min ISR)",
		words.OrDash(s.ClusterID), m.BrokersAlive, m.BrokersKnown, m.Partitions, m.Offline, m.UnderReplicated, m.UnderMinISR)
	if m.TotalLag >= 0 {
		fmt.Fprintf(&b, ", total lag %d", m.TotalLag)
	}
	var down []string
	for _, br := range s.Brokers {
		if st := checks.BrokerState(br); st != checks.StateUp {
			down = append(down, fmt.Sprintf("broker %d %s", br.ID, st))
		}
	}
	if len(down) > 0 {
		fmt.Fprintf(&b, "; already %s", strings.Join(down, ", "))
	}
	if lagging := groupsAbove(s, opts.LagThresholds); len(lagging) > 0 {
		fmt.Fprintf(&b, "; lag above threshold: %s", strings.Join(lagging, ", "))
	}
	if m.Offline > 0 || m.UnderMinISR > 0 || len(down) > 0 {
		e.Severity = findings.Warning
	}
	if m.Offline > 0 {
		e.Severity = findings.Critical
	}
	e.Summary = b.String()
	return e
}

// groupsAbove names the groups whose lag is above the lowest threshold.
func groupsAbove(s *snapshot.Snapshot, thresholds []int64) []string {
	if len(thresholds) == 0 {
		return nil
	}
	low := thresholds[0]
	for _, t := range thresholds {
		low = min(low, t)
	}
	var out []string
	for _, g := range s.Groups {
		if lag, ok := groupLag(g); ok && lag > low {
			out = append(out, fmt.Sprintf("group %s (%d)", g.ID, lag))
		}
	}
	return out
}
