package collect

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// closedPort returns an address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentListener accepts connections and never answers, like a hung broker.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestBootstrapFailuresAreNamedAndBounded(t *testing.T) {
	tests := []struct {
		name       string
		addr       func(t *testing.T) string
		wantStatus string
		within     time.Duration
	}{
		{"closed port is refused", closedPort, snapshot.StatusRefused, 2 * time.Second},
		{"silent listener times out", silentListener, snapshot.StatusTimeout, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := Collect(ctx, Options{Bootstrap: []string{addr}, RequestTimeout: time.Second})
			elapsed := time.Since(start)
			var nc *NoClusterError
			if !errors.As(err, &nc) {
				t.Fatalf("err = %v, want *NoClusterError", err)
			}
			if len(nc.Endpoints) != 1 || nc.Endpoints[0].Probe.Status != tt.wantStatus {
				t.Fatalf("endpoints = %+v, want status %s", nc.Endpoints, tt.wantStatus)
			}
			// A generous bound: this guards against waiting for sarama's
			// default 30 s timeouts, not against slowness.
			if elapsed > tt.within {
				t.Errorf("took %s, want under %s", elapsed, tt.within)
			}
		})
	}
}

// TestUnregisteredReplicaIsReported uses a MockBroker whose metadata lists
// replicas on broker 3, which is not registered: the dead-broker signal.
func TestUnregisteredReplicaIsReported(t *testing.T) {
	seed := sarama.NewMockBroker(t, 1)
	defer seed.Close()
	seed.SetHandlerByMap(map[string]sarama.MockResponse{
		"ApiVersionsRequest": sarama.NewMockApiVersionsResponse(t).SetApiKeys([]sarama.ApiVersionsResponseKey{
			{ApiKey: 3, MinVersion: 0, MaxVersion: 7}, // Metadata, matching the response below
			{ApiKey: 18, MinVersion: 0, MaxVersion: 3},
		}),
		"MetadataRequest": sarama.NewMockWrapper(func() *sarama.MetadataResponse {
			r := &sarama.MetadataResponse{Version: 7, ControllerID: 1}
			r.AddBroker(seed.Addr(), 1)
			r.AddTopicPartition("orders", 0, 1, []int32{1, 3}, []int32{1}, []int32{3}, sarama.ErrNoError)
			return r
		}()),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	snap, err := Collect(ctx, Options{Bootstrap: []string{seed.Addr()}, RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b3, ok := snap.Broker(3)
	if !ok {
		t.Fatalf("broker 3 missing from %+v", snap.Brokers)
	}
	if b3.Registered || b3.Probe.Status != snapshot.StatusNotProbed {
		t.Errorf("broker 3 = %+v, want unregistered and not probed", b3)
	}
	b1, _ := snap.Broker(1)
	if !b1.Registered || b1.Probe.Status != snapshot.StatusOK || !b1.IsController {
		t.Errorf("broker 1 = %+v, want registered, answering controller", b1)
	}
	topic, ok := snap.Topic("orders")
	if !ok || len(topic.Partitions) != 1 || len(topic.Partitions[0].ISR) >= len(topic.Partitions[0].Replicas) {
		t.Errorf("orders = %+v", topic)
	}
}
