package kafkatest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// probeTimeout bounds one request to one node. A paused broker accepts TCP connections and
// never answers; without a bound of our own sarama would wait 3 × Net.ReadTimeout.
const probeTimeout = 2 * time.Second

// NewSaramaConfig returns a client configuration suited to this cluster: protocol version
// negotiated from 4.0, manual partitioner, acks=all, successes returned (as SyncProducer
// needs), and timeouts short enough that a dead broker costs seconds, not minutes.
func NewSaramaConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.ClientID = "kafkatest"
	cfg.Version = sarama.V4_0_0_0
	cfg.Net.DialTimeout = 2 * time.Second
	cfg.Net.ReadTimeout = 10 * time.Second
	cfg.Net.WriteTimeout = 5 * time.Second
	cfg.Metadata.Retry.Max = 10
	cfg.Metadata.Retry.Backoff = 250 * time.Millisecond
	cfg.Admin.Timeout = 10 * time.Second
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Timeout = 5 * time.Second
	cfg.Producer.Return.Successes = true
	cfg.Producer.Retry.Max = 10
	cfg.Producer.Retry.Backoff = 250 * time.Millisecond
	return cfg
}

// ask sends one request over a fresh connection and gives up after timeout. On timeout the
// connection is closed in the background, because Broker.Close waits for the pending attempt.
func ask[T any](addr string, timeout time.Duration, do func(*sarama.Broker, *sarama.Config) (T, error)) (T, error) {
	var zero T
	cfg := NewSaramaConfig()
	cfg.Net.DialTimeout = min(timeout, time.Second)
	cfg.Net.ReadTimeout = timeout
	cfg.Net.WriteTimeout = timeout
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := do(b, cfg)
		ch <- result{v, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		_ = b.Close()
		return r.v, r.err
	case <-timer.C:
		go func() {
			<-ch
			_ = b.Close()
		}()
		return zero, fmt.Errorf("%s did not answer within %s", addr, timeout)
	}
}

// BrokerMetadata asks broker id, and only it, for Metadata (all topics if none are named),
// giving up after 2 seconds. Comparing the answers of several brokers is how a test sees a
// broker whose view of the cluster is stale.
func (c *Cluster) BrokerMetadata(id int32, topics ...string) (*sarama.MetadataResponse, error) {
	addr := c.BrokerAddr(id)
	if addr == "" {
		return nil, fmt.Errorf("no broker %d", id)
	}
	return ask(addr, probeTimeout, func(b *sarama.Broker, cfg *sarama.Config) (*sarama.MetadataResponse, error) {
		return b.GetMetadata(sarama.NewMetadataRequest(cfg.Version, topics))
	})
}

// Metadata returns the Metadata answer of the first running, unpaused broker that gives one,
// and fails the test if none does.
func (c *Cluster) Metadata(t testing.TB, topics ...string) *sarama.MetadataResponse {
	t.Helper()
	var errs []error
	for _, id := range c.liveBrokers() {
		md, err := c.BrokerMetadata(id, topics...)
		if err == nil {
			return md
		}
		errs = append(errs, fmt.Errorf("broker %d: %w", id, err))
	}
	t.Fatalf("kafkatest: no broker answered Metadata: %v", errs)
	return nil
}

// DescribeCluster asks node id, broker or controller, for DescribeCluster v2 with fenced
// brokers included (Kafka 4.0+: IsFenced tells a fenced broker from one that never
// existed), giving up after 2 seconds. A controller describes the controllers (KIP-919) and
// names as ControllerID the quorum leader it last knew, -1 if none: after the leader's loss a
// voter that cannot win an election keeps naming it (a prospective voter, KIP-996), so only a
// failing DescribeQuorum (QuorumStatus) proves that the quorum has no leader.
func (c *Cluster) DescribeCluster(id int32) (*sarama.DescribeClusterResponse, error) {
	n, ok := c.nodes[id]
	if !ok {
		return nil, fmt.Errorf("no node %d", id)
	}
	return ask(n.addr(), probeTimeout, func(b *sarama.Broker, cfg *sarama.Config) (*sarama.DescribeClusterResponse, error) {
		req := sarama.NewDescribeClusterRequest(cfg.Version)
		req.IncludeFencedBrokers = n.broker
		if !n.broker {
			req.EndpointType = sarama.DescribeClusterEndpointTypeControllers
		}
		resp, err := b.DescribeCluster(req)
		if err == nil && resp.Err != sarama.ErrNoError {
			err = resp.Err
		}
		return resp, err
	})
}

// quorumLeader is the quorum leader controller id last knew, -1 if none (see DescribeCluster):
// not proof that the leader is alive.
func (c *Cluster) quorumLeader(id int32) (int32, error) {
	resp, err := c.DescribeCluster(id)
	if err != nil {
		return -1, err
	}
	return resp.ControllerID, nil
}

// liveBootstrap lists the brokers a new client can start from: a paused seed would cost the
// client its whole read timeout.
func (c *Cluster) liveBootstrap() ([]string, error) {
	var addrs []string
	for _, id := range c.liveBrokers() {
		addrs = append(addrs, c.BrokerAddr(id))
	}
	if len(addrs) == 0 {
		return nil, errors.New("no running, unpaused broker to connect to")
	}
	return addrs, nil
}
