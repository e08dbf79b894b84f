package collect

import (
	"context"
	"maps"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// brokerInfo accumulates what the sources say of one broker id.
type brokerInfo struct {
	snapshot.Broker
}

// metadata reads cluster metadata and DescribeCluster from the seed, falling
// back to the other answering seeds, and fills brokers and topics.
func (c *collector) metadata(ctx context.Context, seed *conn) {
	candidates := []*conn{seed}
	for _, addr := range c.opts.Bootstrap {
		if cn := c.pool.get(ctx, addr); cn != seed {
			candidates = append(candidates, cn)
		}
	}
	var md *sarama.MetadataResponse
	var from *conn
	for _, cn := range candidates {
		if !cn.wait(ctx) {
			continue
		}
		start := time.Now()
		resp, err := c.askMetadata(ctx, cn)
		if err != nil {
			c.record(snapshot.SourceMetadata, -1, cn.addr, err)
			continue
		}
		md, from = resp, cn
		if c.opts.Parts.Has(source.PartBrokerViews) {
			c.seedView, c.seedConn, c.seedLatency = resp, cn, time.Since(start)
		}
		break
	}
	brokers := map[int32]*brokerInfo{}
	if md != nil {
		c.applyMetadata(md, brokers)
		c.describeCluster(ctx, from, brokers)
		if c.opts.Parts.Has(source.PartBrokerViews) {
			c.unlistedSeeds(ctx, from, brokers)
		}
	}
	c.snap.Brokers = c.snap.Brokers[:0]
	for _, id := range slices.Sorted(maps.Keys(brokers)) {
		c.snap.Brokers = append(c.snap.Brokers, brokers[id].Broker)
	}
}

// unlistedSeeds finds the brokers that answer at a bootstrap address but that the cluster no
// longer lists with one: where brokers do not offer DescribeCluster v2 (before Kafka 4.0, and
// every ZooKeeper cluster), a broker that lost its registration, cut off the controller or
// ZooKeeper, vanishes from the cluster's Metadata while it still serves clients from its last
// view, possibly as a zombie leader. Each such seed is asked for its own Metadata, where it
// lists itself at that address: that gives its id, and the address lets it be probed and its
// view compared like any broker's. A seed that names no broker at its own address (a load
// balancer, an alias) is left alone.
func (c *collector) unlistedSeeds(ctx context.Context, from *conn, brokers map[int32]*brokerInfo) {
	known := map[string]bool{}
	for _, bi := range brokers {
		if addr := bi.Address(); addr != "" {
			known[addr] = true
		}
	}
	for _, addr := range c.opts.Bootstrap {
		cn := c.pool.get(ctx, addr)
		if known[addr] || cn == from || !cn.wait(ctx) {
			continue
		}
		md, err := c.askMetadata(ctx, cn)
		if err != nil {
			continue // its probe answered; the views step records what fails on it later
		}
		id, ok := selfIn(md, addr)
		if !ok {
			continue
		}
		if bi, listed := brokers[id]; listed && bi.Registered {
			continue // listed at another address (advertised differently): not ours to change
		}
		bi := ensureBroker(brokers, id, "bootstrap")
		bi.Host, bi.Port = splitAddr(addr)
		known[addr] = true
	}
}

// selfIn finds the broker a Metadata answer lists at addr, the address it was asked at.
func selfIn(md *sarama.MetadataResponse, addr string) (int32, bool) {
	for _, b := range md.Brokers {
		if b.Addr() == addr {
			return b.ID(), true
		}
	}
	return -1, false
}

// askMetadata sends a Metadata request for all topics to one broker.
func (c *collector) askMetadata(ctx context.Context, cn *conn) (*sarama.MetadataResponse, error) {
	req := sarama.NewMetadataRequest(sarama.V4_0_0_0, nil)
	req.AllowAutoTopicCreation = false
	return request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.MetadataResponse, error) {
		return b.GetMetadata(req)
	})
}

