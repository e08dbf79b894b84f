package sim

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// startDemo serves the embedded demo playbook for one test.
func startDemo(t *testing.T) (*Cluster, *Scenario) {
	t.Helper()
	sc, err := Load(playbooks.FS(), "demo-broker-down.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return startScenario(t, sc), sc
}

func startScenario(t *testing.T, sc *Scenario) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Start(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// dial opens a raw sarama broker connection, the way the tool's live path
// talks to each broker.
func dial(t *testing.T, addr string) *sarama.Broker {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0
	cfg.Net.DialTimeout = time.Second
	cfg.Net.ReadTimeout = 2 * time.Second
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// dialID dials scenario broker id.
func dialID(t *testing.T, c *Cluster, id int32) *sarama.Broker {
	t.Helper()
	addr, ok := c.Addr(id)
	if !ok {
		t.Fatalf("no broker %d", id)
	}
	return dial(t, addr)
}

func TestDemoStartsQuickly(t *testing.T) {
	sc, err := Load(playbooks.FS(), "demo-broker-down.yaml")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, err := Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Start took %v; the demo must start in well under a second", d)
	}
	if got := len(c.Bootstrap()); got != 2 {
		t.Errorf("Bootstrap has %d addresses, want the 2 up brokers", got)
	}
}

func TestDemoMetadata(t *testing.T) {
	c, sc := startDemo(t)
	for _, addr := range c.Bootstrap() {
		resp, err := dial(t, addr).GetMetadata(sarama.NewMetadataRequest(sarama.V4_0_0_0, nil))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int32
		for _, b := range resp.Brokers {
			ids = append(ids, b.ID())
			if want, _ := c.Addr(b.ID()); b.Addr() != want {
				t.Errorf("broker %d at %s, want %s", b.ID(), b.Addr(), want)
			}
		}
		if !slices.Equal(ids, []int32{1, 2}) {
			t.Errorf("%s: brokers %v, want [1 2] (3 is down)", addr, ids)
		}
		if resp.ControllerID != 1 || resp.ClusterID == nil || *resp.ClusterID != sc.ClusterID {
			t.Errorf("controller %d cluster %v", resp.ControllerID, resp.ClusterID)
		}
		checkTopics(t, sc, resp.Topics)
	}
}

// checkTopics compares served metadata with the scenario file itself, not
// with the resolved model, so the whole pipeline is under test.
func checkTopics(t *testing.T, sc *Scenario, topics []*sarama.TopicMetadata) {
	t.Helper()
	served := map[string]*sarama.TopicMetadata{}
	for _, tm := range topics {
		served[tm.Name] = tm
	}
	if len(served) != len(sc.Topics) {
		t.Fatalf("%d topics served, want %d", len(served), len(sc.Topics))
	}
	for _, st := range sc.Topics {
		tm := served[st.Name]
		if tm == nil {
			t.Fatalf("topic %s not served", st.Name)
		}
		if tm.IsInternal != (st.Name == "__consumer_offsets") {
			t.Errorf("%s internal=%v", st.Name, tm.IsInternal)
		}
		if st.PartitionCount > 0 {
			if len(tm.Partitions) != st.PartitionCount {
				t.Errorf("%s: %d partitions, want %d", st.Name, len(tm.Partitions), st.PartitionCount)
			}
			continue
		}
		for _, sp := range st.Partitions {
			pm := tm.Partitions[sp.Partition]
			wantErr := sarama.ErrNoError
			var offline []int32
			for _, r := range sp.Replicas {
				if r == 3 {
					offline = append(offline, r)
				}
			}
			if *sp.Leader == -1 {
				wantErr = sarama.ErrLeaderNotAvailable
			}
			if pm.ID != sp.Partition || pm.Leader != *sp.Leader || pm.LeaderEpoch != sp.LeaderEpoch ||
				!slices.Equal(pm.Replicas, sp.Replicas) || !slices.Equal(pm.Isr, sp.ISR) ||
				!slices.Equal(pm.OfflineReplicas, offline) || pm.Err != wantErr {
				t.Errorf("%s/%d served %+v, want %+v offline %v err %v", st.Name, sp.Partition, *pm, sp, offline, wantErr)
			}
		}
	}
}

func TestDemoGeneratedInternalTopic(t *testing.T) {
	c, _ := startDemo(t)
	resp, err := dialID(t, c, 2).GetMetadata(sarama.NewMetadataRequest(sarama.V4_0_0_0, []string{"__consumer_offsets"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range resp.Topics[0].Partitions {
		// Round-robin from broker 1; partitions preferring broker 3 moved
		// to the next replica with a bumped epoch.
		wantLeader, wantEpoch := []int32{1, 2, 1}[p.ID%3], []int32{0, 0, 1}[p.ID%3]
		if p.Leader != wantLeader || p.LeaderEpoch != wantEpoch || len(p.Replicas) != 3 ||
			len(p.Isr) != 2 || slices.Contains(p.Isr, 3) || !slices.Equal(p.OfflineReplicas, []int32{3}) {
			t.Errorf("__consumer_offsets/%d: %+v", p.ID, *p)
		}
	}
}

func TestDemoDescribeCluster(t *testing.T) {
	c, _ := startDemo(t)
	b := dialID(t, c, 1)
	resp, err := b.DescribeCluster(sarama.NewDescribeClusterRequest(sarama.V4_0_0_0))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Version != 2 || resp.ControllerID != 1 || len(resp.Brokers) != 3 {
		t.Fatalf("v%d controller %d brokers %d", resp.Version, resp.ControllerID, len(resp.Brokers))
	}
	racks := map[int32]string{1: "eu-west-1a", 2: "eu-west-1b", 3: "eu-west-1c"}
	for _, db := range resp.Brokers {
		addr, _ := c.Addr(db.BrokerID)
		if db.IsFenced != (db.BrokerID == 3) || db.Rack == nil || *db.Rack != racks[db.BrokerID] ||
			net.JoinHostPort(db.Host, itoa(db.Port)) != addr {
			t.Errorf("broker %+v", *db)
		}
	}
	req := sarama.NewDescribeClusterRequest(sarama.V4_0_0_0)
	req.IncludeFencedBrokers = false
	resp, err = b.DescribeCluster(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Brokers) != 2 {
		t.Errorf("without fenced brokers: %d brokers, want 2", len(resp.Brokers))
	}
}

func TestDownBrokerRefusesConnections(t *testing.T) {
	c, _ := startDemo(t)
	addr, _ := c.Addr(3)
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("broker 3 (down) accepted a connection at %s", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dialing broker 3: %v, want connection refused", err)
	}
	if slices.Contains(c.Bootstrap(), addr) {
		t.Errorf("Bootstrap lists the down broker")
	}
}

func TestDemoOffsets(t *testing.T) {
	c, sc := startDemo(t)
	for _, st := range sc.Topics {
		for _, sp := range st.Partitions {
			earliest, latest := sp.bounds()
			leader := *sp.Leader
			if leader == -1 {
				leader = 1 // any live broker: none leads an offline partition
			}
			b := dialID(t, c, leader)
			for ts, want := range map[int64]int64{sarama.OffsetOldest: earliest, sarama.OffsetNewest: latest} {
				req := sarama.NewOffsetRequest(sarama.V4_0_0_0)
				req.AddBlock(st.Name, sp.Partition, ts, 1)
				resp, err := b.GetAvailableOffsets(req)
				if err != nil {
					t.Fatal(err)
				}
				blk := resp.GetBlock(st.Name, sp.Partition)
				if *sp.Leader == -1 {
					if blk.Err != sarama.ErrNotLeaderForPartition {
						t.Errorf("%s/%d offline: %v, want NOT_LEADER_OR_FOLLOWER", st.Name, sp.Partition, blk.Err)
					}
					continue
				}
				if blk.Err != sarama.ErrNoError || blk.Offset != want || blk.LeaderEpoch != sp.LeaderEpoch {
					t.Errorf("%s/%d ts %d: offset %d epoch %d err %v, want %d epoch %d",
						st.Name, sp.Partition, ts, blk.Offset, blk.LeaderEpoch, blk.Err, want, sp.LeaderEpoch)
				}
			}
		}
	}
}

func TestListOffsetsAtNonLeader(t *testing.T) {
	c, _ := startDemo(t)
	req := sarama.NewOffsetRequest(sarama.V4_0_0_0)
	req.AddBlock("orders", 1, sarama.OffsetNewest, 1) // led by 2
	resp, err := dialID(t, c, 1).GetAvailableOffsets(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.GetBlock("orders", 1).Err; err != sarama.ErrNotLeaderForPartition {
		t.Errorf("ListOffsets at a follower: %v, want NOT_LEADER_OR_FOLLOWER", err)
	}
}

func TestCloseFreesPorts(t *testing.T) {
	sc, err := Load(playbooks.FS(), "demo-broker-down.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, id := range c.BrokerIDs() {
		a, _ := c.Addr(id)
		addrs = append(addrs, a)
	}
	dial(t, addrs[0]) // leave a live connection behind
	c.Close()
	c.Close()
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("after Close, %s is still taken: %v", a, err)
			continue
		}
		ln.Close()
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
