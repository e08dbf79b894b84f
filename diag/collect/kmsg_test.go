// Conversions of the answers sent through franz-go (kreq.go):
// DescribeQuorum and DescribeTopicPartitions into the snapshot.

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

// dtpTopic is one topic of a DescribeTopicPartitions answer; elr[i] is
// partition first+i's ELR, and lastKnown the same for every partition.
func dtpTopic(name string, code int16, first int32, lastKnown []int32, elr ...[]int32) kmsg.DescribeTopicPartitionsResponseTopic {
	t := kmsg.NewDescribeTopicPartitionsResponseTopic()
	t.Topic, t.ErrorCode = kmsg.StringPtr(name), code
	for i, e := range elr {
		p := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
		p.Partition, p.EligibleLeaderReplicas, p.LastKnownELR = first+int32(i), e, lastKnown
		t.Partitions = append(t.Partitions, p)
	}
	return t
}

func topicsOf(parts map[string]int) []snapshot.Topic {
	var out []snapshot.Topic
	for _, name := range []string{"audit", "orders", "payments"} {
		n, ok := parts[name]
		if !ok {
			continue
		}
		t := snapshot.Topic{Name: name}
		for p := range int32(n) {
			t.Partitions = append(t.Partitions, snapshot.Partition{Topic: name, ID: p})
		}
		out = append(out, t)
	}
	return out
}

// TestELRFromPages: the pages are gathered, then only topics read whole and
// without error get their ELR and ELRKnown; a topic split across pages
// counts once both halves arrived.
func TestELRFromPages(t *testing.T) {
	page1 := &kmsg.DescribeTopicPartitionsResponse{Topics: []kmsg.DescribeTopicPartitionsResponseTopic{
		dtpTopic("audit", kerr.TopicAuthorizationFailed.Code, 0, nil),
		dtpTopic("orders", 0, 0, nil, []int32{2}, nil),
	}}
	page2 := &kmsg.DescribeTopicPartitionsResponse{Topics: []kmsg.DescribeTopicPartitionsResponseTopic{
		dtpTopic("orders", 0, 2, []int32{3}, []int32{1, 2}),
	}}
	pages := elrPages{partitions: map[partitionKey]elrSets{}, failed: map[string]bool{}}
	errs1, errs2 := pages.add(page1), pages.add(page2)
	if len(errs1) != 1 || !errors.Is(errs1["audit"], sarama.ErrTopicAuthorizationFailed) || len(errs2) != 0 {
		t.Errorf("errors = %v then %v, want TOPIC_AUTHORIZATION_FAILED for audit only", errs1, errs2)
	}
	topics := topicsOf(map[string]int{"audit": 1, "orders": 3, "payments": 2})
	applyELR(topics, pages)

	want := map[string]bool{"audit": false, "orders": true, "payments": false}
	for _, tp := range topics {
		if tp.ELRKnown != want[tp.Name] {
			t.Errorf("%s: ELRKnown %v, want %v (audit failed, payments not answered)", tp.Name, tp.ELRKnown, want[tp.Name])
		}
	}
	orders := topics[1].Partitions
	if !reflect.DeepEqual(orders[0].ELR, []int32{2}) || orders[1].ELR != nil ||
		!reflect.DeepEqual(orders[2].ELR, []int32{1, 2}) || !reflect.DeepEqual(orders[2].LastKnownELR, []int32{3}) {
		t.Errorf("orders partitions = %+v", orders)
	}
}

// TestELRIncompleteTopicStaysUnknown: a topic whose last partitions never
// came (the walk ended early) or one partition failed is not ELRKnown.
func TestELRIncompleteTopicStaysUnknown(t *testing.T) {
	failing := dtpTopic("payments", 0, 0, nil, nil, nil)
	failing.Partitions[1].ErrorCode = kerr.UnknownTopicOrPartition.Code
	pages := elrPages{partitions: map[partitionKey]elrSets{}, failed: map[string]bool{}}
	errs := pages.add(&kmsg.DescribeTopicPartitionsResponse{Topics: []kmsg.DescribeTopicPartitionsResponseTopic{
		dtpTopic("orders", 0, 0, nil, nil, nil), failing,
	}})
	if !errors.Is(errs["payments"], sarama.ErrUnknownTopicOrPartition) {
		t.Errorf("errors = %v, want the payments partition's", errs)
	}
	topics := topicsOf(map[string]int{"orders": 3, "payments": 2})
	applyELR(topics, pages)
	for _, tp := range topics {
		if tp.ELRKnown {
			t.Errorf("%s is ELRKnown, want unknown", tp.Name)
		}
	}
}

// TestNextCursor: a null cursor ends the walk, a cursor that does not move
// is an error instead of a loop until the deadline.
func TestNextCursor(t *testing.T) {
	got := &kmsg.DescribeTopicPartitionsResponseNextCursor{Topic: "orders", Partition: 4}
	next, err := nextCursor(nil, got)
	if err != nil || next == nil || next.Topic != "orders" || next.Partition != 4 {
		t.Fatalf("next = %+v, %v", next, err)
	}
	if _, err := nextCursor(next, got); err == nil {
		t.Error("a cursor that did not move was accepted")
	}
	if next, err := nextCursor(next, nil); next != nil || err != nil {
		t.Errorf("null cursor gave %+v, %v; want the end", next, err)
	}
}
