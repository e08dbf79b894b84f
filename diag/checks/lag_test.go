package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// lagT0 is the first sample's time; samples are sampleGap apart.
var lagT0 = time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC)

const sampleGap = 30 * time.Second

// lagChecks are the checks of issue 11, run together in these tests.
var lagChecks = []string{"consumer-lag", "rebalance-storm", "empty-group-lag", "group-partition-availability", "lag-retention", "hanging-transactions"}

// window builds one cluster() sample per list of edits, sampleGap apart,
// oldest first: the last is the current snapshot.
func window(states ...[]func(*snapshot.Snapshot)) []*snapshot.Snapshot {
	out := make([]*snapshot.Snapshot, len(states))
	for i, edits := range states {
		at := func(s *snapshot.Snapshot) { s.TakenAt = lagT0.Add(time.Duration(i) * sampleGap) }
		out[i] = cluster(append([]func(*snapshot.Snapshot){at}, edits...)...)
	}
	return out
}

// each is one sample's edits.
func each(edits ...func(*snapshot.Snapshot)) []func(*snapshot.Snapshot) { return edits }

// groups sets the sample's groups.
func groups(gs ...snapshot.Group) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) { s.Groups = gs }
}

// grp is a group's state in one sample: classic unless epoch > 0.
var grp = testkit.Group

// gOff is a committed offset on orders/p with its lag.
func gOff(p int32, committed, lag int64) snapshot.GroupOffset {
	return testkit.Offset("orders", p, committed, lag)
}

var two = []string{"m1", "m2"}

// lagRun runs the lag checks on samples (window then current).
func lagRun(ss []*snapshot.Snapshot, extra ...string) Result {
	return Run(Input{Snap: ss[len(ss)-1], Window: ss[:len(ss)-1]}, Named(append(slices.Clone(lagChecks), extra...)...))
}

// described lists findings as "CODE subject severity", sorted.
func described(res Result) []string {
	out := []string{}
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s %s %s", f.Code, f.Subject(), f.Severity))
	}
	slices.Sort(out)
	return out
}

func checkNames(us []Unevaluated) []string {
	out := []string{}
	for _, u := range us {
		if !slices.Contains(out, u.Check) {
			out = append(out, u.Check)
		}
	}
	return out
}

