package sim

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// maxBatchRecords keeps every seeded batch well under kfake's default
// message.max.bytes (1 MiB) at about a dozen bytes per empty record.
const maxBatchRecords = 50_000

// seed gives kfake the scenario's data (records, log start offsets,
// committed offsets) and reads back what only kfake knows (topic ids,
// partition sizes). It runs while kfake has only its first node, before any
// control is installed: everything is sent to node 0, which leads every
// partition and coordinates every group at that point, and the records are
// stamped with leader epoch 0, below any epoch the scenario serves later.
func (c *Cluster) seed(ctx context.Context, w *world, node0 string) error {
	// Client metrics are off: kgo pushes them at Close, a wasted round trip.
	cl, err := kgo.NewClient(kgo.SeedBrokers(node0), kgo.DisableClientMetrics())
	if err != nil {
		return err
	}
	defer cl.Close()
	steps := []func(context.Context, *kgo.Client, *world) error{
		readTopicIDs, produceAll, deleteRecords, commitOffsets, readSizes,
	}
	for _, step := range steps {
		if err := step(ctx, cl, w); err != nil {
			return fmt.Errorf("sim: seeding: %w", err)
		}
	}
	if c.api, err = readAPIVersions(ctx, cl); err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	return nil
}

// placeLeaders makes kfake's leaders the scenario's, since kfake's leader
// decides who serves Fetch. An offline partition is left on its last ISR
// member, which refuses connections once its gate closes, like the real
// thing. kfake's internal leader epochs end up differing from the
// scenario's; see handleFetch.
func (c *Cluster) placeLeaders(w *world) error {
	for _, t := range w.topics {
		for _, p := range t.parts {
			if err := c.kc.MoveTopicPartition(t.name, p.id, servingLeader(p)); err != nil {
				return fmt.Errorf("sim: placing %s/%d: %w", t.name, p.id, err)
			}
		}
	}
	return nil
}

// placeCoordinators rehashes kfake's group coordinators until every
// scenario group lands on an up broker: kfake hashes groups over all its
// brokers, down ones included, and a group coordinated by a dead broker
// would make every group request fail, which no scenario asked for.
func (c *Cluster) placeCoordinators(w *world) error {
	for range 10_000 {
		ok := true
		for _, g := range w.groups {
			g.coordinator = c.kc.CoordinatorFor(g.id)
			if b := w.byID[g.coordinator]; b == nil || b.state != StateUp {
				ok = false
			}
		}
		if ok {
			return nil
		}
		c.kc.RehashCoordinators()
	}
	return fmt.Errorf("sim: could not place every group on an up broker")
}

func readTopicIDs(ctx context.Context, cl *kgo.Client, w *world) error {
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	for _, mt := range resp.Topics {
		if t := w.byName[*mt.Topic]; t != nil {
			t.id = mt.TopicID
			w.byTopicID[t.id] = t
		}
	}
	for _, t := range w.topics {
		if t.id == ([16]byte{}) {
			return fmt.Errorf("kfake did not create topic %s", t.name)
		}
	}
	return nil
}

