package collect_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// The groups of these tests: one consumer of each protocol on orders.
const (
	consumerGroup = "streaming" // group.protocol=consumer (KIP-848)
	classicGroup  = "batch"     // the classic protocol
)

// joinGroups starts one member of each group and waits until both own all
// six partitions of orders, so that there are assignments to read. They
// stay members until the test ends.
func joinGroups(t *testing.T, bootstrap []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, g := range []struct {
		id  string
		opt []kgo.Opt
	}{
		{consumerGroup, []kgo.Opt{kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer()}},
		{classicGroup, nil},
	} {
		wg.Add(1)
		var once sync.Once
		opts := append([]kgo.Opt{
			kgo.SeedBrokers(bootstrap...), kgo.DisableClientMetrics(), kgo.ConsumerGroup(g.id), kgo.ConsumeTopics("orders"),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
				if len(a["orders"]) == 6 {
					once.Do(wg.Done)
				}
			}),
		}, g.opt...)
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for ctx.Err() == nil {
				cl.PollFetches(ctx)
			}
		}()
		t.Cleanup(func() { cancel(); cl.Close() })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the groups did not get their assignments")
	}
}

// describedGroups records the group ids each describe request named.
func describedGroups(f *fake4x) (dg, cgd func() []string) {
	var mu sync.Mutex
	var classic, consumer []string
	f.handle(int16(kmsg.DescribeGroups), func(req kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		classic = append(classic, req.(*kmsg.DescribeGroupsRequest).Groups...)
		return nil, nil, false
	})
	f.handle(int16(kmsg.ConsumerGroupDescribe), func(req kmsg.Request) (kmsg.Response, error, bool) {
		mu.Lock()
		defer mu.Unlock()
		consumer = append(consumer, req.(*kmsg.ConsumerGroupDescribeRequest).Groups...)
		return nil, nil, false
	})
	read := func(s *[]string) func() []string {
		return func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(*s) }
	}
	return read(&classic), read(&consumer)
}

func group(t *testing.T, snap *snapshot.Snapshot, id string) snapshot.Group {
	t.Helper()
	for _, g := range snap.Groups {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("group %s missing from %+v", id, snap.Groups)
	return snapshot.Group{}
}

// owned counts the partitions of orders the group's members own.
func owned(g snapshot.Group) int {
	n := 0
	for _, m := range g.Members {
		for _, a := range m.Assignment {
			if a.Topic == "orders" {
				n++
			}
		}
	}
	return n
}

// TestGroupsDescribedByTheirType: ListGroups v5 gives each group's type;
// the consumer-protocol group is described with ConsumerGroupDescribe
// (state, epochs, members with epochs, assignments named from topic ids),
// never with DescribeGroups, which describes the classic group, whose
// members' assignments are decoded. Triage, which reads no classic
// members, still describes the consumer group.
func TestGroupsDescribedByTheirType(t *testing.T) {
	f := startFake4x(t, 3, joinGroups)
	dg, cgd := describedGroups(f)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartGroups|source.PartGroupTypes)
	if errs := snap.ErrorsFor(snapshot.SourceGroups); len(errs) > 0 {
		t.Fatalf("group errors: %+v", errs)
	}
	cg, classic := group(t, snap, consumerGroup), group(t, snap, classicGroup)
	if cg.Type != snapshot.GroupConsumer || cg.State != "Stable" || cg.Epoch <= 0 || cg.AssignmentEpoch <= 0 || cg.Protocol != "range" {
		t.Errorf("consumer group = %+v, want type consumer, Stable, epochs, assignor range", cg)
	}
	if len(cg.Members) != 1 || cg.Members[0].Epoch <= 0 || owned(cg) != 6 {
		t.Errorf("consumer group members = %+v, want one with an epoch owning 6 partitions of orders", cg.Members)
	}
	if classic.Type != snapshot.GroupClassic || len(classic.Members) != 1 || owned(classic) != 6 {
		t.Errorf("classic group = %+v, want type classic, one member owning 6 partitions of orders", classic)
	}
	if d, c := dg(), cgd(); !slices.Equal(d, []string{classicGroup}) || !slices.Equal(c, []string{consumerGroup}) {
		t.Errorf("DescribeGroups asked for %v, ConsumerGroupDescribe for %v; want [%s] and [%s]", d, c, classicGroup, consumerGroup)
	}

	f2 := startFake4x(t, 3, joinGroups)
	dg, cgd = describedGroups(f2)
	snap = collectFrom(t, collect.Options{Bootstrap: f2.bootstrap}, 5*time.Second, triage.Parts())
	if d, c := dg(), cgd(); len(d) != 0 || !slices.Equal(c, []string{consumerGroup}) {
		t.Errorf("triage: DescribeGroups asked for %v, ConsumerGroupDescribe for %v; want none and [%s]", d, c, consumerGroup)
	}
	if cg := group(t, snap, consumerGroup); owned(cg) != 6 {
		t.Errorf("triage: consumer group = %+v, want its members and assignments", cg)
	}
}

// TestConsumerGroupDescribeFailureKeepsTheListedState: a consumer group
// ConsumerGroupDescribe fails on keeps the state ListGroups gave and says
// why: it never looks dead or empty for lack of a description.
func TestConsumerGroupDescribeFailureKeepsTheListedState(t *testing.T) {
	f := startFake4x(t, 3, joinGroups)
	f.handle(int16(kmsg.ConsumerGroupDescribe), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		resp := kreq.ResponseKind().(*kmsg.ConsumerGroupDescribeResponse)
		resp.Groups = []kmsg.ConsumerGroupDescribeResponseGroup{{Group: consumerGroup, ErrorCode: kerr.CoordinatorLoadInProgress.Code}}
		return resp, nil, true
	})
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartGroups|source.PartGroupTypes)
	cg := group(t, snap, consumerGroup)
	if cg.Type != snapshot.GroupConsumer || cg.State != "Stable" || cg.Error != kerr.CoordinatorLoadInProgress.Message {
		t.Errorf("consumer group = %+v, want type consumer, state Stable from ListGroups, error %s", cg, kerr.CoordinatorLoadInProgress.Message)
	}
	if errs := snap.ErrorsFor(snapshot.SourceGroups); len(errs) != 1 || errs[0].Subject != consumerGroup {
		t.Errorf("group errors = %+v, want one about %s", errs, consumerGroup)
	}
}
