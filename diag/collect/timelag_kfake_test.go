package collect_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
)

// nextStamps maps "group/partition" to each offset's NextTimestampMillis.
func nextStamps(snap *snapshot.Snapshot) map[string]int64 {
	out := map[string]int64{}
	for _, g := range snap.Groups {
		for _, o := range g.Offsets {
			out[g.ID+"/"+string(rune('0'+o.Partition))] = o.NextTimestampMillis
		}
	}
	return out
}

func checkStamps(t *testing.T, snap *snapshot.Snapshot, want map[string]int64) {
	t.Helper()
	got := nextStamps(snap)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: next timestamp %d, want %d", k, got[k], w)
		}
	}
}

// TestTimeLagIsTheTimestampAtTheCommittedOffset: the time lag of each
// committed offset is the timestamp of the record there, produced with an
// explicit timestamp: from an uncompressed batch, and from the middle of a
// zstd and a snappy batch. Groups at different offsets of one partition are
// read in different requests, none naming a partition twice; a group
// without lag has none; the Fetch requests are read-only ones.
func TestTimeLagIsTheTimestampAtTheCommittedOffset(t *testing.T) {
	data := lagData{
		records: map[int32]int{0: 10, 1: 10, 2: 10},
		codecs:  map[int32]kgo.CompressionCodec{1: kgo.ZstdCompression(), 2: kgo.SnappyCompression()},
		commits: map[string]map[int32]int64{
			"early": {0: 0, 1: 5}, "late": {0: 7, 2: 3}, "done": {0: 10}, "mid": {0: 3, 1: 5},
		},
	}
	f := startFake4x(t, 3, data.seed)
	w := watchFetches(f, -1)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartGroups|source.PartTimeLag)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	checkStamps(t, snap, map[string]int64{
		"early/0": stampOf(0, 0), "early/1": stampOf(1, 5), "late/0": stampOf(0, 7), "late/2": stampOf(2, 3),
		"done/0": 0, "mid/0": stampOf(0, 3), "mid/1": stampOf(1, 5),
	})
	for i, ps := range w.partitions() {
		if len(slices.Compact(slices.Sorted(slices.Values(ps)))) != len(ps) {
			t.Errorf("request %d names a partition twice: %v", i, ps)
		}
	}
	if n := len(w.partitions()); n < 3 {
		t.Errorf("%d Fetch requests, want at least 3 (partition 0 at offsets 0, 3 and 7)", n)
	}
	for _, r := range w.all() {
		if r.ReplicaID != -1 || r.IsolationLevel != 0 || r.SessionEpoch != -1 || r.MaxWaitMillis != 0 {
			t.Errorf("fetch %+v: want a consumer's sessionless read_uncommitted fetch that does not wait", r)
		}
	}
}

// TestTimeLagLargeBatchIsAskedAlone: a batch larger than the partition's
// limit comes back empty when its partition follows another with data in
// the request (KIP-74), so that partition is asked again alone, where the
// broker returns the whole batch.
func TestTimeLagLargeBatchIsAskedAlone(t *testing.T) {
	data := lagData{records: map[int32]int{0: 10, 1: 20}, valueSize: 1024,
		commits: map[string]map[int32]int64{"billing": {0: 5, 1: 5}}}
	f := startFake4x(t, 3, data.seed)
	for p := range int32(2) {
		if err := f.kc.MoveTopicPartition("orders", p, 0); err != nil {
			t.Fatal(err)
		}
	}
	w := watchFetches(f, -1)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartGroups|source.PartTimeLag)
	if len(snap.Errors) > 0 {
		t.Fatalf("errors: %+v", snap.Errors)
	}
	checkStamps(t, snap, map[string]int64{"billing/0": stampOf(0, 5), "billing/1": stampOf(1, 5)})
	if got := w.partitions(); !slices.EqualFunc(got, [][]int32{{0, 1}, {1}}, slices.Equal) {
		t.Errorf("fetched partitions %v, want [0 1] then 1 alone", got)
	}
}

// TestTimeLagBelowLogStartIsNoError: records deleted before the group read
// them leave nothing to time: 0 and no error (the log start tells it,
// LOG_START_ADVANCED). With the log start read nothing is fetched for
// them; without it the fetch is out of range, which is no error either.
func TestTimeLagBelowLogStartIsNoError(t *testing.T) {
	data := lagData{records: map[int32]int{0: 10}, commits: map[string]map[int32]int64{"slow": {0: 2}, "fast": {0: 6}}}
	for _, parts := range []source.Parts{source.PartGroups | source.PartTimeLag, source.PartTimeLag} {
		f := startFake4x(t, 3, func(t *testing.T, bootstrap []string) {
			data.seed(t, bootstrap)
			deleteRecords(t, bootstrap, 0, 5)
		})
		w := watchFetches(f, -1)
		snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, parts)
		if len(snap.Errors) > 0 {
			t.Fatalf("parts %b: errors %+v", parts, snap.Errors)
		}
		checkStamps(t, snap, map[string]int64{"slow/0": 0, "fast/0": stampOf(0, 6)})
		if got, want := len(w.partitions()), map[bool]int{true: 1, false: 2}[parts.Has(source.PartLogStartOffsets)]; got != want {
			t.Errorf("parts %b: %d Fetch requests, want %d", parts, got, want)
		}
	}
}

