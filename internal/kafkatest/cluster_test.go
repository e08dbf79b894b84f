package kafkatest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

func partition(t *testing.T, md *sarama.MetadataResponse, topic string, id int32) *sarama.PartitionMetadata {
	t.Helper()
	for _, tm := range md.Topics {
		if tm.Name != topic {
			continue
		}
		for _, p := range tm.Partitions {
			if p.ID == id {
				return p
			}
		}
	}
	t.Fatalf("metadata has no partition %s-%d", topic, id)
	return nil
}

func brokers(md *sarama.MetadataResponse) []int32 {
	var ids []int32
	for _, b := range md.Brokers {
		ids = append(ids, b.ID())
	}
	slices.Sort(ids)
	return ids
}

// TestKillAndRestart drives the broker-failure runbook's setting: a killed broker is fenced,
// leaves every ISR, takes its single-replica partition offline, and rejoins after a restart.
func TestKillAndRestart(t *testing.T) {
	began := time.Now()
	c := kafkatest.Start(t, kafkatest.Options{})
	t.Logf("startup took %s", time.Since(began).Round(time.Millisecond))

	orders := [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}
	c.CreateTopic(t, "orders", orders, nil)
	c.CreateTopic(t, "single", [][]int32{{2}}, map[string]string{"retention.ms": "3600000"})
	md := c.Metadata(t, "orders", "single")
	for i, want := range orders {
		p := partition(t, md, "orders", int32(i))
		if !slices.Equal(p.Replicas, want) || p.Leader != want[0] {
			t.Errorf("orders-%d: replicas %v leader %d, want replicas %v led by %d", i, p.Replicas, p.Leader, want, want[0])
		}
	}
	if last := c.Produce(t, "orders", 0, 100); last != 99 {
		t.Errorf("last offset of 100 records = %d, want 99", last)
	}
	if last := c.Produce(t, "single", 0, 10); last != 9 {
		t.Errorf("last offset of 10 records = %d, want 9", last)
	}
	c.CommitOffset(t, "audit", "orders", 0, 40)
	checkTools(t, c)

	killed := time.Now()
	c.Kill(t, 2)
	kafkatest.WaitFor(t, 20*time.Second, "broker 2 fenced, out of every ISR, single-0 offline", func() bool {
		md := c.Metadata(t, "orders", "single")
		for i := range orders {
			if slices.Contains(partition(t, md, "orders", int32(i)).Isr, 2) {
				return false
			}
		}
		return !slices.Contains(brokers(md), 2) && partition(t, md, "single", 0).Leader == -1
	})
	md = c.Metadata(t, "orders", "single")
	single := partition(t, md, "single", 0)
	t.Logf("after kill (%s): brokers %v; orders-1 leader %d isr %v; single-0 leader %d isr %v offline %v err %v",
		time.Since(killed).Round(time.Millisecond), brokers(md), partition(t, md, "orders", 1).Leader,
		partition(t, md, "orders", 1).Isr, single.Leader, single.Isr, single.OfflineReplicas, single.Err)
	// ELR is on in a 4.1 format: the last replica moves from the ISR to the ELR, which only
	// DescribeTopicPartitions shows. TestPauseShrinksISR pins the pre-ELR behaviour.
	if len(single.Isr) != 0 || single.Err != sarama.ErrLeaderNotAvailable {
		t.Errorf("offline single-0 with ELR: isr %v err %v, want [] and LEADER_NOT_AVAILABLE", single.Isr, single.Err)
	}

	c.Restart(t, 2)
	kafkatest.WaitFor(t, 30*time.Second, "broker 2 back in every ISR and leading single-0", func() bool {
		md := c.Metadata(t, "orders", "single")
		for i := range orders {
			if len(partition(t, md, "orders", int32(i)).Isr) != 3 {
				return false
			}
		}
		return partition(t, md, "single", 0).Leader == 2
	})
	// auto.leader.rebalance.enable=false: leadership stays where the failover put it until a
	// preferred election, which is what the runbook's "then elect preferred leaders" is for.
	if l := partition(t, c.Metadata(t, "orders"), "orders", 1).Leader; l == 2 {
		t.Errorf("orders-1 leader moved back to its preferred leader 2 without an election")
	}
	if last := c.Produce(t, "single", 0, 1); last != 10 {
		t.Errorf("offset after restart = %d, want 10 (no data lost on a clean restart)", last)
	}
}