func (c *collector) applyMetadata(md *sarama.MetadataResponse, brokers map[int32]*brokerInfo) {
	if md.ClusterID != nil {
		c.snap.ClusterID = *md.ClusterID
	}
	c.snap.ControllerID = md.ControllerID
	for _, b := range md.Brokers {
		bi := ensureBroker(brokers, b.ID(), "metadata")
		bi.Registered = true
		bi.Host, bi.Port = splitAddr(b.Addr())
		bi.Rack = b.Rack()
	}
	for _, t := range md.Topics {
		topic := snapshot.Topic{
			Name:     t.Name,
			Internal: t.IsInternal,
			Error:    errorName(t.Err),
		}
		if t.Uuid != (sarama.Uuid{}) {
			topic.ID = t.Uuid.String()
		}
		topic.Partitions = make([]snapshot.Partition, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			topic.Partitions = append(topic.Partitions, snapshot.Partition{
				Topic: t.Name, ID: p.ID, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch,
				Replicas: p.Replicas, ISR: p.Isr, OfflineReplicas: p.OfflineReplicas,
				Error: errorName(p.Err), EarliestOffset: -1, LatestOffset: -1,
			})
			if len(p.Replicas) > topic.ReplicationFactor {
				topic.ReplicationFactor = len(p.Replicas)
			}
			for _, id := range p.Replicas {
				ensureBroker(brokers, id, "replicas")
			}
		}
		c.snap.Topics = append(c.snap.Topics, topic)
	}
	// IsController waits for the metadata mode (applyMode): in KRaft the
	// controller id names no controller.
}

// describeCluster adds the fenced flags that Metadata leaves out. Brokers
// older than 3.9 do not support v2; then fenced stays unknown.
func (c *collector) describeCluster(ctx context.Context, cn *conn, brokers map[int32]*brokerInfo) {
	req := &sarama.DescribeClusterRequest{Version: 2, IncludeFencedBrokers: true, EndpointType: sarama.DescribeClusterEndpointTypeBrokers}
	resp, err := request(ctx, c.opts.RequestTimeout, cn, func(b *sarama.Broker) (*sarama.DescribeClusterResponse, error) {
		return b.DescribeCluster(req)
	})
	if err == nil && resp.Err != sarama.ErrNoError {
		err = resp.Err
	}
	if err != nil {
		c.record(snapshot.SourceDescribeCluster, -1, "", err)
		return
	}
	if c.snap.ClusterID == "" {
		c.snap.ClusterID = resp.ClusterID
	}
	fencedKnown := resp.Version >= 2
	for _, bi := range brokers {
		bi.FencedKnown = fencedKnown
	}
	for _, b := range resp.Brokers {
		bi := ensureBroker(brokers, b.BrokerID, "describe_cluster")
		bi.Registered = true
		bi.Fenced = b.IsFenced
		bi.FencedKnown = fencedKnown
		if bi.Host == "" {
			bi.Host, bi.Port = b.Host, b.Port
		}
		if b.Rack != nil && bi.Rack == "" {
			bi.Rack = *b.Rack
		}
	}
}

func ensureBroker(m map[int32]*brokerInfo, id int32, source string) *brokerInfo {
	bi, ok := m[id]
	if !ok {
		bi = &brokerInfo{snapshot.Broker{ID: id, Probe: snapshot.Probe{Status: snapshot.StatusNotProbed}}}
		m[id] = bi
	}
	// Every replica of every partition names its broker: keep the source
	// once, not once per replica (Normalize would compact them anyway).
	if !slices.Contains(bi.LearnedFrom, source) {
		bi.LearnedFrom = append(bi.LearnedFrom, source)
	}
	return bi
}

func splitAddr(addr string) (string, int32) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	p, _ := strconv.Atoi(port)
	return host, int32(p)
}

// probeBrokers probes every registered broker with a known address, in
// parallel, reusing the bootstrap probes for the same address.
func (c *collector) probeBrokers(ctx context.Context) {
	conns := make([]*conn, len(c.snap.Brokers))
	for i, b := range c.snap.Brokers {
		if addr := b.Address(); addr != "" {
			conns[i] = c.pool.get(ctx, addr)
		}
	}
	for i := range c.snap.Brokers {
		b := &c.snap.Brokers[i]
		cn := conns[i]
		if cn == nil {
			b.Probe = snapshot.Probe{Status: snapshot.StatusNotProbed, Error: "not registered in the cluster: no address known"}
			continue
		}
		cn.wait(ctx)
		b.Probe = probeOf(cn)
		b.APIVersions = cn.versions
		select {
		case <-cn.ready:
			b.Certificates = cn.chain
		default: // the handshake has not ended: nothing was served yet
		}
	}
	c.snap.Bootstrap = c.endpoints(ctx)
	for i := range c.snap.Brokers {
		b := &c.snap.Brokers[i]
		for _, addr := range c.opts.Bootstrap {
			if addr == b.Address() {
				b.LearnedFrom = append(b.LearnedFrom, "bootstrap")
			}
		}
	}
}

// liveBrokers returns the brokers that answered, with their connections.
func (c *collector) liveBrokers(ctx context.Context) map[int32]*conn {
	out := map[int32]*conn{}
	for _, b := range c.snap.Brokers {
		if b.Probe.Answered() {
			out[b.ID] = c.pool.get(ctx, b.Address())
		}
	}
	return out
}
