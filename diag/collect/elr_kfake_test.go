package collect_test

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// dtpRequests records the DescribeTopicPartitions requests a fake got.
type dtpRequests struct {
	mu   sync.Mutex
	reqs []kmsg.DescribeTopicPartitionsRequest
}

// recordDTP records every DescribeTopicPartitions request of f as it
// arrives, then lets serve answer it (or kfake, when serve does not handle
// it).
func recordDTP(f *fake4x, serve func(*kmsg.DescribeTopicPartitionsRequest) (kmsg.Response, error, bool)) *dtpRequests {
	d := &dtpRequests{}
	f.handle(int16(kmsg.DescribeTopicPartitions), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.DescribeTopicPartitionsRequest)
		d.mu.Lock()
		d.reqs = append(d.reqs, *req)
		d.mu.Unlock()
		return serve(req)
	})
	return d
}

func (d *dtpRequests) all() []kmsg.DescribeTopicPartitionsRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]kmsg.DescribeTopicPartitionsRequest(nil), d.reqs...)
}

// TestELRPagesFollowTheCursor: the collector asks for Kafka's page limit
// and follows the cursor until it is null; the ELR of every partition is
// filled across the pages and the topic is ELRKnown.
func TestELRPagesFollowTheCursor(t *testing.T) {
	f := startFake4x(t, 3, nil)
	got := recordDTP(f, func(req *kmsg.DescribeTopicPartitionsRequest) (kmsg.Response, error, bool) {
		resp := req.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
		first, last := int32(0), int32(3)
		if req.Cursor != nil {
			first, last = req.Cursor.Partition, 5
		}
		rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
		rt.Topic = kmsg.StringPtr("orders")
		for p := first; p <= last; p++ {
			rp := kmsg.NewDescribeTopicPartitionsResponseTopicPartition()
			rp.Partition, rp.EligibleLeaderReplicas, rp.LastKnownELR = p, []int32{p%3 + 1}, []int32{9}
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
		if req.Cursor == nil {
			resp.NextCursor = &kmsg.DescribeTopicPartitionsResponseNextCursor{Topic: "orders", Partition: 4}
		}
		return resp, nil, true
	})
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartELR)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	reqs := got.all()
	if len(reqs) != 2 || reqs[0].Cursor != nil || reqs[1].Cursor == nil || reqs[1].Cursor.Topic != "orders" || reqs[1].Cursor.Partition != 4 {
		t.Fatalf("requests = %+v, want a first page then one from cursor orders/4", reqs)
	}
	for _, r := range reqs {
		if r.ResponsePartitionLimit != 2000 || len(r.Topics) != 0 {
			t.Errorf("request asked for %d partitions of topics %v, want Kafka's limit 2000 for every topic", r.ResponsePartitionLimit, r.Topics)
		}
	}
	orders, _ := snap.Topic("orders")
	if !orders.ELRKnown {
		t.Fatal("orders not ELRKnown")
	}
	for _, p := range orders.Partitions {
		if !reflect.DeepEqual(p.ELR, []int32{p.ID%3 + 1}) || !reflect.DeepEqual(p.LastKnownELR, []int32{9}) {
			t.Errorf("partition %d: ELR %v, last known %v", p.ID, p.ELR, p.LastKnownELR)
		}
	}
}

// TestELRWithKfakesOwnCursor: kfake pages DescribeTopicPartitions itself;
// a broker whose limit is lower than asked (here 4 of 6 partitions) gives a
// cursor, which is followed to the end.
func TestELRWithKfakesOwnCursor(t *testing.T) {
	f := startFake4x(t, 3, nil)
	got := recordDTP(f, func(req *kmsg.DescribeTopicPartitionsRequest) (kmsg.Response, error, bool) {
		req.ResponsePartitionLimit = 4 // as max.request.partition.size.limit=4 would; kfake answers
		return nil, nil, false
	})
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartELR)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	if n := len(got.all()); n != 2 {
		t.Errorf("%d DescribeTopicPartitions requests, want 2 pages", n)
	}
	if orders, _ := snap.Topic("orders"); !orders.ELRKnown {
		t.Error("orders not ELRKnown after the walk")
	}
}

// TestELRNotOfferedIsNoError: brokers without DescribeTopicPartitions
// (before Kafka 3.8) have no ELR to read: nothing is sent, nothing is
// recorded, and ELRKnown stays false.
func TestELRNotOfferedIsNoError(t *testing.T) {
	f := startFake4x(t, 3, nil)
	f.offer(int16(kmsg.DescribeTopicPartitions), -1)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartELR)
	if n := len(f.sent(kmsg.DescribeTopicPartitions)); n != 0 || len(snap.Errors) > 0 {
		t.Errorf("DescribeTopicPartitions sent %d times, errors %+v: want neither", n, snap.Errors)
	}
	if orders, _ := snap.Topic("orders"); orders.ELRKnown {
		t.Error("orders ELRKnown without DescribeTopicPartitions")
	}
}

// TestELRTopicErrorNamesTheTopic: a topic the answer fails on is recorded
// with the topic as subject and stays not ELRKnown.
func TestELRTopicErrorNamesTheTopic(t *testing.T) {
	f := startFake4x(t, 3, nil)
	f.handle(int16(kmsg.DescribeTopicPartitions), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		resp := kreq.ResponseKind().(*kmsg.DescribeTopicPartitionsResponse)
		rt := kmsg.NewDescribeTopicPartitionsResponseTopic()
		rt.Topic, rt.ErrorCode = kmsg.StringPtr("orders"), kerr.TopicAuthorizationFailed.Code
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartELR)
	errs := snap.ErrorsFor(snapshot.SourceTopicPartitions)
	if len(errs) != 1 || errs[0].Subject != "orders" || errs[0].Kind != snapshot.KindAuthorization || errs[0].Broker < 0 {
		t.Errorf("errors = %+v, want one authorization error about orders from a broker", errs)
	}
	if orders, _ := snap.Topic("orders"); orders.ELRKnown {
		t.Error("orders ELRKnown although its answer failed")
	}
}
