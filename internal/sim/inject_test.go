package sim

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// TestInjectsFireOnTime plays every embedded scenario's injects, sped up so
// the last fires about 300 ms after the start, and measures how late each
// took effect against its due time. Unloaded, every inject takes effect
// within about 2 ms; the tolerance leaves room for a CI machine running
// every package's tests at once on two cores.
func TestInjectsFireOnTime(t *testing.T) {
	const tolerance = 250 * time.Millisecond
	for _, name := range playbooks.List() {
		t.Run(name, func(t *testing.T) {
			sc, err := Load(playbooks.FS(), name+".yaml")
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Injects) == 0 {
				t.Fatal("a drill scenario needs timed injects")
			}
			c := startScenario(t, sc)
			last := sc.Injects[len(sc.Injects)-1].At.D()
			speed := float64(last) / float64(300*time.Millisecond)
			var fired []Fired
			start := time.Now()
			if err := c.RunInjects(context.Background(), start, speed, func(f Fired) { fired = append(fired, f) }); err != nil {
				t.Fatal(err)
			}
			if len(fired) != len(sc.Injects) {
				t.Fatalf("%d of %d injects fired", len(fired), len(sc.Injects))
			}
			var worst time.Duration
			for i, f := range fired {
				want := start.Add(time.Duration(float64(sc.Injects[i].At.D()) / speed))
				late := f.At.Sub(want)
				if f.Index != i || !f.Due.Equal(want) {
					t.Errorf("inject %d fired as %d due %s, want due %s", i, f.Index, f.Due, want)
				}
				if late < 0 || late > tolerance {
					t.Errorf("inject %d took effect %s after its due time, want 0..%s", i, late, tolerance)
				}
				worst = max(worst, late)
			}
			t.Logf("%d injects, latest %s after due", len(fired), worst)
		})
	}
}

func TestRunInjectsStopsWithContext(t *testing.T) {
	sc, err := Load(playbooks.FS(), "zombie-leader.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := startScenario(t, sc)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.RunInjects(ctx, time.Now(), 1, nil); err == nil {
		t.Fatal("RunInjects returned nil before its injects were due")
	}
}

const injectYAML = baseYAML + `injects:
  - at: 10s
    say: broker 2 dies
    brokers: [{id: 2, state: down}]
    expect: [BROKER_DOWN]
`

func TestInjectErrors(t *testing.T) {
	cases := []struct {
		name, from, to, want string
	}{
		{"negative time", "at: 10s", "at: -5s", "injects[0].at: -5s is negative"},
		{"not a duration", "at: 10s", "at: soon", `"soon" is not a duration`},
		{"unknown broker", "{id: 2, state: down}", "{id: 4, state: down}", "injects[0] (at 10s).brokers[0].id: unknown broker id 4"},
		{"unknown partition", "brokers: [{id: 2, state: down}]", "partitions: [{topic: t, partition: 3, leader: 2}]",
			"injects[0] (at 10s).partitions[0].partition: topic t has no partition 3"},
		{"unknown topic", "brokers: [{id: 2, state: down}]", "partitions: [{topic: nope, partition: 0}]", `unknown topic "nope"`},
		{"bad state", "{id: 2, state: down}", "{id: 2, state: gone}", `injects[0].brokers[0].state: "gone" is not one of`},
		{"unknown code", "expect: [BROKER_DOWN]", "expect: [BROKER_GONE]", `injects[0].expect[0]: "BROKER_GONE" is not a finding code kafka-runbook knows`},
		{"impossible state", "brokers: [{id: 2, state: down}]", "partitions: [{topic: t, partition: 0, leader: 3}]",
			"injects[0] (at 10s).topics[t].partitions[0].leader: after this inject: broker 3 is not in isr"},
		{"nothing", "    brokers: [{id: 2, state: down}]\n", "", "injects[0]: changes nothing"},
		{"unknown field", "say: broker 2 dies", "sya: broker 2 dies", "field sya not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(injectYAML, tc.from, tc.to, 1)
			_, err := Parse("v.yaml", []byte(doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "v.yaml: ") {
				t.Fatalf("error %v, want it to start with the file name and contain %q", err, tc.want)
			}
		})
	}
	twoOutOfOrder := injectYAML + "  - at: 5s\n    controller_id: 1\n"
	if _, err := Parse("v.yaml", []byte(twoOutOfOrder)); err == nil || !strings.Contains(err.Error(), "injects[1].at: 5s is before the previous inject (10s)") {
		t.Errorf("out of order: %v", err)
	}
}

