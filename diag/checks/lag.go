package checks

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// needsWindow is why a trend check skips on one snapshot: nothing asked
// for a trend, so it is not a gap.
const needsWindow = "needs --sample or a watch history: one snapshot shows no trend"

// maxListed bounds the partitions and members a finding lists in its
// evidence: a group of 500 partitions must not make a 500-entry finding.
const maxListed = 10

// trendCodes are the group-wide statuses that make a finding, worst first.
var trendCodes = []struct {
	status lag.Status
	code   string
}{
	{lag.Rewind, findings.OffsetRewind},
	{lag.Stalled, findings.ConsumerStalled},
	{lag.Stopped, findings.ConsumerStopped},
	{lag.Warning, findings.ConsumerLagGrowing},
}

// consumerLag judges every group over the window with Burrow's rules
// (diag/lag): one finding per group and status, listing its partitions.
func consumerLag() Check {
	reads := []string{snapshot.SourceGroups, snapshot.SourceOffsets}
	return Check{
		Name:  "consumer-lag",
		Reads: reads,
		Codes: []string{findings.ConsumerLagGrowing, findings.ConsumerStalled, findings.ConsumerStopped, findings.OffsetRewind},
		Run: func(in Input, r *Reporter) {
			if len(in.Window) == 0 {
				r.Skip(needsWindow)
				return
			}
			unknown := 0
			for _, g := range in.lagJudge().Groups() {
				unknown += g.Count(lag.Error)
				if g.Status == lag.Error && len(g.Partitions) == 0 {
					unknown++
				}
				for _, tc := range trendCodes {
					ps := withStatus(g, tc.status)
					// Rule 4 holds for a group idle all along too; only one
					// that stopped within the window is "stopped now".
					if len(ps) > 0 && (tc.status != lag.Stopped || g.StoppedWithinWindow()) {
						r.Add(trendFinding(tc.code, g, ps))
					}
				}
			}
			if unknown > 0 && !failed(in.Snap, reads...) {
				r.CannotEvaluate("lag unknown in every sample for %s (offsets or log end offsets not read)",
					words.Plural(unknown, "group partition", "group partitions"))
			}
		},
	}
}

func trendFinding(code string, g lag.Group, ps []lag.Partition) findings.Finding {
	f := groupFinding(code, g, ps)
	first := ps[0]
	span := duration(g.WindowMillis)
	waiting := sumLag(ps)
	switch code {
	case findings.OffsetRewind:
		f.Summary = fmt.Sprintf("group %s: the committed offset went back on %s (%s from %d to %d) within %s: "+
			"its offsets were reset or it re-reads, so records are processed again", g.ID, tpList(ps), tpName(first),
			slices.Max(first.CommittedOffsets), first.Committed, span)
	case findings.ConsumerStalled:
		f.Summary = fmt.Sprintf("group %s has members but committed no progress on %s for %s while %d records wait: "+
			"its consumers run and process nothing there", g.ID, tpList(ps), span, waiting)
	case findings.ConsumerStopped:
		why := "moved its offsets"
		if g.HadMembers {
			why = "had members"
		}
		f.Summary = fmt.Sprintf("group %s has no members now (%s) and has not committed on %s for %s while %d records wait: "+
			"it %s earlier in the window, so its consumers stopped", g.ID, orUnknown(g.State), tpList(ps), span, waiting, why)
	case findings.ConsumerLagGrowing:
		consume, produce := sumRates(ps)
		f.Evidence["consume_rate"], f.Evidence["produce_rate"] = consume, produce
		f.Summary = fmt.Sprintf("group %s falls behind on %s: the lag grew at every sample over %s, to %d; it consumes "+
			"%.1f records/s while producers write %.1f", g.ID, tpList(ps), span, waiting, consume, produce)
	}
	return f
}

// rebalanceStorm finds groups that keep rebalancing over the window.
func rebalanceStorm() Check {
	return Check{
		Name:  "rebalance-storm",
		Reads: []string{snapshot.SourceGroups},
		Codes: []string{findings.RebalanceStorm},
		Run: func(in Input, r *Reporter) {
			if len(in.Window) == 0 {
				r.Skip(needsWindow)
				return
			}
			for _, g := range in.lagJudge().Groups() {
				if g.Storm() {
					r.Add(stormFinding(g))
				}
			}
		},
	}
}

