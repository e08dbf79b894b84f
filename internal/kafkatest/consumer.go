package kafkatest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// Group protocols a consumer may use (group.protocol).
const (
	// ProtocolConsumer is KIP-848's protocol (GA in Kafka 4.0): the coordinator assigns
	// partitions; ConsumerGroupDescribe (API 69) describes the group, DescribeGroups does not.
	ProtocolConsumer = "consumer"
	// ProtocolClassic is the JoinGroup/SyncGroup protocol.
	ProtocolClassic = "classic"
)

// groupWait bounds WaitGroupStable: a consumer JVM starts in a few seconds, then joins.
const groupWait = 60 * time.Second

// Consumer is a real Java consumer (Kafka's console consumer) running from the cluster's jars.
type Consumer struct {
	proc    *process
	logPath string
}

// StartConsumer starts Kafka's console consumer (kafka-console-consumer.sh) on topic in
// group with group.protocol protocol (ProtocolConsumer or ProtocolClassic), reading from the
// beginning and committing every half second, in the background. It runs until Kill or the
// end of the test. Its client id is "kafkatest-consumer-<group>"; what it prints goes to a log
// file shown when the test fails. Use WaitGroupStable to know it has its partitions.
func (c *Cluster) StartConsumer(t testing.TB, group, topic, protocol string) *Consumer {
	t.Helper()
	if protocol != ProtocolConsumer && protocol != ProtocolClassic {
		t.Fatalf("kafkatest: StartConsumer(%q): group protocol %q is neither %q nor %q", group, protocol, ProtocolConsumer, ProtocolClassic)
	}
	seeds, err := c.liveBootstrap()
	if err != nil {
		t.Fatalf("kafkatest: StartConsumer(%q): %v", group, err)
	}
	logf, err := os.CreateTemp(c.dir, "consumer-*.log")
	if err != nil {
		t.Fatalf("kafkatest: StartConsumer(%q): %v", group, err)
	}
	defer logf.Close() // the child has its own descriptor
	cmd := c.jvm.cmd(context.Background(), c.dir, toolHeap, c.toolLog4j, "org.apache.kafka.tools.consumer.ConsoleConsumer",
		"--bootstrap-server", strings.Join(seeds, ","), "--topic", topic, "--group", group, "--from-beginning",
		"--consumer-property", "group.protocol="+protocol,
		"--consumer-property", "client.id=kafkatest-consumer-"+group,
		// The default 5 s would leave the committed offsets, and so the lag, behind for
		// seconds after the records are read.
		"--consumer-property", "auto.commit.interval.ms=500")
	cmd.Stdout, cmd.Stderr = logf, logf
	p, err := startProcess(cmd)
	if err != nil {
		t.Fatalf("kafkatest: StartConsumer(%q): %v", group, err)
	}
	cons := &Consumer{proc: p, logPath: logf.Name()}
	t.Cleanup(func() {
		cons.Kill()
		if t.Failed() {
			t.Logf("kafkatest: consumer of group %s (%s):\n%s", group, filepath.Base(cons.logPath), tail(cons.logPath, tailLines))
		}
	})
	return cons
}

// Kill stops the consumer with SIGKILL, as a crash would: it leaves the group only when the
// coordinator's session timeout expires. Killing it twice is harmless.
func (cons *Consumer) Kill() { cons.proc.kill() }

// GroupListing is a group as ListGroups v5 reports it.
type GroupListing struct {
	Group string
	// Coordinator is the broker that listed the group: its coordinator.
	Coordinator int32
	// State is e.g. "Stable", "Empty", "PreparingRebalance" (classic), "Assigning" or
	// "Reconciling" (KIP-848).
	State string
	// Type is "classic" or "consumer" (KIP-848).
	Type string
}

// ListGroup asks every running, unpaused, connected broker for its groups (each lists only
// the groups it coordinates) and returns group's listing; ok is false when no broker lists it.
func (c *Cluster) ListGroup(group string) (listing GroupListing, ok bool, err error) {
	for _, id := range c.liveBrokers() {
		resp, err := ask(c.BrokerAddr(id), probeTimeout, func(b *sarama.Broker, _ *sarama.Config) (*sarama.ListGroupsResponse, error) {
			return b.ListGroups(&sarama.ListGroupsRequest{Version: 5})
		})
		if err != nil {
			return GroupListing{}, false, fmt.Errorf("broker %d: %w", id, err)
		}
		if resp.Err != sarama.ErrNoError {
			return GroupListing{}, false, fmt.Errorf("broker %d: %w", id, resp.Err)
		}
		if d, found := resp.GroupsData[group]; found {
			return GroupListing{Group: group, Coordinator: id, State: d.GroupState, Type: d.GroupType}, true, nil
		}
	}
	return GroupListing{}, false, nil
}

// WaitGroupStable waits up to a minute until group is Stable (every member has its target
// assignment) and returns its listing, so that a test can also check the protocol it runs.
func (c *Cluster) WaitGroupStable(t testing.TB, group string) GroupListing {
	t.Helper()
	var last GroupListing
	err := retry(groupWait, func() error {
		l, ok, err := c.ListGroup(group)
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("no broker lists group %s", group)
		case l.State != "Stable":
			last = l
			return fmt.Errorf("group %s is %s", group, l.State)
		}
		last = l
		return nil
	})
	if err != nil {
		t.Fatalf("kafkatest: WaitGroupStable(%q): %v after %s", group, err, groupWait)
	}
	return last
}

// GroupOffset is one row of kafka-consumer-groups.sh --describe --group G: one partition the
// group has a committed offset on or a member assigned to.
type GroupOffset struct {
	Group     string
	Topic     string
	Partition int32
	// CurrentOffset is the committed offset, -1 when there is none.
	CurrentOffset int64
	LogEndOffset  int64
	// Lag is LogEndOffset - CurrentOffset, -1 when unknown.
	Lag int64
	// ConsumerID, Host and ClientID name the member assigned the partition, "" when none is.
	ConsumerID string
	Host       string
	ClientID   string
}

// ConsumerGroupsDescribe runs kafka-consumer-groups.sh --describe --group group (Kafka's
// ConsumerGroupCommand, which describes classic and KIP-848 groups alike) through the live
// brokers and parses its rows, in the tool's order, so that a test can compare lag per
// partition with the product's.
func (c *Cluster) ConsumerGroupsDescribe(ctx context.Context, group string) ([]GroupOffset, error) {
	out, err := c.runAdminTool(ctx, "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", Via{},
		"--describe", "--group", group)
	if err != nil {
		return nil, err
	}
	return parseGroupOffsets(out)
}

func parseGroupOffsets(out string) ([]GroupOffset, error) {
	cols := []string{"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID"}
	return parseRows(out, "consumer group --describe", cols, func(r *tableRow) GroupOffset {
		return GroupOffset{Group: r.str("GROUP"), Topic: r.str("TOPIC"), Partition: int32(r.int("PARTITION")),
			CurrentOffset: r.int("CURRENT-OFFSET"), LogEndOffset: r.int("LOG-END-OFFSET"), Lag: r.int("LAG"),
			ConsumerID: r.str("CONSUMER-ID"), Host: r.str("HOST"), ClientID: r.str("CLIENT-ID")}
	})
}
