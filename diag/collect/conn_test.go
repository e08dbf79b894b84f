package collect_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// TestRequestsToOneBrokerOverlap: the broker holds its DescribeLogDirs and
// its DescribeConfigs each until the other has arrived. Kafka answers the
// requests of one connection in order, so both arrive only when they travel
// on separate connections: with the default connections per broker the
// collection is complete, with one both time out.
func TestRequestsToOneBrokerOverlap(t *testing.T) {
	for _, tc := range []struct {
		name     string
		conns    int
		complete bool
	}{{"default connections", 0, true}, {"one connection", 1, false}} {
		t.Run(tc.name, func(t *testing.T) {
			snap := collectHoldingLogDirsAndConfigs(t, tc.conns)
			complete := len(snap.Errors) == 0 && len(snap.LogDirs) > 0 && len(snap.BrokerConfigs) > 0
			if complete != tc.complete {
				t.Errorf("complete = %v, want %v; errors %+v, %d log dirs, %d broker configs",
					complete, tc.complete, snap.Errors, len(snap.LogDirs), len(snap.BrokerConfigs))
			}
		})
	}
}

func collectHoldingLogDirsAndConfigs(t *testing.T, conns int) *snapshot.Snapshot {
	t.Helper()
	kc, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	const requestTimeout = 2 * time.Second

	keys := []int16{int16(kmsg.DescribeLogDirs), int16(kmsg.DescribeConfigs)}
	arrived := map[int16]chan struct{}{}
	once := map[int16]*sync.Once{}
	for _, k := range keys {
		arrived[k], once[k] = make(chan struct{}), &sync.Once{}
	}
	for i, key := range keys {
		other := keys[1-i]
		kc.ControlKey(key, func(kmsg.Request) (kmsg.Response, error, bool) {
			kc.KeepControl()
			once[key].Do(func() { close(arrived[key]) })
			kc.SleepControl(func() {
				select {
				case <-arrived[other]:
				case <-time.After(requestTimeout + time.Second):
				}
			})
			return nil, nil, false
		})
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	snap, err := collect.Collect(ctx, collect.Options{
		Bootstrap: kc.ListenAddrs(), RequestTimeout: requestTimeout, ConnectionsPerBroker: conns,
		Parts: source.PartLogDirs | source.PartConfigs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// BenchmarkServiceTime models brokers on machines of their own: every
// request takes serviceTime in the broker, while other connections are
// served meanwhile (kfake sleeps the request, not the cluster). Triage's
// requests to one broker then cost the sum of their service times on one
// connection, and about the longest chain of them on several. On a real
// cluster sharing this machine's two cores the brokers' CPU is the bound
// instead (docs/PERFORMANCE.md).
func BenchmarkServiceTime(b *testing.B) {
	const serviceTime = 5 * time.Millisecond
	kc, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(6, "orders", "payments", "clicks"))
	if err != nil {
		b.Fatal(err)
	}
	defer kc.Close()
	kc.Control(func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		if req.Key() != int16(kmsg.ApiVersions) {
			kc.SleepControl(func() { time.Sleep(serviceTime) })
		}
		return nil, nil, false
	})
	for _, conns := range []int{1, collect.DefaultConnectionsPerBroker} {
		b.Run(fmt.Sprintf("triage/connections=%d", conns), func(b *testing.B) {
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				snap, err := collect.Collect(ctx, collect.Options{Bootstrap: kc.ListenAddrs(), RequestTimeout: 5 * time.Second, ConnectionsPerBroker: conns, Parts: triage.Parts()})
				cancel()
				if err != nil || len(snap.Errors) > 0 {
					b.Fatalf("collecting: %v %+v", err, snap.Errors)
				}
			}
		})
	}
}
