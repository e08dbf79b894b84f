package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// EpochProber sends the leader-epoch requests sarama does not have
// (ListOffsets with a current leader epoch, OffsetForLeaderEpoch) through
// franz-go, whose kmsg encodings are complete and tested. It is used only
// by the zombie-leader and data-recovery steps.
type EpochProber struct {
	client  *kgo.Client
	timeout time.Duration
}

// NewEpochProber connects to the given brokers. opts carry TLS and SASL
// (see clientconfig.Settings.KgoOptions).
func NewEpochProber(seeds []string, timeout time.Duration, opts ...kgo.Opt) (*EpochProber, error) {
	all := append([]kgo.Opt{
		kgo.SeedBrokers(seeds...),
		kgo.DialTimeout(timeout),
		kgo.RequestRetries(0),
		kgo.RetryTimeout(timeout),
		kgo.MetadataMinAge(time.Second),
	}, opts...)
	// kgo never creates topics unless AllowAutoTopicCreation is given, and
	// it never joins a group unless ConsumerGroup is: neither is.
	cl, err := kgo.NewClient(all...)
	if err != nil {
		return nil, err
	}
	return &EpochProber{client: cl, timeout: timeout}, nil
}

// Close closes the client.
func (p *EpochProber) Close() { p.client.Close() }

// EpochCheck is the answer of one broker to "are you the leader at this
// epoch?".
type EpochCheck struct {
	// ErrorCode is Kafka's error: 0 (it leads at that epoch), 75
	// UNKNOWN_LEADER_EPOCH (it is behind: a zombie), 74
	// FENCED_LEADER_EPOCH (it is ahead), 6 NOT_LEADER_OR_FOLLOWER.
	ErrorCode int16  `json:"error_code"`
	Error     string `json:"error"`
	// Offset is its log end offset when it answered as leader.
	Offset int64 `json:"offset"`
	// LeaderEpoch is the epoch it reported.
	LeaderEpoch int32 `json:"leader_epoch"`
}

// CheckLeaderEpoch sends ListOffsets(latest) for one partition to one
// broker with CurrentLeaderEpoch set, which makes the broker compare the
// epoch with its own (KIP-320).
func (p *EpochProber) CheckLeaderEpoch(ctx context.Context, broker int32, topic string, partition, epoch int32) (EpochCheck, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if err := p.loadBrokers(ctx); err != nil {
		return EpochCheck{}, err
	}
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
	resp, err := p.client.Broker(int(broker)).Request(ctx, req)
	if err != nil {
		return EpochCheck{}, fmt.Errorf("broker %d: %w", broker, err)
	}
	lr := resp.(*kmsg.ListOffsetsResponse)
	for _, t := range lr.Topics {
		for _, pr := range t.Partitions {
			if pr.Partition == partition {
				return EpochCheck{ErrorCode: pr.ErrorCode, Error: codeName(pr.ErrorCode), Offset: pr.Offset, LeaderEpoch: pr.LeaderEpoch}, nil
			}
		}
	}
	return EpochCheck{}, fmt.Errorf("broker %d did not answer for %s/%d", broker, topic, partition)
}

// EpochEnd asks a broker (normally the current leader) where the given
// leader epoch ended in its log: the divergence point a returning zombie
// truncates to.
func (p *EpochProber) EpochEnd(ctx context.Context, broker int32, topic string, partition, epoch int32) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	if err := p.loadBrokers(ctx); err != nil {
		return -1, err
	}
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
	resp, err := p.client.Broker(int(broker)).Request(ctx, req)
	if err != nil {
		return -1, fmt.Errorf("broker %d: %w", broker, err)
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

// loadBrokers makes the client learn broker ids and addresses; Broker(id)
// handles need them.
func (p *EpochProber) loadBrokers(ctx context.Context) error {
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{}
	if _, err := req.RequestWith(ctx, p.client); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	return nil
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
