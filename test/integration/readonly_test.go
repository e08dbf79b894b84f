package integration

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// readAPIs are the Kafka API keys a diagnostic tool may send. Anything
// else changes the cluster or joins it (Produce, OffsetCommit, JoinGroup,
// CreateTopics, AlterConfigs, ElectLeaders, ...).
var readAPIs = map[int16]string{
	1:  "Fetch", // the record at a committed offset (time lag): no session, no group, nothing committed
	2:  "ListOffsets",
	3:  "Metadata",
	9:  "OffsetFetch",
	10: "FindCoordinator",
	15: "DescribeGroups",
	16: "ListGroups",
	17: "SaslHandshake",
	18: "ApiVersions",
	23: "OffsetForLeaderEpoch",
	29: "DescribeAcls",
	32: "DescribeConfigs",
	35: "DescribeLogDirs",
	36: "SaslAuthenticate",
	46: "ListPartitionReassignments",
	55: "DescribeQuorum",
	60: "DescribeCluster",
	61: "DescribeProducers",
	65: "DescribeTransactions",
	66: "ListTransactions",
	69: "ConsumerGroupDescribe",
	75: "DescribeTopicPartitions",
}

// TestEveryCommandOnlyReads routes every command and every runbook
// through Kafka-aware proxies in front of each broker (the brokers
// advertise the proxies, so every connection the tool makes passes one)
// and checks that kafka-runbook sent only read APIs, never auto-created a
// topic and never joined a group.
func TestEveryCommandOnlyReads(t *testing.T) {
	proxies := map[int32]*kafkatest.Proxy{}
	nodeProps := map[int32]map[string]string{}
	for id := int32(1); id <= kafkatest.NumBrokers; id++ {
		p := kafkatest.NewProxy(t, "")
		proxies[id] = p
		nodeProps[id] = map[string]string{"advertised.listeners": "PLAINTEXT://" + p.Addr()}
	}
	c := kafkatest.Start(t, kafkatest.Options{NodeProperties: nodeProps})
	for id, p := range proxies {
		p.SetTarget(c.BrokerAddr(id))
	}
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.Produce(t, "orders", 0, 30)
	c.CommitOffset(t, "billing", "orders", 0, 10)
	c.Kill(t, 3) // a degraded cluster exercises more of every runbook
	eventually(t, 30*time.Second, "broker 3 fenced", func() bool {
		rep, _ := triage(t, c)
		return len(keys(rep, "BROKER_DOWN")) == 1
	})

	dir := t.TempDir()
	commands := [][]string{
		{"describe", "brokers"}, {"describe", "topics"}, {"describe", "partitions"}, {"describe", "groups"},
		{"describe", "logdirs"}, {"describe", "configs"}, {"describe", "security"}, {"describe", "quorum"},
		{"describe", "partitions", "--topic", "orders"},
		{"triage"}, {"triage", "--sample", "1s"}, {"audit"}, {"snapshot", "-f", dir + "/snap.json"},
		{"run", "broker-failure", "--plan-dir", dir}, {"run", "isr-shrinkage", "--interval", "100ms"},
		{"run", "zombie-leader", "--interval", "100ms"}, {"run", "consumer-lag", "--interval", "100ms"},
		{"run", "disk-pressure", "--interval", "100ms", "--plan-dir", dir},
		{"run", "data-recovery", "--since", dir + "/snap.json", "--to-datetime", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)},
	}
	// With broker 3 dead, the hygiene report and disk-pressure cannot read its configs and
	// log dirs and nothing worse may be found: UNKNOWN is their true answer, with a report.
	mayBeUnknown := func(args []string) bool { return args[0] == "audit" || slices.Contains(args, "disk-pressure") }
	for _, args := range commands {
		r := runCLI(t, append(args, "-b", proxies[1].Addr(), "-o", "json")...)
		if r.code == 3 && (!mayBeUnknown(args) || !json.Valid([]byte(r.stdout)) || r.stdout == "") {
			t.Errorf("%v could not evaluate: %s", args, r.stderr)
		}
	}

	reqs := requestsBy(proxies, "kafka-runbook")
	if len(reqs) == 0 {
		t.Fatal("no request from kafka-runbook passed the proxies: the test proves nothing")
	}
	sent := map[string]int{}
	for _, r := range reqs {
		name, ok := readAPIs[r.APIKey]
		if !ok {
			name = fmt.Sprintf("NOT READ-ONLY api key %d", r.APIKey)
			t.Errorf("kafka-runbook sent API key %d (v%d)", r.APIKey, r.APIVersion)
		}
		sent[name]++
	}
	var summary []string
	for name, n := range sent {
		summary = append(summary, fmt.Sprintf("%s=%d", name, n))
	}
	sort.Strings(summary)
	t.Logf("requests sent by kafka-runbook across %d commands: %v", len(commands), summary)

	md := c.Metadata(t)
	for _, topic := range md.Topics {
		if topic.Name == "no-such-topic" {
			t.Error("describe --topic no-such-topic created the topic")
		}
	}
}

// requestsBy returns the requests the given client id sent through any
// proxy.
func requestsBy(proxies map[int32]*kafkatest.Proxy, clientID string) []kafkatest.Request {
	var out []kafkatest.Request
	ids := make([]int32, 0, len(proxies))
	for id := range proxies {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, r := range proxies[id].Requests() {
			if r.ClientID == clientID {
				out = append(out, r)
			}
		}
	}
	return out
}
