package sim

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// elrYAML is baseYAML with t/0 offline: its ISR emptied while eligible
// leader replicas kept it recoverable (KIP-966), broker 3 an eligible
// leader replica and broker 2 a last known one.
var elrYAML = strings.NewReplacer(
	"{id: 2, state: up}", "{id: 2, state: down}",
	partLine, "{partition: 0, replicas: [2, 3], isr: [], elr: [3], last_known_elr: [2], leader: -1, leader_epoch: 4, records: 10}\n"+
		"      - {partition: 1, replicas: [1, 2], isr: [1], leader: 1, records: 10}",
).Replace(baseYAML) + "injects:\n  - at: 1m\n    brokers: [{id: 3, state: up}]\n    expect: []\n"

func TestELRErrors(t *testing.T) {
	wantEditErrors(t, elrYAML, []editCase{
		{"empty isr without elr", "isr: [], elr: [3], last_known_elr: [2]", "isr: []", "partitions[0].isr: must not be empty"},
		{"elr not a replica", "elr: [3]", "elr: [1]", "partitions[0].elr: broker 1 is not in replicas [2 3]"},
		{"elr in the isr", "isr: [], elr: [3]", "isr: [3], elr: [3]", "partitions[0].elr: broker 3 is in the ISR"},
		{"live eligible replica without a leader", "{id: 3, state: down}", "{id: 3, state: hung}",
			"partitions[0].leader: -1 but eligible leader replica 3 is hung; the controller would have elected it"},
		{"leader with an empty isr", "leader: -1, leader_epoch: 4", "leader: 3, leader_epoch: 4", "partitions[0].leader: broker 3 is not in isr []"},
	})
}

// TestELRServedAndElected: DescribeTopicPartitions gives the partition's
// eligible leader replicas (empty lists where it has none), and when the
// eligible replica returns the controller elects it alone, at a new epoch.
func TestELRServedAndElected(t *testing.T) {
	sc, err := Parse("elr.yaml", []byte(elrYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := startScenario(t, sc)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap()...), kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kmsg.NewPtrDescribeTopicPartitionsRequest().RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 2 {
		t.Fatalf("topics %+v", resp.Topics)
	}
	p0, p1 := resp.Topics[0].Partitions[0], resp.Topics[0].Partitions[1]
	if p0.LeaderID != -1 || len(p0.ISR) != 0 || !slices.Equal(p0.EligibleLeaderReplicas, []int32{3}) || !slices.Equal(p0.LastKnownELR, []int32{2}) {
		t.Errorf("t/0: leader %d isr %v elr %v last known %v; want -1, [], [3], [2]", p0.LeaderID, p0.ISR, p0.EligibleLeaderReplicas, p0.LastKnownELR)
	}
	if p1.EligibleLeaderReplicas == nil || len(p1.EligibleLeaderReplicas)+len(p1.LastKnownELR) != 0 {
		t.Errorf("t/1: elr %v last known %v, want empty lists", p1.EligibleLeaderReplicas, p1.LastKnownELR)
	}
	if err := c.Fire(0); err != nil {
		t.Fatal(err)
	}
	got := c.Partitions()[0]
	if got.Leader != 3 || got.LeaderEpoch != 5 || !slices.Equal(got.ISR, []int32{3}) {
		t.Errorf("after broker 3 returned: leader %d epoch %d isr %v; want 3, 5, [3]", got.Leader, got.LeaderEpoch, got.ISR)
	}
}
