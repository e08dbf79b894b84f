package integration

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
	triagereport "github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// faultCodes are the codes that name a fault (not configuration hygiene).
var faultCodes = []string{
	"BROKER_DOWN", "BROKER_UNREACHABLE", "BROKER_UNRESPONSIVE", "OFFLINE_PARTITION", "UNDER_MIN_ISR",
	"AT_MIN_ISR", "UNDER_REPLICATED", "OFFLINE_REPLICA", "ZOMBIE_LEADER", "STALE_METADATA",
	"UNCLEAN_ELECTION_REQUIRED", "DATA_LOSS", "LOG_START_ADVANCED", "LOG_DIR_OFFLINE",
}

// traffic produces to the given partitions until stopped, like a live
// application would, so followers have something to fall behind on.
func traffic(c *kafkatest.Cluster, topic string, partitions ...int32) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, p := range partitions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				_, _ = c.TryProduce(topic, p, 20, sarama.WaitForLocal)
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// TestTriageHealthyClusterHasNoFalseAlarm: a healthy cluster with traffic
// gives no warning or critical finding and exit 0.
func TestTriageHealthyClusterHasNoFalseAlarm(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.Produce(t, "orders", 0, 100)
	c.CommitOffset(t, "billing", "orders", 0, 50)
	stop := traffic(c, "orders", 0, 1, 2)
	defer stop()
	time.Sleep(time.Second)

	rep, r := triage(t, c)
	if bad := worseThanInfo(rep); len(bad) > 0 {
		t.Errorf("false alarms on a healthy cluster: %v", bad)
	}
	if r.code != 0 {
		t.Errorf("exit %d, want 0; stderr %s", r.code, r.stderr)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("collection errors on a healthy cluster: %+v", rep.Errors)
	}
	for _, u := range rep.Unevaluated {
		if u.Check == "log-dirs" {
			t.Errorf("triage did not evaluate the log dirs: %s", u.Reason)
		}
	}
	testLogDirsWithoutContents(t, c)
}

// testLogDirsWithoutContents: without an authorizer nothing can hide a
// topic, so triage asks the log dirs for no partition. Real Kafka then
// answers every directory with its space and no replica, and names no
// authorizer in its configs; describe logdirs still lists every replica.
func testLogDirsWithoutContents(t *testing.T, c *kafkatest.Cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name     string
		parts    source.Parts
		contents bool
	}{
		{"triage", triagereport.Parts(), false},
		{"describe logdirs", source.PartLogDirs, true},
	} {
		snap, err := collect.Collect(ctx, collect.Options{Bootstrap: c.Bootstrap(), RequestTimeout: 5 * time.Second, Parts: tc.parts})
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Errors) > 0 {
			t.Errorf("%s: collection errors %+v", tc.name, snap.Errors)
		}
		if len(snap.LogDirs) != kafkatest.NumBrokers {
			t.Errorf("%s: %d log dirs, want one per broker: %+v", tc.name, len(snap.LogDirs), snap.LogDirs)
		}
		for _, d := range snap.LogDirs {
			if d.Error != "" || d.TotalBytes <= 0 || d.UsableBytes <= 0 {
				t.Errorf("%s: log dir without health or space: %+v", tc.name, d)
			}
			if listed := d.Partitions > 0 && d.SizeBytes > 0; listed != tc.contents {
				t.Errorf("%s: log dir %+v: replicas listed %v, want %v", tc.name, d, listed, tc.contents)
			}
		}
	}
}

// TestTriageKilledBroker: SIGKILL a broker; exactly that id is down,
// exactly the partitions it replicated are under-replicated, the RF=1
// partition on it is offline, RF 2 / min ISR 2 partitions are under min
// ISR; after a restart every fault clears.
func TestTriageKilledBroker(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {1, 2, 3}, {2, 1, 3}}, nil)
	c.CreateTopic(t, "payments", [][]int32{{1, 3}, {3, 2}, {1, 2}}, map[string]string{"min.insync.replicas": "2"})
	c.CreateTopic(t, "audit", [][]int32{{3}, {1}}, map[string]string{"min.insync.replicas": "1"})
	onThree := partitionsOn(t, c, 3)

	c.Kill(t, 3)
	var rep report
	eventually(t, 30*time.Second, "triage to see broker 3 down", func() bool {
		rep, _ = triage(t, c)
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
	// A partition without a leader takes no write: under min ISR, as
	// kafka-topics.sh --under-min-isr-partitions lists it.
	if got := keys(rep, "UNDER_MIN_ISR"); !slices.Equal(got, []string{"UNDER_MIN_ISR audit/0", "UNDER_MIN_ISR payments/0", "UNDER_MIN_ISR payments/1"}) {
		t.Errorf("UNDER_MIN_ISR = %v, want audit/0, payments/0 and payments/1", got)
	}
	// audit/0 has a single replica: no other copy exists to elect, so no
	// unclean election is proposed; its finding says so.
	if got := keys(rep, "UNCLEAN_ELECTION_REQUIRED"); len(got) != 0 {
		t.Errorf("UNCLEAN_ELECTION_REQUIRED = %v, want none (RF=1)", got)
	}
	for _, f := range rep.Findings {
		if f.Code == "OFFLINE_PARTITION" && !strings.Contains(f.Summary, "no other copy exists") {
			t.Errorf("OFFLINE_PARTITION %s: %q lacks the single-replica wording", f.key(), f.Summary)
		}
	}

	c.Restart(t, 3)
	eventually(t, 60*time.Second, "every fault to clear after the restart", func() bool {
		rep, _ = triage(t, c)
		return len(keys(rep, faultCodes...)) == 0
	})
}

// TestTriagePausedFollower: SIGSTOP a follower under continuous produce
// with a session timeout long enough that it stays registered: its
// partitions are under-replicated, it is not reported down, and resuming
// it clears the finding.
func TestTriagePausedFollower(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{SessionTimeout: 60 * time.Second})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 1, 3}}, nil)
	stop := traffic(c, "orders", 0, 1)
	defer stop()

	c.Pause(t, 3)
	var rep report
	eventually(t, 30*time.Second, "both orders partitions under-replicated", func() bool {
		rep, _ = triage(t, c)
		got := keys(rep, "UNDER_REPLICATED")
		return slices.Contains(got, "UNDER_REPLICATED orders/0") && slices.Contains(got, "UNDER_REPLICATED orders/1")
	})
	if got := keys(rep, "BROKER_DOWN"); len(got) > 0 {
		t.Errorf("a paused but registered broker reported down: %v", got)
	}
	if got := keys(rep, "BROKER_UNRESPONSIVE"); !slices.Equal(got, []string{"BROKER_UNRESPONSIVE broker 3"}) {
		t.Errorf("BROKER_UNRESPONSIVE = %v, want broker 3", got)
	}
	for _, f := range rep.Findings {
		if f.Code == "UNDER_REPLICATED" {
			if isr, ok := f.Evidence["isr"].([]any); ok && slices.Contains(isr, any(float64(3))) {
				t.Errorf("%s lists broker 3 in its ISR: %v", f.key(), isr)
			}
		}
	}

	c.Resume(t, 3)
	eventually(t, 60*time.Second, "the ISR to expand after resume", func() bool {
		rep, _ = triage(t, c)
		return len(keys(rep, "UNDER_REPLICATED", "BROKER_UNRESPONSIVE")) == 0
	})
}

