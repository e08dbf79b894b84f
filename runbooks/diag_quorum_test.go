package runbooks

import (
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// withQuorum edits the fixture's quorum.
func withQuorum(t *testing.T, name string, edit func(q *snapshot.Quorum)) *snapshot.Snapshot {
	return variant(t, name, func(s *snapshot.Snapshot) { edit(s.Quorum) })
}

func voter(q *snapshot.Quorum, id int32) *snapshot.QuorumReplica {
	for i := range q.Voters {
		if q.Voters[i].ID == id {
			return &q.Voters[i]
		}
	}
	panic("no voter")
}

// TestQuorumSteps states, per case and step, the verdict, the findings and
// the runbook it points to.
func TestQuorumSteps(t *testing.T) {
	silent := func(id int32) func(q *snapshot.Quorum) {
		return func(q *snapshot.Quorum) {
			v := voter(q, id)
			v.LastFetchMillis, v.LastCaughtUpMillis = v.LastFetchMillis-60_000, v.LastCaughtUpMillis-60_000
		}
	}
	cases := []struct {
		name string
		snap func(t *testing.T) *snapshot.Snapshot
		step string
		want expect
	}{
		{"1 healthy status", func(t *testing.T) *snapshot.Snapshot { return fixture(t, "healthy") }, "quorum-status",
			expect{verdict: []string{"Controller 9 leads at epoch 4 and all 3 voters follow it."}, findings: []string{}, evaluated: true}},
		{"2 one voter down: the majority holds, no voter to spare", func(t *testing.T) *snapshot.Snapshot { return withQuorum(t, "healthy", silent(11)) },
			"quorum-status", expect{verdict: []string{"2 of 3 voters follow it", "0 voters to spare"}, findings: []string{"CONTROLLER_VOTER_DOWN broker 11"}}},
		{"3 two voters down: no majority", func(t *testing.T) *snapshot.Snapshot {
			return withQuorum(t, "healthy", func(q *snapshot.Quorum) { silent(10)(q); silent(11)(q) })
		}, "quorum-status", expect{verdict: []string{"only 1 of 3 voters follow it (a majority needs 2)"},
			findings: []string{"CONTROLLER_QUORUM_UNAVAILABLE ", "CONTROLLER_VOTER_DOWN broker 10", "CONTROLLER_VOTER_DOWN broker 11"}}},
		{"4 no leader", func(t *testing.T) *snapshot.Snapshot {
			return withQuorum(t, "healthy", func(q *snapshot.Quorum) { q.LeaderID = -1 })
		},
			"quorum-status", expect{verdict: []string{"The quorum has no leader (epoch 4)"}, findings: []string{"CONTROLLER_QUORUM_UNAVAILABLE "}}},
		{"5 the quorum did not answer", func(t *testing.T) *snapshot.Snapshot {
			return variant(t, "healthy", func(s *snapshot.Snapshot) {
				s.Quorum = nil
				s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceQuorum, Broker: 1, Kind: snapshot.KindTimeout, Message: "no answer within 3s"})
			})
		}, "quorum-status", expect{verdict: []string{"The controller quorum did not answer"}, findings: []string{"CONTROLLER_QUORUM_UNAVAILABLE "}}},
		{"6 recover names the voter to bring back, with its endpoint", func(t *testing.T) *snapshot.Snapshot { return withQuorum(t, "healthy", silent(11)) },
			"quorum-recover", expect{verdict: []string{"Bring back controller(s) 11 with their metadata logs; the quorum needs 2 of 3 voters."},
				findings: []string{"CONTROLLER_VOTER_DOWN broker 11"},
				actions: []wantAction{{Caution, "On controller-3.prod.internal:9093: start controller 11 with its metadata log as it is", []string{"systemctl start kafka"}},
					{Safe, "See the quorum", []string{"kafka-metadata-quorum.sh", "--bootstrap-server", testBootstrap, "describe", "--status"}},
					{Safe, "Ask the controllers directly", []string{"kafka-metadata-quorum.sh", "--bootstrap-controller",
						"controller-1.prod.internal:9093,controller-2.prod.internal:9093,controller-3.prod.internal:9093", "describe", "--replication"}}}}},
		{"7 a broker that answers but stopped following", func(t *testing.T) *snapshot.Snapshot {
			return withQuorum(t, "healthy", func(q *snapshot.Quorum) {
				q.Observers[2].LastFetchMillis -= 30_000
				q.Observers[2].LastCaughtUpMillis -= 30_000
			})
		}, "quorum-brokers", expect{verdict: []string{"Broker 3 is not following the metadata log"}, findings: []string{"BROKER_METADATA_LAGGING broker 3"}, next: "zombie-leader"}},
		{"8 a dead broker's stale place is broker-failure's", func(t *testing.T) *snapshot.Snapshot { return fixture(t, "degraded") },
			"quorum-verify", expect{verdict: []string{"The quorum is whole", "broker 3 is down and not following it"}, findings: []string{}, next: "broker-failure"}},
		{"9 ZooKeeper: no quorum, not a gap", func(t *testing.T) *snapshot.Snapshot {
			return variant(t, "healthy", func(s *snapshot.Snapshot) { s.MetadataMode, s.Quorum = snapshot.MetadataZooKeeper, nil })
		}, "quorum-status", expect{verdict: []string{"No KRaft quorum to look at: ZooKeeper cluster"}, findings: []string{}, evaluated: true, skipped: []string{"ZooKeeper"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := runDiag(t, tc.step, testEnv(t, recorded(tc.snap(t))))
			tc.want.check(t, out)
		})
	}
}