func stormFinding(g lag.Group) findings.Finding {
	rb := g.Rebalances
	members := map[string]bool{}
	for _, id := range append(slices.Clone(rb.Joined), rb.Left...) {
		members[id] = true // one that came and went churned once
	}
	churned := len(members)
	f := findings.Finding{Code: findings.RebalanceStorm, Group: g.ID, Evidence: map[string]any{
		"rebalances": rb.Count, "counted_by": rb.Rule, "rebalancing_samples": rb.Rebalancing, "samples": g.Samples,
		"window_ms": g.WindowMillis, "joined": firstN(rb.Joined), "left": firstN(rb.Left), "churned_members": churned,
		"state": g.State, "type": g.Type,
	}}
	f.Summary = fmt.Sprintf("group %s rebalanced %s in %s (by %s) and was rebalancing in %d of %d samples",
		g.ID, words.Plural(rb.Count, "time", "times"), duration(g.WindowMillis), rb.Rule, rb.Rebalancing, g.Samples)
	if churned > 0 {
		f.Summary += fmt.Sprintf("; members joined: %s; left: %s", words.OrDash(words.Sample(rb.Joined, 3)), words.OrDash(words.Sample(rb.Left, 3)))
	}
	f.Summary += ": its consumers stop at every rebalance"
	return f
}

// samplesOf is the window and the current snapshot, oldest first.
func samplesOf(in Input) []*snapshot.Snapshot {
	return append(slices.Clone(in.Window), in.Snap)
}

// failed reports whether any of the sources failed in s: Run then records
// those failures as the check's gaps (Reads), so the check adds none.
func failed(s *snapshot.Snapshot, sources ...string) bool {
	return slices.ContainsFunc(s.Errors, func(e snapshot.CollectError) bool { return slices.Contains(sources, e.Source) })
}

// withStatus returns the group's partitions with status s, most lag first.
func withStatus(g lag.Group, s lag.Status) []lag.Partition {
	return partitionsWhere(g, func(p lag.Partition) bool { return p.Status == s })
}

// partitionsWhere returns the group's partitions that keep holds for, most
// lag first: the worst are the ones a bounded list must show.
func partitionsWhere(g lag.Group, keep func(lag.Partition) bool) []lag.Partition {
	var picked []int // sorted as indexes: a Partition is large to move
	for i, p := range g.Partitions {
		if keep(p) {
			picked = append(picked, i)
		}
	}
	slices.SortStableFunc(picked, func(a, b int) int { return cmp.Compare(g.Partitions[b].Lag, g.Partitions[a].Lag) })
	out := make([]lag.Partition, len(picked))
	for i, j := range picked {
		out[i] = g.Partitions[j]
	}
	return out
}

// groupFinding names a group finding's subjects: the group, and the topic
// and partition when they are all of one. Its evidence lists at most
// maxListed partitions, the most lagging first.
func groupFinding(code string, g lag.Group, ps []lag.Partition) findings.Finding {
	f := findings.Finding{Code: code, Group: g.ID}
	if !slices.ContainsFunc(ps, func(p lag.Partition) bool { return p.Topic != ps[0].Topic }) {
		f.Topic = ps[0].Topic
		if len(ps) == 1 {
			f.Partition = findings.Int32(ps[0].Partition)
		}
	}
	listed := make([]map[string]any, 0, min(len(ps), maxListed))
	timeLag := int64(-1)
	for i, p := range ps {
		timeLag = max(timeLag, p.TimeLagMillis)
		if i < maxListed {
			listed = append(listed, map[string]any{"topic": p.Topic, "partition": p.Partition, "status": p.Status.String(),
				"rule": p.Rule, "lag": p.Lag, "lags": p.Lags, "committed_offsets": p.CommittedOffsets,
				"consume_rate": p.ConsumeRate, "produce_rate": p.ProduceRate, "time_lag_ms": p.TimeLagMillis})
		}
	}
	f.Evidence = map[string]any{"rule": ps[0].Rule, "lag": sumLag(ps), "time_lag_ms": timeLag, "window_ms": g.WindowMillis,
		"samples": g.Samples, "partitions": listed, "partitions_total": len(ps), "state": g.State, "members": g.Members}
	return f
}

// sumLag adds the partitions' lags, each the last one known; -1 when none
// is known (partitions without a leader).
func sumLag(ps []lag.Partition) int64 {
	n := int64(-1)
	for _, p := range ps {
		if l := lastKnownLag(p); l >= 0 {
			n = max(n, 0) + l
		}
	}
	return n
}

// sumRates adds the partitions' known rates: the group's pace on them.
func sumRates(ps []lag.Partition) (consume, produce float64) {
	for _, p := range ps {
		consume += max(p.ConsumeRate, 0)
		produce += max(p.ProduceRate, 0)
	}
	return consume, produce
}

func tpName(p lag.Partition) string { return fmt.Sprintf("%s/%d", p.Topic, p.Partition) }

// tpList names up to three partitions and counts the rest. Only the names
// shown are formatted: a group may have hundreds of partitions.
func tpList(ps []lag.Partition) string {
	names := make([]string, len(ps))
	for i := range min(len(ps), 3) {
		names[i] = tpName(ps[i])
	}
	return words.Sample(names, 3)
}

func firstN(ids []string) []string { return ids[:min(len(ids), maxListed)] }

// duration words a span of milliseconds for people: "2m30s", "3h5m",
// "6d23h".
func duration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return d.Round(time.Second).String()
}