func produceAll(ctx context.Context, cl *kgo.Client, w *world) error {
	for _, t := range w.topics {
		for _, p := range t.parts {
			for from := int64(0); from < p.latest; from += maxBatchRecords {
				n := min(p.latest-from, maxBatchRecords)
				req := kmsg.NewPtrProduceRequest()
				req.Acks, req.TimeoutMillis = -1, 10_000
				rt := kmsg.NewProduceRequestTopic()
				rt.Topic, rt.TopicID = t.name, t.id
				rp := kmsg.NewProduceRequestTopicPartition()
				rp.Partition, rp.Records = p.id, recordBatch(w, p, from, n)
				rt.Partitions = append(rt.Partitions, rp)
				req.Topics = append(req.Topics, rt)
				resp, err := req.RequestWith(ctx, cl.Broker(0))
				if err != nil {
					return err
				}
				if err := kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode); err != nil {
					return fmt.Errorf("producing to %s/%d: %w", t.name, p.id, err)
				}
			}
		}
	}
	return nil
}

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// recordBatch encodes records [from, from+n) of p as one uncompressed v2
// batch of empty records, timestamped by recordTimestamp. Building it by
// hand is several times faster than producing record by record.
func recordBatch(w *world, p *partInfo, from, n int64) []byte {
	first := w.recordTimestamp(p.latest, from)
	step := recordInterval.Milliseconds()
	b := make([]byte, 61, 61+n*12)
	binary.BigEndian.PutUint64(b[0:], 0)                         // base offset
	binary.BigEndian.PutUint32(b[12:], 0xffffffff)               // partition leader epoch: the broker sets it
	b[16] = 2                                                    // magic
	binary.BigEndian.PutUint16(b[21:], 0)                        // attributes: no compression, CreateTime
	binary.BigEndian.PutUint32(b[23:], uint32(n-1))              // last offset delta
	binary.BigEndian.PutUint64(b[27:], uint64(first))            // base timestamp
	binary.BigEndian.PutUint64(b[35:], uint64(first+(n-1)*step)) // max timestamp
	binary.BigEndian.PutUint64(b[43:], ^uint64(0))               // producer id -1
	binary.BigEndian.PutUint16(b[51:], 0xffff)                   // producer epoch -1
	binary.BigEndian.PutUint32(b[53:], 0xffffffff)               // base sequence -1
	binary.BigEndian.PutUint32(b[57:], uint32(n))                // record count
	var rec []byte
	for i := range n {
		rec = rec[:0]
		rec = append(rec, 0)                        // attributes
		rec = binary.AppendVarint(rec, i*step)      // timestamp delta
		rec = binary.AppendVarint(rec, i)           // offset delta
		rec = binary.AppendVarint(rec, -1)          // null key
		rec = binary.AppendVarint(rec, 0)           // empty value
		rec = binary.AppendUvarint(rec, 0)          // no headers
		b = binary.AppendVarint(b, int64(len(rec))) // record length
		b = append(b, rec...)
	}
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)-12))
	binary.BigEndian.PutUint32(b[17:], crc32.Checksum(b[21:], crc32c))
	return b
}

// deleteRecords raises the log start offset where the scenario's earliest
// offset is above zero, as retention or DeleteRecords would have.
func deleteRecords(ctx context.Context, cl *kgo.Client, w *world) error {
	for _, t := range w.topics {
		for _, p := range t.parts {
			if p.earliest == 0 {
				continue
			}
			req := kmsg.NewPtrDeleteRecordsRequest()
			req.TimeoutMillis = 10_000
			rt := kmsg.NewDeleteRecordsRequestTopic()
			rt.Topic = t.name
			rp := kmsg.NewDeleteRecordsRequestTopicPartition()
			rp.Partition, rp.Offset = p.id, p.earliest
			rt.Partitions = append(rt.Partitions, rp)
			req.Topics = append(req.Topics, rt)
			resp, err := req.RequestWith(ctx, cl.Broker(0))
			if err != nil {
				return err
			}
			if err := kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode); err != nil {
				return fmt.Errorf("deleting records of %s/%d: %w", t.name, p.id, err)
			}
		}
	}
	return nil
}

// commitOffsets commits each group's offsets the way a standalone (not
// group-managed) consumer does, which leaves the group Empty in kfake.
func commitOffsets(ctx context.Context, cl *kgo.Client, w *world) error {
	for _, g := range w.groups {
		if len(g.commits) == 0 {
			continue
		}
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Group, req.Generation = g.id, -1
		for _, t := range w.topics {
			ps, ok := g.commits[t.name]
			if !ok {
				continue
			}
			rt := kmsg.NewOffsetCommitRequestTopic()
			rt.Topic, rt.TopicID = t.name, t.id
			for _, p := range t.parts {
				if off, ok := ps[p.id]; ok {
					rp := kmsg.NewOffsetCommitRequestTopicPartition()
					rp.Partition, rp.Offset = p.id, off
					rt.Partitions = append(rt.Partitions, rp)
				}
			}
			req.Topics = append(req.Topics, rt)
		}
		resp, err := req.RequestWith(ctx, cl.Broker(0))
		if err != nil {
			return err
		}
		for _, rt := range resp.Topics {
			for _, rp := range rt.Partitions {
				if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
					return fmt.Errorf("committing %s for group %s: %w", rt.Topic, g.id, err)
				}
			}
		}
	}
	return nil
}

// readSizes takes each partition's stored bytes from kfake, which lists
// every partition on whichever broker is asked.
func readSizes(ctx context.Context, cl *kgo.Client, w *world) error {
	resp, err := kmsg.NewPtrDescribeLogDirsRequest().RequestWith(ctx, cl.Broker(0))
	if err != nil {
		return err
	}
	for _, d := range resp.Dirs {
		for _, dt := range d.Topics {
			for _, dp := range dt.Partitions {
				if p := w.partition(dt.Topic, dp.Partition); p != nil {
					p.size += dp.Size
				}
			}
		}
	}
	return nil
}
