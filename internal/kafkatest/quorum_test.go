package kafkatest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// TestControllerQuorum runs three controllers: the quorum keeps a leader through the loss of
// one voter and has none after the loss of a second, and Kafka's own quorum tool says so
// through a broker (--bootstrap-server) and through the controllers (--bootstrap-controller).
func TestControllerQuorum(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{Controllers: 3})
	voters := []int32{9, 10, 11}
	if got := c.ControllerIDs(); !slices.Equal(got, voters) || len(c.ControllerAddrs()) != 3 {
		t.Fatalf("ControllerIDs %v, ControllerAddrs %v; want %v and three addresses", got, c.ControllerAddrs(), voters)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	viaBroker := quorumStatus(t, ctx, c, kafkatest.Via{})
	viaControllers := quorumStatus(t, ctx, c, kafkatest.Via{Controllers: true})
	for _, s := range []*kafkatest.QuorumState{viaBroker, viaControllers} {
		observers := slices.Sorted(slices.Values(s.CurrentObservers))
		if !slices.Equal(s.CurrentVoters, voters) || !slices.Equal(observers, c.BrokerIDs()) ||
			!slices.Contains(voters, s.LeaderID) || s.LeaderEpoch < 1 || s.HighWatermark < 1 || s.ClusterID != c.ClusterID() {
			t.Errorf("describe --status: %+v; want voters %v, observers %v, a leader among the voters", s, voters, c.BrokerIDs())
		}
	}
	replicas, err := c.QuorumReplication(ctx, kafkatest.Via{Controllers: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(replicas) != 6 || replicas[0].Status != "Leader" || replicas[0].NodeID != viaControllers.LeaderID || replicas[5].Status != "Observer" {
		t.Errorf("describe --replication: %+v; want the leader first, 2 followers, 3 observers", replicas)
	}

	// A paused follower is a lost voter too; Pause and Resume work on controllers as on brokers.
	follower := otherThan(voters, viaBroker.LeaderID)[0]
	c.Pause(t, follower)
	if l := leaderSeenBy(c, viaBroker.LeaderID); l != viaBroker.LeaderID {
		t.Errorf("leader %d names leader %d with follower %d paused", viaBroker.LeaderID, l, follower)
	}
	c.Resume(t, follower)

	first := viaBroker.LeaderID
	killed := time.Now()
	c.Kill(t, first)
	second := int32(-1)
	waitQuorum(t, fmt.Sprintf("a new leader after killing leader %d", first), func() bool {
		s, err := c.QuorumStatus(ctx, kafkatest.Via{})
		if err != nil || s.LeaderID < 0 || s.LeaderID == first {
			return false
		}
		second = s.LeaderID
		return true
	})
	t.Logf("quorum: leader %d killed, %d leads %s later (seen through a broker)", first, second, time.Since(killed).Round(time.Millisecond))
	c.CreateTopic(t, "after-one-loss", [][]int32{{1, 2, 3}}, nil) // the quorum still commits

	c.Kill(t, second)
	killed = time.Now()
	survivor := otherThan(voters, first, second)[0]
	var failure error
	waitQuorum(t, "the quorum tool to fail after killing a second voter", func() bool {
		_, failure = c.QuorumStatus(ctx, kafkatest.Via{})
		return failure != nil
	})
	t.Logf("quorum: voters %d and %d lost; describe --status through a broker fails %s later: %s",
		first, second, time.Since(killed).Round(time.Millisecond), lastLine(failure))
	if _, err := c.QuorumStatus(ctx, kafkatest.Via{Controllers: true}); err == nil {
		t.Errorf("describe --status through --bootstrap-controller answered without a quorum")
	}
	// The survivor still names the lost leader (a prospective voter keeps it, KIP-996): only
	// the failing DescribeQuorum shows that no leader exists.
	t.Logf("quorum: survivor %d names leader %d in DescribeCluster", survivor, leaderSeenBy(c, survivor))

	// Restart waits until the live controllers name a live leader; ask the restarted one
	// directly (ControllerAddrs is in id order).
	c.Restart(t, first)
	restarted := kafkatest.Via{Controllers: true, Addrs: []string{c.ControllerAddrs()[first-kafkatest.ControllerID]}}
	if s := quorumStatus(t, ctx, c, restarted); !slices.Contains([]int32{first, survivor}, s.LeaderID) {
		t.Errorf("after restarting %d: leader %d, want %d or %d", first, s.LeaderID, first, survivor)
	}
}

func quorumStatus(t *testing.T, ctx context.Context, c *kafkatest.Cluster, via kafkatest.Via) *kafkatest.QuorumState {
	t.Helper()
	s, err := c.QuorumStatus(ctx, via)
	if err != nil {
		t.Fatalf("QuorumStatus(%+v): %v", via, err)
	}
	return s
}

// waitQuorum polls cond, which runs a JVM tool (seconds each), for up to a minute.
func waitQuorum(t *testing.T, what string, cond func() bool) {
	t.Helper()
	kafkatest.WaitFor(t, time.Minute, what, cond)
}

// leaderSeenBy is the quorum leader controller id names, -2 if it does not answer.
func leaderSeenBy(c *kafkatest.Cluster, id int32) int32 {
	resp, err := c.DescribeCluster(id)
	if err != nil {
		return -2
	}
	return resp.ControllerID
}

func otherThan(ids []int32, not ...int32) []int32 {
	var out []int32
	for _, id := range ids {
		if !slices.Contains(not, id) {
			out = append(out, id)
		}
	}
	return out
}

// lastLine is the deepest cause a failing Kafka tool printed.
func lastLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	return strings.TrimSpace(msg[strings.LastIndex(msg, "\n")+1:])
}
