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

// partitionRef names a partition of the snapshot being filled and points at
// it, so that answers are stored without looking it up again.
type partitionRef struct {
	partitionKey
	p *snapshot.Partition
}

// offsets reads the earliest and/or latest offset of every partition, as
// asked, with one request per leader and kind for all the partitions it
// leads. An offset not asked for stays -1, as one that could not be read.
// The answers go straight into the snapshot's partitions: with 100,000
// partitions the intermediate maps cost more than the requests.
func (c *collector) offsets(ctx context.Context, live map[int32]*conn, logStart, logEnd bool) {
	var kinds []bool // each true for the earliest offsets, false for the latest
	if logStart {
		kinds = append(kinds, true)
	}
	if logEnd {
		kinds = append(kinds, false)
	}
	if len(kinds) == 0 {
		return
	}
	byLeader := map[int32][]partitionRef{}
	leaderless := 0
	for i := range c.snap.Topics {
		t := &c.snap.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			if _, ok := live[p.Leader]; !ok {
				leaderless++
				continue
			}
			byLeader[p.Leader] = append(byLeader[p.Leader], partitionRef{partitionKey{t.Name, p.ID}, p})
		}
	}
	if leaderless > 0 {
		c.record(snapshot.SourceOffsets, -1, "", fmt.Errorf("no live leader to read offsets from for %d partition(s)", leaderless))
	}
	var wg sync.WaitGroup
	for leader, refs := range byLeader {
		for _, earliest := range kinds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, ok := c.listOffsets(ctx, leader, live[leader], refs, earliest)
				c.mu.Lock()
				defer c.mu.Unlock()
				for i, r := range refs {
					switch {
					case !ok[i]:
					case earliest:
						r.p.EarliestOffset = got[i]
					default:
						r.p.LatestOffset = got[i]
					}
				}
			}()
		}
	}
	wg.Wait()
}

// listOffsets sends one ListOffsets to a leader and returns, for each of
// refs, the offset it read and whether it read one, recording the
// partitions it could not.
func (c *collector) listOffsets(ctx context.Context, leader int32, cn *conn, refs []partitionRef, earliest bool) ([]int64, []bool) {
	req := sarama.NewOffsetRequest(sarama.V4_0_0_0)
	ts := sarama.OffsetNewest
	if earliest {
		ts = sarama.OffsetOldest
	}
	for _, r := range refs {
		req.AddBlock(r.topic, r.partition, ts, 1)
	}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.OffsetResponse, error) {
		return b.GetAvailableOffsets(req)
	})
	got, ok := make([]int64, len(refs)), make([]bool, len(refs))
	if err != nil {
		c.record(snapshot.SourceOffsets, leader, "", err)
		return got, ok
	}
	failed := 0
	var firstErr error
	for i, r := range refs {
		b := resp.GetBlock(r.topic, r.partition)
		switch {
		case b == nil:
			failed++
		case b.Err != sarama.ErrNoError:
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s/%d: %s", r.topic, r.partition, errorName(b.Err))
			}
		default:
			off := b.Offset
			if resp.Version == 0 && len(b.Offsets) > 0 {
				off = b.Offsets[0]
			}
			got[i], ok[i] = off, true
		}
	}
	if failed > 0 {
		c.record(snapshot.SourceOffsets, leader, "", fmt.Errorf("%d of %d partitions unanswered, first: %v", failed, len(refs), firstErr))
	}
	return got, ok
}
