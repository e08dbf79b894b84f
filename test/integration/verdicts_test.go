package integration

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// The proofs of issue 10, "verdicts an on-call engineer can trust", on
// real Kafka 4.1. Two clusters share the work: subtests of one test run in
// order on one cluster, each leaving it as it found it (or, for the last
// ones, as broken as the next one needs), so the whole file costs two
// cluster starts.

// verdictTimeout is the --timeout of every triage here: the bound the
// issue gives an on-call answer.
const verdictTimeout = 10 * time.Second

// TestVerdictsSingleController runs on one controller (9) with proxies the
// harness owns in front of the controller (to cut broker 3 off the quorum)
// and of broker 3 (to hang chosen APIs). ELR is on, as a 4.1 format leaves
// it.
func TestVerdictsSingleController(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{ControllerProxies: true, ProxiedBrokers: []int32{3}})
	for _, st := range []struct {
		name string
		run  func(*testing.T, *kafkatest.Cluster)
	}{
		{"quorum agrees with kafka-metadata-quorum", testQuorumAgreesWithKafka},
		{"KIP-848 group lag agrees with kafka-consumer-groups", testConsumerProtocolGroup},
		{"hung APIs give UNKNOWN within the deadline", testHungAPIsAreUnknown},
		{"throttled reassignment is not under-replicated", testThrottledReassignment},
		{"a throttled follower stalls", testThrottledFollowerStalls},
		{"fenced broker still serving is no dead broker", testFencedButServing},
		{"offline partition with eligible leader replicas", testEligibleLeaderReplicas},
		{"lost controller quorum", testSingleControllerLost}, // destroys the quorum: last
	} {
		began := time.Now()
		ok := t.Run(st.name, func(t *testing.T) { st.run(t, c) })
		t.Logf("%-55s %-4s %s", st.name, map[bool]string{true: "ok", false: "FAIL"}[ok], time.Since(began).Round(100*time.Millisecond))
	}
}

// testQuorumAgreesWithKafka: on a healthy cluster describe quorum gives the
// leader, epoch, voters and observers kafka-metadata-quorum.sh describe
// --status gives, and describe brokers calls no broker controller (KRaft:
// Metadata's controller id is a random broker) and names controller 9 as
// the quorum leader.
func testQuorumAgreesWithKafka(t *testing.T, c *kafkatest.Cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, err := c.QuorumStatus(ctx, kafkatest.Via{})
	if err != nil {
		t.Fatal(err)
	}
	var q quorumJSON
	r := describeJSON(t, c, &q, "quorum")
	t.Logf("kafka-metadata-quorum: %+v; describe quorum: %+v", *want, q)
	if r.code != 0 || !q.Known {
		t.Errorf("describe quorum: exit %d, known %v: %s", r.code, q.Known, r.stderr)
	}
	if q.LeaderID != want.LeaderID || q.LeaderID != kafkatest.ControllerID || q.LeaderEpoch != want.LeaderEpoch {
		t.Errorf("describe quorum: leader %d epoch %d; kafka-metadata-quorum.sh: leader %d epoch %d (want leader %d)",
			q.LeaderID, q.LeaderEpoch, want.LeaderID, want.LeaderEpoch, kafkatest.ControllerID)
	}
	if got, w := nodeIDs(q.Voters), sorted(want.CurrentVoters); !slices.Equal(got, w) {
		t.Errorf("voters %v, kafka-metadata-quorum.sh %v", got, w)
	}
	if got, w := nodeIDs(q.Observers), sorted(want.CurrentObservers); !slices.Equal(got, w) || !slices.Equal(got, c.BrokerIDs()) {
		t.Errorf("observers %v, kafka-metadata-quorum.sh %v, brokers %v", got, w, c.BrokerIDs())
	}

	var b brokersJSON
	r = describeJSON(t, c, &b, "brokers")
	if r.code != 0 || !b.KRaft || len(b.Brokers) != kafkatest.NumBrokers {
		t.Errorf("describe brokers: exit %d, kraft %v, %d brokers", r.code, b.KRaft, len(b.Brokers))
	}
	if got := b.controllers(); len(got) > 0 {
		t.Errorf("describe brokers calls brokers %v controller on KRaft", got)
	}
	if b.QuorumLeader == nil || *b.QuorumLeader != kafkatest.ControllerID {
		t.Errorf("describe brokers: quorum_leader %v, want %d", b.QuorumLeader, kafkatest.ControllerID)
	}

	v, _ := triageWithin(t, c, verdictTimeout)
	if v.Status != "ok" || len(keys(v.report, "CONTROLLER_QUORUM_UNAVAILABLE", "CONTROLLER_VOTER_DOWN")) > 0 {
		t.Errorf("healthy cluster: status %s, findings %v, gaps %+v", v.Status, worseThanInfo(v.report), v.Unevaluated)
	}
}

