package collect_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// The cluster of these tests: three kfake brokers, one topic of six
// partitions with ten records each, the first partition's log start moved
// to 5 (DeleteRecords), and one consumer group committed at 3 on every
// partition: lag 7, and on partition 0 two records deleted before the group
// read them.
const (
	partsTopic     = "orders"
	partsGroup     = "billing"
	partsRecords   = 10
	partsCommitted = 3
	partsLogStart0 = 5
)

// partsCluster is a kfake cluster whose requests the test sees: by key, and
// for ListOffsets by the timestamps asked (-1 latest, -2 earliest).
type partsCluster struct {
	kc        *kfake.Cluster
	bootstrap []string

	mu      sync.Mutex
	handled map[kmsg.Key]int // requests kfake processed, by key
	offsets map[int64]int    // read_uncommitted ListOffsets requests by timestamp asked
	stable  int              // read_committed ListOffsets requests (last stable offsets)
}

func startPartsCluster(t *testing.T) *partsCluster {
	t.Helper()
	pc := &partsCluster{handled: map[kmsg.Key]int{}, offsets: map[int64]int{}}
	kc, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(6, partsTopic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	pc.kc, pc.bootstrap = kc, kc.ListenAddrs()
	seedPartsCluster(t, pc.bootstrap)
	// Installed after seeding, so that only the collection is counted.
	// Unhandled, the control only observes and stays installed.
	kc.Control(func(req kmsg.Request) (kmsg.Response, error, bool) {
		pc.mu.Lock()
		defer pc.mu.Unlock()
		pc.handled[kmsg.Key(req.Key())]++
		if lo, ok := req.(*kmsg.ListOffsetsRequest); ok && lo.IsolationLevel == 1 {
			pc.stable++
		} else if ok {
			stamps := map[int64]bool{}
			for _, rt := range lo.Topics {
				for _, rp := range rt.Partitions {
					stamps[rp.Timestamp] = true
				}
			}
			for ts := range stamps {
				pc.offsets[ts]++
			}
		}
		return nil, nil, false
	})
	return pc
}

// seedPartsCluster produces the records, deletes the start of partition 0
// and commits the group's offsets (the helpers of lagseed_kfake_test.go
// work on the topic orders, which is partsTopic).
func seedPartsCluster(t *testing.T, bootstrap []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl := lagClient(t, bootstrap)
	var records []*kgo.Record
	for p := range int32(6) {
		for range partsRecords {
			records = append(records, &kgo.Record{Topic: partsTopic, Partition: p, Value: []byte("x")})
		}
	}
	if err := cl.ProduceSync(ctx, records...).FirstErr(); err != nil {
		t.Fatalf("producing: %v", err)
	}

	deleteRecords(t, bootstrap, 0, partsLogStart0)
	committed := map[int32]int64{}
	for p := range int32(6) {
		committed[p] = partsCommitted
	}
	commitOffsets(ctx, t, cl, partsGroup, committed)
}

func (pc *partsCluster) collect(t *testing.T, parts source.Parts) *snapshot.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	snap, err := collect.Collect(ctx, collect.Options{Bootstrap: pc.bootstrap, RequestTimeout: 8 * time.Second, Parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) > 0 {
		t.Fatalf("collection errors: %+v", snap.Errors)
	}
	return snap
}

// counts returns the requests kfake handled by key and the ListOffsets by
// timestamp, as copies.
func (pc *partsCluster) counts() (map[kmsg.Key]int, map[int64]int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	handled, offsets := map[kmsg.Key]int{}, map[int64]int{}
	for k, n := range pc.handled {
		handled[k] = n
	}
	for ts, n := range pc.offsets {
		offsets[ts] = n
	}
	return handled, offsets
}

// stableRequests is how many read_committed ListOffsets were sent.
func (pc *partsCluster) stableRequests() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.stable
}

// leaders counts the distinct leaders of the snapshot's partitions: one
// ListOffsets per leader and kind.
func leaders(t *testing.T, snap *snapshot.Snapshot) int {
	t.Helper()
	topic, ok := snap.Topic(partsTopic)
	if !ok || len(topic.Partitions) != 6 {
		t.Fatalf("topic %s = %+v", partsTopic, topic)
	}
	var ids []int32
	for _, p := range topic.Partitions {
		if !slices.Contains(ids, p.Leader) {
			ids = append(ids, p.Leader)
		}
	}
	return len(ids)
}

// TestTriagePartsReadLagButNoMembers: triage sends no DescribeGroups (the
// state comes with ListGroups) but reads both ends of the log, so every
// group's lag is known and, for the lagging offsets, how old the next
// unread record is.
func TestTriagePartsReadLagButNoMembers(t *testing.T) {
	pc := startPartsCluster(t)
	snap := pc.collect(t, triage.Parts())

	handled, offsets := pc.counts()
	if n := handled[kmsg.DescribeGroups]; n != 0 {
		t.Errorf("%d DescribeGroups sent, want none", n)
	}
	for ts, what := range map[int64]string{-1: "latest", -2: "earliest"} {
		if n, want := offsets[ts], leaders(t, snap); n < want {
			t.Errorf("%d ListOffsets for the %s offsets sent, want at least one per leader, %d", n, what, want)
		}
	}
	g := onlyGroup(t, snap)
	if g.State == "" || len(g.Members) != 0 || g.Protocol != "" || g.Error != "" {
		t.Errorf("group = %+v, want the state ListGroups gives, no members, no protocol, no error", g)
	}
	for _, o := range g.Offsets {
		if o.Committed != partsCommitted || o.Lag != o.Latest-o.Committed || o.Lag <= 0 {
			t.Errorf("offset %+v, want committed %d with its lag known", o, partsCommitted)
		}
	}
}

