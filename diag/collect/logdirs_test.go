package collect_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// TestLogDirContentsOnlyWhereTopicsCanHide: listing every replica is the
// most expensive request of a triage for the brokers, and what it adds is
// the names of topics an authorizer hides from Metadata. It is sent when
// asked for (describe logdirs), or for hidden topics when a broker runs an
// authorizer or its configs cannot be read; otherwise log dirs are asked
// for no partition (health and space only), or not at all.
func TestLogDirContentsOnlyWhereTopicsCanHide(t *testing.T) {
	const standard = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
	triageParts := triage.Parts()
	tests := []struct {
		name       string
		parts      source.Parts
		authorizer string // "" none; "error" broker configs cannot be read
		wantAll    int    // DescribeLogDirs for every partition
		wantNone   int    // DescribeLogDirs for no partition
	}{
		{"triage without authorizer", triageParts, "", 0, 3},
		{"triage with an authorizer", triageParts, standard, 3, 0},
		{"triage when broker configs cannot be read", triageParts, "error", 3, 0},
		{"triage without broker configs", triageParts &^ source.PartConfigs, "", 3, 0},
		{"describe logdirs", source.PartLogDirs, "", 3, 0},
		{"describe partitions without authorizer", source.PartConfigs | source.PartHiddenTopics, "", 0, 0},
		{"describe partitions with an authorizer", source.PartConfigs | source.PartHiddenTopics, standard, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kc, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(6, "orders"))
			if err != nil {
				t.Fatal(err)
			}
			defer kc.Close()
			var mu sync.Mutex
			all, none := 0, 0
			kc.ControlKey(int16(kmsg.DescribeLogDirs), func(req kmsg.Request) (kmsg.Response, error, bool) {
				kc.KeepControl()
				mu.Lock()
				defer mu.Unlock()
				if req.(*kmsg.DescribeLogDirsRequest).Topics == nil {
					all++
				} else {
					none++
				}
				return nil, nil, false
			})
			kc.ControlKey(int16(kmsg.DescribeConfigs), func(req kmsg.Request) (kmsg.Response, error, bool) {
				kc.KeepControl()
				return brokerConfigsAnswer(req.(*kmsg.DescribeConfigsRequest), tc.authorizer)
			})

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			snap, err := collect.Collect(ctx, collect.Options{Bootstrap: kc.ListenAddrs(), RequestTimeout: 5 * time.Second, Parts: tc.parts})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if all != tc.wantAll || none != tc.wantNone {
				t.Errorf("DescribeLogDirs for every partition %d, for none %d; want %d, %d", all, none, tc.wantAll, tc.wantNone)
			}
			for _, d := range snap.LogDirs {
				if listed := d.Partitions >= 0 && d.SizeBytes >= 0; listed != (tc.wantAll > 0) {
					t.Errorf("log dir %+v: replicas listed %v, want %v", d, listed, tc.wantAll > 0)
				}
			}
		})
	}
}

// brokerConfigsAnswer answers a DescribeConfigs for a broker with its
// authorizer.class.name (or an authorization error), and leaves topic
// configs to kfake.
func brokerConfigsAnswer(req *kmsg.DescribeConfigsRequest, authorizer string) (kmsg.Response, error, bool) {
	if len(req.Resources) != 1 || req.Resources[0].ResourceType != kmsg.ConfigResourceTypeBroker {
		return nil, nil, false
	}
	resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
	r := kmsg.NewDescribeConfigsResponseResource()
	r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeBroker, req.Resources[0].ResourceName
	if authorizer == "error" {
		r.ErrorCode = kerr.ClusterAuthorizationFailed.Code
	} else {
		c := kmsg.NewDescribeConfigsResponseResourceConfig()
		c.Name, c.Value, c.Source = "authorizer.class.name", kmsg.StringPtr(authorizer), kmsg.ConfigSourceStaticBrokerConfig
		if authorizer == "" {
			c.Source = kmsg.ConfigSourceDefaultConfig
		}
		r.Configs = append(r.Configs, c)
	}
	resp.Resources = append(resp.Resources, r)
	return resp, nil, true
}
