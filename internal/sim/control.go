package sim

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// handler answers one request kind from the world. node is the broker the
// request reached, so a later drill can give brokers differing views.
// Returning nil lets kfake answer the request itself.
type handler func(w *world, node int32, req kmsg.Request) kmsg.Response

// installControls routes every request kind whose answer depends on
// replication state, liveness, group membership or the controller quorum
// to the world, and adds DescribeQuorum to ApiVersions. kfake still
// answers the rest (FindCoordinator, OffsetFetch, Fetch, ...) from its
// real data.
func (c *Cluster) installControls() {
	for key, h := range map[kmsg.Key]handler{
		kmsg.ApiVersions:                c.api.handle,
		kmsg.DescribeQuorum:             handleDescribeQuorum,
		kmsg.Metadata:                   handleMetadata,
		kmsg.DescribeCluster:            handleDescribeCluster,
		kmsg.DescribeTopicPartitions:    handleDescribeTopicPartitions,
		kmsg.ListPartitionReassignments: handleListReassignments,
		kmsg.ListOffsets:                handleListOffsets,
		kmsg.DescribeLogDirs:            handleDescribeLogDirs,
		kmsg.DescribeConfigs:            handleDescribeConfigs,
		kmsg.ListGroups:                 handleListGroups,
		kmsg.DescribeGroups:             handleDescribeGroups,
		kmsg.Fetch:                      handleFetch,
		kmsg.OffsetForLeaderEpoch:       handleOffsetForLeaderEpoch,
	} {
		c.kc.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
			// Without KeepControl kfake drops a control after the first
			// request it handles.
			c.kc.KeepControl()
			resp := h(c.world.Load(), c.kc.CurrentNode(), req)
			return resp, nil, resp != nil
		})
	}
}

// registered reports whether the broker is in Metadata's broker list: the
// controller lists live, unfenced brokers only.
func registered(b *brokerInfo) bool { return live(b.state) }

func handleMetadata(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.MetadataRequest)
	resp := req.ResponseKind().(*kmsg.MetadataResponse)
	for _, b := range w.metadataBrokers(node) {
		mb := kmsg.NewMetadataResponseBroker()
		mb.NodeID, mb.Host, mb.Port, mb.Rack = b.id, b.host, b.port, b.rack
		resp.Brokers = append(resp.Brokers, mb)
	}
	resp.ClusterID = &w.clusterID
	resp.ControllerID = w.controller

	addTopic := func(t *topicInfo) {
		mt := kmsg.NewMetadataResponseTopic()
		mt.Topic, mt.TopicID, mt.IsInternal = kmsg.StringPtr(t.name), t.id, t.internal
		for _, tp := range t.parts {
			p := w.partFor(node, t.name, tp.id)
			mp := kmsg.NewMetadataResponseTopicPartition()
			mp.Partition, mp.Leader, mp.LeaderEpoch = p.id, p.leader, p.epoch
			mp.Replicas, mp.ISR, mp.OfflineReplicas = p.replicas, p.isr, p.offline
			if p.leader == -1 {
				// Kafka still fills leader_epoch and the ISR of an
				// offline partition; only the leader and the error change.
				mp.ErrorCode = kerr.LeaderNotAvailable.Code
			}
			mt.Partitions = append(mt.Partitions, mp)
		}
		resp.Topics = append(resp.Topics, mt)
	}
	// v0 has no null topics: an empty list there means all topics.
	if req.Topics == nil || (req.Version == 0 && len(req.Topics) == 0) {
		for _, t := range w.topics {
			addTopic(t)
		}
		return resp
	}
	seen := map[string]bool{}
	for _, rt := range req.Topics {
		var t *topicInfo
		if rt.Topic != nil {
			t = w.byName[*rt.Topic]
		} else {
			t = w.byTopicID[rt.TopicID]
		}
		switch {
		case t != nil && seen[t.name]:
		case t != nil:
			seen[t.name] = true
			addTopic(t)
		default:
			mt := kmsg.NewMetadataResponseTopic()
			mt.Topic, mt.TopicID = rt.Topic, rt.TopicID
			mt.ErrorCode = kerr.UnknownTopicOrPartition.Code
			if rt.Topic == nil {
				mt.ErrorCode = kerr.UnknownTopicID.Code
			}
			resp.Topics = append(resp.Topics, mt)
		}
	}
	return resp
}

