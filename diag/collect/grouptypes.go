package collect

import (
	"context"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// describeConsumerGroups describes the consumer-protocol groups (KIP-848)
// of one coordinator with ConsumerGroupDescribe: state, group and
// assignment epochs, members with their epochs and assignments. A group it
// fails on keeps the state ListGroups gave and says why in Error, so it
// never looks empty for lack of a description.
func (c *collector) describeConsumerGroups(ctx context.Context, id int32, cn *conn, ids []string, groups map[string]*snapshot.Group) {
	req := &sarama.ConsumerGroupDescribeRequest{Version: 1, GroupIDs: ids}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.ConsumerGroupDescribeResponse, error) {
		return b.ConsumerGroupDescribe(req)
	})
	if err != nil {
		c.describeFailed(id, ids, groups, err)
		return
	}
	for _, d := range resp.Groups {
		if g, ok := groups[d.GroupID]; ok && !c.groupFailed(id, g, d.ErrorCode) {
			applyConsumerGroup(g, d, c.topicNames)
		}
	}
}

// applyConsumerGroup fills a group from its ConsumerGroupDescribe
// description. The assignor stands where a classic group's protocol does:
// both are what kafka-consumer-groups.sh shows as ASSIGNMENT-STRATEGY.
// topicNames resolves assignments a broker named by topic id only.
func applyConsumerGroup(g *snapshot.Group, d sarama.ConsumerGroupDescription, topicNames map[string]string) {
	g.Type = snapshot.GroupConsumer
	g.State, g.Epoch, g.AssignmentEpoch = d.GroupState, d.GroupEpoch, d.AssignmentEpoch
	if d.AssignorName != "" {
		g.Protocol = d.AssignorName
	}
	g.Members = g.Members[:0]
	for _, m := range d.Members {
		g.Members = append(g.Members, snapshot.GroupMember{
			ID: m.MemberID, ClientID: m.ClientID, Host: m.ClientHost, Epoch: m.MemberEpoch,
			Assignment: consumerAssignment(m.Assignment, topicNames),
		})
	}
}

// consumerAssignment lists a member's current assignment (not its target:
// what it owns now is what is consumed). A topic known by id alone that
// the snapshot does not have is named by its id, so its partitions still
// count.
func consumerAssignment(a sarama.ConsumerGroupAssignment, topicNames map[string]string) []snapshot.PartitionRef {
	var out []snapshot.PartitionRef
	for _, tp := range a.TopicPartitions {
		name := tp.TopicName
		if name == "" {
			id := tp.TopicID.String()
			if name = topicNames[id]; name == "" {
				name = id
			}
		}
		for _, p := range tp.Partitions {
			out = append(out, snapshot.PartitionRef{Topic: name, Partition: p})
		}
	}
	return out
}

// classicAssignment decodes a classic consumer group member's assignment
// (the consumer protocol's MemberAssignment). Nil when it is empty or does
// not decode: a group using a custom protocol under the "consumer" type is
// still described.
func classicAssignment(m *sarama.GroupMemberDescription) []snapshot.PartitionRef {
	a, err := m.GetMemberAssignment()
	if err != nil || a == nil {
		return nil
	}
	var out []snapshot.PartitionRef
	for topic, parts := range a.Topics {
		for _, p := range parts {
			out = append(out, snapshot.PartitionRef{Topic: topic, Partition: p})
		}
	}
	return out
}

// topicNamesByID maps the snapshot's topic ids to their names.
func topicNamesByID(topics []snapshot.Topic) map[string]string {
	out := make(map[string]string, len(topics))
	for i := range topics {
		if topics[i].ID != "" {
			out[topics[i].ID] = topics[i].Name
		}
	}
	return out
}
