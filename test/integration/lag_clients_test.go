package integration

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// The clients the consumer-lag tests drive from inside the test process
// (franz-go), so that their behaviour is the test's to choose: producers
// that write at a steady pace, classic-protocol group members that keep
// up, slow down, stop or leave when told, and a member that comes and
// goes. Every one is stopped when its test ends.

// producer writes one record every interval, round robin over partitions
// 0 to partitions-1 of a topic, each with its own CreateTime, until Stop.
// It remembers every record's timestamp by partition and offset, so that
// a test can compute the age of the record at a committed offset itself.
type producer struct {
	t      *testing.T
	cl     *kgo.Client
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	stamps map[int32]map[int64]time.Time
	err    error
}

// startProducer starts a producer; it is stopped when the test ends.
func startProducer(t *testing.T, c *kafkatest.Cluster, topic string, partitions int32, every time.Duration) *producer {
	t.Helper()
	p := &producer{t: t, cl: franzClient(t, c, kgo.ProducerLinger(0)), stop: make(chan struct{}), done: make(chan struct{}),
		stamps: map[int32]map[int64]time.Time{}}
	t.Cleanup(p.Stop)
	go func() {
		defer close(p.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			rec := &kgo.Record{Topic: topic, Partition: int32(i) % partitions, Value: []byte("lag-it"), Timestamp: time.Now()}
			p.cl.Produce(context.Background(), rec, p.produced)
		}
	}()
	return p
}

func (p *producer) produced(r *kgo.Record, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if p.err == nil && !errors.Is(err, kgo.ErrClientClosed) {
			p.err = err
		}
		return
	}
	if p.stamps[r.Partition] == nil {
		p.stamps[r.Partition] = map[int64]time.Time{}
	}
	p.stamps[r.Partition][r.Offset] = r.Timestamp
}

// Stamp returns the timestamp of the record the producer wrote at offset
// of partition; false when it wrote none there.
func (p *producer) Stamp(partition int32, offset int64) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts, ok := p.stamps[partition][offset]
	return ts, ok
}

// Written returns the offset after the last record the producer wrote to
// partition and Kafka acknowledged: a high watermark it has reached.
func (p *producer) Written(partition int32) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := int64(0)
	for off := range p.stamps[partition] {
		next = max(next, off+1)
	}
	return next
}

// Stop stops writing, waits for what is in flight and closes the client.
// A write that failed fails the test. Stopping twice is harmless.
func (p *producer) Stop() {
	p.once.Do(func() {
		close(p.stop)
		<-p.done
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.cl.Flush(ctx)
		p.cl.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.err != nil {
			p.t.Errorf("producer: %v", p.err)
		}
	})
}

// member is one classic-protocol group member (franz-go's default
// protocol) that polls, spends delay on each record, and commits what it
// processed, until Stop. Auto-commit is off, so it commits nothing else:
// not on Stop, and not when Close leaves the group (franz-go's default
// revoke commits only with auto-commit on).
type member struct {
	cl        *kgo.Client
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

// startMember joins group on topic; it leaves when the test ends.
func startMember(t *testing.T, c *kafkatest.Cluster, group, topic string, delay time.Duration, opts ...kgo.Opt) *member {
	t.Helper()
	m, err := newMember(c, group, topic, delay, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// newMember is startMember for a goroutine that closes the member itself.
func newMember(c *kafkatest.Cluster, group, topic string, delay time.Duration, opts ...kgo.Opt) (*member, error) {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.Bootstrap()...), kgo.DisableClientMetrics(),
		kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit()}, opts...)...)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{cl: cl, cancel: cancel, done: make(chan struct{})}
	go m.consume(ctx, delay)
	return m, nil
}