// TestControllerReactsToAFencedBroker: an inject that takes a broker down
// moves its leaderships with an epoch bump and shrinks ISRs, as a KRaft
// controller does; bringing it back puts it in the ISRs again.
func TestControllerReactsToAFencedBroker(t *testing.T) {
	doc := strings.Replace(baseYAML, "{id: 3, state: down}", "{id: 3, state: up}", 1)
	doc = strings.Replace(doc, "isr: [1, 2], leader: 1", "isr: [1, 2, 3], leader: 1", 1)
	doc += "injects:\n  - at: 1s\n    brokers: [{id: 1, state: down}]\n  - at: 2s\n    brokers: [{id: 1, state: up}]\n"
	sc, err := Parse("v.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	states, problems := sc.states()
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	p := states[1].Topics[0].Partitions[0]
	if *p.Leader != 2 || p.LeaderEpoch != 2 || !slices.Equal(p.ISR, []int32{2, 3}) {
		t.Errorf("after fencing broker 1: leader %d epoch %d isr %v, want 2, 2, [2 3]", *p.Leader, p.LeaderEpoch, p.ISR)
	}
	p = states[2].Topics[0].Partitions[0]
	if *p.Leader != 2 || !slices.Equal(p.ISR, []int32{1, 2, 3}) {
		t.Errorf("after broker 1 returned: leader %d isr %v, want 2 and [1 2 3]", *p.Leader, p.ISR)
	}
}

// TestZombieServesItsStaleView: the zombie answers Metadata with its own
// leader and epoch, fails a ListOffsets at the current epoch with
// UNKNOWN_LEADER_EPOCH, and the real leader places the divergence point.
func TestZombieServesItsStaleView(t *testing.T) {
	sc, err := Load(playbooks.FS(), "zombie-leader.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := startScenario(t, sc)
	ask := func(id int32, req kmsg.Request) kmsg.Response {
		t.Helper()
		addr, _ := c.Addr(id)
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DisableClientMetrics())
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		resp, err := cl.SeedBrokers()[0].Request(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	leaderOf := func(md *kmsg.MetadataResponse, p int32) (int32, int32) {
		for _, mt := range md.Topics {
			if *mt.Topic == "orders" {
				return mt.Partitions[p].Leader, mt.Partitions[p].LeaderEpoch
			}
		}
		return -9, -9
	}
	md3 := ask(3, kmsg.NewPtrMetadataRequest()).(*kmsg.MetadataResponse)
	md1 := ask(1, kmsg.NewPtrMetadataRequest()).(*kmsg.MetadataResponse)
	if l, e := leaderOf(md3, 2); l != 3 || e != 4 || len(md3.Brokers) != 3 {
		t.Errorf("zombie's own view of orders/2: leader %d epoch %d, %d brokers; want 3, 4, 3", l, e, len(md3.Brokers))
	}
	if l, e := leaderOf(md1, 2); l != 1 || e != 5 || len(md1.Brokers) != 2 {
		t.Errorf("broker 1's view of orders/2: leader %d epoch %d, %d brokers; want 1, 5, 2", l, e, len(md1.Brokers))
	}
	lo := kmsg.NewPtrListOffsetsRequest()
	lo.ReplicaID = -1
	lt := kmsg.NewListOffsetsRequestTopic()
	lt.Topic = "orders"
	lp := kmsg.NewListOffsetsRequestTopicPartition()
	lp.Partition, lp.CurrentLeaderEpoch, lp.Timestamp = 2, 5, -1
	lt.Partitions = append(lt.Partitions, lp)
	lo.Topics = append(lo.Topics, lt)
	if code := ask(3, lo).(*kmsg.ListOffsetsResponse).Topics[0].Partitions[0].ErrorCode; code != 75 {
		t.Errorf("zombie answered ListOffsets at the current epoch with %d, want 75 UNKNOWN_LEADER_EPOCH", code)
	}
	oe := kmsg.NewPtrOffsetForLeaderEpochRequest()
	oe.ReplicaID = -1
	ot := kmsg.NewOffsetForLeaderEpochRequestTopic()
	ot.Topic = "orders"
	op := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
	op.Partition, op.LeaderEpoch, op.CurrentLeaderEpoch = 2, 4, -1
	ot.Partitions = append(ot.Partitions, op)
	oe.Topics = append(oe.Topics, ot)
	if end := ask(1, oe).(*kmsg.OffsetForLeaderEpochResponse).Topics[0].Partitions[0].EndOffset; end != 50880 {
		t.Errorf("epoch 4 ends at %d on the real leader, want 50880 (diverged_at)", end)
	}
	if err := c.Fire(0); err != nil {
		t.Fatal(err)
	}
	if l, e := leaderOf(ask(3, kmsg.NewPtrMetadataRequest()).(*kmsg.MetadataResponse), 2); l != 1 || e != 5 {
		t.Errorf("after clear_view broker 3 sees leader %d epoch %d, want 1, 5", l, e)
	}
}

// TestTapRecordsClientsAndChanges: the cluster reports every request with
// the client id and library that sent it, and labels the ones that change
// the cluster.
func TestTapRecordsClientsAndChanges(t *testing.T) {
	c := startStates(t)
	var mu sync.Mutex
	var seen []Request
	c.Observe(func(r Request) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap()[0]), kgo.ClientID("ops-laptop"), kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	res := kmsg.NewIncrementalAlterConfigsRequestResource()
	res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeTopic, "t"
	cfg := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
	cfg.Name, cfg.Value = "unclean.leader.election.enable", kmsg.StringPtr("true")
	res.Configs = append(res.Configs, cfg)
	req.Resources = append(req.Resources, res)
	if _, err := req.RequestWith(context.Background(), cl); err != nil {
		t.Fatal(err)
	}
	c.Observe(nil)
	mu.Lock()
	defer mu.Unlock()
	var change *Request
	for i := range seen {
		if seen[i].ClientID != "ops-laptop" || !strings.HasPrefix(seen[i].Software, "kgo ") {
			t.Errorf("request %s: client %q software %q", seen[i].API, seen[i].ClientID, seen[i].Software)
		}
		if seen[i].Change != nil {
			change = &seen[i]
		}
	}
	if change == nil || change.API != "IncrementalAlterConfigs" || change.Change.Risk != "dangerous" ||
		!strings.Contains(change.Change.What, "topic t: unclean.leader.election.enable=true") {
		t.Fatalf("change not recorded as dangerous: %+v", change)
	}
}