// TestConsumerLagChecks states, per numbered case, the samples, every
// finding with its severity, the checks skipped and those that could not
// evaluate, and why.
func TestConsumerLagChecks(t *testing.T) {
	cases := []struct {
		name    string
		samples []*snapshot.Snapshot
		want    []string
		extra   []string // checks run besides the lag checks
		skipped []string
		gaps    []string
		why     string
	}{
		{name: "1 classic group that keeps up: no finding at all", samples: window(
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 100, 0), gOff(1, 100, 3)))),
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 150, 4), gOff(1, 160, 2)))),
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 200, 2), gOff(1, 220, 3))))),
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "lag zero once on 0, small and not growing on 1"},
		{name: "2 KIP-848 group that keeps up: no finding at all", samples: window(
			each(groups(grp("billing", "Stable", 12, two, gOff(0, 100, 5)))),
			each(groups(grp("billing", "Stable", 12, two, gOff(0, 150, 6)))),
			each(groups(grp("billing", "Stable", 12, two, gOff(0, 200, 4))))),
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "steady epoch, lag small and not growing"},
		{name: "3 members, no progress", samples: window(
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 100, 10), gOff(1, 100, 10)))),
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 100, 30), gOff(1, 100, 30))))),
			want:    []string{"CONSUMER_STALLED orders group billing critical"},
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "Rule 3 on both partitions: one finding for the group, its topic named"},
		{name: "4 KIP-848 group slower than its producers", samples: window(
			each(groups(grp("billing", "Stable", 3, two, gOff(0, 100, 10)))),
			each(groups(grp("billing", "Stable", 3, two, gOff(0, 130, 20)))),
			each(groups(grp("billing", "Stable", 3, two, gOff(0, 160, 30))))),
			want:    []string{"CONSUMER_LAG_GROWING orders/0 group billing warning"},
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "Rule 5: committing, lag 10, 20, 30"},
		{name: "5 consumers left during the window", samples: window(
			each(groups(grp("etl", "Stable", 0, two, gOff(0, 100, 10)))),
			each(groups(grp("etl", "Empty", 0, nil, gOff(0, 100, 20))))),
			want:    []string{"CONSUMER_STOPPED orders/0 group etl warning"},
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "Rule 4, and it had members: stopped now, so not EMPTY_GROUP_LAGGING"},
		{name: "6 Empty and still all along", samples: window(
			each(groups(grp("etl", "Empty", 0, nil, gOff(0, 100, 10)))),
			each(groups(grp("etl", "Empty", 0, nil, gOff(0, 100, 20))))),
			want:    []string{"EMPTY_GROUP_LAGGING orders/0 group etl info"},
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "Rule 4 holds, but it stopped before the window: abandoned or stopped"},
		{name: "7 offsets reset backwards", samples: window(
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 500, 10)))),
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 100, 420))))),
			want:    []string{"OFFSET_REWIND orders/0 group billing warning"},
			skipped: []string{"hanging-transactions", "lag-retention"}, why: "Rule 2: 500 then 100"},
		{name: "8 members churn at every sample", samples: window(
			each(groups(grp("billing", "Stable", 0, []string{"a"}, gOff(0, 100, 0)))),
			each(groups(grp("billing", "Stable", 0, []string{"b"}, gOff(0, 110, 0)))),
			each(groups(grp("billing", "Stable", 0, []string{"c"}, gOff(0, 120, 0)))),
			each(groups(grp("billing", "Stable", 0, []string{"d"}, gOff(0, 130, 0))))),
			want:    []string{"REBALANCE_STORM group billing warning"},
			skipped: []string{"hanging-transactions"}, why: "three member changes; its lag is fine"},
		{name: "9 one snapshot: trends skip, an empty group's lag shows", samples: window(
			each(groups(grp("etl", "Empty", 0, nil, gOff(0, 100, 20)), grp("billing", "Stable", 0, two, gOff(0, 100, 50))))),
			want:    []string{"EMPTY_GROUP_LAGGING orders/0 group etl info"},
			skipped: []string{"consumer-lag", "hanging-transactions", "lag-retention", "rebalance-storm"},
			why:     "no window: not gaps; the time lag was not read either"},
		{name: "10 one snapshot without log end offsets", samples: window(
			each(groups(grp("etl", "Empty", 0, nil, snapshot.GroupOffset{Topic: "orders", Committed: 100, Latest: -1, Lag: -1})), noLogEnd)),
			skipped: []string{"consumer-lag", "empty-group-lag", "hanging-transactions", "lag-retention", "rebalance-storm"},
			why:     "triage without --sample reads no log end: no lag known, nothing asked"},
		{name: "11 window, offsets failed", samples: window(
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 100, 10)))),
			each(groups(grp("billing", "Stable", 0, two, snapshot.GroupOffset{Topic: "orders", Committed: 100, Latest: -1, Lag: -1})), noLogEnd,
				noLogStart, failedSource(snapshot.SourceOffsets))),
			gaps: []string{"consumer-lag", "empty-group-lag", "hanging-transactions", "lag-retention"},
			why:  "the offsets source failed: a gap of every check reading it"},
		{name: "12 window, log end never read", samples: window(
			each(groups(grp("billing", "Stable", 0, two, snapshot.GroupOffset{Topic: "orders", Committed: 100, Latest: -1, Lag: -1})), noLogEnd),
			each(groups(grp("billing", "Stable", 0, two, snapshot.GroupOffset{Topic: "orders", Committed: 100, Latest: -1, Lag: -1})), noLogEnd)),
			skipped: []string{"empty-group-lag", "hanging-transactions", "lag-retention"}, gaps: []string{"consumer-lag"},
			why: "a window asks for trends: lag unknown throughout is a gap; the parts not asked for skip"},
		{name: "13 members wait on a partition without a leader", samples: window(
			each(groups(grp("billing", "Stable", 0, two, gOff(0, 100, 0), snapshot.GroupOffset{Topic: "orders", Partition: 2, Committed: 90, Latest: -1, Lag: -1})),
				leaderless(2))),
			extra:   []string{"partition-availability"},
			want:    []string{"GROUP_PARTITION_UNAVAILABLE orders/2 group billing warning", "OFFLINE_PARTITION orders/2 critical"},
			skipped: []string{"consumer-lag", "hanging-transactions", "rebalance-storm"},
			why:     "Rule 6 on one snapshot: the partition's trouble, not the consumer's"},
		{name: "14 triage: log starts read, log ends not asked, one partition without a leader", samples: window(
			each(groups(grp("etl", "Empty", 0, nil, snapshot.GroupOffset{Topic: "orders", Committed: 100, Latest: -1, Lag: -1})), noLogEnd,
				leaderless(2), failedSource(snapshot.SourceOffsets))),
			extra:   []string{"partition-availability"},
			want:    []string{"OFFLINE_PARTITION orders/2 critical"},
			skipped: []string{"consumer-lag", "empty-group-lag", "hanging-transactions", "lag-retention", "rebalance-storm"},
			why:     "the failure is that partition's log start; no lag was asked for, so nothing is a gap"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := lagRun(tc.samples, tc.extra...)
			if got := described(res); !slices.Equal(got, orEmpty(tc.want)) {
				t.Errorf("findings\n got  %q\n want %q (%s)", got, tc.want, tc.why)
			}
			if got := checkNames(res.Skipped); !slices.Equal(got, orEmpty(tc.skipped)) {
				t.Errorf("skipped %q, want %q (%s)", got, tc.skipped, tc.why)
			}
			if got := checkNames(res.Unevaluated); !slices.Equal(got, orEmpty(tc.gaps)) {
				t.Errorf("gaps %+v, want %q (%s)", res.Unevaluated, tc.gaps, tc.why)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// noLogEnd leaves every log end offset unread, as triage does without
// --since or --sample.
func noLogEnd(s *snapshot.Snapshot) {
	for i := range s.Topics {
		for j := range s.Topics[i].Partitions {
			s.Topics[i].Partitions[j].LatestOffset = -1
		}
	}
}

// noLogStart leaves every log start offset unread: with noLogEnd and a
// failed offsets source, ListOffsets failed everywhere.
func noLogStart(s *snapshot.Snapshot) {
	for i := range s.Topics {
		for j := range s.Topics[i].Partitions {
			s.Topics[i].Partitions[j].EarliestOffset = -1
		}
	}
}

func failedSource(source string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.Errors = append(s.Errors, snapshot.CollectError{Source: source, Broker: 2, Kind: snapshot.KindTimeout, Message: "no answer within 3s"})
	}
}

func leaderless(p int) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) { s.Topics[0].Partitions[p].Leader = -1 }
}

