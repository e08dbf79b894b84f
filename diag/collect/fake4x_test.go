package collect_test

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// fake4x is a kfake cluster that a test makes look like Kafka 4.x where
// kfake lacks it: its ApiVersions answers can list DescribeQuorum (kfake
// does not implement it, so it otherwise looks like ZooKeeper brokers) or
// leave an API out, and the test can serve any request key itself. It
// records which node got every request.
type fake4x struct {
	kc        *kfake.Cluster
	bootstrap []string

	mu      sync.Mutex
	offered map[int16]int16 // keys added to ApiVersions, by max version; -1 leaves a key out
	serve   map[int16]func(kmsg.Request) (kmsg.Response, error, bool)
	seen    map[int16][]int32 // the node that got each request, by key, in order
}

// startFake4x starts kfake brokers with the topic orders of six partitions.
// seed, when not nil, runs before anything is recorded.
func startFake4x(t *testing.T, brokers int, seed func(t *testing.T, bootstrap []string)) *fake4x {
	t.Helper()
	kc, err := kfake.NewCluster(kfake.NumBrokers(brokers), kfake.SeedTopics(6, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	f := &fake4x{kc: kc, bootstrap: kc.ListenAddrs(), offered: map[int16]int16{},
		serve: map[int16]func(kmsg.Request) (kmsg.Response, error, bool){}, seen: map[int16][]int32{}}
	if seed != nil {
		seed(t, f.bootstrap)
	}
	base := apiVersionsOf(t, f.bootstrap)
	f.handle(int16(kmsg.ApiVersions), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		return f.apiVersions(kreq.(*kmsg.ApiVersionsRequest), base), nil, true
	})
	kc.Control(func(req kmsg.Request) (kmsg.Response, error, bool) {
		f.mu.Lock()
		f.seen[req.Key()] = append(f.seen[req.Key()], kc.CurrentNode())
		h := f.serve[req.Key()]
		f.mu.Unlock()
		if h == nil {
			return nil, nil, false
		}
		kc.KeepControl()
		return h(req)
	})
	return f
}

// kraft makes the brokers offer DescribeQuorum v0-v2, as KRaft brokers do.
func (f *fake4x) kraft() *fake4x {
	f.offer(int16(kmsg.DescribeQuorum), 2)
	return f
}

// offer makes every ApiVersions answer list key up to version max; a max
// of -1 leaves the key out, as an older broker would.
func (f *fake4x) offer(key, max int16) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.offered[key] = max
}

// handle serves every request of key with fn, which returns what a kfake
// Control function returns (nil, nil, true leaves the request unanswered).
func (f *fake4x) handle(key int16, fn func(kmsg.Request) (kmsg.Response, error, bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.serve[key] = fn
}

// sent returns the nodes that got requests of key, in order.
func (f *fake4x) sent(key kmsg.Key) []int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen[int16(key)])
}

// apiVersions answers with kfake's own keys and features, changed by offer.
func (f *fake4x) apiVersions(req *kmsg.ApiVersionsRequest, base *kmsg.ApiVersionsResponse) *kmsg.ApiVersionsResponse {
	f.mu.Lock()
	defer f.mu.Unlock()
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	keys := map[int16]kmsg.ApiVersionsResponseApiKey{}
	for _, k := range base.ApiKeys {
		keys[k.ApiKey] = k
	}
	for key, max := range f.offered {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MaxVersion = key, max
		keys[key] = k
	}
	for _, k := range keys {
		if k.MaxVersion >= 0 {
			resp.ApiKeys = append(resp.ApiKeys, k)
		}
	}
	slices.SortFunc(resp.ApiKeys, func(a, b kmsg.ApiVersionsResponseApiKey) int { return cmp.Compare(a.ApiKey, b.ApiKey) })
	resp.SupportedFeatures, resp.FinalizedFeatures = base.SupportedFeatures, base.FinalizedFeatures
	resp.FinalizedFeaturesEpoch = base.FinalizedFeaturesEpoch
	return resp
}

// apiVersionsOf asks kfake for its own ApiVersions answer.
func apiVersionsOf(t *testing.T, bootstrap []string) *kmsg.ApiVersionsResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap[0]), kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "test", "1"
	resp, err := req.RequestWith(ctx, cl)
	if err == nil && resp.ErrorCode != 0 {
		t.Fatalf("ApiVersions error %d", resp.ErrorCode)
	}
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// collectFrom collects parts from the fake within 20 s, requests bounded
// by reqTimeout.
func collectFrom(t *testing.T, opts collect.Options, reqTimeout time.Duration, parts source.Parts) *snapshot.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	opts.RequestTimeout, opts.Parts = reqTimeout, parts
	snap, err := collect.Collect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