// checkTools runs Kafka's own CLI against the cluster: the product's findings get compared
// with these tools' output.
func checkTools(t *testing.T, c *kafkatest.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, stderr, err := c.RunTool(ctx, "org.apache.kafka.tools.TopicCommand",
		"--bootstrap-server", c.Bootstrap()[0], "--describe", "--topic", "orders")
	if err != nil {
		t.Fatalf("TopicCommand: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "Topic: orders") || !strings.Contains(out, "ReplicationFactor: 3") {
		t.Errorf("TopicCommand --describe output lacks the topic:\n%s", out)
	}
	out, stderr, err = c.RunTool(ctx, "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
		"--bootstrap-server", c.Bootstrap()[0], "--describe", "--group", "audit")
	if err != nil {
		t.Fatalf("ConsumerGroupCommand: %v\n%s", err, stderr)
	}
	// GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
	found := false
	for line := range strings.Lines(out) {
		if f := strings.Fields(line); len(f) >= 6 && f[0] == "audit" && f[1] == "orders" && f[2] == "0" {
			found = true
			if f[3] != "40" || f[4] != "100" || f[5] != "60" {
				t.Errorf("group audit on orders-0: committed %s, end %s, lag %s; want 40, 100, 60", f[3], f[4], f[5])
			}
		}
	}
	if !found {
		t.Errorf("ConsumerGroupCommand --describe shows no committed offset for orders-0:\n%s", out)
	}
}

// TestPauseShrinksISR drives the ISR-shrink runbook's setting: a SIGSTOPped follower drops out
// of the ISR while it stays registered (long session timeout), and rejoins once resumed.
func TestPauseShrinksISR(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{
		SessionTimeout: time.Minute,
		Features:       map[string]int{"eligible.leader.replicas.version": 0},
		LogDirs:        2,
	})
	for _, dir := range c.LogDirs(1) {
		if _, err := os.Stat(filepath.Join(dir, "meta.properties")); err != nil {
			t.Errorf("log dir %s not formatted: %v", dir, err)
		}
	}
	if n := len(c.LogDirs(1)); n != 2 {
		t.Errorf("broker 1 has %d log dirs, want 2", n)
	}
	c.CreateTopic(t, "paused", [][]int32{{1, 2, 3}}, nil)
	c.CreateTopic(t, "lonely", [][]int32{{3}}, nil)

	// The leader only drops a follower that falls behind, so keep writing; acks=1 so that
	// writes never wait for the paused follower.
	ctx, stop := context.WithCancel(context.Background())
	var acked, failed atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		cfg := kafkatest.NewSaramaConfig()
		cfg.Producer.RequiredAcks = sarama.WaitForLocal
		p, err := sarama.NewSyncProducer([]string{c.BrokerAddr(1)}, cfg)
		if err != nil {
			t.Errorf("producer: %v", err)
			return
		}
		defer p.Close()
		for ctx.Err() == nil {
			if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "paused", Partition: 0, Value: sarama.StringEncoder("x")}); err != nil {
				failed.Add(1)
			} else {
				acked.Add(1)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	defer func() { stop(); <-done }()

	paused := time.Now()
	c.Pause(t, 3)
	kafkatest.WaitFor(t, 20*time.Second, "paused-0 ISR without broker 3", func() bool {
		return !slices.Contains(partition(t, c.Metadata(t, "paused"), "paused", 0).Isr, 3)
	})
	t.Logf("ISR shrank %s after SIGSTOP", time.Since(paused).Round(time.Millisecond))
	if md := c.Metadata(t); !slices.Contains(brokers(md), 3) {
		t.Errorf("paused broker 3 left the metadata (brokers %v) despite the 1-minute session timeout", brokers(md))
	}
	if _, err := c.BrokerMetadata(3); err == nil {
		t.Errorf("paused broker 3 answered Metadata")
	}

	c.Resume(t, 3)
	kafkatest.WaitFor(t, 30*time.Second, "broker 3 back in the ISR of paused-0", func() bool {
		return slices.Contains(partition(t, c.Metadata(t, "paused"), "paused", 0).Isr, 3)
	})
	stop()
	<-done
	t.Logf("acks=1 producer: %d acknowledged, %d failed", acked.Load(), failed.Load())
	if acked.Load() == 0 {
		t.Errorf("no write was acknowledged during the pause")
	}

	// Controlled shutdown unregisters at once, whatever the session timeout.
	c.Stop(t, 3)
	kafkatest.WaitFor(t, 10*time.Second, "broker 3 out of the metadata after a graceful stop", func() bool {
		return !slices.Contains(brokers(c.Metadata(t)), 3)
	})
	// Without ELR an offline partition keeps its last ISR member: the broker that must return.
	kafkatest.WaitFor(t, 10*time.Second, "lonely-0 offline with isr [3]", func() bool {
		p := partition(t, c.Metadata(t, "lonely"), "lonely", 0)
		return p.Leader == -1 && slices.Equal(p.Isr, []int32{3})
	})
}