// TestWholePartsCollectEverything: source.PartGroups, source.PartOffsets and source.PartAll mean
// what they did before they were split, and lag is filled; triage with
// --since reads the log end (lag too) but still describes no group.
func TestWholePartsCollectEverything(t *testing.T) {
	for _, tt := range []struct {
		name      string
		parts     source.Parts
		describes bool
		lag       bool
	}{
		{"source.PartGroups", source.PartGroups, true, true},
		{"source.PartOffsets", source.PartOffsets, false, false},
		{"source.PartAll", source.PartAll, true, true},
		{"triage --since", triage.Parts(), false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pc := startPartsCluster(t)
			snap := pc.collect(t, tt.parts)
			handled, offsets := pc.counts()
			n := leaders(t, snap)
			if offsets[-1] != n || offsets[-2] != n {
				t.Errorf("ListOffsets sent %d times for the latest, %d for the earliest, want %d each (one per leader)", offsets[-1], offsets[-2], n)
			}
			if got := handled[kmsg.DescribeGroups] > 0; got != tt.describes {
				t.Errorf("DescribeGroups sent %d times, want sent: %v", handled[kmsg.DescribeGroups], tt.describes)
			}
			stable := tt.parts.Has(source.PartLastStableOffsets)
			if got, want := pc.stableRequests(), map[bool]int{true: n}[stable]; got != want {
				t.Errorf("%d read_committed ListOffsets sent, want %d", got, want)
			}
			topic, _ := snap.Topic(partsTopic)
			for _, p := range topic.Partitions {
				if p.LatestOffset != partsRecords || p.EarliestOffset < 0 {
					t.Errorf("%s/%d: earliest %d latest %d, want both read", partsTopic, p.ID, p.EarliestOffset, p.LatestOffset)
				}
				if lso := p.LastStableOffset; (lso != nil) != stable || lso != nil && *lso != partsRecords {
					t.Errorf("%s/%d: last stable offset %v, want %d when asked for (no transaction), nil otherwise", partsTopic, p.ID, lso, partsRecords)
				}
			}
			if !tt.lag {
				if len(snap.Groups) != 0 {
					t.Errorf("groups %+v collected, not asked for", snap.Groups)
				}
				return
			}
			g := onlyGroup(t, snap)
			if g.State == "" || g.Error != "" {
				t.Errorf("group = %+v, want a state and no error", g)
			}
			for _, o := range g.Offsets {
				if o.Committed != partsCommitted || o.Latest != partsRecords || o.Lag != partsRecords-partsCommitted {
					t.Errorf("offset %+v, want committed %d, latest %d, lag %d", o, partsCommitted, partsRecords, partsRecords-partsCommitted)
				}
			}
		})
	}
}

// TestDescribeErrorKeptBesideOffsets: a group DescribeGroups fails on still
// has its committed offsets, and says why it was not described.
func TestDescribeErrorKeptBesideOffsets(t *testing.T) {
	pc := startPartsCluster(t)
	pc.kc.ControlKey(int16(kmsg.DescribeGroups), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.DescribeGroupsRequest)
		resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
		for _, id := range req.Groups {
			dg := kmsg.NewDescribeGroupsResponseGroup()
			dg.Group, dg.ErrorCode = id, kerr.CoordinatorLoadInProgress.Code
			resp.Groups = append(resp.Groups, dg)
		}
		return resp, nil, true
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	snap, err := collect.Collect(ctx, collect.Options{Bootstrap: pc.bootstrap, RequestTimeout: 8 * time.Second, Parts: source.PartGroups})
	if err != nil {
		t.Fatal(err)
	}
	g := onlyGroup(t, snap)
	if g.Error != kerr.CoordinatorLoadInProgress.Message || len(g.Offsets) != 6 {
		t.Errorf("group = %+v, want error %s and 6 offsets", g, kerr.CoordinatorLoadInProgress.Message)
	}
	if errs := snap.ErrorsFor(snapshot.SourceGroups); len(errs) != 1 || errs[0].Subject != partsGroup {
		t.Errorf("group errors = %+v, want one for %s", errs, partsGroup)
	}
}

func onlyGroup(t *testing.T, snap *snapshot.Snapshot) snapshot.Group {
	t.Helper()
	if len(snap.Groups) != 1 || snap.Groups[0].ID != partsGroup || len(snap.Groups[0].Offsets) != 6 {
		t.Fatalf("groups = %+v, want %s with 6 offsets", snap.Groups, partsGroup)
	}
	return snap.Groups[0]
}
