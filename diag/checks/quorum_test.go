package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// now is the quorum leader's clock in these cases (ms).
const now = 1_000_000

// quorum is a healthy three-voter quorum led by controller 9, with the
// three brokers as observers, every replica caught up at now.
func quorum(edit func(q *snapshot.Quorum)) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.MetadataMode = snapshot.MetadataKRaft
		r := func(id int32) snapshot.QuorumReplica {
			return snapshot.QuorumReplica{ID: id, LogEndOffset: 500, LastFetchMillis: now, LastCaughtUpMillis: now}
		}
		q := &snapshot.Quorum{Via: snapshot.QuorumViaBroker, LeaderID: 9, LeaderEpoch: 3, HighWatermark: 500,
			Voters: []snapshot.QuorumReplica{r(9), r(10), r(11)}, Observers: []snapshot.QuorumReplica{r(1), r(2), r(3)}}
		if edit != nil {
			edit(q)
		}
		s.Quorum = q
	}
}

// replica returns the voter or observer id of q for editing.
func replica(q *snapshot.Quorum, id int32) *snapshot.QuorumReplica {
	for _, list := range [][]snapshot.QuorumReplica{q.Voters, q.Observers} {
		for i := range list {
			if list[i].ID == id {
				return &list[i]
			}
		}
	}
	panic("no replica")
}

// TestControllerQuorum states, per case, the quorum, every finding with its
// severity, and why.
func TestControllerQuorum(t *testing.T) {
	silentSince := func(id int32, ms int64) func(q *snapshot.Quorum) {
		return func(q *snapshot.Quorum) {
			r := replica(q, id)
			r.LastFetchMillis, r.LastCaughtUpMillis = now-ms, now-ms
		}
	}
	cases := []struct {
		name    string
		snap    *snapshot.Snapshot
		want    []string // "CODE subject severity"
		skipped bool
		gap     bool
		why     string
	}{
		{name: "1 healthy", snap: cluster(quorum(nil)), want: nil, why: "a leader, every voter and broker fetching"},
		{name: "2 one of three voters silent", snap: cluster(quorum(silentSince(11, 30_000))),
			want: []string{"CONTROLLER_VOTER_DOWN broker 11 warning"}, why: "the majority holds: a warning naming the voter"},
		{name: "3 two of three voters silent", snap: cluster(quorum(func(q *snapshot.Quorum) {
			silentSince(10, 30_000)(q)
			silentSince(11, 30_000)(q)
		})), want: []string{"CONTROLLER_QUORUM_UNAVAILABLE  critical", "CONTROLLER_VOTER_DOWN broker 10 critical", "CONTROLLER_VOTER_DOWN broker 11 critical"},
			why: "the leader cannot commit without a majority"},
		{name: "4 no leader", snap: cluster(quorum(func(q *snapshot.Quorum) { q.LeaderID = -1 })),
			want: []string{"CONTROLLER_QUORUM_UNAVAILABLE  critical"}, why: "leader -1 is the quorum's own answer"},
		{name: "5 a silent fetch just under the threshold is not down", snap: cluster(quorum(silentSince(11, 4_000))), want: nil,
			why: "5 s is past doubt; 4 s is not"},
		{name: "6 voter fetching but far behind", snap: cluster(quorum(func(q *snapshot.Quorum) {
			r := replica(q, 10)
			r.LogEndOffset, r.LastCaughtUpMillis = 100, now-60_000
		})), want: []string{"CONTROLLER_VOTER_LAGGING broker 10 warning"}, why: "fetches, so not down; behind for a minute"},
		{name: "7 broker that answers but stopped following the metadata log", snap: cluster(quorum(silentSince(3, 20_000))),
			want: []string{"BROKER_METADATA_LAGGING broker 3 warning"}, why: "it serves stale metadata"},
		{name: "8 a dead broker's stale fetch is not a second finding", snap: cluster(killBroker(3), quorum(silentSince(3, 20_000))),
			want: []string{"BROKER_DOWN broker 3 critical"}, why: "BROKER_DOWN already says it"},
		{name: "9 single controller that leads", snap: cluster(quorum(func(q *snapshot.Quorum) { q.Voters = q.Voters[:1] })), want: nil,
			why: "one voter, the leader: a majority of one"},
		{name: "10 quorum timed out through the broker", snap: cluster(func(s *snapshot.Snapshot) {
			s.MetadataMode = snapshot.MetadataKRaft
			s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceQuorum, Broker: 1, Kind: snapshot.KindTimeout, Message: "no answer within 3s"})
		}), want: []string{"CONTROLLER_QUORUM_UNAVAILABLE  critical"}, why: "the quorum did not answer: the killed-controller case"},
		{name: "11 not authorized to describe the quorum is a gap", snap: cluster(func(s *snapshot.Snapshot) {
			s.MetadataMode = snapshot.MetadataKRaft
			s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceQuorum, Broker: 1, Kind: snapshot.KindAuthorization, Message: "CLUSTER_AUTHORIZATION_FAILED"})
		}), gap: true, why: "this principal may not ask: nothing known either way"},
		{name: "12 ZooKeeper cluster", snap: cluster(func(s *snapshot.Snapshot) { s.MetadataMode = snapshot.MetadataZooKeeper }),
			skipped: true, why: "no quorum to describe"},
		{name: "13 not collected", snap: cluster(), skipped: true, why: "an old snapshot: not asked for, not a gap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := Run(Input{Snap: tc.snap}, Named("controller-quorum", "broker-health"))
			var got []string
			for _, f := range res.Findings {
				b := ""
				if f.Broker != nil {
					b = fmt.Sprintf("broker %d", *f.Broker)
				}
				got = append(got, f.Code+" "+b+" "+f.Severity.String())
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %q, want %q (%s)", got, tc.want, tc.why)
			}
			isSkipped := slices.ContainsFunc(res.Skipped, func(u Unevaluated) bool { return u.Check == "controller-quorum" })
			isGap := slices.ContainsFunc(res.Unevaluated, func(u Unevaluated) bool { return u.Check == "controller-quorum" })
			if isSkipped != tc.skipped || isGap != tc.gap {
				t.Errorf("skipped %v gap %v, want %v %v (%s)", isSkipped, isGap, tc.skipped, tc.gap, tc.why)
			}
		})
	}
}

func TestVoterDownSaysWhatIsLeft(t *testing.T) {
	res := Run(Input{Snap: cluster(quorum(func(q *snapshot.Quorum) {
		r := replica(q, 11)
		r.LastFetchMillis = now - 30_000
	}))}, Named("controller-quorum"))
	if len(res.Findings) != 1 || res.Findings[0].Code != findings.ControllerVoterDown ||
		!strings.Contains(res.Findings[0].Summary, "controller voter 11 has not fetched from leader 9 for 30s") ||
		!strings.Contains(res.Findings[0].Summary, "one more loss stops every metadata change") {
		t.Errorf("findings %+v", res.Findings)
	}
}

// TestADyingVoterIsNotLaggingFirst: a voter killed 4.9 s ago last caught
// up a moment before its last fetch; it is neither lagging nor (yet) down.
func TestADyingVoterIsNotLaggingFirst(t *testing.T) {
	snap := cluster(quorum(func(q *snapshot.Quorum) {
		r := replica(q, 9)
		r.LastFetchMillis, r.LastCaughtUpMillis, r.LogEndOffset = now-4_900, now-5_100, 490
		q.LeaderID = 10
	}))
	if res := Run(Input{Snap: snap}, Named("controller-quorum")); len(res.Findings) != 0 {
		t.Errorf("findings %+v, want none yet", res.Findings)
	}
}
