package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// EpochProber sends the leader-epoch requests sarama does not have
// (ListOffsets with a current leader epoch, OffsetForLeaderEpoch) through
// franz-go, whose kmsg encodings are complete and tested. It is used only
// by the zombie-leader and data-recovery steps.
//
// Each broker gets its own client seeded with that broker's address alone,
// and requests go to the seed: a zombie is often missing from the other
// brokers' metadata, so it could not be found by id.
type EpochProber struct {
	addrs   map[int32]string
	opts    []kgo.Opt
	timeout time.Duration
	clients map[int32]*kgo.Client
}

// NewEpochProber prepares requests to the brokers at addrs. opts carry TLS
// and SASL (clientconfig.Settings.KgoOptions). Close it when done.
func NewEpochProber(addrs map[int32]string, timeout time.Duration, opts ...kgo.Opt) *EpochProber {
	return &EpochProber{addrs: addrs, opts: opts, timeout: timeout, clients: map[int32]*kgo.Client{}}
}

// Close closes the clients.
func (p *EpochProber) Close() {
	for _, cl := range p.clients {
		cl.Close()
	}
}

// request sends req to one broker.
func (p *EpochProber) request(ctx context.Context, broker int32, req kmsg.Request) (kmsg.Response, error) {
	cl, ok := p.clients[broker]
	if !ok {
		addr, known := p.addrs[broker]
		if !known {
			return nil, fmt.Errorf("broker %d: no address known", broker)
		}
		// kgo never creates topics unless AllowAutoTopicCreation is given,
		// and never joins a group unless ConsumerGroup is: neither is.
		all := append([]kgo.Opt{
			kgo.SeedBrokers(addr),
			kgo.DialTimeout(p.timeout),
			kgo.RequestRetries(0),
			kgo.RetryTimeout(p.timeout),
		}, p.opts...)
		var err error
		if cl, err = kgo.NewClient(all...); err != nil {
			return nil, err
		}
		p.clients[broker] = cl
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	resp, err := cl.SeedBrokers()[0].Request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("broker %d: %w", broker, err)
	}
	return resp, nil
}

// CheckLeaderEpoch sends ListOffsets(latest) for one partition to one
// broker with CurrentLeaderEpoch set, which makes the broker compare the
// epoch with its own (KIP-320).
func (p *EpochProber) CheckLeaderEpoch(ctx context.Context, broker int32, topic string, partition, epoch int32) (source.EpochCheck, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition = partition
	rp.CurrentLeaderEpoch = epoch
	rp.Timestamp = -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := p.request(ctx, broker, req)
	if err != nil {
		return source.EpochCheck{}, err
	}
	lr := resp.(*kmsg.ListOffsetsResponse)
	for _, t := range lr.Topics {
		for _, pr := range t.Partitions {
			if pr.Partition == partition {
				return source.EpochCheck{ErrorCode: pr.ErrorCode, Error: codeName(pr.ErrorCode), Offset: pr.Offset, LeaderEpoch: pr.LeaderEpoch}, nil
			}
		}
	}
	return source.EpochCheck{}, fmt.Errorf("broker %d did not answer for %s/%d", broker, topic, partition)
}

// EpochEnd asks a broker (normally the current leader) where the given
// leader epoch ended in its log: the divergence point a returning zombie
// truncates to.
func (p *EpochProber) EpochEnd(ctx context.Context, broker int32, topic string, partition, epoch int32) (int64, error) {
	req := kmsg.NewPtrOffsetForLeaderEpochRequest()
	req.ReplicaID = -1
	rt := kmsg.NewOffsetForLeaderEpochRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
	rp.Partition = partition
	rp.LeaderEpoch = epoch
	rp.CurrentLeaderEpoch = -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := p.request(ctx, broker, req)
	if err != nil {
		return -1, err
	}
	for _, t := range resp.(*kmsg.OffsetForLeaderEpochResponse).Topics {
		for _, pr := range t.Partitions {
			if pr.Partition != partition {
				continue
			}
			if pr.ErrorCode != 0 {
				return -1, fmt.Errorf("broker %d: %s", broker, codeName(pr.ErrorCode))
			}
			return pr.EndOffset, nil
		}
	}
	return -1, fmt.Errorf("broker %d did not answer for %s/%d", broker, topic, partition)
}

func codeName(code int16) string {
	if code == 0 {
		return ""
	}
	if e := kerr.ErrorForCode(code); e != nil {
		if ke, ok := e.(*kerr.Error); ok {
			return ke.Message
		}
		return e.Error()
	}
	return fmt.Sprintf("ERROR_CODE_%d", code)
}
