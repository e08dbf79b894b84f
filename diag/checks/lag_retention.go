package checks

import (
	"fmt"
	"slices"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// How soon a deletion makes each code: within the hour there is no time to
// do more than act; within 6 hours there is a shift to plan it.
const (
	exceedsRetentionWithin = time.Hour
	nearRetentionWithin    = 6 * time.Hour
)

// lagRetention finds unread records that retention may delete soon, one
// finding per group and partition. The time-based estimate needs one
// snapshot with the age of the next unread record (time lag); the
// rate-based one, which also covers retention.bytes, a window. Records
// already deleted are LOG_START_ADVANCED's.
func lagRetention() Check {
	reads := []string{snapshot.SourceGroups, snapshot.SourceOffsets, snapshot.SourceTimeLag, snapshot.SourceTopicConfigs}
	return Check{
		Name:  "lag-retention",
		Reads: reads,
		Codes: []string{findings.LagExceedsRetention, findings.LagNearRetention},
		Run: func(in Input, r *Reporter) {
			if deniedOnly(in.Snap, snapshot.SourceTimeLag) {
				// READ on the topics is optional (docs/SECURITY.md): a
				// principal without it cannot see how old unread records are,
				// which is what it was granted, not a gap. Judge what the
				// log start's rate over a window can tell.
				r.Accept(snapshot.SourceTimeLag)
				if len(in.Window) == 0 {
					r.Skip("this principal may not read records (no READ on the topics), so how old unread records are is unknown; " +
						"with --sample the log start's rate still tells when retention reaches them")
					return
				}
				in.Snap = withoutErrors(in.Snap, snapshot.SourceTimeLag)
			}
			switch lagKnowable(in.Snap) {
			case lagFailed:
				return // Run names the failed sources as the gaps
			case lagNotAsked:
				r.Skip(noLagRead)
				return
			}
			if len(in.Window) == 0 && !failed(in.Snap, snapshot.SourceTimeLag) && !timeLagRead(in.Snap) {
				// Told before judging every group: neither estimate can be
				// made, triage did not ask for the time lag.
				if hasLag(in.Snap) {
					r.Skip(noTimeLag)
				}
				return
			}
			unknown, aged := foreseeDeletions(in, r)
			switch {
			case unknown == 0:
			case aged == 0 && !failed(in.Snap, snapshot.SourceTimeLag):
				// The time lag was not asked for: only the log start's rate
				// over a window could tell, and it did where it moved.
				if len(in.Window) == 0 {
					r.Skip(noTimeLag)
				} else {
					r.Skip("the age of unread records (time lag) was not read: only partitions whose log start moved in the window were judged")
				}
			case failed(in.Snap, reads...):
				// Run names the sources that failed as the gaps.
			default:
				r.CannotEvaluate("when retention deletes the unread records of %s is unknown: the age of the next unread "+
					"record (time lag) or the topic's retention.ms was not read", words.Plural(unknown, "lagging group partition", "lagging group partitions"))
			}
		},
	}
}

// noTimeLag is why lag-retention skips on one snapshot without the time
// lag: no estimate can be made.
const noTimeLag = "the age of unread records (time lag) was not read, and the log start's rate needs --sample or a watch history"

// timeLagRead reports whether the age of any unread record was read, and
// hasLag whether any group has unread records.
func timeLagRead(s *snapshot.Snapshot) bool {
	return anyOffset(s, func(o snapshot.GroupOffset) bool { return o.NextTimestampMillis > 0 })
}

func hasLag(s *snapshot.Snapshot) bool {
	return anyOffset(s, func(o snapshot.GroupOffset) bool { return o.Lag > 0 })
}

func anyOffset(s *snapshot.Snapshot, f func(snapshot.GroupOffset) bool) bool {
	for _, g := range s.Groups {
		if slices.ContainsFunc(g.Offsets, f) {
			return true
		}
	}
	return false
}

// foreseeDeletions reports every lagging partition whose next unread
// record may be deleted soon. It returns how many lagging partitions have
// no estimate though retention could delete them (unknown), and how many
// had the age of their next record read (aged).
func foreseeDeletions(in Input, r *Reporter) (unknown, aged int) {
	for _, g := range in.lagJudge().Groups() {
		for _, p := range g.Partitions {
			if p.Lag <= 0 || (p.LogStart >= 0 && p.Committed < p.LogStart) {
				continue // nothing unread, or deleted already
			}
			if p.TimeLagMillis >= 0 {
				aged++
			}
			d := p.Deletion
			if d.ETAMillis >= 0 {
				if f, ok := retentionFinding(g, p); ok {
					r.Add(f)
				}
				continue
			}
			// By time it could have been told, had the age and retention.ms
			// been read; retention.bytes alone needs the log start to move,
			// which one snapshot or a quiet window cannot show.
			if d.RetentionMillis != lag.RetentionUnlimited && (p.TimeLagMillis < 0 || d.RetentionMillis == lag.RetentionUnknown) {
				unknown++
			}
		}
	}
	return unknown, aged
}

// retentionFinding words a partition whose next unread record may be
// deleted within nearRetentionWithin; false when it is further off.
func retentionFinding(g lag.Group, p lag.Partition) (findings.Finding, bool) {
	d := p.Deletion
	eta := time.Duration(d.ETAMillis) * time.Millisecond
	f := findings.Finding{Code: findings.LagNearRetention, Group: g.ID, Topic: p.Topic, Partition: findings.Int32(p.Partition),
		Evidence: map[string]any{"lag": p.Lag, "committed": p.Committed, "log_start": p.LogStart, "time_lag_ms": p.TimeLagMillis,
			"eta_ms": d.ETAMillis, "eta_rule": d.Rule, "eta_by_time_ms": d.ByTimeMillis, "eta_by_rate_ms": d.ByRateMillis,
			"retention_ms": d.RetentionMillis, "retention_bytes": d.RetentionBytes, "log_start_rate": d.LogStartRate,
			"consume_rate": p.ConsumeRate, "produce_rate": p.ProduceRate,
			"window_ms": p.WindowMillis, "samples": p.Samples, "members": g.Members, "state": g.State}}
	switch {
	case eta <= exceedsRetentionWithin:
		f.Code = findings.LagExceedsRetention
	case eta > nearRetentionWithin:
		return f, false
	}
	f.Summary = fmt.Sprintf("group %s: %s", g.ID, etaText(p))
	if f.Code == findings.LagExceedsRetention && !g.Members {
		// Rule: records about to go from a group nobody runs are a
		// question for its owner, not an outage.
		f.Severity = findings.Warning
		f.Summary += fmt.Sprintf("; the group has no members (%s), so it looks abandoned", orUnknown(g.State))
	}
	return f, true
}

// etaText says when and why the next unread record may be deleted.
func etaText(p lag.Partition) string {
	d := p.Deletion
	when := "in " + duration(d.ETAMillis)
	if d.ETAMillis == 0 {
		when = "now"
	}
	if d.Rule == lag.ByRetentionMs {
		return fmt.Sprintf("the next unread record on %s (lag %d) is %s old and retention.ms is %s: it may be deleted %s "+
			"at the earliest (retention deletes a whole segment once its newest record is older)",
			tpName(p), p.Lag, duration(p.TimeLagMillis), duration(d.RetentionMillis), when)
	}
	limit := "retention.bytes " + fmt.Sprint(d.RetentionBytes)
	if d.RetentionBytes < 0 {
		limit = "retention.bytes off"
	}
	return fmt.Sprintf("the log start of %s advances at %.1f records/s and is %d records before the next unread record "+
		"(lag %d; %s): at that rate it reaches it %s", tpName(p), d.LogStartRate, p.Committed-p.LogStart, p.Lag, limit, when)
}

// deniedOnly reports whether source failed, and only for want of rights.
func deniedOnly(s *snapshot.Snapshot, source string) bool {
	errs := s.ErrorsFor(source)
	for _, e := range errs {
		if e.Kind != snapshot.KindAuthorization {
			return false
		}
	}
	return len(errs) > 0
}

// withoutErrors is s with source's collection errors left out.
func withoutErrors(s *snapshot.Snapshot, source string) *snapshot.Snapshot {
	c := *s
	c.Errors = slices.DeleteFunc(slices.Clone(s.Errors), func(e snapshot.CollectError) bool { return e.Source == source })
	return &c
}
