package kafkatest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestVerdictFaults proves, on one cluster, the faults the verdict tests build on: a broker
// that answers Metadata but hangs on other APIs, a KIP-848 consumer group with its lag per
// partition, a throttled reassignment whose new replica stays out of the ISR, and a broker cut
// off the controller that is fenced while it still serves. The subtests run in this order and
// each leaves the cluster healthy for the next.
func TestVerdictFaults(t *testing.T) {
	c := Start(t, Options{ControllerProxies: true, ProxiedBrokers: []int32{3}})
	t.Run("hang", func(t *testing.T) { testHang(t, c) })
	t.Run("kip848", func(t *testing.T) { testKIP848Consumer(t, c) })
	t.Run("reassign", func(t *testing.T) { testThrottledReassignment(t, c) })
	t.Run("fenced", func(t *testing.T) { testFencedButServing(t, c) })
}

// testHang: broker 3's proxy answers Metadata and swallows DescribeConfigs, DescribeLogDirs
// and OffsetFetch, as a broker stuck on its disk or request queue would.
func testHang(t *testing.T, c *Cluster) {
	p := c.BrokerProxy(3)
	p.Hang(HangAPIs(32, 35, 9))
	defer p.Hang(nil)
	metadata := func() error {
		_, err := ask(p.Addr(), probeTimeout, func(b *sarama.Broker, cfg *sarama.Config) (*sarama.MetadataResponse, error) {
			return b.GetMetadata(sarama.NewMetadataRequest(cfg.Version, nil))
		})
		return err
	}
	describeConfigs := func() error {
		_, err := ask(p.Addr(), 3*time.Second, func(b *sarama.Broker, _ *sarama.Config) (*sarama.DescribeConfigsResponse, error) {
			return b.DescribeConfigs(&sarama.DescribeConfigsRequest{Version: 4,
				Resources: []*sarama.ConfigResource{{Type: sarama.BrokerResource, Name: "3"}}})
		})
		return err
	}
	if err := metadata(); err != nil {
		t.Fatalf("Metadata through the hanging proxy: %v", err)
	}
	began := time.Now()
	if err := describeConfigs(); err == nil {
		t.Fatal("DescribeConfigs through the hanging proxy was answered")
	}
	t.Logf("DescribeConfigs through the proxy: no answer, gave up after %s", time.Since(began).Round(time.Millisecond))
	if err := metadata(); err != nil {
		t.Errorf("Metadata on a new connection after a hung DescribeConfigs: %v", err)
	}
	hung := slices.ContainsFunc(p.Requests(), func(r Request) bool { return r.APIKey == 32 && r.Hung })
	if !hung {
		t.Errorf("the proxy recorded no hung DescribeConfigs: %+v", p.Requests())
	}
	p.Hang(nil)
	if err := describeConfigs(); err != nil {
		t.Errorf("DescribeConfigs after Hang(nil): %v", err)
	}
}