// TestConsumerLagEvidence: a trend finding carries its rule, rates,
// window and samples, and lists its partitions, most lagging first.
func TestConsumerLagEvidence(t *testing.T) {
	res := lagRun(window(
		each(groups(grp("billing", "Stable", 3, two, gOff(0, 100, 10)))),
		each(groups(grp("billing", "Stable", 3, two, gOff(0, 130, 20)))),
		each(groups(grp("billing", "Stable", 3, two, gOff(0, 160, 30))))))
	f := findingOf(t, res, findings.ConsumerLagGrowing)
	ev := f.Evidence
	if ev["rule"] != 5 || ev["consume_rate"] != 1.0 || ev["produce_rate"] != 1.33 || ev["window_ms"] != int64(60_000) ||
		ev["samples"] != 3 || ev["lag"] != int64(30) {
		t.Errorf("evidence %v", ev)
	}
	if ps := ev["partitions"].([]map[string]any); len(ps) != 1 || !slices.Equal(ps[0]["lags"].([]int64), []int64{10, 20, 30}) {
		t.Errorf("partitions %v", ev["partitions"])
	}
	if !strings.Contains(f.Summary, "consumes 1.0 records/s while producers write 1.3") {
		t.Errorf("summary %q", f.Summary)
	}
}

// TestGroupFindingListsAtMostTen: a group stalled on 12 partitions is one
// finding listing the 10 most lagging.
func TestGroupFindingListsAtMostTen(t *testing.T) {
	state := func(lag int64) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) {
			var assignment [][]int32
			g := grp("billing", "Stable", 0, two)
			for p := range int32(12) {
				assignment = append(assignment, []int32{1, 2, 3})
				g.Offsets = append(g.Offsets, snapshot.GroupOffset{Topic: "big", Partition: p, Committed: 100, Latest: 100 + lag + int64(p), Lag: lag + int64(p)})
			}
			s.Topics = append(s.Topics, topic("big", 3, "2", assignment))
			s.Groups = []snapshot.Group{g}
		}
	}
	res := lagRun(window(each(state(10)), each(state(20))))
	f := findingOf(t, res, findings.ConsumerStalled)
	ps := f.Evidence["partitions"].([]map[string]any)
	if len(ps) != maxListed || f.Evidence["partitions_total"] != 12 || ps[0]["partition"] != int32(11) || f.Topic != "big" || f.Partition != nil {
		t.Errorf("subject %q, %d listed of %v, first %v", f.Subject(), len(ps), f.Evidence["partitions_total"], ps[0])
	}
}

func TestRebalanceStormEvidence(t *testing.T) {
	res := lagRun(window(
		each(groups(grp("billing", "Stable", 0, []string{"a"}))), each(groups(grp("billing", "Stable", 0, []string{"b"}))),
		each(groups(grp("billing", "Stable", 0, []string{"c"}))), each(groups(grp("billing", "Stable", 0, []string{"d"})))))
	f := findingOf(t, res, findings.RebalanceStorm)
	ev := f.Evidence
	if ev["rebalances"] != 3 || ev["counted_by"] != "member-ids-and-state" || !slices.Equal(ev["joined"].([]string), []string{"b", "c", "d"}) ||
		!slices.Equal(ev["left"].([]string), []string{"a", "b", "c"}) || ev["churned_members"] != 4 {
		t.Errorf("evidence %v", ev)
	}
	if !strings.Contains(f.Summary, "rebalanced 3 times in 1m30s") {
		t.Errorf("summary %q", f.Summary)
	}
}
