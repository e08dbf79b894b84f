package checks

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// quorumSilentAfter is how long a voter or observer may go without fetching
// the metadata log before it is called silent. Followers fetch
// continuously and a voter that misses controller.quorum.fetch.timeout.ms
// (2 s by default) already triggers an election: 5 s is past doubt.
const quorumSilentAfter = 5 * time.Second

// controllerQuorum judges the KRaft controller quorum from DescribeQuorum:
// is there a leader, is a majority of voters alive and caught up, and do
// the brokers follow the metadata log.
func controllerQuorum() Check {
	return Check{
		Name:  "controller-quorum",
		Reads: []string{snapshot.SourceQuorum},
		Codes: []string{findings.ControllerQuorumUnavailable, findings.ControllerVoterDown,
			findings.ControllerVoterLagging, findings.BrokerMetadataLagging},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			switch {
			case s.MetadataMode == snapshot.MetadataZooKeeper:
				r.Skip("ZooKeeper cluster: there is no KRaft quorum (the controller is the broker Metadata names)")
			case s.Quorum != nil:
				judgeQuorum(s, r)
			case len(s.ErrorsFor(snapshot.SourceQuorum)) > 0:
				unreachableQuorum(s, r)
			default:
				r.Skip("the controller quorum was not collected")
			}
		},
	}
}

// unreachableQuorum reports a quorum no broker or controller could
// describe: a timeout or an error from the quorum is the quorum's trouble;
// a refusal to this principal or an old broker is a gap.
func unreachableQuorum(s *snapshot.Snapshot, r *Reporter) {
	var asked []string
	unavailable := false
	for _, e := range s.ErrorsFor(snapshot.SourceQuorum) {
		switch e.Kind {
		case snapshot.KindAuthorization, snapshot.KindUnsupported, snapshot.KindTLS, snapshot.KindAuth:
			r.CannotEvaluate("controller quorum: %s%s", e.Message, snapshot.KindNote(e.Kind))
			continue
		}
		unavailable = true
		where := "through a broker"
		if e.Broker >= 0 {
			where = fmt.Sprintf("through broker %d", e.Broker)
		}
		if e.Subject != "" {
			where = "at " + e.Subject
		}
		asked = append(asked, fmt.Sprintf("%s: %s", where, e.Message))
	}
	if !unavailable {
		return
	}
	r.Judged()
	r.Add(findings.Finding{
		Code:     findings.ControllerQuorumUnavailable,
		Summary:  fmt.Sprintf("the controller quorum could not be described (%s): no metadata can change until it answers", strings.Join(asked, "; ")),
		Evidence: map[string]any{"errors": asked},
	})
}

func judgeQuorum(s *snapshot.Snapshot, r *Reporter) {
	q := s.Quorum
	ev := map[string]any{"leader_id": q.LeaderID, "leader_epoch": q.LeaderEpoch, "high_watermark": q.HighWatermark,
		"voters": replicaIDs(q.Voters), "via": q.Via}
	if q.LeaderID < 0 {
		r.Add(findings.Finding{
			Code: findings.ControllerQuorumUnavailable, Evidence: ev,
			Summary: fmt.Sprintf("the controller quorum has no leader (voters %v, epoch %d): no broker can be fenced, "+
				"no leader moved, no ISR changed until a majority of voters is back", replicaIDs(q.Voters), q.LeaderEpoch),
		})
		return
	}
	now := q.Now()
	majority := len(q.Voters)/2 + 1
	var down []snapshot.QuorumReplica
	for _, v := range q.Voters {
		if v.ID != q.LeaderID && silent(v, now) {
			down = append(down, v)
		}
	}
	alive := len(q.Voters) - len(down)
	if alive < majority {
		f := findings.Finding{Code: findings.ControllerQuorumUnavailable, Evidence: ev}
		f.Summary = fmt.Sprintf("controller %d leads, but only %d of %d voters fetch from it, fewer than the %d a majority needs: "+
			"no new metadata can be committed", q.LeaderID, alive, len(q.Voters), majority)
		r.Add(f)
	}
	for _, v := range down {
		r.Add(voterDown(q, v, now, alive, majority))
	}
	for _, v := range q.Voters {
		if v.ID != q.LeaderID && !silent(v, now) && lagging(v, q, now) {
			r.Add(voterLagging(q, v, now, alive, majority))
		}
	}
	observersLagging(s, now, r)
}

