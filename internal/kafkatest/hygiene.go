package kafkatest

import (
	"context"
	"os"
	"strings"
	"testing"
)

// leaderElectionCommand is kafka-leader-election.sh's main class in Kafka 4.x.
const leaderElectionCommand = "org.apache.kafka.tools.LeaderElectionCommand"

// SetNodeProperty changes one server property of node id for its next start (Restart): a
// value of "" removes the property, so the broker falls back to Kafka's default. It is how a
// test restarts a broker with another config, e.g. without broker.rack.
func (c *Cluster) SetNodeProperty(t testing.TB, id int32, key, value string) {
	t.Helper()
	n := c.nodeFor(t, "SetNodeProperty", id)
	defer c.mu.Unlock()
	data, err := os.ReadFile(n.propPath)
	if err != nil {
		t.Fatalf("kafkatest: SetNodeProperty(%d, %s): %v", id, key, err)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if !strings.HasPrefix(line, key+"=") {
			lines = append(lines, line)
		}
	}
	if value != "" {
		lines = append(lines, key+"="+value)
	}
	if err := os.WriteFile(n.propPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatalf("kafkatest: SetNodeProperty(%d, %s): %v", id, key, err)
	}
}

// ElectPreferredLeaders runs Kafka's own kafka-leader-election.sh --election-type PREFERRED
// --all-topic-partitions: every partition whose preferred replica is in its ISR and does
// not lead gets it back as leader. It returns the tool's output.
func (c *Cluster) ElectPreferredLeaders(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	boot, err := c.bootstrapArgs(Via{})
	if err != nil {
		t.Fatalf("kafkatest: ElectPreferredLeaders: %v", err)
	}
	// This tool names its client config --admin.config, not --command-config.
	args := append(boot, "--admin.config", c.toolConfig, "--election-type", "PREFERRED", "--all-topic-partitions")
	out, stderr, err := c.RunTool(ctx, leaderElectionCommand, args...)
	if err != nil {
		t.Fatalf("kafkatest: ElectPreferredLeaders: %v\nstdout: %s\nstderr: %s", err, out, lastLines(stderr, 10))
	}
	return lastLines(out, 5)
}
