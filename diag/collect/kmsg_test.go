// Conversions of the answers sent through franz-go (kreq.go) into the
// snapshot.

package collect

import (
	"errors"
	"reflect"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// quorumAnswer builds a DescribeQuorum answer for the metadata log.
func quorumAnswer(topCode, partCode int16, leader int32, voters, observers []int32) *kmsg.DescribeQuorumResponse {
	resp := kmsg.NewPtrDescribeQuorumResponse()
	resp.Version, resp.ErrorCode = 2, topCode
	rt := kmsg.NewDescribeQuorumResponseTopic()
	rt.Topic = clusterMetadataTopic
	rp := kmsg.NewDescribeQuorumResponseTopicPartition()
	rp.ErrorCode, rp.LeaderID, rp.LeaderEpoch, rp.HighWatermark = partCode, leader, 4, 1200
	state := func(id int32) kmsg.DescribeQuorumResponseTopicPartitionReplicaState {
		s := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
		s.ReplicaID, s.LogEndOffset, s.LastFetchTimestamp, s.LastCaughtUpTimestamp = id, 1200-int64(id), 1000+int64(id), 900+int64(id)
		return s
	}
	for _, id := range voters {
		rp.CurrentVoters = append(rp.CurrentVoters, state(id))
		n := kmsg.NewDescribeQuorumResponseNode()
		n.NodeID = id
		l := kmsg.NewDescribeQuorumResponseNodeListener()
		l.Name, l.Host, l.Port = "CONTROLLER", "controller-9", 9093
		n.Listeners = append(n.Listeners, l)
		resp.Nodes = append(resp.Nodes, n)
	}
	for _, id := range observers {
		rp.Observers = append(rp.Observers, state(id))
	}
	rt.Partitions = append(rt.Partitions, rp)
	resp.Topics = append(resp.Topics, rt)
	return resp
}

// TestQuorumFrom: what DescribeQuorum answered becomes the Quorum, a leader
// of -1 included ("no leader" is an answer); an error code is a failure.
func TestQuorumFrom(t *testing.T) {
	replica := func(id int32) snapshot.QuorumReplica {
		return snapshot.QuorumReplica{ID: id, LogEndOffset: 1200 - int64(id), LastFetchMillis: 1000 + int64(id), LastCaughtUpMillis: 900 + int64(id)}
	}
	for _, tc := range []struct {
		name    string
		resp    *kmsg.DescribeQuorumResponse
		want    *snapshot.Quorum
		wantErr error
	}{
		{
			"leader, voters, observers, nodes",
			quorumAnswer(0, 0, 9, []int32{9}, []int32{1, 2, 3}),
			&snapshot.Quorum{LeaderID: 9, LeaderEpoch: 4, HighWatermark: 1200,
				Voters:    []snapshot.QuorumReplica{replica(9)},
				Observers: []snapshot.QuorumReplica{replica(1), replica(2), replica(3)},
				Nodes:     []snapshot.QuorumNode{{ID: 9, Host: "controller-9", Port: 9093}}},
			nil,
		},
		{
			"no leader is an answer",
			quorumAnswer(0, 0, -1, nil, nil),
			&snapshot.Quorum{LeaderID: -1, LeaderEpoch: 4, HighWatermark: 1200, Voters: []snapshot.QuorumReplica{}, Observers: []snapshot.QuorumReplica{}},
			nil,
		},
		{"a controller that does not lead fails", quorumAnswer(0, kerr.NotLeaderForPartition.Code, 9, nil, nil), nil, sarama.ErrNotLeaderForPartition},
		{"a top-level error fails", quorumAnswer(kerr.ClusterAuthorizationFailed.Code, 0, 9, nil, nil), nil, sarama.ErrClusterAuthorizationFailed},
		{"an answer without the metadata log fails", kmsg.NewPtrDescribeQuorumResponse(), nil, errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := quorumFrom(tc.resp)
			switch {
			case tc.wantErr == errAny && err == nil, tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			case !reflect.DeepEqual(got, tc.want):
				t.Errorf("quorum = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// errAny stands for "some error" in tables.
var errAny = errors.New("any error")
