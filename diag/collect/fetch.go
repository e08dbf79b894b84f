package collect

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

const (
	// fetchPartitionBytes is what one partition of a Fetch may return: the
	// batch holding a committed offset is most often smaller (producers
	// batch 16 KiB before compression by default), and a request for many
	// partitions stays small.
	fetchPartitionBytes = 8 << 10
	// fetchPartitions is how many partitions one Fetch names, so that an
	// answer stays within 1 MiB.
	fetchPartitions = 128
	// fetchLanes is how many Fetch requests are in flight to one broker,
	// each on its own connection: Kafka serves one request per connection
	// at a time.
	fetchLanes = 4
)

// leaderFetch reads the records at committed offsets from one leader. Its
// requests run fetchLanes at a time; the first that times out stops the
// rest from being sent, so a hung broker costs one deadline, not one per
// request.
type leaderFetch struct {
	c    *collector
	addr string
	dec  kgo.Decompressor

	mu       sync.Mutex
	hung     bool // a request timed out
	unread   int  // targets whose record could not be read
	firstErr error
	alone    []*lagTarget // to ask again, each first in its own request
}

// fetchFrom reads the records of targets from their leader, then asks again
// alone for those that came back empty from a request naming several
// partitions. Kafka returns a batch larger than the partition's limit only
// for the first partition of a request that has data (KIP-74), and an
// empty answer for the others, so a large batch is read whole only when its
// partition comes first. What could not be read is recorded once for the
// broker.
func (c *collector) fetchFrom(ctx context.Context, id int32, addr string, dec kgo.Decompressor, targets []*lagTarget) {
	f := &leaderFetch{c: c, addr: addr, dec: dec}
	f.run(ctx, fetchPlan(targets))
	if len(f.alone) > 0 {
		reqs := make([][]*lagTarget, len(f.alone))
		for i, t := range f.alone {
			reqs[i] = []*lagTarget{t}
		}
		f.alone = nil
		f.run(ctx, reqs)
	}
	if f.unread > 0 {
		c.record(snapshot.SourceTimeLag, id, "", fmt.Errorf("the records at %d of %d lagging committed offsets not read: %w",
			f.unread, len(targets), f.firstErr))
	}
}

// run sends reqs on fetchLanes lanes and waits for every answer.
func (f *leaderFetch) run(ctx context.Context, reqs [][]*lagTarget) {
	next := make(chan []*lagTarget)
	var wg sync.WaitGroup
	for lane := range min(fetchLanes, len(reqs)) {
		wg.Go(func() {
			for batch := range next {
				f.fetch(ctx, lane, batch)
			}
		})
	}
	for _, batch := range reqs {
		next <- batch
	}
	close(next)
	wg.Wait()
}

// fetch sends one Fetch for batch and reads each partition's answer.
func (f *leaderFetch) fetch(ctx context.Context, lane int, batch []*lagTarget) {
	f.mu.Lock()
	hung := f.hung
	f.mu.Unlock()
	if hung {
		f.fail(len(batch), nil)
		return
	}
	resp, err := f.c.kc.requestOn(ctx, f.addr, fmt.Sprintf("Fetch %d", lane), fetchRequest(batch))
	var r *kmsg.FetchResponse
	if err == nil {
		r = resp.(*kmsg.FetchResponse)
		err = codeErr(r.ErrorCode)
	}
	if err != nil {
		f.fail(len(batch), err)
		return
	}
	answers := fetchAnswers(r, batch)
	for _, t := range batch {
		rp := answers[t.partitionKey]
		if rp == nil {
			f.emptyAnswer(t, len(batch), errors.New("not in the answer"))
			continue
		}
		switch rp.ErrorCode {
		case 0:
		case kerr.OffsetOutOfRange.Code:
			continue // below the log start: see lagTargets
		default:
			f.fail(1, fmt.Errorf("%s/%d: %w", t.topic, t.partition, sarama.KError(rp.ErrorCode)))
			continue
		}
		millis, err := firstTimestamp(t, rp, f.dec)
		switch {
		case err != nil:
			f.fail(1, fmt.Errorf("%s/%d: %w", t.topic, t.partition, err))
		case millis > 0:
			t.millis = millis
		default:
			f.emptyAnswer(t, len(batch), nil)
		}
	}
}

// emptyAnswer handles a partition answered with no record: asked with
// others, it is asked again alone; asked alone, there is nothing to read
// but control records (transaction markers count in the high watermark),
// unless the partition was missing from the answer (err).
func (f *leaderFetch) emptyAnswer(t *lagTarget, asked int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case asked > 1:
		f.alone = append(f.alone, t)
	case err != nil:
		f.failLocked(1, fmt.Errorf("%s/%d: %w", t.topic, t.partition, err))
	}
}

// fail counts n targets not read, for err (nil: for an earlier one).
func (f *leaderFetch) fail(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failLocked(n, err)
}

func (f *leaderFetch) failLocked(n int, err error) {
	f.unread += n
	if err == nil {
		return
	}
	if f.firstErr == nil {
		f.firstErr = err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		f.hung = true
	}
}

// fetchRequest asks for the records at each target's offset, read-only: a
// consumer's replica id, no fetch session (nothing is kept on the broker),
// no waiting, read_uncommitted (the record at the offset whatever its
// transaction), and at most fetchPartitionBytes per partition. Targets
// come sorted by topic, so each topic is named once.
func fetchRequest(batch []*lagTarget) *kmsg.FetchRequest {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID, req.ReplicaState.ID = -1, -1
	req.MaxWaitMillis, req.MinBytes = 0, 1
	req.MaxBytes = int32(len(batch) * fetchPartitionBytes)
	req.IsolationLevel = 0
	req.SessionID, req.SessionEpoch = 0, -1
	for _, t := range batch {
		if n := len(req.Topics); n == 0 || req.Topics[n-1].Topic != t.topic {
			rt := kmsg.NewFetchRequestTopic()
			rt.Topic, rt.TopicID = t.topic, t.topicID
			req.Topics = append(req.Topics, rt)
		}
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.Partition, rp.FetchOffset, rp.PartitionMaxBytes = t.partition, t.offset, fetchPartitionBytes
		rt := &req.Topics[len(req.Topics)-1]
		rt.Partitions = append(rt.Partitions, rp)
	}
	return req
}

// fetchAnswers indexes an answer's partitions. Fetch v13+ answers name
// topics by id only.
func fetchAnswers(r *kmsg.FetchResponse, batch []*lagTarget) map[partitionKey]*kmsg.FetchResponseTopicPartition {
	names := map[[16]byte]string{}
	for _, t := range batch {
		names[t.topicID] = t.topic
	}
	out := make(map[partitionKey]*kmsg.FetchResponseTopicPartition, len(batch))
	for i := range r.Topics {
		rt := &r.Topics[i]
		name := rt.Topic
		if name == "" {
			name = names[rt.TopicID]
		}
		for j := range rt.Partitions {
			out[partitionKey{name, rt.Partitions[j].Partition}] = &rt.Partitions[j]
		}
	}
	return out
}
