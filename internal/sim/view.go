package sim

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// viewInfo is one broker's differing idea of the cluster (Broker.View).
type viewInfo struct {
	// brokers are the live broker ids it lists, nil for the cluster's.
	brokers []int32
	parts   map[string]map[int32]*partInfo
	// divergedAt is, per partition, where this broker's epoch ended on the
	// real leader.
	divergedAt map[string]map[int32]int64
}

// addViews resolves the brokers' views once the partitions exist.
func (w *world) addViews(sc *Scenario) {
	w.views = map[int32]*viewInfo{}
	for _, b := range sc.Brokers {
		if b.View == nil {
			continue
		}
		v := &viewInfo{brokers: slices.Clone(b.View.Brokers), parts: map[string]map[int32]*partInfo{}, divergedAt: map[string]map[int32]int64{}}
		for _, vp := range b.View.Partitions {
			truth := w.partition(vp.Topic, vp.Partition)
			if truth == nil {
				continue // Validate refuses it; never serve a nil partition
			}
			p := *truth
			p.leader, p.epoch = *vp.Leader, vp.LeaderEpoch
			if vp.ISR != nil {
				p.isr = slices.Clone(vp.ISR)
			}
			if vp.LogEnd != nil {
				p.latest = *vp.LogEnd
			}
			if v.parts[vp.Topic] == nil {
				v.parts[vp.Topic] = map[int32]*partInfo{}
				v.divergedAt[vp.Topic] = map[int32]int64{}
			}
			v.parts[vp.Topic][vp.Partition] = &p
			if vp.DivergedAt != nil {
				v.divergedAt[vp.Topic][vp.Partition] = *vp.DivergedAt
			}
		}
		w.views[b.ID] = v
	}
}

// partFor returns the partition as broker node sees it, nil when it does
// not exist.
func (w *world) partFor(node int32, topic string, p int32) *partInfo {
	if v := w.views[node]; v != nil {
		if vp := v.parts[topic][p]; vp != nil {
			return vp
		}
	}
	return w.partition(topic, p)
}

// metadataBrokers are the brokers node lists as alive in its Metadata.
func (w *world) metadataBrokers(node int32) []*brokerInfo {
	var out []*brokerInfo
	v := w.views[node]
	for _, b := range w.brokers {
		if v != nil && v.brokers != nil {
			if slices.Contains(v.brokers, b.id) {
				out = append(out, b)
			}
		} else if registered(b) {
			out = append(out, b)
		}
	}
	return out
}

// epochEnd is where leader epoch ended in the log of partition p's leader:
// the divergence point a broker stuck at that epoch gave, or the high
// watermark when no broker diverged there.
func (w *world) epochEnd(p *partInfo, epoch int32) int64 {
	for _, v := range w.views {
		if vp := v.parts[p.topic][p.id]; vp != nil && vp.epoch == epoch {
			if d, ok := v.divergedAt[p.topic][p.id]; ok {
				return d
			}
		}
	}
	return p.latest
}

// handleOffsetForLeaderEpoch answers from the scenario's epochs, which
// kfake's own (bumped one at a time as it placed leaders) do not match.
func handleOffsetForLeaderEpoch(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.OffsetForLeaderEpochRequest)
	resp := req.ResponseKind().(*kmsg.OffsetForLeaderEpochResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewOffsetForLeaderEpochResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewOffsetForLeaderEpochResponseTopicPartition()
			sp.Partition, sp.LeaderEpoch, sp.EndOffset = rp.Partition, -1, -1
			p := w.partFor(node, rt.Topic, rp.Partition)
			switch {
			case p == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case rp.CurrentLeaderEpoch != -1 && rp.CurrentLeaderEpoch < p.epoch:
				sp.ErrorCode = kerr.FencedLeaderEpoch.Code
			case rp.CurrentLeaderEpoch > p.epoch:
				sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
			case p.leader != node && req.ReplicaID == -1:
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			case rp.LeaderEpoch > p.epoch:
				// UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: not an error.
			case rp.LeaderEpoch == p.epoch:
				sp.LeaderEpoch, sp.EndOffset = p.epoch, p.latest
			default:
				sp.LeaderEpoch, sp.EndOffset = rp.LeaderEpoch, w.epochEnd(p, rp.LeaderEpoch)
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp
}
