package collect_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// quorumOf answers DescribeQuorum like a KRaft quorum whose leader is
// leader, with one voter (the harness's controller, 9) and the brokers
// 1..3 observing; partCode is the metadata partition's error code.
func quorumOf(leader int32, partCode int16) func(kmsg.Request) (kmsg.Response, error, bool) {
	return func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		resp := kreq.(*kmsg.DescribeQuorumRequest).ResponseKind().(*kmsg.DescribeQuorumResponse)
		rt := kmsg.NewDescribeQuorumResponseTopic()
		rt.Topic = "__cluster_metadata"
		rp := kmsg.NewDescribeQuorumResponseTopicPartition()
		rp.ErrorCode, rp.LeaderID, rp.LeaderEpoch, rp.HighWatermark = partCode, leader, 3, 500
		for _, id := range []int32{9, 1, 2, 3} {
			s := kmsg.NewDescribeQuorumResponseTopicPartitionReplicaState()
			s.ReplicaID, s.LogEndOffset = id, 500
			if id == 9 {
				rp.CurrentVoters = append(rp.CurrentVoters, s)
			} else {
				rp.Observers = append(rp.Observers, s)
			}
		}
		rt.Partitions = append(rt.Partitions, rp)
		resp.Topics = append(resp.Topics, rt)
		n := kmsg.NewDescribeQuorumResponseNode()
		n.NodeID = 9
		l := kmsg.NewDescribeQuorumResponseNodeListener()
		l.Name, l.Host, l.Port = "CONTROLLER", "127.0.0.1", 9093
		n.Listeners = append(n.Listeners, l)
		resp.Nodes = append(resp.Nodes, n) // v2 only; kmsg drops it below
		return resp, nil, true
	}
}

// TestQuorumThroughABroker: on brokers that offer DescribeQuorum the
// cluster is KRaft, the quorum is read through one broker (v2, with the
// voters' endpoints), no broker is labelled controller although Metadata
// names one, and the finalized features are recorded.
func TestQuorumThroughABroker(t *testing.T) {
	f := startFake4x(t, 3, nil).kraft()
	f.handle(int16(kmsg.DescribeQuorum), quorumOf(9, 0))
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartQuorum)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	if snap.MetadataMode != snapshot.MetadataKRaft {
		t.Errorf("metadata mode %q, want kraft", snap.MetadataMode)
	}
	if snap.ControllerID < 0 {
		t.Errorf("controller id %d, want Metadata's raw value kept", snap.ControllerID)
	}
	for _, b := range snap.Brokers {
		if b.IsController {
			t.Errorf("broker %d labelled controller on KRaft", b.ID)
		}
	}
	if len(snap.Features) == 0 {
		t.Error("no finalized features recorded")
	}
	q := snap.Quorum
	if q == nil {
		t.Fatal("no quorum")
	}
	if q.Via != snapshot.QuorumViaBroker || q.LeaderID != 9 || len(q.Voters) != 1 || q.Voters[0].ID != 9 || len(q.Observers) != 3 {
		t.Errorf("quorum = %+v, want leader 9 through a broker, voter 9, observers 1-3", q)
	}
	if len(q.Nodes) != 1 || q.Nodes[0].Port != 9093 {
		t.Errorf("nodes = %+v, want voter 9's endpoint (DescribeQuorum v2)", q.Nodes)
	}
	if n := len(f.sent(kmsg.DescribeQuorum)); n != 1 {
		t.Errorf("DescribeQuorum sent %d times, want once", n)
	}
}

// TestQuorumAnswersAndFailures: a quorum without a leader is recorded as
// such; an error code is a failure of source quorum, and the rest of the
// snapshot is kept.
func TestQuorumAnswersAndFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		leader   int32
		code     int16
		wantErr  string // kind of the quorum error, "" for none
		noQuorum bool
	}{
		{"no leader is an answer", -1, 0, "", false},
		{"NOT_LEADER_OR_FOLLOWER is a failure", 9, kerr.NotLeaderForPartition.Code, snapshot.KindProtocol, true},
		{"denied", 9, kerr.ClusterAuthorizationFailed.Code, snapshot.KindAuthorization, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake4x(t, 1, nil).kraft()
			f.handle(int16(kmsg.DescribeQuorum), quorumOf(tc.leader, tc.code))
			snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartQuorum)
			errs := snap.ErrorsFor(snapshot.SourceQuorum)
			switch {
			case tc.wantErr == "" && len(errs) > 0, tc.wantErr != "" && (len(errs) != 1 || errs[0].Kind != tc.wantErr):
				t.Errorf("quorum errors %+v, want kind %q", errs, tc.wantErr)
			case (snap.Quorum == nil) != tc.noQuorum:
				t.Errorf("quorum = %+v, want none: %v", snap.Quorum, tc.noQuorum)
			case snap.Quorum != nil && snap.Quorum.LeaderID != tc.leader:
				t.Errorf("leader %d, want %d", snap.Quorum.LeaderID, tc.leader)
			}
			if _, ok := snap.Topic("orders"); !ok {
				t.Error("topics lost with the quorum")
			}
		})
	}
}

