package sim

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// listOffsetsMinVersion is the request version each special timestamp needs,
// as Kafka checks it; an older request asking for it is UNSUPPORTED_VERSION.
var listOffsetsMinVersion = map[int64]int16{-1: 0, -2: 0, -3: 7, -4: 8, -5: 9, -6: 11}

// handleListOffsets answers from the scenario rather than from kfake, whose
// leader epochs cannot be set to the scenario's: the seeded logs hold exactly
// the scenario's offsets, so the numbers agree with what Fetch serves.
func handleListOffsets(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.ListOffsetsRequest)
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewListOffsetsResponseTopic()
		st.Topic = rt.Topic
		for _, rp := range rt.Partitions {
			sp := kmsg.NewListOffsetsResponseTopicPartition()
			sp.Partition = rp.Partition
			w.listOffset(node, req, rt.Topic, &rp, &sp)
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp
}

func (w *world) listOffset(node int32, req *kmsg.ListOffsetsRequest, topic string, rp *kmsg.ListOffsetsRequestTopicPartition, sp *kmsg.ListOffsetsResponseTopicPartition) {
	p := w.partFor(node, topic, rp.Partition)
	if p == nil {
		sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return
	}
	if v, special := listOffsetsMinVersion[rp.Timestamp]; rp.Timestamp < 0 && (!special || req.Version < v) {
		sp.ErrorCode = kerr.UnsupportedVersion.Code
		return
	}
	// Kafka checks the epoch before leadership (Partition.getLocalLog).
	if le := rp.CurrentLeaderEpoch; req.Version >= 4 && le != -1 && le != p.epoch {
		sp.ErrorCode = kerr.FencedLeaderEpoch.Code
		if le > p.epoch {
			sp.ErrorCode = kerr.UnknownLeaderEpoch.Code
		}
		return
	}
	// ReplicaId -2 is the debugging id: any replica answers with its own
	// log end offset, which is how follower lag is read from outside.
	debug := req.ReplicaID == -2
	switch {
	case debug && !p.hosts(node):
		sp.ErrorCode = kerr.NotLeaderForPartition.Code
		return
	case !debug && p.leader != node:
		// An offline partition lands here too: no live broker leads it,
		// and Kafka answers NOT_LEADER_OR_FOLLOWER rather than
		// LEADER_NOT_AVAILABLE for a partition it does not lead.
		sp.ErrorCode = kerr.NotLeaderForPartition.Code
		return
	}
	end := p.latest
	if debug {
		end -= p.replicaLag[node]
	}
	sp.LeaderEpoch = p.epoch
	if req.Version == 0 {
		sp.OldStyleOffsets = []int64{end}
		if rp.Timestamp == -2 {
			sp.OldStyleOffsets = []int64{p.earliest}
		}
		return
	}
	switch rp.Timestamp {
	case -1:
		sp.Offset = end
	case -2, -4:
		sp.Offset = p.earliest
	case -3:
		if p.latest > p.earliest {
			sp.Offset = p.latest - 1
			sp.Timestamp = w.recordTimestamp(p.latest, sp.Offset)
		}
	case -5, -6: // nothing is tiered
	default:
		if off, ok := w.offsetForTime(p, rp.Timestamp); ok {
			sp.Offset, sp.Timestamp = off, w.recordTimestamp(p.latest, off)
		}
	}
}

// offsetForTime returns the first offset whose record timestamp is at or
// after ts, inverting recordTimestamp.
func (w *world) offsetForTime(p *partInfo, ts int64) (int64, bool) {
	if p.latest == p.earliest || ts > w.recordTimestamp(p.latest, p.latest-1) {
		return 0, false
	}
	// ts(o) >= ts  <=>  o >= latest - (base-ts)/interval, rounded down.
	step := recordInterval.Milliseconds()
	off := p.latest - (w.recordBase-ts)/step
	return max(off, p.earliest), true
}

// handleDescribeLogDirs reports the replicas the asked broker hosts, which
// kfake cannot: it lists every partition on every broker. Partitions are
// spread over the broker's online directories in a stable order.
func handleDescribeLogDirs(w *world, node int32, kreq kmsg.Request) kmsg.Response {
	req := kreq.(*kmsg.DescribeLogDirsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	b := w.byID[node]
	if b == nil {
		return resp
	}
	wanted := func(string, int32) bool { return true }
	if req.Topics != nil {
		set := map[string]map[int32]bool{}
		for _, rt := range req.Topics {
			set[rt.Topic] = map[int32]bool{}
			for _, p := range rt.Partitions {
				set[rt.Topic][p] = true
			}
		}
		wanted = func(t string, p int32) bool { return set[t][p] }
	}
	var online []int
	dirs := make([]kmsg.DescribeLogDirsResponseDir, len(b.logDirs))
	for i, d := range b.logDirs {
		dirs[i] = kmsg.NewDescribeLogDirsResponseDir()
		dirs[i].Dir = d.Path
		if d.Offline {
			dirs[i].ErrorCode = kerr.KafkaStorageError.Code
			dirs[i].TotalBytes, dirs[i].UsableBytes = -1, -1
			continue
		}
		dirs[i].TotalBytes, dirs[i].UsableBytes = d.TotalBytes, d.UsableBytes
		online = append(online, i)
	}
	n := 0
	for _, t := range w.topics {
		for _, p := range t.parts {
			if !p.hosts(node) {
				continue
			}
			n++ // placement counts every hosted replica, so filters do not move partitions
			if len(online) == 0 || !wanted(t.name, p.id) {
				continue
			}
			d := &dirs[online[(n-1)%len(online)]]
			if len(d.Topics) == 0 || d.Topics[len(d.Topics)-1].Topic != t.name {
				dt := kmsg.NewDescribeLogDirsResponseDirTopic()
				dt.Topic = t.name
				d.Topics = append(d.Topics, dt)
			}
			dp := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
			dp.Partition, dp.Size = p.id, p.size
			dt := &d.Topics[len(d.Topics)-1]
			dt.Partitions = append(dt.Partitions, dp)
		}
	}
	resp.Dirs = dirs
	return resp
}
