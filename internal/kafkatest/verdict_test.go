package kafkatest

import (
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestVerdictFaults proves, on one cluster, the faults the verdict tests build on: a broker
// that answers Metadata but hangs on other APIs, and a broker cut off the controller that is
// fenced while it still serves. The subtests run in this order and each leaves the cluster
// healthy for the next.
func TestVerdictFaults(t *testing.T) {
	c := Start(t, Options{ControllerProxies: true, ProxiedBrokers: []int32{3}})
	t.Run("hang", func(t *testing.T) { testHang(t, c) })
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
