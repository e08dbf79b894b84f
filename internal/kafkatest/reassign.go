package kafkatest

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"
)

// reassignCommand is kafka-reassign-partitions.sh's main class in Kafka 4.x.
const reassignCommand = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand"

// toolTimeout bounds one run of a Kafka tool by the harness: a JVM start on two busy cores
// plus the tool's own client timeouts (toolConfig).
const toolTimeout = time.Minute

// Reassign starts moving topic's partition to replicas with Kafka's own
// kafka-reassign-partitions.sh --execute, and returns once the controller accepted it: the
// replicas that are added then catch up in the background. A throttleBytesPerSec above 0 is
// the tool's --throttle, which sets leader.replication.throttled.rate and
// follower.replication.throttled.rate on every broker the move involves, and
// leader.replication.throttled.replicas / follower.replication.throttled.replicas on the
// topic, so that a large partition keeps its new replica out of the ISR for as long as the
// test needs. Reassignments run with --additional, so several may be in flight. When the test
// ends, CancelReassignments cancels what is still running and removes the throttles.
func (c *Cluster) Reassign(t testing.TB, topic string, partition int32, replicas []int32, throttleBytesPerSec int64) {
	t.Helper()
	p := move{topic: topic, partition: partition, replicas: replicas}
	plan, err := c.writePlan([]move{p})
	if err != nil {
		t.Fatalf("kafkatest: Reassign(%s-%d): %v", topic, partition, err)
	}
	args := []string{"--reassignment-json-file", plan, "--execute", "--additional"}
	if throttleBytesPerSec > 0 {
		args = append(args, "--throttle", strconv.FormatInt(throttleBytesPerSec, 10))
	}
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	c.mu.Lock()
	c.reassigned = append(c.reassigned, p)
	c.mu.Unlock()
	// Once per call: the first cleanup to run cancels everything, the others find nothing.
	t.Cleanup(func() { c.CancelReassignments(t) })
	if _, err := c.runAdminTool(ctx, reassignCommand, Via{}, args...); err != nil {
		t.Fatalf("kafkatest: Reassign(%s-%d to %v): %v", topic, partition, replicas, err)
	}
}

// CancelReassignments runs kafka-reassign-partitions.sh --cancel over every partition Reassign
// moved: the reassignments still in progress go back to their original replicas, and the
// tool removes the throttles from every broker and from those topics, whether or not the
// reassignments had finished.
func (c *Cluster) CancelReassignments(t testing.TB) {
	t.Helper()
	c.mu.Lock()
	parts := c.reassigned
	c.reassigned = nil
	c.mu.Unlock()
	if len(parts) == 0 {
		return
	}
	plan, err := c.writePlan(parts)
	if err != nil {
		t.Fatalf("kafkatest: CancelReassignments: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	out, err := c.runAdminTool(ctx, reassignCommand, Via{}, "--reassignment-json-file", plan, "--cancel")
	if err != nil {
		t.Errorf("kafkatest: CancelReassignments: %v", err)
		return
	}
	t.Logf("kafkatest: CancelReassignments: %s", lastLines(out, 3))
}

// move is one partition Reassign moved.
type move struct {
	topic     string
	partition int32
	replicas  []int32
}

// writePlan writes the --reassignment-json-file kafka-reassign-partitions.sh reads:
// {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}. The tool's
// --cancel reads only the partitions from it.
func (c *Cluster) writePlan(moves []move) (string, error) {
	parts := make([]map[string]any, len(moves))
	for i, m := range moves {
		parts[i] = map[string]any{"topic": m.topic, "partition": m.partition, "replicas": m.replicas}
	}
	b, err := json.Marshal(map[string]any{"version": 1, "partitions": parts})
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(c.dir, "reassign-*.json")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}