// TestHungDescribeQuorumCostsOneDeadline: a broker that never answers
// DescribeQuorum costs one request deadline, is recorded as a timeout of
// source quorum against that broker, and everything else is kept.
func TestHungDescribeQuorumCostsOneDeadline(t *testing.T) {
	f := startFake4x(t, 3, nil).kraft()
	f.handle(int16(kmsg.DescribeQuorum), func(kmsg.Request) (kmsg.Response, error, bool) { return nil, nil, true })
	const deadline = time.Second
	start := time.Now()
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, deadline, source.PartQuorum|source.PartELR)
	if elapsed := time.Since(start); elapsed > deadline+deadline/2 {
		t.Errorf("took %s, want about one request deadline (%s)", elapsed, deadline)
	}
	errs := snap.ErrorsFor(snapshot.SourceQuorum)
	asked := f.sent(kmsg.DescribeQuorum)
	if len(errs) != 1 || errs[0].Kind != snapshot.KindTimeout || len(asked) != 1 || errs[0].Broker != asked[0] {
		t.Errorf("quorum errors %+v, DescribeQuorum sent to %v: want one timeout naming that broker", errs, asked)
	}
	if snap.Quorum != nil || len(snap.Brokers) != 3 {
		t.Errorf("quorum %+v, %d brokers: want no quorum and every broker kept", snap.Quorum, len(snap.Brokers))
	}
	if orders, _ := snap.Topic("orders"); !orders.ELRKnown {
		t.Error("ELR lost with the quorum")
	}
}

// TestZooKeeperModeSendsNoDescribeQuorum: brokers that do not offer
// DescribeQuorum are ZooKeeper brokers: no DescribeQuorum is sent, nothing
// is recorded as missing, and the controller Metadata names is labelled.
func TestZooKeeperModeSendsNoDescribeQuorum(t *testing.T) {
	f := startFake4x(t, 3, nil) // kfake offers no DescribeQuorum
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartQuorum)
	if snap.MetadataMode != snapshot.MetadataZooKeeper {
		t.Errorf("metadata mode %q, want zookeeper", snap.MetadataMode)
	}
	if n := len(f.sent(kmsg.DescribeQuorum)); n != 0 || snap.Quorum != nil || len(snap.Errors) > 0 {
		t.Errorf("DescribeQuorum sent %d times, quorum %+v, errors %+v: want none of them", n, snap.Quorum, snap.Errors)
	}
	controllers := 0
	for _, b := range snap.Brokers {
		if b.IsController {
			controllers++
			if b.ID != snap.ControllerID {
				t.Errorf("broker %d labelled controller, Metadata named %d", b.ID, snap.ControllerID)
			}
		}
	}
	if controllers != 1 {
		t.Errorf("%d brokers labelled controller, want 1", controllers)
	}
}

// startController is a one-node kfake that plays a KRaft controller: it
// offers DescribeQuorum and answers it with leader, or with code.
func startController(t *testing.T, leader int32, code int16) *fake4x {
	f := startFake4x(t, 1, nil).kraft()
	f.handle(int16(kmsg.DescribeQuorum), quorumOf(leader, code))
	return f
}