// TestTriageZombieLeader cuts a leader's path to the controller with a
// Kafka-aware proxy: the controller fences it and elects a new leader at a
// higher epoch, while the cut-off broker keeps serving its old image in
// which it still leads. kafka-runbook must name that broker and partition,
// and the zombie-leader runbook must confirm it with the broker's own
// UNKNOWN_LEADER_EPOCH answer.
func TestTriageZombieLeader(t *testing.T) {
	var proxy *kafkatest.Proxy
	c := kafkatest.Start(t, kafkatest.Options{
		ControllerVia: func(controller string) string {
			if proxy == nil {
				proxy = kafkatest.NewProxy(t, controller)
			}
			return proxy.Addr()
		},
	})
	c.CreateTopic(t, "ledger", [][]int32{{3, 1, 2}}, nil)
	t.Logf("clients seen by the controller proxy: %v", clientIDs(proxy.Requests()))

	proxy.Block(isBroker3)
	eventually(t, 30*time.Second, "the controller to move ledger/0 off broker 3", func() bool {
		md, err := c.BrokerMetadata(1, "ledger")
		return err == nil && len(md.Topics) == 1 && len(md.Topics[0].Partitions) == 1 && md.Topics[0].Partitions[0].Leader != 3
	})
	var rep report
	eventually(t, 20*time.Second, "triage to name the zombie", func() bool {
		rep, _ = triage(t, c)
		return slices.Contains(keys(rep, "ZOMBIE_LEADER"), "ZOMBIE_LEADER broker 3 ledger/0")
	})
	t.Logf("zombie findings: %v", keys(rep, "ZOMBIE_LEADER", "STALE_METADATA"))
	produceToZombie(t, c.BrokerAddr(3), "ledger", 5)

	r := runCLI(t, "run", "zombie-leader", "-b", bootstrap(c), "-o", "json", "--interval", "500ms")
	t.Logf("run zombie-leader took %s", r.elapsed.Round(time.Millisecond))
	if r.code != 2 || !strings.Contains(r.stdout, `"UNKNOWN_LEADER_EPOCH"`) {
		t.Errorf("run zombie-leader did not confirm the zombie with UNKNOWN_LEADER_EPOCH (exit %d):\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "About 5 records written to zombie(s) 3 will be truncated") {
		t.Errorf("the 5 records acknowledged by the zombie are not counted as lost:\n%s", r.stdout)
	}

	proxy.Unblock()
	eventually(t, 60*time.Second, "the zombie to catch up once its path is back", func() bool {
		rep, _ = triage(t, c)
		return len(keys(rep, "ZOMBIE_LEADER")) == 0
	})
}

// isBroker3 matches the client ids broker 3 uses towards the controller:
// "raft-client-3" for the metadata log and "3" for heartbeats, forwarding
// and alter-partition (seen in Kafka 4.1).
func isBroker3(clientID string) bool {
	return clientID == "3" || clientID == "raft-client-3"
}

func clientIDs(reqs []kafkatest.Request) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range reqs {
		if !seen[r.ClientID] {
			seen[r.ClientID] = true
			out = append(out, r.ClientID)
		}
	}
	slices.Sort(out)
	return out
}

// produceToZombie writes n records with acks=1 through the zombie alone:
// bootstrapped only from it, the producer believes its stale metadata and
// the zombie acknowledges writes the cluster will discard.
func produceToZombie(t *testing.T, addr, topic string, n int) {
	t.Helper()
	cfg := kafkatest.NewSaramaConfig()
	cfg.Producer.RequiredAcks = sarama.WaitForLocal
	cfg.Producer.Return.Successes = true
	cfg.Producer.Retry.Max = 0
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer([]string{addr}, cfg)
	if err != nil {
		t.Fatalf("producer on the zombie: %v", err)
	}
	defer p.Close()
	for i := 0; i < n; i++ {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder("lost")}); err != nil {
			t.Fatalf("the zombie refused a write: %v", err)
		}
	}
}