// testConsumerProtocolGroup: a KIP-848 group (group.protocol=consumer),
// which DescribeGroups does not describe, is shown Stable with its type,
// member and assignment, and its lag per partition equals
// kafka-consumer-groups.sh's: once caught up (lag 0), and once the member
// is gone and records arrived (lag 20 per partition).
func testConsumerProtocolGroup(t *testing.T, c *kafkatest.Cluster) {
	const group, topic = "g848", "events"
	c.CreateTopic(t, topic, [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	cons := c.StartConsumer(t, group, topic, kafkatest.ProtocolConsumer)
	defer cons.Kill()
	if l := c.WaitGroupStable(t, group); l.Type != "consumer" {
		t.Errorf("ListGroups: %+v, want a consumer-protocol group", l)
	}
	for p := range int32(3) {
		c.Produce(t, topic, p, 30)
	}

	var view groupsJSON
	eventually(t, time.Minute, "the member to commit every record and describe groups to agree", func() bool {
		tool, rows, err := toolPositions(t, c, group, topic)
		if err != nil {
			t.Logf("kafka-consumer-groups: %v", err)
			return false
		}
		if len(tool) != 3 || slices.ContainsFunc(rows, func(r kafkatest.GroupOffset) bool { return r.Lag != 0 }) {
			t.Logf("kafka-consumer-groups: %+v (not caught up)", rows)
			return false
		}
		view = groupsJSON{}
		describeJSON(t, c, &view, "groups", "--group", group)
		return samePositions(t, view, tool)
	})
	t.Logf("caught up: describe groups %+v", view)
	if len(view.Groups) != 1 {
		t.Fatalf("describe groups --group %s: %+v", group, view)
	}
	g := view.Groups[0]
	if g.State != "Stable" || g.Type != "consumer" || g.Epoch <= 0 {
		t.Errorf("group %s: state %q type %q epoch %d, want Stable, consumer, an epoch", group, g.State, g.Type, g.Epoch)
	}
	if len(g.Members) != 1 || g.Members[0].ClientID != "kafkatest-consumer-"+group || len(g.Members[0].Assignment) != 3 || g.Members[0].Epoch <= 0 {
		t.Errorf("group %s members %+v, want the one console consumer owning 3 partitions", group, g.Members)
	}

	// The member dies (no last commit) and records keep coming: the lag
	// grows to exactly what was produced since.
	cons.Kill()
	for p := range int32(3) {
		c.Produce(t, topic, p, 20)
	}
	eventually(t, time.Minute, "describe groups to show the lag kafka-consumer-groups shows", func() bool {
		tool, _, err := toolPositions(t, c, group, topic)
		if err != nil || len(tool) != 3 || slices.ContainsFunc(slices.Collect(maps.Values(tool)), func(p position) bool { return p.lag != 20 }) {
			t.Logf("kafka-consumer-groups: %+v %v", tool, err)
			return false
		}
		view = groupsJSON{}
		describeJSON(t, c, &view, "groups", "--group", group)
		return samePositions(t, view, tool)
	})
	t.Logf("member gone, 20 more records per partition: describe groups offsets %+v", view.Groups[0].Offsets)
}

// samePositions compares describe groups' committed offsets and lag with
// the tool's, partition by partition.
func samePositions(t *testing.T, view groupsJSON, tool map[int32]position) bool {
	t.Helper()
	got := map[int32]position{}
	for _, g := range view.Groups {
		for _, o := range g.Offsets {
			got[o.Partition] = position{o.Committed, o.Lag}
		}
	}
	for p, want := range tool {
		if got[p] != want {
			t.Logf("partition %d: describe groups %+v, kafka-consumer-groups %+v", p, got[p], want)
			return false
		}
	}
	return len(got) == len(tool)
}

// testHungAPIsAreUnknown: broker 3 answers Metadata but never answers
// DescribeConfigs, DescribeLogDirs or OffsetFetch. Nothing is wrong, yet
// triage cannot check broker 3's listeners, log dirs, or the committed
// offsets of a group it coordinates: it must say UNKNOWN (exit 3), name
// each gap, and still answer within --timeout. Releasing the proxy brings
// back the OK of before.
func testHungAPIsAreUnknown(t *testing.T, c *kafkatest.Cluster) {
	const hungTimeout = 6 * time.Second
	group := groupCoordinatedBy(t, c, 3, "verdicts")
	c.CommitOffset(t, group, "events", 0, 5)
	t.Logf("group %s is coordinated by broker 3", group)

	before, r := triageWithin(t, c, hungTimeout)
	if r.code != 0 {
		t.Fatalf("before hanging: exit %d, findings %v, gaps %+v: the test needs a clean cluster", r.code, worseThanInfo(before.report), before.Unevaluated)
	}

	proxy := c.BrokerProxy(3)
	proxy.Hang(kafkatest.HangAPIs(32, 35, 9)) // DescribeConfigs, DescribeLogDirs, OffsetFetch
	released := false
	defer func() {
		if !released {
			proxy.Hang(nil)
		}
	}()
	v, r := triageWithin(t, c, hungTimeout)
	for _, u := range v.Unevaluated {
		t.Logf("gap %s: %s", u.Check, u.Reason)
	}
	for _, e := range v.Errors {
		t.Logf("error %s broker %d %s: %s (%s)", e.Source, e.Broker, e.Subject, e.Message, e.Kind)
	}
	if r.code != 3 || v.Status != "unknown" {
		t.Errorf("broker 3 hanging on configs, log dirs and offsets: exit %d %s, findings %v; want 3 UNKNOWN",
			r.code, v.Status, worseThanInfo(v.report))
	}
	for _, check := range []string{"security", "log-dirs", "log-start-past-committed"} {
		if reasons := gapsOf(v, check); !mentions(reasons, "broker 3") {
			t.Errorf("check %s: gaps %q do not name broker 3", check, reasons)
		}
	}
	// Topic configs come from one broker of the collector's choosing; when
	// that was broker 3 the checks that read them are gaps too.
	if slices.ContainsFunc(v.Errors, func(e collectError) bool { return e.Source == "topic_configs" && e.Broker == 3 }) {
		for _, check := range []string{"topic-config", "replication"} {
			if len(gapsOf(v, check)) == 0 {
				t.Errorf("topic configs were not read from broker 3, yet check %s is not a gap", check)
			}
		}
	}
	hung := map[int16]bool{}
	for _, req := range proxy.Requests() {
		if req.Hung {
			hung[req.APIKey] = true
		}
	}
	t.Logf("APIs the proxy left unanswered: %v", hung)

	proxy.Hang(nil)
	released = true
	eventually(t, 30*time.Second, "triage to return to OK once broker 3 answers again", func() bool {
		v, r = triageWithin(t, c, hungTimeout)
		return r.code == 0
	})
}

// testThrottledReassignment: a replica a throttled reassignment is adding
// is out of the ISR by design. Triage says a reassignment is in progress
// (info) and does not call the partition under-replicated, nor does
// describe partitions --under-replicated list it.
func testThrottledReassignment(t *testing.T, c *kafkatest.Cluster) {
	const topic = "moving"
	c.CreateTopic(t, topic, [][]int32{{1, 2}}, nil)
	c.ProduceSized(t, topic, 0, 60, 100<<10) // 6 MB: ten minutes at 10 KB/s
	c.Reassign(t, topic, 0, []int32{1, 2, 3}, 10_000)
	defer c.CancelReassignments(t)

	var v verdict
	eventually(t, 30*time.Second, "triage to see the reassignment", func() bool {
		v, _ = triageWithin(t, c, verdictTimeout)
		return len(keys(v.report, "REASSIGNMENT_IN_PROGRESS")) > 0
	})
	t.Logf("findings on %s: %v; counts %+v", topic, about(v, topic), v.Counts)
	f, ok := findingOf(v, "REASSIGNMENT_IN_PROGRESS "+topic+"/0")
	if !ok || f.Severity != "info" || !slices.Equal(evidenceIDs(f, "adding_replicas"), []int32{3}) {
		t.Errorf("REASSIGNMENT_IN_PROGRESS %s/0 = %+v (found %v), want info, adding [3]", topic, f, ok)
	}
	if got := keys(v.report, "UNDER_REPLICATED"); len(got) > 0 || v.Counts.UnderReplicated != 0 {
		t.Errorf("under-replicated while only a reassignment adds broker 3: %v, count %d", got, v.Counts.UnderReplicated)
	}
	if v.Counts.Reassigning != 1 {
		t.Errorf("counts.reassigning = %d, want 1", v.Counts.Reassigning)
	}

	// At 10 KB/s a 100 KB record takes ten seconds to copy: over a second's samples the
	// adding replica's log end does not move, which isr-shrinkage calls a stalled
	// reassignment (not a stalled follower).
	eventually(t, 30*time.Second, "isr-shrinkage to call the reassignment stalled", func() bool {
		r := runCLI(t, "run", "isr-shrinkage", "-b", bootstrap(c), "-o", "json", "--yes", "--interval", "1s")
		return strings.Contains(r.stdout, `"REASSIGNMENT_STALLED"`) && !strings.Contains(r.stdout, `"FOLLOWER_STALLED"`)
	})

	var under partitionsJSON
	describeJSON(t, c, &under, "partitions", "--under-replicated")
	for _, p := range under.Partitions {
		t.Errorf("describe partitions --under-replicated lists %s/%d (replicas %v, ISR %v, %s)", p.Topic, p.Partition, p.Replicas, p.ISR, p.Status)
	}
	var moving partitionsJSON
	describeJSON(t, c, &moving, "partitions", "--topic", topic)
	if len(moving.Partitions) != 1 || !slices.Equal(moving.Partitions[0].Replicas, []int32{1, 2, 3}) ||
		slices.Contains(moving.Partitions[0].ISR, 3) || moving.Partitions[0].Status == "under-replicated" {
		t.Errorf("describe partitions --topic %s = %+v, want replicas [1 2 3], broker 3 still adding, not under-replicated", topic, moving.Partitions)
	}

	c.CancelReassignments(t)
	eventually(t, 30*time.Second, "the cancelled reassignment to disappear", func() bool {
		v, _ = triageWithin(t, c, verdictTimeout)
		return len(keys(v.report, "REASSIGNMENT_IN_PROGRESS", "UNDER_REPLICATED")) == 0
	})
}

// testThrottledFollowerStalls: a follower held back by a replication throttle left on its
// topic and broker (the classic leftover of a reassignment) drops out of the ISR while its
// broker answers: isr-shrinkage calls it a stalled follower, and triage names the throttle
// that holds it (REPLICATION_THROTTLE_LEFT, urgent while a replica is out of the ISR).
func testThrottledFollowerStalls(t *testing.T, c *kafkatest.Cluster) {
	const topic = "held"
	alter := func(args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, stderr, err := c.RunTool(ctx, configCommand(t, c), append([]string{"--bootstrap-server", bootstrap(c), "--alter"}, args...)...); err != nil {
			t.Fatalf("kafka-configs %v: %v\n%s", args, err, stderr)
		}
	}
	c.CreateTopic(t, topic, [][]int32{{1, 2, 3}}, map[string]string{"follower.replication.throttled.replicas": "0:3"})
	alter("--entity-type", "brokers", "--entity-name", "3", "--add-config", "follower.replication.throttled.rate=10000")
	defer func() {
		alter("--entity-type", "brokers", "--entity-name", "3", "--delete-config", "follower.replication.throttled.rate")
		deleteTopics(t, c, topic)
	}()
	// Kafka throttles only followers out of the ISR: broker 3 is paused until it drops out,
	// then 3 MB behind at 10 KB/s it stays out for minutes.
	c.Pause(t, 3)
	c.ProduceSized(t, topic, 0, 30, 100<<10)
	eventually(t, 30*time.Second, "broker 3 out of held/0's ISR", func() bool {
		md, err := c.BrokerMetadata(1, topic)
		return err == nil && len(md.Topics) == 1 && len(md.Topics[0].Partitions) == 1 && !slices.Contains(md.Topics[0].Partitions[0].Isr, 3)
	})
	c.Resume(t, 3)
	eventually(t, 30*time.Second, "broker 3 registered and answering again", func() bool {
		rep, _ := triage(t, c)
		return len(keys(rep, "BROKER_DOWN", "BROKER_FENCED", "BROKER_UNRESPONSIVE")) == 0
	})
	eventually(t, 30*time.Second, "isr-shrinkage to call broker 3's follower stalled", func() bool {
		r := runCLI(t, "run", "isr-shrinkage", "-b", bootstrap(c), "-o", "json", "--yes", "--interval", "1s")
		return strings.Contains(r.stdout, `"FOLLOWER_STALLED"`) && !strings.Contains(r.stdout, `"REASSIGNMENT_STALLED"`)
	})
	rep, _ := triage(t, c)
	if got := keys(rep, "REPLICATION_THROTTLE_LEFT"); !slices.ContainsFunc(got, func(k string) bool { return strings.Contains(k, topic) }) {
		t.Errorf("triage does not name the throttle holding %s/0's follower: %q", topic, got)
	}
}

// testFencedButServing: broker 3 loses its path to the controller but
// still answers clients. Past the session timeout the controller fences it
// and moves ledger/0 away while broker 3 still claims it: triage calls it
// fenced (BROKER_FENCED), never down, and names the zombie leadership.
func testFencedButServing(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "ledger", [][]int32{{3, 1, 2}}, nil)
	c.IsolateFromController(t, 3)
	reconnected := false
	defer func() {
		if !reconnected {
			c.Reconnect(t, 3)
		}
	}()
	eventually(t, 30*time.Second, "the controller to move ledger/0 off broker 3", func() bool {
		md, err := c.BrokerMetadata(1, "ledger")
		return err == nil && len(md.Topics) == 1 && len(md.Topics[0].Partitions) == 1 && md.Topics[0].Partitions[0].Leader != 3
	})
	produceToZombie(t, c.BrokerAddr(3), "ledger", 5)

	var v verdict
	var r result
	eventually(t, 30*time.Second, "triage to call broker 3 fenced and a zombie", func() bool {
		v, r = triageWithin(t, c, verdictTimeout)
		return slices.Contains(keys(v.report, "BROKER_FENCED"), "BROKER_FENCED broker 3") &&
			slices.Contains(keys(v.report, "ZOMBIE_LEADER"), "ZOMBIE_LEADER broker 3 ledger/0")
	})
	t.Logf("broker findings: %v", keys(v.report, "BROKER_FENCED", "BROKER_DOWN", "BROKER_UNREACHABLE", "BROKER_UNRESPONSIVE", "ZOMBIE_LEADER", "STALE_METADATA"))
	if got := keys(v.report, "BROKER_FENCED"); !slices.Equal(got, []string{"BROKER_FENCED broker 3"}) {
		t.Errorf("BROKER_FENCED = %v, want exactly broker 3", got)
	}
	if got := keys(v.report, "BROKER_DOWN", "BROKER_UNREACHABLE", "BROKER_UNRESPONSIVE"); len(got) > 0 {
		t.Errorf("a broker that answers is called %v", got)
	}
	if f, _ := findingOf(v, "BROKER_FENCED broker 3"); f.Severity != "critical" {
		t.Errorf("BROKER_FENCED broker 3 is %s, want critical (it holds replicas)", f.Severity)
	}
	if r.code != 2 || v.Status != "critical" {
		t.Errorf("exit %d %s, want 2 CRITICAL", r.code, v.Status)
	}

	c.Reconnect(t, 3)
	reconnected = true
	eventually(t, 60*time.Second, "broker 3 to be unfenced and catch up", func() bool {
		v, _ = triageWithin(t, c, verdictTimeout)
		return len(keys(v.report, "BROKER_FENCED", "ZOMBIE_LEADER", "UNDER_REPLICATED")) == 0
	})
}

// testEligibleLeaderReplicas proves the offline-partition verdicts against
// what Kafka 4.1 does with ELR on (KIP-966), as seen with
// DescribeTopicPartitions on topic elr (RF 3, replicas [1,2,3],
// min.insync.replicas 2):
//
//   - kill 3: ISR [1,2], ELR [] (the ISR still meets min ISR);
//   - kill 2: ISR [1], ELR [2]: a replica dropped while the ISR is below
//     min ISR becomes an eligible leader replica; 1 still leads;
//   - kill 1: no leader, ISR [] and ELR [1,2], last known ELR [1]: the ISR
//     is emptied, the replicas that hold every committed record are kept
//     in the ELR;
//   - restart 3 (not eligible): the partition stays offline;
//   - restart 1: it was SIGKILLed, an unclean shutdown, so the controller
//     drops it from the ELR when it registers again: ISR [], ELR [2], still
//     offline although brokers 1 and 3 are up;
//   - restart 2: a leader is elected again.
//
// So the verdict must name the ELR brokers to bring back and never
// propose an unclean election while an eligible replica exists, even with
// other replicas live. An RF=1 partition on a killed broker (ISR [], ELR
// [3]) has no other copy at all and is worded so.
func testEligibleLeaderReplicas(t *testing.T, c *kafkatest.Cluster) {
	c.CreateTopic(t, "elr", [][]int32{{1, 2, 3}}, map[string]string{"min.insync.replicas": "2"})
	c.CreateTopic(t, "solo", [][]int32{{3}}, map[string]string{"min.insync.replicas": "1"})
	c.Produce(t, "elr", 0, 20)
	c.Produce(t, "solo", 0, 5)
	down := map[int32]bool{}
	kill := func(id int32) { c.Kill(t, id); down[id] = true }
	restart := func(id int32) { c.Restart(t, id); delete(down, id) }
	defer func() {
		for _, id := range c.BrokerIDs() {
			if down[id] {
				restart(id)
			}
		}
	}()
	partitionState := func(want func(topicPartition) bool, what string) {
		t.Helper()
		var last topicPartition
		eventually(t, 30*time.Second, what, func() bool {
			p, err := describeTopicPartition(c, "elr", 0)
			if err != nil {
				t.Logf("DescribeTopicPartitions: %v", err)
				return false
			}
			last = p
			return want(p)
		})
		t.Logf("elr/0: %s", last)
	}

	kill(3)
	var v verdict
	var r result
	eventually(t, 30*time.Second, "solo/0 offline with broker 3 fenced", func() bool {
		v, r = triageWithin(t, c, verdictTimeout)
		_, ok := findingOf(v, "OFFLINE_PARTITION solo/0")
		return ok
	})
	if f, _ := findingOf(v, "OFFLINE_PARTITION solo/0"); f.Severity != "critical" || !strings.Contains(f.Summary, "no other copy exists") {
		t.Errorf("OFFLINE_PARTITION solo/0: %s %q, want critical with the single-replica wording", f.Severity, f.Summary)
	}
	if got := keys(v.report, "UNCLEAN_ELECTION_REQUIRED"); len(got) > 0 {
		t.Errorf("UNCLEAN_ELECTION_REQUIRED %v for an RF=1 partition: no other copy exists to elect", got)
	}
	if r.code != 2 {
		t.Errorf("exit %d with an offline partition, want 2", r.code)
	}

	kill(2)
	partitionState(func(p topicPartition) bool {
		return p.Leader == 1 && slices.Equal(p.ISR, []int32{1}) && slices.Equal(p.ELR, []int32{2})
	},
		"elr/0: ISR [1], broker 2 an eligible leader replica")
	kill(1)
	restart(3)
	partitionState(func(p topicPartition) bool {
		return p.Leader == -1 && len(p.ISR) == 0 && slices.Equal(p.ELR, []int32{1, 2})
	},
		"elr/0 offline: ISR empty, ELR [1 2]")
	checkELRVerdict(t, c, []int32{1, 2}, "bring back brokers 1, 2")

	restart(1)
	partitionState(func(p topicPartition) bool {
		return p.Leader == -1 && len(p.ISR) == 0 && slices.Equal(p.ELR, []int32{2})
	},
		"elr/0 still offline after broker 1's unclean restart: ELR [2]")
	checkELRVerdict(t, c, []int32{2}, "bring back broker 2")

	restart(2)
	eventually(t, 60*time.Second, "elr/0 and solo/0 to have leaders again", func() bool {
		v, _ = triageWithin(t, c, verdictTimeout)
		return len(keys(v.report, "OFFLINE_PARTITION")) == 0
	})
}

// checkELRVerdict: elr/0 is offline with an empty ISR and eligible leader
// replicas elr: triage names them to bring back and proposes no unclean
// election, whichever other replicas are live.
func checkELRVerdict(t *testing.T, c *kafkatest.Cluster, elr []int32, wording string) {
	t.Helper()
	v, r := triageWithin(t, c, verdictTimeout)
	t.Logf("findings on elr: %v", about(v, "elr"))
	f, ok := findingOf(v, "OFFLINE_PARTITION elr/0")
	if !ok || f.Severity != "critical" || !strings.Contains(f.Summary, wording) || !strings.Contains(f.Summary, "eligible leader replica") {
		t.Errorf("OFFLINE_PARTITION elr/0 = %s %q (found %v), want critical, %q and the eligible leader replica named", f.Severity, f.Summary, ok, wording)
	}
	if got := evidenceIDs(f, "eligible_leader_replicas"); !slices.Equal(got, elr) {
		t.Errorf("OFFLINE_PARTITION elr/0 evidence eligible_leader_replicas %v, want %v", got, elr)
	}
	if _, ok := findingOf(v, "UNCLEAN_ELECTION_REQUIRED elr/0"); ok {
		t.Errorf("UNCLEAN_ELECTION_REQUIRED elr/0 while brokers %v are eligible leader replicas", elr)
	}
	if r.code != 2 {
		t.Errorf("exit %d with an offline partition, want 2", r.code)
	}
}

// testSingleControllerLost: the only controller dies. Brokers keep
// answering from their last metadata, which looks healthy; triage must say
// the quorum is unavailable (critical, exit 2) within its --timeout, and
// describe brokers must not promote a broker to controller.
func testSingleControllerLost(t *testing.T, c *kafkatest.Cluster) {
	c.Kill(t, kafkatest.ControllerID)
	v, r := triageWithin(t, c, verdictTimeout)
	f, ok := findingOf(v, "CONTROLLER_QUORUM_UNAVAILABLE")
	if !ok || f.Severity != "critical" || r.code != 2 {
		t.Errorf("controller 9 killed: exit %d, CONTROLLER_QUORUM_UNAVAILABLE %+v (found %v), findings %v; want critical, exit 2",
			r.code, f, ok, worseThanInfo(v.report))
	}
	var b brokersJSON
	describeJSON(t, c, &b, "brokers", "--timeout", verdictTimeout.String())
	if got := b.controllers(); len(got) > 0 {
		t.Errorf("describe brokers calls brokers %v controller with the quorum gone", got)
	}
	t.Logf("describe brokers: quorum_leader %v", b.QuorumLeader)
}

// TestVerdictsThreeControllers: a three-voter quorum survives one lost
// voter, with a warning naming it, and not two, which is critical.
func TestVerdictsThreeControllers(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Controllers: 3})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := c.QuorumStatus(ctx, kafkatest.Via{Controllers: true})
	if err != nil {
		t.Fatal(err)
	}
	var followers []int32
	for _, id := range c.ControllerIDs() {
		if id != st.LeaderID {
			followers = append(followers, id)
		}
	}
	t.Logf("quorum leader %d, followers %v", st.LeaderID, followers)

	// A follower dies: the leader keeps a majority (2 of 3) with none to spare.
	lost := followers[0]
	c.Kill(t, lost)
	var v verdict
	var r result
	eventually(t, 30*time.Second, "triage to report voter "+itoa(lost)+" down", func() bool {
		v, r = triageWithin(t, c, verdictTimeout)
		return len(keys(v.report, "CONTROLLER_VOTER_DOWN")) > 0
	})
	f, _ := findingOf(v, "CONTROLLER_VOTER_DOWN broker "+itoa(lost))
	if got := keys(v.report, "CONTROLLER_VOTER_DOWN"); !slices.Equal(got, []string{"CONTROLLER_VOTER_DOWN broker " + itoa(lost)}) || f.Severity != "warning" {
		t.Errorf("CONTROLLER_VOTER_DOWN = %v (%s), want exactly voter %d, warning", got, f.Severity, lost)
	}
	if got := keys(v.report, "CONTROLLER_QUORUM_UNAVAILABLE"); len(got) > 0 {
		t.Errorf("quorum called unavailable with 2 of 3 voters: %v", got)
	}
	if r.code != 1 || v.Status != "warning" {
		t.Errorf("one voter of three down: exit %d %s, findings %v; want 1 WARNING", r.code, v.Status, worseThanInfo(v.report))
	}

	// The leader dies too: one voter of three cannot elect anyone.
	c.Kill(t, st.LeaderID)
	eventually(t, 30*time.Second, "triage to report the quorum unavailable", func() bool {
		v, r = triageWithin(t, c, verdictTimeout)
		return len(keys(v.report, "CONTROLLER_QUORUM_UNAVAILABLE")) > 0
	})
	f, _ = findingOf(v, "CONTROLLER_QUORUM_UNAVAILABLE")
	t.Logf("CONTROLLER_QUORUM_UNAVAILABLE: %s", f.Summary)
	if f.Severity != "critical" || r.code != 2 || v.Status != "critical" {
		t.Errorf("two voters of three down: %s, exit %d %s; want critical, 2 CRITICAL", f.Severity, r.code, v.Status)
	}
}
