package kafkatest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// dataTimeout bounds the data helpers' retries, which cover the seconds after Start or a fault
// when leaders and coordinators are still moving.
const dataTimeout = 30 * time.Second

// WaitFor polls cond every 100ms until it returns true, and fails the test after timeout,
// naming what it waited for.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if err := retry(timeout, func() error {
		if cond() {
			return nil
		}
		return errors.New("condition still false")
	}); err != nil {
		t.Fatalf("kafkatest: waited %s for %s", timeout, what)
	}
}

// retry calls fn every 100ms until it succeeds or timeout passes, returning fn's last error.
func retry(timeout time.Duration, fn func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// CreateTopic creates a topic whose partition i has replicas assignment[i] (the first one is the
// preferred leader), with the given topic configs, and waits until every running, unpaused
// broker sees a leader for every partition. A topic meant to start offline is created first and
// broken afterwards.
func (c *Cluster) CreateTopic(t testing.TB, name string, assignment [][]int32, configs map[string]string) {
	t.Helper()
	if len(assignment) == 0 {
		t.Fatalf("kafkatest: CreateTopic(%q): empty assignment", name)
	}
	detail := &sarama.TopicDetail{NumPartitions: -1, ReplicationFactor: -1,
		ReplicaAssignment: make(map[int32][]int32, len(assignment)), ConfigEntries: map[string]*string{}}
	for i, replicas := range assignment {
		detail.ReplicaAssignment[int32(i)] = replicas
	}
	for k, v := range configs {
		detail.ConfigEntries[k] = &v
	}
	seeds, err := c.liveBootstrap()
	if err != nil {
		t.Fatalf("kafkatest: CreateTopic(%q): %v", name, err)
	}
	admin, err := sarama.NewClusterAdmin(seeds, NewSaramaConfig())
	if err != nil {
		t.Fatalf("kafkatest: CreateTopic(%q): %v", name, err)
	}
	defer admin.Close()
	if err := admin.CreateTopic(name, detail, false); err != nil {
		t.Fatalf("kafkatest: CreateTopic(%q): %v", name, err)
	}
	if err := retry(dataTimeout, func() error { return c.topicReady(name, len(assignment)) }); err != nil {
		t.Fatalf("kafkatest: CreateTopic(%q): %v", name, err)
	}
}

func (c *Cluster) topicReady(name string, partitions int) error {
	for _, id := range c.liveBrokers() {
		md, err := c.BrokerMetadata(id, name)
		if err != nil {
			return fmt.Errorf("broker %d: %w", id, err)
		}
		if len(md.Topics) != 1 || md.Topics[0].Err != sarama.ErrNoError {
			return fmt.Errorf("broker %d does not know the topic yet", id)
		}
		if got := len(md.Topics[0].Partitions); got != partitions {
			return fmt.Errorf("broker %d sees %d of %d partitions", id, got, partitions)
		}
		for _, p := range md.Topics[0].Partitions {
			if p.Leader < 0 {
				return fmt.Errorf("broker %d sees no leader for partition %d", id, p.ID)
			}
		}
	}
	return nil
}

// Produce writes n records to one partition with acks=all and returns the offset of the last.
func (c *Cluster) Produce(t testing.TB, topic string, partition int32, n int) int64 {
	t.Helper()
	return c.ProduceAcks(t, topic, partition, n, sarama.WaitForAll)
}

// ProduceAcks is Produce with the given acks: acks=1 and acks=0 writes are what a zombie leader
// or an unclean election loses. With acks=0 (sarama.NoResponse) it returns -1.
func (c *Cluster) ProduceAcks(t testing.TB, topic string, partition int32, n int, acks sarama.RequiredAcks) int64 {
	t.Helper()
	last, err := c.TryProduce(topic, partition, n, acks)
	if err != nil {
		t.Fatalf("kafkatest: producing %d records to %s-%d: %v", n, topic, partition, err)
	}
	return last
}

// TryProduce is ProduceAcks returning the error instead of failing the test, for tests that
// expect a write to fail (19 NOT_ENOUGH_REPLICAS with too small an ISR, for instance). Sarama
// retries retriable errors for a few seconds before giving up.
func (c *Cluster) TryProduce(topic string, partition int32, n int, acks sarama.RequiredAcks) (int64, error) {
	msgs := make([]*sarama.ProducerMessage, max(n, 0))
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Partition: partition,
			Value: sarama.StringEncoder(fmt.Sprintf("kafkatest-%d", i))}
	}
	return c.send(msgs, acks)
}