// voterDown words a silent voter: a warning while the quorum keeps its
// majority, critical once it is lost.
func voterDown(q *snapshot.Quorum, v snapshot.QuorumReplica, now int64, alive, majority int) findings.Finding {
	f := findings.Finding{Code: findings.ControllerVoterDown, Broker: findings.Int32(v.ID),
		Evidence: map[string]any{"voter": v.ID, "last_fetch_ms": v.LastFetchMillis, "silent_for_ms": since(v.LastFetchMillis, now),
			"voters": len(q.Voters), "voters_alive": alive, "majority": majority}}
	f.Summary = fmt.Sprintf("controller voter %d has not fetched from leader %d %s", v.ID, q.LeaderID, silentFor(v.LastFetchMillis, now))
	switch {
	case alive < majority:
		f.Severity = findings.Critical
		f.Summary += fmt.Sprintf("; %d of %d voters remain, the majority is lost", alive, len(q.Voters))
	case alive == majority:
		f.Severity = findings.Warning
		f.Summary += fmt.Sprintf("; the majority holds with %d of %d voters but has none to spare: one more loss stops every metadata change", alive, len(q.Voters))
	default:
		f.Severity = findings.Warning
		f.Summary += fmt.Sprintf("; the majority holds with %d of %d voters", alive, len(q.Voters))
	}
	return f
}

func voterLagging(q *snapshot.Quorum, v snapshot.QuorumReplica, now int64, alive, majority int) findings.Finding {
	f := findings.Finding{Code: findings.ControllerVoterLagging, Broker: findings.Int32(v.ID), Severity: findings.Warning,
		Evidence: map[string]any{"voter": v.ID, "log_end_offset": v.LogEndOffset, "high_watermark": q.HighWatermark,
			"last_caught_up_ms": v.LastCaughtUpMillis, "behind_for_ms": since(v.LastCaughtUpMillis, now)}}
	f.Summary = fmt.Sprintf("controller voter %d fetches but is %d records behind the quorum's high watermark and last caught up %s",
		v.ID, q.Lag(v), agoText(v.LastCaughtUpMillis, now))
	if alive <= majority {
		f.Severity = findings.Critical
		f.Summary += "; the quorum has no voter to spare"
	}
	return f
}

// observersLagging flags brokers that answer clients but no longer follow
// the metadata log: they serve stale metadata. Brokers that are down are
// already findings of their own.
func observersLagging(s *snapshot.Snapshot, now int64, r *Reporter) {
	states := States(s)
	for _, o := range s.Quorum.Observers {
		st, known := states[o.ID]
		if !known || (st != StateUp && st != StateFenced) {
			continue
		}
		if !silent(o, now) && !lagging(o, s.Quorum, now) {
			continue
		}
		r.Add(findings.Finding{
			Code: findings.BrokerMetadataLagging, Broker: findings.Int32(o.ID),
			Summary: fmt.Sprintf("broker %d answers clients but last fetched the metadata log %s and is %d records behind: it serves stale metadata",
				o.ID, agoText(o.LastFetchMillis, now), s.Quorum.Lag(o)),
			Evidence: map[string]any{"log_end_offset": o.LogEndOffset, "high_watermark": s.Quorum.HighWatermark,
				"last_fetch_ms": o.LastFetchMillis, "last_caught_up_ms": o.LastCaughtUpMillis},
		})
	}
}

func silent(v snapshot.QuorumReplica, now int64) bool {
	return v.LastFetchMillis < 0 || now-v.LastFetchMillis > quorumSilentAfter.Milliseconds()
}

// lagging is a replica that fetches (recently: a dead one whose last fetch
// is only nearly stale must not read as lagging first) but has not caught
// up for a while.
func lagging(v snapshot.QuorumReplica, q *snapshot.Quorum, now int64) bool {
	fetching := v.LastFetchMillis >= 0 && now-v.LastFetchMillis <= quorumSilentAfter.Milliseconds()/2
	return fetching && v.LogEndOffset < q.HighWatermark &&
		(v.LastCaughtUpMillis < 0 || now-v.LastCaughtUpMillis > quorumSilentAfter.Milliseconds())
}

func since(t, now int64) int64 {
	if t < 0 || now < 0 {
		return -1
	}
	return now - t
}

func silentFor(t, now int64) string {
	if t < 0 {
		return "since the leader took over (no fetch known)"
	}
	return fmt.Sprintf("for %s", (time.Duration(now-t) * time.Millisecond).Round(100*time.Millisecond))
}

func agoText(t, now int64) string { return words.Ago(t, now, "never (as far as the leader knows)") }

func replicaIDs(rs []snapshot.QuorumReplica) []int32 {
	out := make([]int32, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	slices.Sort(out)
	return out
}
