package collect

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/hashicorp/go-multierror"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// debugReplicaID makes a ListOffsets answerable by a follower: the
// replica then reports its own log end offset instead of refusing with
// NOT_LEADER_OR_FOLLOWER.
const debugReplicaID = -2

// Prober sends one-off requests to individual brokers, for the steps that
// need what only a given replica knows.
type Prober struct {
	opts  Options
	pool  *pool
	addrs map[int32]string
}

// NewProber prepares per-broker requests to the brokers of a snapshot.
// Close it when done.
func NewProber(opts Options, brokers []snapshot.Broker) *Prober {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 3 * time.Second
	}
	p := &Prober{opts: opts, pool: newPool(tightened(opts.Config, opts.RequestTimeout), opts.RequestTimeout, opts.ConnectionsPerBroker).announcing(opts.SoftwareVersion), addrs: map[int32]string{}}
	for _, b := range brokers {
		if a := b.Address(); a != "" {
			p.addrs[b.ID] = a
		}
	}
	return p
}

// Close closes the prober's connections.
func (p *Prober) Close() { p.pool.closeAll() }

// ReplicaLogEnds asks each broker for its own log end offset of the listed
// partitions, in parallel. Brokers that fail are named in the error; what
// the others said is returned.
func (p *Prober) ReplicaLogEnds(ctx context.Context, replicas map[int32][]source.TopicPartition) (map[int32]map[source.TopicPartition]int64, error) {
	return p.listOffsets(ctx, replicas, sarama.OffsetNewest, debugReplicaID)
}

// OffsetsForTime asks each leader for the first offset at or after ts
// (milliseconds since the epoch) of the partitions it leads: the target of
// a consumer group rewind. Partitions with no record after ts report the
// log end offset.
func (p *Prober) OffsetsForTime(ctx context.Context, leaders map[int32][]source.TopicPartition, ts int64) (map[int32]map[source.TopicPartition]int64, error) {
	return p.listOffsets(ctx, leaders, ts, -1)
}

func (p *Prober) listOffsets(ctx context.Context, byBroker map[int32][]source.TopicPartition, ts int64, replicaID int32) (map[int32]map[source.TopicPartition]int64, error) {
	out := map[int32]map[source.TopicPartition]int64{}
	var mu sync.Mutex
	var g multierror.Group
	for id, tps := range byBroker {
		g.Go(func() error {
			got, err := p.listOffsetsAt(ctx, id, tps, ts, replicaID)
			mu.Lock()
			defer mu.Unlock()
			if got != nil {
				out[id] = got
			}
			return err
		})
	}
	if err := g.Wait().ErrorOrNil(); err != nil {
		return out, err
	}
	return out, nil
}

func (p *Prober) listOffsetsAt(ctx context.Context, id int32, tps []source.TopicPartition, ts int64, replicaID int32) (map[source.TopicPartition]int64, error) {
	addr, ok := p.addrs[id]
	if !ok {
		return nil, fmt.Errorf("broker %d: no address known", id)
	}
	cn := p.pool.get(ctx, addr)
	if !cn.wait(ctx) {
		return nil, fmt.Errorf("broker %d: %s %s", id, probeOf(cn).Status, probeOf(cn).Error)
	}
	req := sarama.NewOffsetRequest(sarama.V4_0_0_0)
	if replicaID != -1 {
		req.SetReplicaID(replicaID)
	}
	for _, tp := range tps {
		req.AddBlock(tp.Topic, tp.Partition, ts, 1)
	}
	resp, err := request(ctx, p.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.OffsetResponse, error) {
		return b.GetAvailableOffsets(req)
	})
	if err != nil {
		return nil, fmt.Errorf("broker %d: %s", id, describeErr(err))
	}
	out := make(map[source.TopicPartition]int64, len(tps))
	for _, tp := range tps {
		if b := resp.GetBlock(tp.Topic, tp.Partition); b != nil && b.Err == sarama.ErrNoError {
			out[tp] = b.Offset
		}
	}
	return out, nil
}
