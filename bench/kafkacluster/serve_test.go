//go:build kafkabench

package kafkacluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// load is the size of the loaded cluster, from the environment.
type load struct {
	topics, partitions, rf, groups, records int
}

func loadFromEnv(t *testing.T) load {
	get := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number", name, v)
		}
		return n
	}
	return load{
		topics:     get("KRB_BENCH_TOPICS", 100),
		partitions: get("KRB_BENCH_PARTITIONS", 50),
		rf:         get("KRB_BENCH_RF", 2),
		groups:     get("KRB_BENCH_GROUPS", 500),
		records:    get("KRB_BENCH_RECORDS", 20),
	}
}

// TestServe starts and loads a cluster, then serves it until told to stop.
func TestServe(t *testing.T) {
	state := os.Getenv("KRB_BENCH_STATE")
	if state == "" {
		t.Skip("KRB_BENCH_STATE is not set: this test is started by bench/compare.sh")
	}
	l := loadFromEnv(t)
	began := time.Now()
	// Generous timeouts: the machine has two cores, and the comparison's
	// JVMs must not get a broker fenced or a follower dropped by accident.
	c := kafkatest.Start(t, kafkatest.Options{
		SessionTimeout:    8 * time.Second,
		ReplicaLagTimeMax: 8 * time.Second,
		StartTimeout:      3 * time.Minute,
		Properties: map[string]string{
			// Each replica fetcher's long poll names every partition it
			// follows, and completed polls stay watched until a purge: with
			// thousands of partitions per broker and the default interval
			// of 1000 requests that is half a million objects, and a
			// 384 MB broker heap spends a quarter of its time in full GCs
			// (250-330 ms pauses every 1.2 s), which then dominate every
			// tool's latency.
			"fetch.purgatory.purge.interval.requests": "50",
		},
	})
	seeds := c.Bootstrap()
	cfg := kafkatest.NewSaramaConfig()
	cfg.Net.ReadTimeout = time.Minute
	cfg.Admin.Timeout = time.Minute
	client, err := sarama.NewClient(seeds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	names := make([]string, l.topics)
	for i := range names {
		names[i] = fmt.Sprintf("bench-%03d", i)
	}
	createTopics(t, client, names, l)
	produce(t, client, names, l)
	commit(t, client, names, l)
	t.Logf("loaded %d partitions (RF %d), %d records each, %d groups in %s",
		l.topics*l.partitions, l.rf, l.records, l.groups, time.Since(began).Round(time.Second))

	env := fmt.Sprintf("BOOTSTRAP=%s\nLIBS=%s\nN_PARTITIONS=%d\nN_RF=%d\nN_GROUPS=%d\nN_BROKERS=%d\n",
		strings.Join(seeds, ","), c.LibsDir(), l.topics*l.partitions, l.rf, l.groups, len(c.BrokerIDs()))
	writeFile(t, filepath.Join(state, "cluster.env"), env)
	for {
		switch {
		case exists(filepath.Join(state, "stop")):
			return
		case exists(filepath.Join(state, "kill")) && !exists(filepath.Join(state, "killed")):
			c.Kill(t, 3)
			writeFile(t, filepath.Join(state, "killed"), "3\n")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// createTopics creates every topic in one CreateTopics request and waits
// until every partition has a leader.
func createTopics(t *testing.T, client sarama.Client, names []string, l load) {
	broker, err := client.Controller()
	if err != nil {
		t.Fatal(err)
	}
	req := &sarama.CreateTopicsRequest{Version: 5, Timeout: time.Minute, TopicDetails: map[string]*sarama.TopicDetail{}}
	for _, n := range names {
		req.TopicDetails[n] = &sarama.TopicDetail{NumPartitions: int32(l.partitions), ReplicationFactor: int16(l.rf)}
	}
	resp, err := broker.CreateTopics(req)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range resp.TopicErrors {
		if e.Err != sarama.ErrNoError && e.Err != sarama.ErrTopicAlreadyExists {
			t.Fatalf("creating %s: %v", name, e.Err)
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		err := allInSync(client, names, l.partitions, l.rf)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("topics not ready: %v", err)
		}
		time.Sleep(time.Second)
	}
}

// allInSync reports whether every partition has a leader and a full ISR:
// until then acks=all writes fail with NOT_ENOUGH_REPLICAS.
func allInSync(client sarama.Client, names []string, partitions, rf int) error {
	if err := client.RefreshMetadata(names...); err != nil {
		return err
	}
	for _, n := range names {
		ps, err := client.Partitions(n)
		if err != nil {
			return err
		}
		if len(ps) != partitions {
			return fmt.Errorf("%s has %d of %d partitions", n, len(ps), partitions)
		}
		for _, p := range ps {
			if leader, err := client.Leader(n, p); err != nil || leader == nil {
				return fmt.Errorf("%s/%d has no leader yet", n, p)
			}
			if isr, err := client.InSyncReplicas(n, p); err != nil || len(isr) < rf {
				return fmt.Errorf("%s/%d has %d of %d replicas in sync", n, p, len(isr), rf)
			}
		}
	}
	return nil
}

// produce writes l.records records to every partition.
func produce(t *testing.T, client sarama.Client, names []string, l load) {
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	var batch []*sarama.ProducerMessage
	flush := func() {
		// Leaders still settling refuse some writes: send those again.
		for range 20 {
			err := producer.SendMessages(batch)
			var perrs sarama.ProducerErrors
			if err == nil {
				batch = batch[:0]
				return
			}
			if !errors.As(err, &perrs) {
				t.Fatalf("producing: %v", err)
			}
			batch = batch[:0]
			for _, pe := range perrs {
				batch = append(batch, &sarama.ProducerMessage{Topic: pe.Msg.Topic, Partition: pe.Msg.Partition, Value: pe.Msg.Value})
			}
			time.Sleep(500 * time.Millisecond)
		}
		t.Fatalf("producing: %d messages still refused", len(batch))
	}
	for _, n := range names {
		for p := range l.partitions {
			for range l.records {
				batch = append(batch, &sarama.ProducerMessage{Topic: n, Partition: int32(p), Value: sarama.StringEncoder("x")})
			}
			if len(batch) >= 10_000 {
				flush()
			}
		}
	}
	if len(batch) > 0 {
		flush()
	}
}

// commit makes l.groups groups, group i committed on every partition of
// topic i mod topics at half the records, so each has lag.
func commit(t *testing.T, client sarama.Client, names []string, l load) {
	var wg sync.WaitGroup
	errs := make(chan error, l.groups)
	sem := make(chan struct{}, 8)
	for g := range l.groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			group := fmt.Sprintf("bench-group-%04d", g)
			topic := names[g%len(names)]
			var err error
			for range 50 {
				if err = commitGroup(client, group, topic, l); err == nil {
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
			errs <- fmt.Errorf("%s: %w", group, err)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func commitGroup(client sarama.Client, group, topic string, l load) error {
	coord, err := client.Coordinator(group)
	if err != nil {
		return err
	}
	req := sarama.NewOffsetCommitRequest(client.Config(), group)
	for p := range l.partitions {
		req.AddBlockWithLeaderEpoch(topic, int32(p), int64(l.records/2), -1, sarama.ReceiveTime, "")
	}
	resp, err := coord.CommitOffset(req)
	if err != nil {
		_ = client.RefreshCoordinator(group)
		return err
	}
	for _, parts := range resp.Errors {
		for _, kerr := range parts {
			if kerr != sarama.ErrNoError {
				_ = client.RefreshCoordinator(group)
				return kerr
			}
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

func writeFile(t *testing.T, path, content string) {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