func (m *member) consume(ctx context.Context, delay time.Duration) {
	defer close(m.done)
	for ctx.Err() == nil {
		var fs kgo.Fetches
		if delay > 0 {
			fs = m.cl.PollRecords(ctx, 1)
		} else {
			fs = m.cl.PollFetches(ctx)
		}
		if fs.IsClientClosed() || ctx.Err() != nil {
			return
		}
		recs := fs.Records()
		for range recs {
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
		}
		if len(recs) > 0 {
			_ = m.cl.CommitRecords(ctx, recs...) // a failed commit is retried by the next one
		}
	}
}

// Stop stops processing and committing and returns when it has; the
// client stays in the group (franz-go heartbeats in the background), as a
// consumer stuck in its processing does.
func (m *member) Stop() {
	m.cancel()
	<-m.done
}

// Close stops the member and leaves the group: franz-go sends LeaveGroup,
// and Kafka 4.1 empties a one-member group at once (measured: the group is
// Empty when Close returns, some 40 ms later).
func (m *member) Close() {
	m.closeOnce.Do(func() {
		m.Stop()
		m.cl.Close()
	})
}

// churn makes group rebalance again and again, as a consumer in a crash
// loop does: a member joins, gets its partitions, stays about a second and
// leaves, and a new one (a new member id) takes its place, until stop is
// called. Each leave empties the group and each join fills it, so the
// group is rarely caught mid-rebalance (measured on Kafka 4.1: Stable in
// 94 of 100 polls, Empty 4, CompletingRebalance 1), and two looks a second
// or more apart see different member ids.
func churn(t *testing.T, c *kafkatest.Cluster, group, topic string) (stop func()) {
	t.Helper()
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			assigned := make(chan struct{}, 1)
			m, err := newMember(c, group, topic, 0, kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) {
				select {
				case assigned <- struct{}{}:
				default:
				}
			}))
			if err != nil {
				t.Errorf("churn: %v", err)
				return
			}
			select {
			case <-assigned:
			case <-time.After(10 * time.Second):
			}
			select {
			case <-quit:
				m.Close()
				return
			case <-time.After(time.Second): // how long a crash-looping consumer lives
			}
			m.Close()
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(quit); <-done }) }
	t.Cleanup(stop)
	return stop
}

// adminOf is a sarama admin client of the cluster, closed when the test
// ends: for the test's own view of committed offsets and its setup, not
// the product's.
func adminOf(t *testing.T, c *kafkatest.Cluster) sarama.ClusterAdmin {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(c.Bootstrap(), kafkatest.NewSaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return admin
}

// committed returns group's committed offset on topic/partition, -1 when
// it has none (OffsetFetch through sarama).
func committed(t *testing.T, admin sarama.ClusterAdmin, group, topic string, partition int32) int64 {
	t.Helper()
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {partition}})
	if err != nil {
		t.Logf("OffsetFetch %s: %v", group, err)
		return -1
	}
	if b := resp.GetBlock(topic, partition); b != nil && b.Err == sarama.ErrNoError {
		return b.Offset
	}
	return -1
}

// deleteGroups deletes the groups once their members have left, so that
// the next subtest's triage starts from a cluster without them.
func deleteGroups(t *testing.T, admin sarama.ClusterAdmin, groups ...string) {
	t.Helper()
	for _, g := range groups {
		eventually(t, 30*time.Second, "group "+g+" to be deleted", func() bool {
			err := admin.DeleteConsumerGroup(g)
			if err != nil {
				t.Logf("deleting group %s: %v", g, err)
			}
			return err == nil || errors.Is(err, sarama.ErrGroupIDNotFound)
		})
	}
}

// setTopicConfigs sets topic configs as kafka-configs.sh --alter
// --add-config does (IncrementalAlterConfigs SET).
func setTopicConfigs(t *testing.T, admin sarama.ClusterAdmin, topic string, configs map[string]string) {
	t.Helper()
	entries := map[string]sarama.IncrementalAlterConfigsEntry{}
	for k, v := range configs {
		entries[k] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v}
	}
	if err := admin.IncrementalAlterConfig(sarama.TopicResource, topic, entries, false); err != nil {
		t.Fatalf("setting %v on %s: %v", configs, topic, err)
	}
}