// testKIP848Consumer: a real Java consumer on the consumer protocol reads three partitions;
// the group becomes Stable with type "consumer", and kafka-consumer-groups.sh shows lag 0 on
// every partition once it has committed.
func testKIP848Consumer(t *testing.T, c *Cluster) {
	c.CreateTopic(t, "kip848", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	for p := range int32(3) {
		c.Produce(t, "kip848", p, 20)
	}
	began := time.Now()
	cons := c.StartConsumer(t, "kip848-group", "kip848", ProtocolConsumer)
	defer cons.Kill()
	g := c.WaitGroupStable(t, "kip848-group")
	t.Logf("group %s %s (type %s, coordinator %d) %s after the consumer started", g.Group, g.State, g.Type,
		g.Coordinator, time.Since(began).Round(time.Millisecond))
	if g.Type != ProtocolConsumer {
		t.Errorf("group type %q, want %q (KIP-848)", g.Type, ProtocolConsumer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var rows []GroupOffset
	WaitFor(t, time.Minute, "lag 0 on all three partitions", func() bool {
		var err error
		if rows, err = c.ConsumerGroupsDescribe(ctx, "kip848-group"); err != nil {
			t.Logf("describe: %v", err)
			return false
		}
		return len(rows) == 3 && !slices.ContainsFunc(rows, func(r GroupOffset) bool {
			return r.Lag != 0 || r.CurrentOffset != 20 || r.LogEndOffset != 20 || r.ConsumerID == ""
		})
	})
	t.Logf("kafka-consumer-groups.sh --describe: %+v", rows)
}

// testThrottledReassignment: a 3 MiB partition reassigned from [1 2] to [1 2 3] under a
// 10 kB/s throttle keeps broker 3 as an adding replica outside the ISR; cancelling puts the
// partition back and removes the throttle.
func testThrottledReassignment(t *testing.T, c *Cluster) {
	c.CreateTopic(t, "moving", [][]int32{{1, 2}}, nil)
	c.ProduceSized(t, "moving", 0, 48, 64<<10)
	c.Reassign(t, "moving", 0, []int32{1, 2, 3}, 10_000)
	admin, err := sarama.NewClusterAdmin(c.Bootstrap(), NewSaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	status, err := admin.ListPartitionReassignments("moving", []int32{0})
	if err != nil {
		t.Fatal(err)
	}
	if st := status["moving"][0]; st == nil || !slices.Equal(st.AddingReplicas, []int32{3}) {
		t.Fatalf("ListPartitionReassignments: %+v, want broker 3 adding", st)
	}
	if got := dynamicConfig(t, admin, sarama.BrokerResource, "1", "leader.replication.throttled.rate"); got != "10000" {
		t.Errorf("broker 1 leader.replication.throttled.rate = %q, want 10000", got)
	}
	if got := dynamicConfig(t, admin, sarama.TopicResource, "moving", "follower.replication.throttled.replicas"); got != "0:3" {
		t.Errorf("moving follower.replication.throttled.replicas = %q, want 0:3", got)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		p := c.Metadata(t, "moving").Topics[0].Partitions[0]
		if !slices.Contains(p.Replicas, 3) || slices.Contains(p.Isr, 3) {
			t.Fatalf("moving-0 replicas %v isr %v: want 3 a replica outside the ISR", p.Replicas, p.Isr)
		}
	}
	c.CancelReassignments(t)
	WaitFor(t, 30*time.Second, "moving-0 back on [1 2]", func() bool {
		return slices.Equal(c.Metadata(t, "moving").Topics[0].Partitions[0].Replicas, []int32{1, 2})
	})
	if got := dynamicConfig(t, admin, sarama.BrokerResource, "1", "leader.replication.throttled.rate"); got != "" {
		t.Errorf("broker 1 keeps the throttle %s after CancelReassignments", got)
	}
}

// dynamicConfig is a config set on the resource itself (not a default), "" if none is.
func dynamicConfig(t *testing.T, admin sarama.ClusterAdmin, typ sarama.ConfigResourceType, name, key string) string {
	t.Helper()
	res, err := admin.DescribeConfigs([]*sarama.ConfigResource{{Type: typ, Name: name, ConfigNames: []string{key}}},
		sarama.DescribeConfigsOptions{})
	if err == nil && res[0].ErrorCode != sarama.ErrNoError {
		err = res[0].ErrorCode
	}
	if err != nil {
		t.Fatalf("DescribeConfigs %s: %v", name, err)
	}
	for _, e := range res[0].Configs {
		if e.Name == key && (e.Source == sarama.SourceDynamicBroker || e.Source == sarama.SourceTopic) {
			return e.Value
		}
	}
	return ""
}

// testFencedButServing: broker 3, cut off the controller, is fenced (DescribeCluster v2 from
// broker 1 says so) while it still answers Metadata from its stale image.
func testFencedButServing(t *testing.T, c *Cluster) {
	c.IsolateFromController(t, 3)
	began := time.Now()
	WaitFor(t, 30*time.Second, "broker 1 to report broker 3 fenced", func() bool {
		return fenced(t, c, 3)
	})
	t.Logf("broker 3 fenced %s after its isolation", time.Since(began).Round(time.Millisecond))
	md, err := c.BrokerMetadata(3)
	if err != nil {
		t.Fatalf("isolated broker 3 does not answer Metadata: %v", err)
	}
	var listed []int32
	for _, b := range md.Brokers {
		listed = append(listed, b.ID())
	}
	t.Logf("isolated broker 3 answers Metadata listing brokers %v", listed)
	c.Reconnect(t, 3)
	if fenced(t, c, 3) {
		t.Errorf("broker 3 still fenced after Reconnect")
	}
}

// fenced says whether broker 1's DescribeCluster v2 lists broker id as fenced.
func fenced(t *testing.T, c *Cluster, id int32) bool {
	resp, err := c.DescribeCluster(1)
	if err != nil {
		t.Fatalf("DescribeCluster from broker 1: %v", err)
	}
	for _, b := range resp.Brokers {
		if b.BrokerID == id {
			return b.IsFenced
		}
	}
	t.Fatalf("DescribeCluster from broker 1 does not list broker %d", id)
	return false
}
