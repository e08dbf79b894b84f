package kafkatest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"
)

// RunTool runs one of Kafka's command-line classes from the cluster's jars, as the kafka-*.sh
// scripts would, and returns what it printed. Examples of classes in 4.1:
// org.apache.kafka.tools.TopicCommand, org.apache.kafka.tools.consumer.group.ConsumerGroupCommand,
// org.apache.kafka.tools.LeaderElectionCommand, org.apache.kafka.tools.reassign.ReassignPartitionsCommand,
// org.apache.kafka.tools.ClusterTool, org.apache.kafka.tools.MetadataQuorumCommand,
// kafka.admin.ConfigCommand, kafka.tools.DumpLogSegments. Logging goes to stderr at WARN, so
// stdout holds only the tool's output. A tool facing a paused broker can hang: give ctx a
// deadline. A non-zero exit is returned as an error wrapping *exec.ExitError.
func (c *Cluster) RunTool(ctx context.Context, class string, args ...string) (stdout, stderr string, err error) {
	cmd := c.jvm.cmd(ctx, c.dir, toolHeap, c.toolLog4j, class, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return out.String(), errOut.String(), fmt.Errorf("%s %s: %w", class, strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), nil
}
