package collect

import (
	"fmt"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// lagFixture is a topic of three partitions (leaders 1, 2 and 3, the
// third not live; log start 4 on partition 0) and groups committed on it.
func lagFixture(groups map[string]map[int32]int64) ([]snapshot.Topic, []snapshot.Group) {
	topics := []snapshot.Topic{{Name: "orders", ID: "AAAAAAAAAAAAAAAAAAAAAQ", Partitions: []snapshot.Partition{
		{ID: 0, Leader: 1, EarliestOffset: 4, LatestOffset: 100},
		{ID: 1, Leader: 2, EarliestOffset: 0, LatestOffset: 100},
		{ID: 2, Leader: 3, EarliestOffset: -1, LatestOffset: -1},
	}}}
	var out []snapshot.Group
	for id, offsets := range groups {
		g := snapshot.Group{ID: id}
		for p, committed := range offsets {
			latest := topics[0].Partitions[p].LatestOffset
			lag := int64(-1)
			if latest >= 0 {
				lag = latest - committed
			}
			g.Offsets = append(g.Offsets, snapshot.GroupOffset{Topic: "orders", Partition: p, Committed: committed, Latest: latest, Lag: lag})
		}
		out = append(out, g)
	}
	return topics, out
}

func liveOneTwo(id int32) bool { return id == 1 || id == 2 }

// TestLagTargets: groups at one offset share a target; no lag, an offset
// below the log start and a partition whose leader is down give none, the
// last counted as leaderless; the topic id is decoded for Fetch v13+.
func TestLagTargets(t *testing.T) {
	topics, groups := lagFixture(map[string]map[int32]int64{
		"a": {0: 10, 1: 50, 2: 7},
		"b": {0: 10, 1: 100},
		"c": {0: 2, 1: 60, 2: 7},
	})
	targets, leaderless := lagTargets(topics, groups, liveOneTwo)
	got := map[string]int{}
	for _, tg := range targets {
		got[fmt.Sprintf("%d@%d", tg.partition, tg.offset)] = len(tg.waiting)
		if tg.topicID != [16]byte{15: 1} {
			t.Errorf("topic id %v, want the decoded id", tg.topicID)
		}
	}
	want := map[string]int{"0@10": 2, "1@50": 1, "1@60": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) || leaderless != 1 {
		t.Errorf("targets %v, leaderless %d; want %v and 1 (partition 2 at 7, two groups)", got, leaderless, want)
	}
}

// TestMostLagged: the cap keeps the positions with the most lag, ties in
// partition and offset order.
func TestMostLagged(t *testing.T) {
	var targets []*lagTarget
	for i, lag := range []int64{5, 50, 20, 50, 1} {
		targets = append(targets, &lagTarget{partitionKey: partitionKey{"t", int32(i)}, ord: int64(i), lag: lag})
	}
	kept, left := mostLagged(targets, 3)
	var parts []int32
	for _, tg := range kept {
		parts = append(parts, tg.partition)
	}
	if fmt.Sprint(parts) != "[1 3 2]" || left != 2 {
		t.Errorf("kept partitions %v, left %d; want [1 3 2] and 2", parts, left)
	}
	if kept, left := mostLagged(targets, 10); len(kept) != 5 || left != 0 {
		t.Errorf("under the cap: kept %d, left %d", len(kept), left)
	}
}

// TestFetchPlan: no request names a partition twice, the n-th offset of a
// partition goes in the n-th round, and a round is cut at fetchPartitions.
func TestFetchPlan(t *testing.T) {
	var targets []*lagTarget
	for p := range int32(fetchPartitions + 2) {
		targets = append(targets, &lagTarget{partitionKey: partitionKey{"a", p}, ord: int64(p), offset: 5})
	}
	for _, off := range []int64{9, 1, 7} {
		targets = append(targets, &lagTarget{partitionKey: partitionKey{"a", 0}, ord: 0, offset: off})
	}
	reqs := fetchPlan(targets)
	var sizes []int
	for _, req := range reqs {
		sizes = append(sizes, len(req))
		seen := map[partitionKey]bool{}
		for _, tg := range req {
			if seen[tg.partitionKey] {
				t.Errorf("partition %v twice in one request", tg.partitionKey)
			}
			seen[tg.partitionKey] = true
		}
	}
	if fmt.Sprint(sizes) != fmt.Sprint([]int{fetchPartitions, 2, 1, 1, 1}) {
		t.Errorf("request sizes %v", sizes)
	}
	if reqs[0][0].offset != 1 || reqs[2][0].offset != 5 || reqs[4][0].offset != 9 {
		t.Errorf("partition 0 offsets by round: %d %d %d, want 1 5 9", reqs[0][0].offset, reqs[2][0].offset, reqs[4][0].offset)
	}
	req := fetchRequest(reqs[1])
	if len(req.Topics) != 1 || len(req.Topics[0].Partitions) != 2 || req.SessionEpoch != -1 || req.ReplicaID != -1 ||
		req.IsolationLevel != 0 || req.MaxWaitMillis != 0 || req.MaxBytes != 2*fetchPartitionBytes {
		t.Errorf("fetch request %+v: want one topic of 2 partitions, no session, a consumer's, read_uncommitted, no wait, 16 KiB", req)
	}
}
