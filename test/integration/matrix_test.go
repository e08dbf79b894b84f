package integration

import (
	"archive/zip"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// matrixEntry is one cluster of the version matrix.
type matrixEntry struct {
	version   string
	zooKeeper bool
}

func (m matrixEntry) String() string {
	if m.zooKeeper {
		return m.version + "-zookeeper"
	}
	return m.version + "-kraft"
}

// matrixEntries are the matrix's clusters: every version of kafkatest.MatrixVersions in KRaft
// mode, and those before 4.0 in ZooKeeper mode too. The default version (4.1) is not among
// them: every other integration test runs it already.
func matrixEntries(t *testing.T) []matrixEntry {
	var out []matrixEntry
	for _, v := range kafkatest.MatrixVersions() {
		if major(t, v) < 4 {
			out = append(out, matrixEntry{v, true})
		}
		out = append(out, matrixEntry{v, false})
	}
	return out
}

// major is a version's major number. The tests choose cluster settings by version (a 3.x
// format knows no eligible-leader-replicas feature); the tool itself never does.
func major(t *testing.T, version string) int {
	n, err := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if err != nil {
		t.Fatalf("version %q: %v", version, err)
	}
	return n
}

// TestMatrix runs the core proofs on each Kafka version of the matrix, one cluster per version
// and mode, shared by its subtests and stopped before the next one starts (two cores): a
// healthy cluster gives no false alarm and no gap, describe partitions equals that version's
// kafka-topics.sh, and a killed broker, a paused follower, a zombie leader, an unclean election
// with data loss and a retention jump give the same codes and subjects as on 4.1 (faults_test.go,
// recovery_test.go). Each subtest leaves the cluster healthy for the next. What does not apply
// to a version (the KRaft quorum on ZooKeeper) is asserted to be said so in the output.
func TestMatrix(t *testing.T) {
	for _, m := range matrixEntries(t) {
		t.Run(m.String(), func(t *testing.T) {
			began := time.Now()
			opts := kafkatest.Options{
				Version: m.version, ZooKeeper: m.zooKeeper,
				// Long enough for a paused follower to stay registered while triage sees its
				// partitions under-replicated (replica.lag.time.max.ms is 2 s), short enough for
				// a killed broker to be fenced, or lose its ZooKeeper session, within seconds.
				SessionTimeout: 10 * time.Second,
				// Cuts broker 3 off the controllers, or off ZooKeeper, for the zombie.
				ControllerProxies: true,
			}
			if major(t, m.version) >= 4 {
				// As in TestUncleanElectionAndDataLoss: without eligible leader replicas the ISR
				// keeps naming the dead leader. Before 4.0 there are none anyway.
				opts.Features = map[string]int{"eligible.leader.replicas.version": 0}
			}
			c := kafkatest.Start(t, opts)
			t.Cleanup(func() {
				t.Logf("matrix: Kafka %s took %s in all, cluster start included", m, time.Since(began).Round(time.Second))
			})
			for _, sub := range []struct {
				name string
				run  func(*testing.T, *kafkatest.Cluster)
			}{
				{"healthy", matrixHealthy},
				{"killed broker and describe partitions", matrixKilledBroker},
				{"paused follower", matrixPausedFollower},
				{"zombie leader", matrixZombie},
				{"unclean election and data loss", matrixUncleanElection},
				{"retention jump", retentionJumpPastCommittedOffset},
			} {
				subBegan := time.Now()
				if !t.Run(sub.name, func(t *testing.T) { sub.run(t, c) }) {
					t.Fatalf("%s failed: the cluster may not be healthy for the next subtests", sub.name)
				}
				t.Logf("matrix: %s %s took %s", m, sub.name, time.Since(subBegan).Round(100*time.Millisecond))
			}
		})
	}
}

// matrixTriage is triageWithin with the report's skipped checks too: what did not apply.
type matrixReport struct {
	verdict
	Skipped []struct {
		Check  string `json:"check"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func matrixTriage(t *testing.T, c *kafkatest.Cluster) matrixReport {
	t.Helper()
	_, r := triageWithin(t, c, 20*time.Second)
	var rep matrixReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// matrixHealthy: traffic on a healthy cluster gives OK, exit 0, no collection error and no gap;
// the controller is the one the cluster really has (the ZooKeeper-elected broker, or the KRaft
// quorum leader), and on ZooKeeper the quorum check and view say they do not apply.
func matrixHealthy(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.Produce(t, "orders", 0, 100)
	c.CommitOffset(t, "billing", "orders", 0, 50)
	stop := traffic(c, "orders", 0, 1, 2)
	defer stop()

	rep := matrixTriage(t, c)
	if bad := worseThanInfo(rep.report); len(bad) > 0 || rep.Status != "ok" {
		t.Errorf("healthy Kafka %s: status %s, findings %v", c.Version(), rep.Status, bad)
	}
	if len(rep.Errors) > 0 || len(rep.Unevaluated) > 0 {
		t.Errorf("healthy Kafka %s: collection errors %+v, gaps %+v", c.Version(), rep.Errors, rep.Unevaluated)
	}
	skipped := map[string]string{}
	for _, s := range rep.Skipped {
		skipped[s.Check] = s.Reason
	}
	t.Logf("skipped checks: %v", skipped)

	var brokers brokersJSON
	describeJSON(t, c, &brokers, "brokers")
	var quorum struct {
		Mode                string `json:"metadata_mode"`
		Known               bool   `json:"known"`
		LeaderID            int32  `json:"leader_id"`
		ZooKeeperController int32  `json:"zookeeper_controller"`
	}
	describeJSON(t, c, &quorum, "quorum")
	quorumTable := runCLI(t, "describe", "quorum", "-b", bootstrap(c))
	brokersTable := runCLI(t, "describe", "brokers", "-b", bootstrap(c))
	t.Logf("describe quorum:\n%s\ndescribe brokers:\n%s", quorumTable.stdout, brokersTable.stdout)
	if c.ZooKeeper() {
		controller := c.Metadata(t).ControllerID
		if got := brokers.controllers(); !slices.Equal(got, []int32{controller}) || brokers.KRaft {
			t.Errorf("ZooKeeper: describe brokers names controllers %v (kraft %v), want the Metadata controller %d", got, brokers.KRaft, controller)
		}
		if quorum.Mode != "zookeeper" || quorum.Known || quorum.ZooKeeperController != controller {
			t.Errorf("ZooKeeper: describe quorum %+v, want mode zookeeper, no quorum, controller %d", quorum, controller)
		}
		if !strings.Contains(quorumTable.stdout, "ZooKeeper: there is no KRaft quorum") || quorumTable.code != 0 {
			t.Errorf("ZooKeeper: describe quorum does not say the quorum does not apply (exit %d):\n%s", quorumTable.code, quorumTable.stdout)
		}
		if !strings.Contains(brokersTable.stdout, "fenced: not applicable, ZooKeeper cluster") || strings.Contains(brokersTable.stdout, " ? ") {
			t.Errorf("ZooKeeper: describe brokers does not say the fenced state does not apply:\n%s", brokersTable.stdout)
		}
		if !strings.Contains(skipped["controller-quorum"], "ZooKeeper cluster") {
			t.Errorf("ZooKeeper: triage does not say the quorum check does not apply: skipped %v", skipped)
		}
		return
	}
	if !quorum.Known || quorum.Mode != "kraft" || quorum.LeaderID != kafkatest.ControllerID {
		t.Errorf("KRaft: describe quorum %+v, want leader %d", quorum, kafkatest.ControllerID)
	}
	if brokers.QuorumLeader == nil || *brokers.QuorumLeader != kafkatest.ControllerID || len(brokers.controllers()) != 0 {
		t.Errorf("KRaft: describe brokers: quorum leader %v, broker rows called controller %v; want %d and none (the controller is no broker)",
			brokers.QuorumLeader, brokers.controllers(), kafkatest.ControllerID)
	}
}

// matrixKilledBroker is TestTriageKilledBroker and TestDescribePartitionsMatchesKafkaTopics on
// one kill: exactly broker 3 down, exactly its partitions under-replicated, the RF=1 one
// offline, the min-ISR-2 ones under min ISR; describe partitions equals kafka-topics.sh healthy
// and with the broker down; after a restart every fault clears.
func matrixKilledBroker(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "stock", [][]int32{{1, 2, 3}, {2, 3, 1}, {1, 2, 3}, {2, 1, 3}}, nil)
	c.CreateTopic(t, "payments", [][]int32{{1, 3}, {3, 2}, {1, 2}}, map[string]string{"min.insync.replicas": "2"})
	c.CreateTopic(t, "audit", [][]int32{{3}, {1}}, map[string]string{"min.insync.replicas": "1"})
	c.Produce(t, "stock", 0, 20)
	topics := []string{"stock", "payments", "audit"}
	comparePartitions(t, describePartitions(t, c, topics...), kafkaTopicsDescribe(t, c, topics...))
	// Without eligible leader replicas (the matrix's 4.x clusters are formatted without, 3.x has
	// none) the ISR of audit/0, RF 1 on broker 3, keeps naming broker 3: offline, not
	// under-replicated, as kafka-topics.sh --under-replicated-partitions agrees. (With ELR, as
	// TestTriageKilledBroker runs 4.1, the ISR empties and it is both.)
	onThree := slices.DeleteFunc(partitionsOn(t, c, 3), func(p string) bool { return p == "audit/0" })

	c.Kill(t, 3)
	// Not eventually: when it never settles, the assertions below say how it differs.
	rep := settle(t, c, 45*time.Second, func(rep report) bool {
		return slices.Contains(keys(rep, "BROKER_DOWN"), "BROKER_DOWN broker 3") && len(keys(rep, "UNDER_REPLICATED")) == len(onThree)
	})
	if got := keys(rep, "BROKER_DOWN"); !slices.Equal(got, []string{"BROKER_DOWN broker 3"}) {
		t.Errorf("BROKER_DOWN = %v, want exactly broker 3", got)
	}
	if got, want := keys(rep, "UNDER_REPLICATED"), prefixed("UNDER_REPLICATED ", onThree); !slices.Equal(got, want) {
		t.Errorf("UNDER_REPLICATED:\n got  %v\n want %v", got, want)
	}
	if got := keys(rep, "OFFLINE_PARTITION"); !slices.Equal(got, []string{"OFFLINE_PARTITION audit/0"}) {
		t.Errorf("OFFLINE_PARTITION = %v, want audit/0", got)
	}
	if got := keys(rep, "UNDER_MIN_ISR"); !slices.Equal(got, []string{"UNDER_MIN_ISR audit/0", "UNDER_MIN_ISR payments/0", "UNDER_MIN_ISR payments/1"}) {
		t.Errorf("UNDER_MIN_ISR = %v, want audit/0, payments/0 and payments/1", got)
	}
	if got := keys(rep, "UNCLEAN_ELECTION_REQUIRED"); len(got) != 0 {
		t.Errorf("UNCLEAN_ELECTION_REQUIRED = %v, want none (RF=1)", got)
	}
	comparePartitions(t, describePartitions(t, c, topics...), kafkaTopicsDescribe(t, c, topics...))

	c.Restart(t, 3)
	eventually(t, 60*time.Second, "every fault to clear after the restart", func() bool {
		rep, _ = triage(t, c)
		return len(keys(rep, faultCodes...)) == 0
	})
	// The next subtests cut broker 3 off again: audit/0, whose only replica it holds, would be
	// a second zombie partition there.
	deleteTopics(t, c, topics...)
}

// deleteTopics deletes topics and waits until no broker lists them, so that one subtest's
// partitions do not show up in the next one's findings.
func deleteTopics(t *testing.T, c *kafkatest.Cluster, topics ...string) {
	t.Helper()
	admin := adminOf(t, c)
	for _, topic := range topics {
		if err := admin.DeleteTopic(topic); err != nil {
			t.Fatalf("deleting %s: %v", topic, err)
		}
	}
	eventually(t, 30*time.Second, "the deleted topics gone from every broker", func() bool {
		for _, id := range c.BrokerIDs() {
			md, err := c.BrokerMetadata(id)
			if err != nil {
				return false
			}
			for _, tm := range md.Topics {
				if slices.Contains(topics, tm.Name) {
					return false
				}
			}
		}
		return true
	})
}

// settle runs triage every half second until done holds or timeout passes, and returns the
// last report either way, so that the caller's assertions show what differs.
func settle(t *testing.T, c *kafkatest.Cluster, timeout time.Duration, done func(report) bool) report {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		rep, _ := triage(t, c)
		if done(rep) || time.Now().After(deadline) {
			if !done(rep) {
				t.Errorf("not settled within %s; last findings: %v", timeout, keys(rep, faultCodes...))
			}
			return rep
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// matrixPausedFollower is TestTriagePausedFollower: a SIGSTOPped follower under traffic makes
// its partitions under-replicated and is unresponsive, not down; resuming it clears both.
func matrixPausedFollower(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "clicks", [][]int32{{1, 2, 3}, {2, 1, 3}}, nil)
	stop := traffic(c, "clicks", 0, 1)
	defer stop()

	c.Pause(t, 3)
	var rep report
	eventually(t, 30*time.Second, "both clicks partitions under-replicated", func() bool {
		rep, _ = triage(t, c)
		got := keys(rep, "UNDER_REPLICATED")
		return slices.Contains(got, "UNDER_REPLICATED clicks/0") && slices.Contains(got, "UNDER_REPLICATED clicks/1")
	})
	if got := keys(rep, "BROKER_DOWN"); len(got) > 0 {
		t.Errorf("a paused but registered broker reported down: %v", got)
	}
	if got := keys(rep, "BROKER_UNRESPONSIVE"); !slices.Equal(got, []string{"BROKER_UNRESPONSIVE broker 3"}) {
		t.Errorf("BROKER_UNRESPONSIVE = %v, want broker 3", got)
	}
	c.Resume(t, 3)
	eventually(t, 60*time.Second, "the ISR to expand after resume", func() bool {
		rep, _ = triage(t, c)
		return len(keys(rep, faultCodes...)) == 0
	})
}

// matrixZombie is TestTriageZombieLeader: broker 3, cut off the controllers (KRaft) or off
// ZooKeeper, loses its leadership but keeps serving it; triage names it, the zombie-leader
// runbook confirms it with UNKNOWN_LEADER_EPOCH and counts the records it acknowledged alone.
func matrixZombie(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "ledger", [][]int32{{3, 1, 2}}, nil)
	c.IsolateFromController(t, 3)
	eventually(t, 45*time.Second, "ledger/0 to move off broker 3", func() bool {
		md, err := c.BrokerMetadata(1, "ledger")
		return err == nil && len(md.Topics) == 1 && len(md.Topics[0].Partitions) == 1 && md.Topics[0].Partitions[0].Leader != 3
	})
	var rep report
	eventually(t, 20*time.Second, "triage to name the zombie", func() bool {
		rep, _ = triage(t, c)
		return slices.Contains(keys(rep, "ZOMBIE_LEADER"), "ZOMBIE_LEADER broker 3 ledger/0")
	})
	t.Logf("zombie findings: %v", keys(rep, faultCodes...))
	// Fenced on KRaft 4.x (DescribeCluster v2 says so); before 4.0, and on ZooKeeper, unlisted
	// by the cluster but answering at its bootstrap address: cut off, not down, either way.
	if got := keys(rep, "BROKER_DOWN", "BROKER_FENCED"); !slices.Equal(got, []string{"BROKER_FENCED broker 3"}) {
		t.Errorf("the cut-off broker: %v, want BROKER_FENCED broker 3", got)
	}
	produceToZombie(t, c.BrokerAddr(3), "ledger", 5)

	r := runCLI(t, "run", "zombie-leader", "-b", bootstrap(c), "-o", "json", "--interval", "500ms")
	if r.code != 2 || !strings.Contains(r.stdout, `"UNKNOWN_LEADER_EPOCH"`) {
		t.Errorf("run zombie-leader did not confirm the zombie with UNKNOWN_LEADER_EPOCH (exit %d):\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "About 5 records written to zombie(s) 3 will be truncated") {
		t.Errorf("the 5 records acknowledged by the zombie are not counted as lost:\n%s", r.stdout)
	}
	c.Reconnect(t, 3)
	eventually(t, 60*time.Second, "the zombie to catch up once its path is back", func() bool {
		rep, _ = triage(t, c)
		return len(keys(rep, faultCodes...)) == 0
	})
	deleteTopics(t, c, "ledger") // its truncated records are no business of the next subtests
}

// matrixUncleanElection is TestUncleanElectionAndDataLoss: the only in-sync replica dies with
// records the follower never got; triage says an unclean election is required, data-recovery
// offers it as dangerous, and after Kafka's own kafka-leader-election.sh --election-type unclean
// it reports exactly the records lost. The dead leader is restarted for the next subtest.
func matrixUncleanElection(t *testing.T, c *kafkatest.Cluster) {
	uncleanElectionLosesData(t, c, "journal")
	c.Restart(t, 1)
}

// configCommand is kafka-configs.sh's main class in the cluster's jars: it moved from the core
// (kafka.admin) to the tools (org.apache.kafka.tools) in Kafka 4.2.
func configCommand(t *testing.T, c *kafkatest.Cluster) string {
	t.Helper()
	jars, _ := filepath.Glob(filepath.Join(c.LibsDir(), "kafka-tools-*.jar"))
	for _, jar := range jars {
		z, err := zip.OpenReader(jar)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(z.File, func(f *zip.File) bool { return f.Name == "org/apache/kafka/tools/ConfigCommand.class" })
		z.Close()
		if found {
			return "org.apache.kafka.tools.ConfigCommand"
		}
	}
	return "kafka.admin.ConfigCommand"
}