// TestTimeLagHungLeaderCostsOneDeadline: a leader that never answers Fetch
// costs one request deadline, not one per wave of requests (twelve
// requests here, four lanes: three waves), and is recorded as a timeout of source time_lag; the other
// leaders' partitions are read.
func TestTimeLagHungLeaderCostsOneDeadline(t *testing.T) {
	commits := map[string]map[int32]int64{}
	for i := range 12 {
		commits["g"+string(rune('a'+i))] = map[int32]int64{0: int64(i), 1: int64(i), 2: int64(i)}
	}
	f := startFake4x(t, 3, lagData{records: map[int32]int{0: 12, 1: 12, 2: 12}, commits: commits}.seed)
	for p, node := range []int32{1, 1, 2} {
		if err := f.kc.MoveTopicPartition("orders", int32(p), node); err != nil {
			t.Fatal(err)
		}
	}
	watchFetches(f, 1)
	// Two seconds, so that a loaded machine does not make the live
	// brokers miss it too; one deadline per request would take six.
	const timeout = 2 * time.Second
	start := time.Now()
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, timeout, source.PartGroups|source.PartTimeLag)
	if took := time.Since(start); took > 2*timeout {
		t.Errorf("collection took %s, want about one deadline (%s)", took, timeout)
	}
	errs := snap.ErrorsFor(snapshot.SourceTimeLag)
	if len(errs) != 1 || errs[0].Broker != 1 || errs[0].Kind != snapshot.KindTimeout || !strings.Contains(errs[0].Message, "24 of 24") {
		t.Errorf("time lag errors %+v, want one timeout of broker 1 for its 24 offsets", errs)
	}
	if len(snap.Errors) != len(errs) {
		t.Errorf("other errors: %+v", snap.Errors)
	}
	checkStamps(t, snap, map[string]int64{"ga/2": stampOf(2, 0), "gl/2": stampOf(2, 11), "ga/0": 0})
}

// TestTimeLagLeaderDownIsAnError: a partition without a live leader has no
// record to read: recorded as an error of source time_lag, per position.
func TestTimeLagLeaderDownIsAnError(t *testing.T) {
	data := lagData{records: map[int32]int{0: 10, 5: 10}, commits: map[string]map[int32]int64{"a": {0: 1, 5: 1}, "b": {5: 1}}}
	f := startFake4x(t, 3, data.seed)
	md := capturedMetadata(t, f.bootstrap)
	f.handle(int16(kmsg.Metadata), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		resp := *md
		resp.Version = kreq.GetVersion()
		return &resp, nil, true
	})
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap}, 5*time.Second, source.PartGroups|source.PartTimeLag)
	errs := snap.ErrorsFor(snapshot.SourceTimeLag)
	if len(errs) != 1 || errs[0].Broker != -1 || !strings.Contains(errs[0].Message, "no live leader") || !strings.Contains(errs[0].Message, " 1 committed") {
		t.Errorf("time lag errors %+v, want one: no live leader for 1 position", errs)
	}
	checkStamps(t, snap, map[string]int64{"a/0": stampOf(0, 1), "a/5": 0, "b/5": 0})
}

// capturedMetadata is the fake's Metadata answer with orders/5 offline.
func capturedMetadata(t *testing.T, bootstrap []string) *kmsg.MetadataResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, lagClient(t, bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	for i := range resp.Topics {
		for j := range resp.Topics[i].Partitions {
			if p := &resp.Topics[i].Partitions[j]; p.Partition == 5 {
				p.Leader = -1
			}
		}
	}
	return resp
}

// TestTimeLagReadsAreCapped: beyond Options.TimeLagReads, the positions
// with the most lag are read and the rest recorded as left out.
func TestTimeLagReadsAreCapped(t *testing.T) {
	data := lagData{records: map[int32]int{0: 10, 1: 10}, commits: map[string]map[int32]int64{
		"a": {0: 1}, "b": {0: 8}, "c": {1: 2}, "d": {1: 9},
	}}
	f := startFake4x(t, 3, data.seed)
	snap := collectFrom(t, collect.Options{Bootstrap: f.bootstrap, TimeLagReads: 2}, 5*time.Second, source.PartGroups|source.PartTimeLag)
	checkStamps(t, snap, map[string]int64{"a/0": stampOf(0, 1), "c/1": stampOf(1, 2), "b/0": 0, "d/1": 0})
	errs := snap.ErrorsFor(snapshot.SourceTimeLag)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "2 most lagging") || !strings.Contains(errs[0].Message, "2 others") {
		t.Errorf("time lag errors %+v, want one saying 2 were left out", errs)
	}
}
