package collect

import (
	"reflect"
	"testing"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestApplyConsumerGroup: a ConsumerGroupDescribe description fills state,
// epochs, assignor and members with their epochs and current assignments,
// naming topics the broker gave by id only.
func TestApplyConsumerGroup(t *testing.T) {
	ordersID := sarama.Uuid{1, 2, 3}
	d := sarama.ConsumerGroupDescription{
		GroupID: "streaming", GroupState: "Reconciling", GroupEpoch: 7, AssignmentEpoch: 6, AssignorName: "uniform",
		Members: []sarama.ConsumerGroupMemberDescription{{
			MemberID: "m1", ClientID: "app", ClientHost: "/10.0.0.5", MemberEpoch: 6,
			Assignment: sarama.ConsumerGroupAssignment{TopicPartitions: []sarama.ConsumerGroupTopicPartitions{
				{TopicName: "payments", Partitions: []int32{1}},
				{TopicID: ordersID, Partitions: []int32{0, 2}},
				{TopicID: sarama.Uuid{9}, Partitions: []int32{5}},
			}},
			TargetAssignment: sarama.ConsumerGroupAssignment{TopicPartitions: []sarama.ConsumerGroupTopicPartitions{
				{TopicName: "payments", Partitions: []int32{1, 3}},
			}},
		}},
	}
	g := &snapshot.Group{ID: "streaming", State: "Stable", ProtocolType: "consumer"}
	applyConsumerGroup(g, d, map[string]string{ordersID.String(): "orders"})

	unknownID := sarama.Uuid{9}.String()
	want := &snapshot.Group{
		ID: "streaming", Type: snapshot.GroupConsumer, State: "Reconciling", ProtocolType: "consumer", Protocol: "uniform",
		Epoch: 7, AssignmentEpoch: 6,
		Members: []snapshot.GroupMember{{ID: "m1", ClientID: "app", Host: "/10.0.0.5", Epoch: 6, Assignment: []snapshot.PartitionRef{
			{Topic: "payments", Partition: 1}, {Topic: "orders", Partition: 0}, {Topic: "orders", Partition: 2},
			{Topic: unknownID, Partition: 5},
		}}},
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("group =\n%+v\nwant\n%+v", g, want)
	}
}

// TestClassicAssignment: a classic consumer member's assignment bytes
// decode to partitions; empty or undecodable bytes give none.
func TestClassicAssignment(t *testing.T) {
	encoded := func(a *sarama.ConsumerGroupMemberAssignment) []byte {
		t.Helper()
		// A SyncGroup request carries the same encoding as DescribeGroups.
		req := &sarama.SyncGroupRequest{}
		if err := req.AddGroupAssignmentMember("m", a); err != nil {
			t.Fatal(err)
		}
		return req.GroupAssignments[0].Assignment
	}
	for _, tc := range []struct {
		name  string
		bytes []byte
		want  []snapshot.PartitionRef
	}{
		{"decoded", encoded(&sarama.ConsumerGroupMemberAssignment{Topics: map[string][]int32{"orders": {0, 3}}}),
			[]snapshot.PartitionRef{{Topic: "orders", Partition: 0}, {Topic: "orders", Partition: 3}}},
		{"empty", nil, nil},
		{"not the consumer protocol", []byte{0xff, 0x01}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classicAssignment(&sarama.GroupMemberDescription{MemberAssignment: tc.bytes})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("assignment = %+v, want %+v", got, tc.want)
			}
		})
	}
}