func handleDescribeCluster(w *world, _ int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.DescribeClusterRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.ClusterID, resp.ControllerID = w.clusterID, w.controller
	if req.Version >= 1 {
		resp.EndpointType = req.EndpointType
		// The scenario has brokers only; a question meant for a
		// controller endpoint gets the answer a broker gives.
		if req.EndpointType != 1 {
			resp.ErrorCode = kerr.MismatchedEndpointType.Code
			return resp
		}
	}
	for _, b := range w.brokers {
		fenced := !registered(b)
		if fenced && !req.IncludeFencedBrokers {
			continue
		}
		db := kmsg.NewDescribeClusterResponseBroker()
		db.NodeID, db.Host, db.Port, db.Rack, db.IsFenced = b.id, b.host, b.port, b.rack, fenced
		resp.Brokers = append(resp.Brokers, db)
	}
	return resp
}

// handleDescribeTopicPartitions serves KIP-966's paginated topic listing,
// with the eligible leader replicas a partition gives (empty when none).
func handleDescribeTopicPartitions(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.DescribeTopicPartitionsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
	var names []string
	if len(req.Topics) == 0 {
		for _, t := range w.topics {
			names = append(names, t.name)
		}
	} else {
		for _, rt := range req.Topics {
			names = append(names, rt.Topic)
		}
		slices.Sort(names)
		names = slices.Compact(names)
	}
	limit := int(req.ResponsePartitionLimit)
	if limit <= 0 {
		limit = 2000
	}
	emitted := 0
	for _, name := range names {
		start := int32(0)
		if cur := req.Cursor; cur != nil {
			if name < cur.Topic {
				continue
			}
			if name == cur.Topic {
				start = cur.Partition
			}
		}
		rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
		rt.Topic = kmsg.StringPtr(name)
		t := w.byName[name]
		if t == nil {
			rt.ErrorCode = kerr.UnknownTopicOrPartition.Code
			resp.Topics = append(resp.Topics, rt)
			continue
		}
		rt.TopicID, rt.IsInternal = t.id, t.internal
		for _, tp := range t.parts[min(int(start), len(t.parts)):] {
			p := w.partFor(node, name, tp.id)
			if emitted == limit {
				resp.NextCursor = &kmsg.DescribeTopicPartitionsResponseNextCursor{Topic: name, Partition: p.id}
				break
			}
			rp := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
			rp.Partition, rp.LeaderID, rp.LeaderEpoch = p.id, p.leader, p.epoch
			rp.Replicas, rp.ISR, rp.OfflineReplicas = p.replicas, p.isr, p.offline
			rp.EligibleLeaderReplicas, rp.LastKnownELR = nonNil(p.elr), nonNil(p.lastKnown)
			rt.Partitions = append(rt.Partitions, rp)
			emitted++
		}
		resp.Topics = append(resp.Topics, rt)
		if resp.NextCursor != nil {
			break
		}
	}
	return resp
}

func handleListReassignments(w *world, _ int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.ListPartitionReassignmentsRequest)
	resp := req.ResponseKind().(*kmsg.ListPartitionReassignmentsResponse)
	wanted := func(string, int32) bool { return true }
	if req.Topics != nil {
		set := map[string][]int32{}
		for _, rt := range req.Topics {
			set[rt.Topic] = append(set[rt.Topic], rt.Partitions...)
		}
		wanted = func(t string, p int32) bool { return slices.Contains(set[t], p) }
	}
	for _, t := range w.topics {
		rt := kmsg.NewListPartitionReassignmentsResponseTopic()
		rt.Topic = t.name
		for _, p := range t.parts {
			if len(p.adding)+len(p.removing) == 0 || !wanted(t.name, p.id) {
				continue
			}
			rp := kmsg.NewListPartitionReassignmentsResponseTopicPartition()
			rp.Partition, rp.Replicas = p.id, p.replicas
			rp.AddingReplicas, rp.RemovingReplicas = nonNil(p.adding), nonNil(p.removing)
			rt.Partitions = append(rt.Partitions, rp)
		}
		if len(rt.Partitions) > 0 {
			resp.Topics = append(resp.Topics, rt)
		}
	}
	return resp
}

// handleFetch lets kfake serve the records but hides that kfake's internal
// leader epochs differ from the scenario's (kfake only bumps epochs one at a
// time as it moves leaders): a fetch carrying the scenario's epoch is the
// current one, so the epoch check is skipped for it.
func handleFetch(w *world, _ int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.FetchRequest)
	for i := range req.Topics {
		rt := &req.Topics[i]
		name := rt.Topic
		if t := w.byTopicID[rt.TopicID]; name == "" && t != nil {
			name = t.name
		}
		for j := range rt.Partitions {
			rp := &rt.Partitions[j]
			if p := w.partition(name, rp.Partition); p != nil && rp.CurrentLeaderEpoch == p.epoch {
				rp.CurrentLeaderEpoch = -1
			}
		}
	}
	return nil
}

func nonNil(s []int32) []int32 {
	if s == nil {
		return []int32{}
	}
	return s
}
