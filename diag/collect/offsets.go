package collect

import (
	"context"
	"fmt"
	"sync"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
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

// offsetKind is one of the offsets ListOffsets reads of every partition.
type offsetKind int

const (
	// logStart is the earliest offset (timestamp -2).
	logStart offsetKind = iota
	// logEnd is the high watermark (timestamp -1, read_uncommitted).
	logEnd
	// lastStable is the last stable offset (timestamp -1, read_committed):
	// below the high watermark while a transaction is open there.
	lastStable
)

// offsetKinds are the kinds of offsets the parts ask for, in a stable order.
func offsetKinds(parts source.Parts) []offsetKind {
	var kinds []offsetKind
	if parts.Has(source.PartLogStartOffsets) {
		kinds = append(kinds, logStart)
	}
	if parts.Has(source.PartLogEndOffsets) {
		kinds = append(kinds, logEnd)
	}
	if parts.Has(source.PartLastStableOffsets) {
		kinds = append(kinds, lastStable)
	}
	return kinds
}

// offsets reads the offsets of every partition of the kinds asked, with one
// request per leader and kind for all the partitions it leads. An offset
// not asked for stays -1 (nil for the last stable offset), as one that
// could not be read. The answers go straight into the snapshot's
// partitions: with 100,000 partitions the intermediate maps cost more than
// the requests.
func (c *collector) offsets(ctx context.Context, live map[int32]*conn, kinds []offsetKind) {
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
		for _, kind := range kinds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, ok := c.listOffsets(ctx, leader, live[leader], refs, kind)
				c.mu.Lock()
				defer c.mu.Unlock()
				for i, r := range refs {
					switch {
					case !ok[i]:
					case kind == logStart:
						r.p.EarliestOffset = got[i]
					case kind == logEnd:
						r.p.LatestOffset = got[i]
					default:
						// Pointers into got: one allocation per leader,
						// not one per partition.
						r.p.LastStableOffset = &got[i]
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
func (c *collector) listOffsets(ctx context.Context, leader int32, cn *conn, refs []partitionRef, kind offsetKind) ([]int64, []bool) {
	req := sarama.NewOffsetRequest(sarama.V4_0_0_0)
	ts := sarama.OffsetNewest
	switch kind {
	case logStart:
		ts = sarama.OffsetOldest
	case lastStable:
		// One isolation level per request: the last stable offset cannot
		// ride along with the high watermark.
		req.IsolationLevel = sarama.ReadCommitted
	}
	for _, r := range refs {
		req.AddBlock(r.topic, r.partition, ts, 1)
	}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.OffsetResponse, error) {
		return b.GetAvailableOffsets(req)
	})
	if err == nil && kind == lastStable && resp.Version < 2 {
		// Below v2 there is no isolation level: the answer would be the
		// high watermark, read as a last stable offset.
		err = fmt.Errorf("ListOffsets v%d has no isolation level: %w", resp.Version, sarama.ErrUnsupportedVersion)
	}
	got, ok := make([]int64, len(refs)), make([]bool, len(refs))
	if err != nil {
		c.record(snapshot.SourceOffsets, leader, "", kind.wrap(err))
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
		c.record(snapshot.SourceOffsets, leader, "", kind.wrap(fmt.Errorf("%d of %d partitions unanswered, first: %v", failed, len(refs), firstErr)))
	}
	return got, ok
}

// wrap says so when an error is about the last stable offsets, whose
// failure must not read as the high watermark's; it stays classifiable.
func (k offsetKind) wrap(err error) error {
	if k != lastStable {
		return err
	}
	return fmt.Errorf("last stable offsets (read_committed): %w", err)
}
