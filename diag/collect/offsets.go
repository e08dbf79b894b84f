package collect

import (
	"context"
	"fmt"
	"sync"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

type partitionKey struct {
	topic     string
	partition int32
}

// offsets reads the earliest and latest offset of every partition, asking
// each leader once per kind for all the partitions it leads.
func (c *collector) offsets(ctx context.Context, live map[int32]*conn) {
	byLeader := map[int32][]partitionKey{}
	leaderless := 0
	for _, t := range c.snap.Topics {
		for _, p := range t.Partitions {
			if _, ok := live[p.Leader]; !ok {
				leaderless++
				continue
			}
			byLeader[p.Leader] = append(byLeader[p.Leader], partitionKey{t.Name, p.ID})
		}
	}
	if leaderless > 0 {
		c.record(snapshot.SourceOffsets, -1, "", fmt.Errorf("no live leader to read offsets from for %d partition(s)", leaderless))
	}
	type result struct {
		key      partitionKey
		earliest bool
		offset   int64
	}
	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	for leader, keys := range byLeader {
		for _, earliest := range []bool{true, false} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got := c.listOffsets(ctx, leader, live[leader], keys, earliest)
				mu.Lock()
				defer mu.Unlock()
				for k, off := range got {
					results = append(results, result{k, earliest, off})
				}
			}()
		}
	}
	wg.Wait()
	index := map[partitionKey]*snapshot.Partition{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.snap.Topics {
		for j := range c.snap.Topics[i].Partitions {
			p := &c.snap.Topics[i].Partitions[j]
			index[partitionKey{p.Topic, p.ID}] = p
		}
	}
	for _, r := range results {
		if p := index[r.key]; p != nil {
			if r.earliest {
				p.EarliestOffset = r.offset
			} else {
				p.LatestOffset = r.offset
			}
		}
	}
}

// listOffsets sends one ListOffsets to a leader and returns what it could
// read, recording the partitions it could not.
func (c *collector) listOffsets(ctx context.Context, leader int32, cn *conn, keys []partitionKey, earliest bool) map[partitionKey]int64 {
	req := sarama.NewOffsetRequest(sarama.V4_0_0_0)
	ts := sarama.OffsetNewest
	if earliest {
		ts = sarama.OffsetOldest
	}
	for _, k := range keys {
		req.AddBlock(k.topic, k.partition, ts, 1)
	}
	resp, err := call(ctx, c.opts.RequestTimeout, cn.broker, func() (*sarama.OffsetResponse, error) {
		return cn.broker.GetAvailableOffsets(req)
	})
	if err != nil {
		c.record(snapshot.SourceOffsets, leader, "", err)
		return nil
	}
	out := make(map[partitionKey]int64, len(keys))
	failed := 0
	var firstErr error
	for _, k := range keys {
		b := resp.GetBlock(k.topic, k.partition)
		switch {
		case b == nil:
			failed++
		case b.Err != sarama.ErrNoError:
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s/%d: %s", k.topic, k.partition, errorName(b.Err))
			}
		default:
			off := b.Offset
			if resp.Version == 0 && len(b.Offsets) > 0 {
				off = b.Offsets[0]
			}
			out[k] = off
		}
	}
	if failed > 0 {
		c.record(snapshot.SourceOffsets, leader, "", fmt.Errorf("%d of %d partitions unanswered, first: %v", failed, len(keys), firstErr))
	}
	return out
}
