package integration

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// TestCollectKafka4xParts: on a real 4.1 KRaft cluster (controller 9,
// brokers 1-3) the collector judges the mode KRaft from ApiVersions, reads
// the quorum through a broker (leader 9, voter 9, observers 1-3) and
// directly from the controller while no broker address answers
// (KIP-919), reads the ELR of a created topic, describes a
// consumer-protocol group with ConsumerGroupDescribe, and labels no broker
// controller, although Metadata names one.
func TestCollectKafka4xParts(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.CommitOffset(t, "billing", "orders", 0, 0)
	joinConsumerProtocolGroup(t, c, "streaming", "orders", 3)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := collect.Collect(ctx, collect.Options{Bootstrap: c.Bootstrap(), RequestTimeout: 5 * time.Second,
		Parts: source.PartQuorum | source.PartELR | source.PartGroupTypes})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) > 0 {
		t.Errorf("collection errors: %+v", snap.Errors)
	}
	if snap.MetadataMode != snapshot.MetadataKRaft || snap.Features["metadata.version"] == 0 {
		t.Errorf("mode %q, features %v: want kraft and metadata.version", snap.MetadataMode, snap.Features)
	}
	checkQuorum(t, snap.Quorum, snapshot.QuorumViaBroker)
	for _, b := range snap.Brokers {
		if b.IsController {
			t.Errorf("broker %d labelled controller on KRaft (Metadata's controller id is %d)", b.ID, snap.ControllerID)
		}
	}
	if orders, ok := snap.Topic("orders"); !ok || !orders.ELRKnown {
		t.Errorf("orders = %+v, want ELRKnown", orders)
	}
	checkGroupTypes(t, snap.Groups)

	// The brokers' addresses refuse; the controller still answers.
	snap, err = collect.Collect(ctx, collect.Options{Bootstrap: []string{closedAddr(t)}, BootstrapControllers: []string{c.ControllerAddr()},
		RequestTimeout: 5 * time.Second, Parts: source.PartQuorum})
	if err != nil {
		t.Fatal(err)
	}
	checkQuorum(t, snap.Quorum, snapshot.QuorumViaController)
	if len(snap.Brokers) != 0 || len(snap.ErrorsFor(snapshot.SourceBootstrap)) != 1 {
		t.Errorf("brokers %+v, errors %+v: want none, and the refused bootstrap address recorded", snap.Brokers, snap.Errors)
	}
}

func checkQuorum(t *testing.T, q *snapshot.Quorum, via string) {
	t.Helper()
	if q == nil {
		t.Fatal("no quorum")
	}
	ids := func(rs []snapshot.QuorumReplica) []int32 {
		var out []int32
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if q.Via != via || q.LeaderID != kafkatest.ControllerID || !slices.Equal(ids(q.Voters), []int32{kafkatest.ControllerID}) ||
		!slices.Equal(ids(q.Observers), []int32{1, 2, 3}) {
		t.Errorf("quorum = %+v, want leader 9 via %s, voter 9, observers 1-3", q, via)
	}
	if len(q.Nodes) != 1 || q.Nodes[0].ID != kafkatest.ControllerID || q.Nodes[0].Port == 0 {
		t.Errorf("nodes = %+v, want the controller's endpoint (DescribeQuorum v2)", q.Nodes)
	}
}

func checkGroupTypes(t *testing.T, groups []snapshot.Group) {
	t.Helper()
	byID := map[string]snapshot.Group{}
	for _, g := range groups {
		byID[g.ID] = g
	}
	if g := byID["billing"]; g.Type != snapshot.GroupClassic {
		t.Errorf("billing = %+v, want a classic group", g)
	}
	g := byID["streaming"]
	if g.Type != snapshot.GroupConsumer || g.Epoch <= 0 || len(g.Members) != 1 || g.Members[0].Epoch <= 0 || len(g.Members[0].Assignment) != 3 {
		t.Errorf("streaming = %+v, want a consumer group, its epoch, one member with an epoch owning 3 partitions", g)
	}
}

// joinConsumerProtocolGroup starts one KIP-848 member of group on topic and
// waits until it owns all n partitions; it leaves when the test ends.
func joinConsumerProtocolGroup(t *testing.T, c *kafkatest.Cluster, group, topic string, n int) {
	t.Helper()
	assigned := make(chan struct{})
	var once sync.Once
	owned := 0 // assignments may come in increments; only this callback touches it
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap()...), kgo.DisableClientMetrics(), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer(), kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
			if owned += len(a[topic]); owned >= n {
				once.Do(func() { close(assigned) })
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			cl.PollFetches(ctx)
		}
	}()
	t.Cleanup(func() { cancel(); <-done; cl.Close() })
	select {
	case <-assigned:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s: no assignment of %d partitions of %s within 30 s", group, n, topic)
	}
}