// ProduceSized writes n records of size bytes each to one partition with acks=all and returns
// the offset of the last: bulk for tests that need a partition whose copy takes a while, such
// as a throttled reassignment.
func (c *Cluster) ProduceSized(t testing.TB, topic string, partition int32, n, size int) int64 {
	t.Helper()
	value := sarama.ByteEncoder(bytes.Repeat([]byte{'k'}, size))
	msgs := make([]*sarama.ProducerMessage, max(n, 0))
	for i := range msgs {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Partition: partition, Value: value}
	}
	last, err := c.send(msgs, sarama.WaitForAll)
	if err != nil {
		t.Fatalf("kafkatest: producing %d records of %d bytes to %s-%d: %v", n, size, topic, partition, err)
	}
	return last
}

// send produces msgs with one synchronous producer bootstrapped from the live brokers.
func (c *Cluster) send(msgs []*sarama.ProducerMessage, acks sarama.RequiredAcks) (int64, error) {
	n := len(msgs)
	if n < 1 {
		return -1, fmt.Errorf("cannot produce %d records", n)
	}
	seeds, err := c.liveBootstrap()
	if err != nil {
		return -1, err
	}
	cfg := NewSaramaConfig()
	cfg.Producer.RequiredAcks = acks
	p, err := sarama.NewSyncProducer(seeds, cfg)
	if err != nil {
		return -1, err
	}
	defer p.Close()
	if err := p.SendMessages(msgs); err != nil {
		return -1, err
	}
	if acks == sarama.NoResponse {
		return -1, nil
	}
	return msgs[n-1].Offset, nil
}

// CommitOffset commits offset for group on one partition the way a standalone consumer or an
// admin tool does: generation -1, no member id, no group join. The group then exists (empty,
// "simple") with a committed offset, so its lag is visible to describe-group tools.
func (c *Cluster) CommitOffset(t testing.TB, group, topic string, partition int32, offset int64) {
	t.Helper()
	seeds, err := c.liveBootstrap()
	if err != nil {
		t.Fatalf("kafkatest: CommitOffset(%q): %v", group, err)
	}
	cfg := NewSaramaConfig()
	client, err := sarama.NewClient(seeds, cfg)
	if err != nil {
		t.Fatalf("kafkatest: CommitOffset(%q): %v", group, err)
	}
	defer client.Close()
	// The first FindCoordinator creates __consumer_offsets, whose partitions need a moment to
	// get leaders and load: retry the coordinator errors that mean "not yet".
	if err := retry(dataTimeout, func() error { return commitOnce(client, cfg, group, topic, partition, offset) }); err != nil {
		t.Fatalf("kafkatest: CommitOffset(%q, %s-%d, %d): %v", group, topic, partition, offset, err)
	}
}

func commitOnce(client sarama.Client, cfg *sarama.Config, group, topic string, partition int32, offset int64) error {
	coord, err := client.Coordinator(group)
	if err != nil {
		return err
	}
	req := sarama.NewOffsetCommitRequest(cfg, group)
	req.AddBlockWithLeaderEpoch(topic, partition, offset, -1, sarama.ReceiveTime, "")
	resp, err := coord.CommitOffset(req)
	if err != nil {
		_ = client.RefreshCoordinator(group)
		return err
	}
	kerr, ok := resp.Errors[topic][partition]
	if !ok {
		return errors.New("the response has no result for the partition")
	}
	switch kerr {
	case sarama.ErrNoError:
		return nil
	case sarama.ErrNotCoordinatorForConsumer, sarama.ErrConsumerCoordinatorNotAvailable:
		_ = client.RefreshCoordinator(group)
	}
	return kerr
}
