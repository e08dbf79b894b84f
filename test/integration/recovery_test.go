package integration

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// TestUncleanElectionAndDataLoss: RF 2, min ISR 1; the follower falls out
// of the ISR, records are written to the leader alone, a snapshot is taken,
// the leader is killed. kafka-runbook says an unclean election is required;
// after it, data-recovery --since the snapshot reports exactly the records
// lost: the snapshot's log end minus the new leader's, which covers every
// record acknowledged while the follower was out.
func TestUncleanElectionAndDataLoss(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{
		// Without eligible leader replicas (KIP-966) the ISR keeps naming
		// the dead leader, the case the unclean election runbook is for.
		Features: map[string]int{"eligible.leader.replicas.version": 0},
	})
	uncleanElectionLosesData(t, c, "ledger")
}

// uncleanElectionLosesData is the unclean election proof on topic (RF 2 on
// brokers 1 and 2, min ISR 1), shared by the 4.1 test and the version
// matrix. It leaves broker 1 killed and the topic led by broker 2.
func uncleanElectionLosesData(t *testing.T, c *kafkatest.Cluster, topic string) {
	const shared, acked = 10, 37
	tp := topic + "/0"
	c.CreateTopic(t, topic, [][]int32{{1, 2}}, map[string]string{"min.insync.replicas": "1"})
	c.Produce(t, topic, 0, shared)

	c.Pause(t, 2)
	eventually(t, 30*time.Second, "broker 2 out of "+tp+"'s ISR", func() bool {
		_, _ = c.TryProduce(topic, 0, 1, sarama.WaitForLocal)
		md, err := c.BrokerMetadata(1, topic)
		return err == nil && slices.Equal(md.Topics[0].Partitions[0].Isr, []int32{1})
	})
	c.ProduceAcks(t, topic, 0, acked, sarama.WaitForAll)
	before := filepath.Join(t.TempDir(), "before.json")
	if r := runCLI(t, "snapshot", "-b", bootstrap(c), "--out", before); r.code != 0 {
		t.Fatalf("snapshot exit %d: %s", r.code, r.stderr)
	}
	hwBefore := snapshotLatest(t, before, topic, 0)
	if hwBefore < shared+acked {
		t.Fatalf("snapshot log end %d does not hold the %d acknowledged records", hwBefore, shared+acked)
	}

	c.Kill(t, 1)
	c.Resume(t, 2)
	var rep report
	eventually(t, 60*time.Second, tp+" offline and only electable uncleanly", func() bool {
		rep, _ = triage(t, c)
		return slices.Contains(keys(rep, "UNCLEAN_ELECTION_REQUIRED"), "UNCLEAN_ELECTION_REQUIRED "+tp)
	})
	if !slices.Contains(keys(rep, "OFFLINE_PARTITION"), "OFFLINE_PARTITION "+tp) {
		t.Errorf("%s not offline: %v", tp, keys(rep, faultCodes...))
	}

	r := runCLI(t, "run", "data-recovery", "--step", "1", "-b", bootstrap(c), "-o", "json", "--since", before)
	if !strings.Contains(r.stdout, "kafka-leader-election.sh") || !strings.Contains(r.stdout, `"dangerous"`) {
		t.Errorf("no dangerous unclean election action offered:\n%s", r.stdout)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, stderr, err := c.RunTool(ctx, "org.apache.kafka.tools.LeaderElectionCommand", "--bootstrap-server", bootstrap(c),
		"--election-type", "unclean", "--topic", topic, "--partition", "0"); err != nil {
		t.Fatalf("unclean election: %v\n%s", err, stderr)
	}
	eventually(t, 30*time.Second, "broker 2 to lead "+tp, func() bool {
		md, err := c.BrokerMetadata(2, topic)
		return err == nil && md.Topics[0].Partitions[0].Leader == 2
	})

	lost := hwBefore - latestOffset(t, c, topic, 0)
	if lost < acked {
		t.Fatalf("only %d records lost, but %d were acknowledged by the old leader alone", lost, acked)
	}
	r = runCLI(t, "run", "data-recovery", "--step", "2", "-b", bootstrap(c), "-o", "json", "--since", before)
	var tr struct {
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &tr); err != nil {
		t.Fatalf("data-recovery JSON: %v\n%s", err, r.stdout)
	}
	var got []string
	for _, f := range tr.Findings {
		if f.Code == "DATA_LOSS" {
			got = append(got, f.key())
			if n, _ := f.Evidence["records_lost"].(float64); int64(n) != lost {
				t.Errorf("records_lost = %v, want %d", f.Evidence["records_lost"], lost)
			}
		}
	}
	if !slices.Equal(got, []string{"DATA_LOSS " + tp}) {
		t.Errorf("DATA_LOSS findings = %v, want %s (exit %d)\n%s", got, tp, r.code, r.stdout)
	}
}

// TestRetentionJumpPastCommittedOffset: retention.ms=1000 with rolled
// segments moves the log start past a group's committed offset;
// kafka-runbook names the group.
func TestRetentionJumpPastCommittedOffset(t *testing.T) {
	retentionJumpPastCommittedOffset(t, kafkatest.Start(t, kafkatest.Options{}))
}

// retentionJumpPastCommittedOffset is the retention proof on topic
// "events", with the cluster version's own kafka-configs.sh; shared by the
// 4.1 test and the version matrix.
func retentionJumpPastCommittedOffset(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "events", [][]int32{{1, 2, 3}}, map[string]string{"segment.ms": "500"})
	c.Produce(t, "events", 0, 50)
	c.CommitOffset(t, "reporting", "events", 0, 10)
	time.Sleep(time.Second)
	c.Produce(t, "events", 0, 50) // rolls the first segment: it is older than segment.ms

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, stderr, err := c.RunTool(ctx, configCommand(t, c), "--bootstrap-server", bootstrap(c),
		"--entity-type", "topics", "--entity-name", "events", "--alter", "--add-config", "retention.ms=1000"); err != nil {
		t.Fatalf("kafka-configs: %v\n%s", err, stderr)
	}
	var rep report
	eventually(t, 60*time.Second, "retention to delete past the committed offset", func() bool {
		c.Produce(t, "events", 0, 1)
		rep, _ = triage(t, c)
		return len(keys(rep, "LOG_START_ADVANCED")) > 0
	})
	if got := keys(rep, "LOG_START_ADVANCED"); !slices.Equal(got, []string{"LOG_START_ADVANCED events/0 group reporting"}) {
		t.Errorf("LOG_START_ADVANCED = %v", got)
	}
	r := runCLI(t, "run", "data-recovery", "--step", "3", "-b", bootstrap(c))
	if !strings.Contains(r.stdout, "--delete-config retention.ms") {
		t.Errorf("data-recovery does not offer to remove the retention override:\n%s", r.stdout)
	}
}

// snapshotLatest reads one partition's log end offset from a snapshot file.
func snapshotLatest(t *testing.T, path, topic string, partition int32) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := snapshot.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	tp, ok := snap.Topic(topic)
	if !ok {
		t.Fatalf("%s not in %s", topic, path)
	}
	for _, p := range tp.Partitions {
		if p.ID == partition {
			return p.LatestOffset
		}
	}
	t.Fatalf("%s/%d not in %s", topic, partition, path)
	return -1
}

// latestOffset asks the cluster for a partition's log end with a plain
// sarama client, independently of kafka-runbook.
func latestOffset(t *testing.T, c *kafkatest.Cluster, topic string, partition int32) int64 {
	t.Helper()
	client, err := sarama.NewClient(c.Bootstrap(), kafkatest.NewSaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	off, err := client.GetOffset(topic, partition, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	return off
}
