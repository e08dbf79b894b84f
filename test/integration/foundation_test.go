package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// partitionState is what both tools report of one partition.
type partitionState struct {
	Leader   int32
	Replicas []int32
	ISR      []int32
}

func (p partitionState) String() string {
	return fmt.Sprintf("leader %d replicas %v isr %v", p.Leader, p.Replicas, p.ISR)
}

// describePartitions runs `describe partitions -o json`.
func describePartitions(t *testing.T, c *kafkatest.Cluster, topics ...string) map[string]partitionState {
	t.Helper()
	args := []string{"describe", "partitions", "-b", bootstrap(c), "-o", "json"}
	for _, tp := range topics {
		args = append(args, "--topic", tp)
	}
	r := runCLI(t, args...)
	if r.code != 0 {
		t.Fatalf("describe partitions exit %d: %s", r.code, r.stderr)
	}
	var v struct {
		Partitions []struct {
			Topic     string  `json:"topic"`
			Partition int32   `json:"partition"`
			Leader    int32   `json:"leader"`
			Replicas  []int32 `json:"replicas"`
			ISR       []int32 `json:"isr"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("describe partitions JSON: %v", err)
	}
	out := map[string]partitionState{}
	for _, p := range v.Partitions {
		out[fmt.Sprintf("%s/%d", p.Topic, p.Partition)] = partitionState{p.Leader, p.Replicas, p.ISR}
	}
	return out
}

// kafkaTopicsDescribe runs Kafka's own kafka-topics.sh --describe from the
// same jars and parses its partition lines.
func kafkaTopicsDescribe(t *testing.T, c *kafkatest.Cluster, topics ...string) map[string]partitionState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := map[string]partitionState{}
	for _, topic := range topics {
		stdout, stderr, err := c.RunTool(ctx, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap(c), "--describe", "--topic", topic)
		if err != nil {
			t.Fatalf("kafka-topics.sh: %v\n%s", err, stderr)
		}
		for _, line := range strings.Split(stdout, "\n") {
			if !strings.Contains(line, "Partition:") {
				continue
			}
			fields := map[string]string{}
			for _, f := range strings.Split(strings.TrimSpace(line), "\t") {
				if k, v, ok := strings.Cut(f, ":"); ok {
					fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
			leader, _ := strconv.Atoi(fields["Leader"])
			if fields["Leader"] == "none" {
				leader = -1
			}
			out[fields["Topic"]+"/"+fields["Partition"]] = partitionState{int32(leader), ids(fields["Replicas"]), ids(fields["Isr"])}
		}
	}
	return out
}

func ids(s string) []int32 {
	out := []int32{}
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			out = append(out, int32(n))
		}
	}
	return out
}

func comparePartitions(t *testing.T, ours, theirs map[string]partitionState) {
	t.Helper()
	if len(theirs) == 0 {
		t.Fatal("kafka-topics.sh described no partition")
	}
	if len(ours) != len(theirs) {
		t.Errorf("kafka-runbook shows %d partitions, kafka-topics.sh %d", len(ours), len(theirs))
	}
	for k, want := range theirs {
		got, ok := ours[k]
		switch {
		case !ok:
			t.Errorf("%s missing from kafka-runbook", k)
		case got.Leader != want.Leader || !slices.Equal(got.Replicas, want.Replicas) || !slices.Equal(got.ISR, want.ISR):
			t.Errorf("%s: kafka-runbook %s, kafka-topics.sh %s", k, got, want)
		}
	}
}

// TestDescribePartitionsMatchesKafkaTopics compares leader, replicas and ISR
// with Kafka's own tool, healthy and with a broker down.
func TestDescribePartitionsMatchesKafkaTopics(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}, {1, 3, 2}}, nil)
	c.CreateTopic(t, "audit", [][]int32{{3}}, map[string]string{"min.insync.replicas": "1"})
	c.Produce(t, "orders", 0, 20)

	comparePartitions(t, describePartitions(t, c, "orders", "audit"), kafkaTopicsDescribe(t, c, "orders", "audit"))

	c.Kill(t, 3)
	eventually(t, 30*time.Second, "broker 3 out of the ISRs", func() bool {
		return !slices.Contains(describePartitions(t, c, "orders")["orders/0"].ISR, 3)
	})
	comparePartitions(t, describePartitions(t, c, "orders", "audit"), kafkaTopicsDescribe(t, c, "orders", "audit"))
}

// TestKilledBrokerGivesPartialView: SIGKILL one broker; the snapshot marks
// it down, lists the partitions that lost a replica, shows the RF=1 topic
// on it offline, and describe still exits 0.
func TestKilledBrokerGivesPartialView(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {1, 2, 3}}, nil)
	c.CreateTopic(t, "audit", [][]int32{{3}}, map[string]string{"min.insync.replicas": "1"})
	c.Kill(t, 3)
	eventually(t, 30*time.Second, "broker 3 fenced", func() bool {
		md, err := c.BrokerMetadata(1)
		if err != nil {
			return false
		}
		for _, b := range md.Brokers {
			if b.ID() == 3 {
				return false
			}
		}
		return true
	})

	r := runCLI(t, "describe", "brokers", "-b", bootstrap(c), "-o", "json")
	if r.code != 0 {
		t.Fatalf("describe brokers exit %d: %s", r.code, r.stderr)
	}
	var brokers struct {
		Brokers []struct {
			ID    int32  `json:"id"`
			Live  bool   `json:"live"`
			Probe string `json:"probe"`
		} `json:"brokers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &brokers); err != nil {
		t.Fatal(err)
	}
	states := map[int32]string{}
	for _, b := range brokers.Brokers {
		states[b.ID] = fmt.Sprintf("live=%v probe=%s", b.Live, b.Probe)
	}
	if states[1] != "live=true probe=ok" || states[2] != "live=true probe=ok" {
		t.Errorf("brokers 1 and 2 should be live and answering: %v", states)
	}
	if !strings.HasPrefix(states[3], "live=false") || strings.HasSuffix(states[3], "probe=ok") {
		t.Errorf("broker 3 should be down and not answering: %q", states[3])
	}

	parts := describePartitions(t, c)
	lostReplica := 0
	for k, p := range parts {
		if slices.Contains(p.Replicas, 3) {
			lostReplica++
			if slices.Contains(p.ISR, 3) && p.Leader != -1 {
				t.Errorf("%s still has broker 3 in its ISR: %s", k, p)
			}
		}
	}
	if lostReplica < 4 {
		t.Errorf("only %d partitions show a replica on broker 3", lostReplica)
	}
	if parts["audit/0"].Leader != -1 {
		t.Errorf("audit/0 (RF 1 on broker 3) should be offline: %s", parts["audit/0"])
	}
	r = runCLI(t, "describe", "partitions", "--unavailable", "-b", bootstrap(c))
	if r.code != 0 || !strings.Contains(r.stdout, "audit") || strings.Contains(r.stdout, "orders ") {
		t.Errorf("describe partitions --unavailable (exit %d):\n%s", r.code, r.stdout)
	}
}

// TestPausedBrokerDescribeIsBounded: SIGSTOP one broker (it accepts TCP
// and never answers); describe brokers still finishes within 10 s, names
// it as not answering, and shows the other two in full.
func TestPausedBrokerDescribeIsBounded(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{SessionTimeout: 60 * time.Second})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.Pause(t, 2)
	defer c.Resume(t, 2)

	r := runCLI(t, "describe", "brokers", "-b", bootstrap(c), "-o", "json")
	t.Logf("describe brokers with broker 2 paused: %s, exit %d", r.elapsed.Round(time.Millisecond), r.code)
	if r.elapsed > 10*time.Second {
		t.Errorf("describe brokers took %s with a hung broker, want under 10s", r.elapsed)
	}
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var v struct {
		Brokers []struct {
			ID       int32  `json:"id"`
			Address  string `json:"address"`
			Probe    string `json:"probe"`
			Replicas int    `json:"replicas"`
		} `json:"brokers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatal(err)
	}
	for _, b := range v.Brokers {
		switch b.ID {
		case 2:
			if b.Probe != "timeout" {
				t.Errorf("paused broker 2 probe = %q, want timeout", b.Probe)
			}
		default:
			if b.Probe != "ok" || b.Address != c.BrokerAddr(b.ID) || b.Replicas == 0 {
				t.Errorf("broker %d not shown in full: %+v", b.ID, b)
			}
		}
	}
	if len(v.Brokers) != 3 {
		t.Errorf("brokers shown: %+v", v.Brokers)
	}
}