// TestQuorumFromControllersWhileBrokersAreDown: every broker address
// refuses, but a bootstrap controller answers: Collect returns a snapshot
// with the quorum and no broker, and records why brokers and topics are
// missing, so that nothing reads the emptiness as health. The controllers
// are asked in order; the one that refused is recorded by address.
func TestQuorumFromControllersWhileBrokersAreDown(t *testing.T) {
	ctrl := startController(t, 9, 0)
	down, ctrlDown := collect.ClosedPort(t), collect.ClosedPort(t)
	snap := collectFrom(t, collect.Options{Bootstrap: []string{down}, BootstrapControllers: []string{ctrlDown, ctrl.bootstrap[0]}},
		2*time.Second, source.PartQuorum)
	q := snap.Quorum
	if q == nil || q.Via != snapshot.QuorumViaController || q.LeaderID != 9 {
		t.Fatalf("quorum = %+v, want leader 9 read from a controller", q)
	}
	if len(snap.Brokers) != 0 || len(snap.Topics) != 0 || snap.MetadataMode != snapshot.MetadataKRaft {
		t.Errorf("brokers %+v, topics %+v, mode %q: want none, none, kraft", snap.Brokers, snap.Topics, snap.MetadataMode)
	}
	if len(snap.Bootstrap) != 1 || snap.Bootstrap[0].Probe.Status != snapshot.StatusRefused {
		t.Errorf("bootstrap = %+v, want the refused address", snap.Bootstrap)
	}
	for _, want := range []struct{ source, subject, kind string }{
		{snapshot.SourceBootstrap, down, snapshot.KindRefused},
		{snapshot.SourceMetadata, "", snapshot.KindRefused},
		{snapshot.SourceQuorum, ctrlDown, snapshot.KindRefused},
	} {
		errs := snap.ErrorsFor(want.source)
		if len(errs) != 1 || errs[0].Subject != want.subject || errs[0].Kind != want.kind {
			t.Errorf("%s errors = %+v, want one %s error about %q", want.source, errs, want.kind, want.subject)
		}
	}
}

// TestControllersOnly: with bootstrap controllers and no broker address at
// all, the quorum is read and the missing metadata still recorded.
func TestControllersOnly(t *testing.T) {
	ctrl := startController(t, 9, 0)
	snap := collectFrom(t, collect.Options{BootstrapControllers: ctrl.bootstrap}, 2*time.Second, source.PartQuorum)
	if q := snap.Quorum; q == nil || q.Via != snapshot.QuorumViaController {
		t.Errorf("quorum = %+v, want one read from the controller", q)
	}
	if errs := snap.ErrorsFor(snapshot.SourceMetadata); len(errs) != 1 || len(snap.Brokers) != 0 {
		t.Errorf("metadata errors %+v, brokers %+v: want one error saying why there is none", errs, snap.Brokers)
	}
}

// TestNoBrokerNorControllerAnswered: with no controller answering either,
// Collect fails as without controllers, naming both lists.
func TestNoBrokerNorControllerAnswered(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := collect.Collect(ctx, collect.Options{Bootstrap: []string{collect.ClosedPort(t)}, BootstrapControllers: []string{collect.ClosedPort(t)},
		RequestTimeout: time.Second, Parts: source.PartQuorum})
	var nc *collect.NoClusterError
	if !errors.As(err, &nc) || len(nc.Endpoints) != 1 || len(nc.Controllers) != 1 || nc.Controllers[0].Probe.Status != snapshot.StatusRefused {
		t.Fatalf("err = %v, want a NoClusterError naming the broker and the controller", err)
	}
}

// TestControllersAreAskedInsteadOfBrokers: with live brokers and bootstrap
// controllers, DescribeQuorum goes to the controllers only, in order: one
// that does not lead answers NOT_LEADER_OR_FOLLOWER (recorded by address),
// the next one leads.
func TestControllersAreAskedInsteadOfBrokers(t *testing.T) {
	brokers := startFake4x(t, 3, nil).kraft()
	brokers.handle(int16(kmsg.DescribeQuorum), quorumOf(9, 0))
	follower, leader := startController(t, 9, kerr.NotLeaderForPartition.Code), startController(t, 9, 0)
	snap := collectFrom(t, collect.Options{Bootstrap: brokers.bootstrap, BootstrapControllers: []string{follower.bootstrap[0], leader.bootstrap[0]}},
		5*time.Second, source.PartQuorum)
	if q := snap.Quorum; q == nil || q.Via != snapshot.QuorumViaController || q.LeaderID != 9 {
		t.Errorf("quorum = %+v, want leader 9 read from a controller", q)
	}
	if n := len(brokers.sent(kmsg.DescribeQuorum)); n != 0 {
		t.Errorf("DescribeQuorum sent %d times to brokers, want none", n)
	}
	if len(follower.sent(kmsg.DescribeQuorum)) != 1 || len(leader.sent(kmsg.DescribeQuorum)) != 1 {
		t.Errorf("DescribeQuorum sent %v to the follower and %v to the leader, want once each", follower.sent(kmsg.DescribeQuorum), leader.sent(kmsg.DescribeQuorum))
	}
	errs := snap.ErrorsFor(snapshot.SourceQuorum)
	if len(errs) != 1 || errs[0].Subject != follower.bootstrap[0] || errs[0].Message != kerr.NotLeaderForPartition.Message {
		t.Errorf("quorum errors = %+v, want the follower's %s", errs, kerr.NotLeaderForPartition.Message)
	}
	if len(snap.Brokers) != 3 {
		t.Errorf("%d brokers, want 3", len(snap.Brokers))
	}
}
