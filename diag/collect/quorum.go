package collect

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// The KRaft metadata log, which DescribeQuorum describes.
const (
	clusterMetadataTopic     = "__cluster_metadata"
	clusterMetadataPartition = 0
)

// quorum describes the KRaft controller quorum (DescribeQuorum): directly
// at the controllers when they were given (--bootstrap-controller, KIP-919),
// else through one live broker, which forwards the request to the quorum
// leader. Nothing is sent on ZooKeeper clusters, and nothing is recorded:
// there is no quorum to miss.
func (c *collector) quorum(ctx context.Context, live map[int32]*conn) {
	if len(c.opts.BootstrapControllers) > 0 {
		c.quorumFromControllers(ctx)
		return
	}
	if c.snap.MetadataMode == snapshot.MetadataZooKeeper {
		return
	}
	id, cn := c.offering(live, apiDescribeQuorum)
	if cn == nil {
		// KRaft brokers all offer it, so the mode could not be told.
		c.record(snapshot.SourceQuorum, -1, "", fmt.Errorf("no live broker offers DescribeQuorum (API %d): %w", apiDescribeQuorum, sarama.ErrUnsupportedVersion))
		return
	}
	q, err := c.describeQuorum(ctx, cn.addr)
	if err != nil {
		c.record(snapshot.SourceQuorum, id, "", err)
		return
	}
	q.Via = snapshot.QuorumViaBroker
	c.setQuorum(q)
}

// quorumFromControllers asks the given controllers in order until one
// describes the quorum. Only the active controller can: the others answer
// NOT_LEADER_OR_FOLLOWER, which is recorded with the address, like every
// controller that could not be reached.
func (c *collector) quorumFromControllers(ctx context.Context) {
	for _, addr := range c.opts.BootstrapControllers {
		c.pool.get(ctx, addr) // probe them all at once
	}
	for _, addr := range c.opts.BootstrapControllers {
		cn := c.pool.get(ctx, addr)
		if !cn.wait(ctx) {
			c.record(snapshot.SourceQuorum, -1, addr, probeErr(cn))
			continue
		}
		if !offers(cn.versions, apiDescribeQuorum) {
			c.record(snapshot.SourceQuorum, -1, addr, fmt.Errorf("%s does not offer DescribeQuorum (API %d), so it is no KRaft controller: %w",
				addr, apiDescribeQuorum, sarama.ErrUnsupportedVersion))
			continue
		}
		q, err := c.describeQuorum(ctx, addr)
		if err != nil {
			c.record(snapshot.SourceQuorum, -1, addr, err)
			continue
		}
		q.Via = snapshot.QuorumViaController
		c.setQuorum(q)
		return
	}
}

func (c *collector) setQuorum(q *snapshot.Quorum) {
	c.mu.Lock()
	c.snap.Quorum = q
	c.mu.Unlock()
}

// offering picks a live broker whose ApiVersions answer lists the API: the
// one anyLive would pick when it does, else the lowest id, so repeated runs
// ask the same broker. Nil when none does.
func (c *collector) offering(live map[int32]*conn, key int16) (int32, *conn) {
	if len(live) == 0 {
		return -1, nil
	}
	first := c.anyLive(live)
	if offers(first.versions, key) {
		return first.brokerID(c.snap), first
	}
	for _, id := range slices.Sorted(maps.Keys(live)) {
		if offers(live[id].versions, key) {
			return id, live[id]
		}
	}
	return -1, nil
}

// describeQuorum sends DescribeQuorum for the metadata log to one node.
// kgo sends the highest version both sides know: v2 adds the voters'
// endpoints.
func (c *collector) describeQuorum(ctx context.Context, addr string) (*snapshot.Quorum, error) {
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic = clusterMetadataTopic
	rp := kmsg.NewDescribeQuorumRequestTopicPartition()
	rp.Partition = clusterMetadataPartition
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := c.kc.request(ctx, addr, req)
	if err != nil {
		return nil, err
	}
	return quorumFrom(resp.(*kmsg.DescribeQuorumResponse))
}

// quorumFrom turns a DescribeQuorum answer into the snapshot's Quorum. An
// error code, top-level or on the metadata partition, is a failure; a
// leader of -1 is an answer: the quorum has no leader.
func quorumFrom(resp *kmsg.DescribeQuorumResponse) (*snapshot.Quorum, error) {
	if err := codeErr(resp.ErrorCode); err != nil {
		return nil, err
	}
	for _, t := range resp.Topics {
		if t.Topic != clusterMetadataTopic {
			continue
		}
		for _, p := range t.Partitions {
			if p.Partition != clusterMetadataPartition {
				continue
			}
			if err := codeErr(p.ErrorCode); err != nil {
				return nil, err
			}
			return &snapshot.Quorum{
				LeaderID: p.LeaderID, LeaderEpoch: p.LeaderEpoch, HighWatermark: p.HighWatermark,
				Voters: quorumReplicas(p.CurrentVoters), Observers: quorumReplicas(p.Observers),
				Nodes: quorumNodes(resp.Nodes),
			}, nil
		}
	}
	return nil, fmt.Errorf("the answer did not describe %s-%d", clusterMetadataTopic, clusterMetadataPartition)
}

func quorumReplicas(in []kmsg.DescribeQuorumResponseTopicPartitionReplicaState) []snapshot.QuorumReplica {
	out := make([]snapshot.QuorumReplica, 0, len(in))
	for _, r := range in {
		out = append(out, snapshot.QuorumReplica{
			ID: r.ReplicaID, LogEndOffset: r.LogEndOffset,
			LastFetchMillis: r.LastFetchTimestamp, LastCaughtUpMillis: r.LastCaughtUpTimestamp,
		})
	}
	return out
}

// quorumNodes keeps one endpoint per voter, its first listener: with a
// static controller.quorum.voters each voter has just one.
func quorumNodes(in []kmsg.DescribeQuorumResponseNode) []snapshot.QuorumNode {
	var out []snapshot.QuorumNode
	for _, n := range in {
		node := snapshot.QuorumNode{ID: n.NodeID}
		if len(n.Listeners) > 0 {
			node.Host, node.Port = n.Listeners[0].Host, int32(n.Listeners[0].Port)
		}
		out = append(out, node)
	}
	return out
}
