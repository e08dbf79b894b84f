package lag

import (
	"testing"
	"time"
)

// t0 is the first sample's time in every case; samples are 30 s apart.
var t0 = time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC)

// series builds readable points 30 s apart from committed offsets and
// lags; the high watermark is their sum.
func series(committed, lags []int64) []point {
	ps := make([]point, len(committed))
	for i := range committed {
		ps[i] = point{at: t0.Add(time.Duration(i) * 30 * time.Second), committed: committed[i], lag: lags[i],
			latest: committed[i] + lags[i], logStart: 0, lastStable: -1}
	}
	return ps
}

// rules are the values of Rules 1 to 5 for a case, in order.
type rules [5]bool

// TestRules states, per numbered case, the samples, the values of Rules 1
// to 5 (Rule 6, the leader, is an input), the status the rules give and
// why, like Burrow's evaluator tests.
func TestRules(t *testing.T) {
	const T, F = true, false
	cases := []struct {
		name       string
		committed  []int64
		lags       []int64
		members    bool
		leaderless bool
		lastStable int64 // of the last sample, -1 unknown
		seen       int   // samples the partition appeared in; len(committed) when 0
		rules      *rules
		status     Status
		rule       int
		why        string
	}{
		{name: "1 caught up once", committed: []int64{100, 200, 300}, lags: []int64{0, 5, 3}, members: T,
			rules: &rules{T, F, F, F, F}, status: OK, rule: 1, why: "lag zero in one sample: the consumer keeps up"},
		{name: "2 committed went back", committed: []int64{500, 300, 350}, lags: []int64{10, 210, 200}, members: T,
			rules: &rules{F, T, F, F, F}, status: Rewind, rule: 2, why: "500 then 300: an offset reset"},
		{name: "3 members, no progress", committed: []int64{100, 100, 100}, lags: []int64{50, 60, 70}, members: T,
			rules: &rules{F, F, T, F, F}, status: Stalled, rule: 3, why: "consumers run but commit nothing"},
		{name: "4 no members, no progress", committed: []int64{100, 100, 100}, lags: []int64{50, 60, 70}, members: F,
			rules: &rules{F, F, F, T, F}, status: Stopped, rule: 4, why: "nobody consumes"},
		{name: "5 members, nothing new produced, old records unread", committed: []int64{100, 100, 100}, lags: []int64{50, 50, 50}, members: T,
			rules: &rules{F, F, T, F, F}, status: Stalled, rule: 3, why: "records wait and the committed offset does not move"},
		{name: "6 lag grows at every sample", committed: []int64{100, 150, 200}, lags: []int64{10, 20, 30}, members: T,
			rules: &rules{F, F, F, F, T}, status: Warning, rule: 5, why: "commits, but slower than the producers"},
		{name: "7 catching up", committed: []int64{100, 200, 300}, lags: []int64{30, 20, 10}, members: T,
			rules: &rules{F, F, F, F, F}, status: OK, rule: 0, why: "lag falls: no rule finds fault"},
		{name: "8 small steady lag", committed: []int64{100, 200, 300}, lags: []int64{5, 5, 5}, members: T,
			rules: &rules{F, F, F, F, F}, status: OK, rule: 0, why: "keeps pace with the producers: not growing is no warning"},
		{name: "9 lag grew, then fell", committed: []int64{100, 200, 300}, lags: []int64{10, 30, 20}, members: T,
			rules: &rules{F, F, F, F, F}, status: OK, rule: 0, why: "Rule 5 needs growth between every two samples"},
		{name: "10 two samples, lag grew", committed: []int64{100, 150}, lags: []int64{10, 11}, members: T,
			rules: &rules{F, F, F, F, T}, status: Warning, rule: 5, why: "with two samples one step is the whole window"},
		{name: "11 one sample", committed: []int64{100}, lags: []int64{10}, members: T,
			status: NotEnoughData, why: "no trend in one sample"},
		{name: "12 never readable", seen: 3, members: T, status: Error, why: "lag -1 in all three samples"},
		{name: "13 no live leader", committed: []int64{100, 100, 100}, lags: []int64{50, 60, 70}, members: T, leaderless: T,
			rules: &rules{F, F, T, F, F}, status: Blocked, rule: 6, why: "Rule 6 first: would be stalled, but nobody can read it"},
		{name: "14 at the last stable offset", committed: []int64{100, 100, 100}, lags: []int64{5, 5, 5}, members: T, lastStable: 100,
			rules: &rules{F, F, F, F, F}, status: OK, rule: 0, why: "an open transaction holds it: HANGING_TRANSACTION's, not a stall"},
		{name: "15 reset after catching up", committed: []int64{1000, 500}, lags: []int64{0, 500}, members: T,
			rules: &rules{T, T, F, F, T}, status: Rewind, rule: 2, why: "Rule 2 before Rule 1: replaying a caught-up group is the rewind to report"},
		{name: "16 committed moved, but lag grew only once of two steps", committed: []int64{100, 100, 150}, lags: []int64{10, 20, 20}, members: T,
			rules: &rules{F, F, F, F, F}, status: OK, rule: 0, why: "moved, so not stalled; not growing at every step"},
		{name: "17 caught up, then its members left while producers write", committed: []int64{10, 10, 10, 10, 10}, lags: []int64{0, 0, 36, 57, 78}, members: F,
			rules: &rules{T, F, F, T, F}, status: Stopped, rule: 4, why: "no members cannot be between commits: lag since the last zero is real"},
		{name: "18 members between two commits after catching up", committed: []int64{10, 10, 10}, lags: []int64{0, 20, 40}, members: T,
			rules: &rules{T, F, T, F, F}, status: OK, rule: 1, why: "with members, lag between commits is normal: Rule 1 keeps it OK"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := series(tc.committed, tc.lags)
			if len(ps) > 0 && tc.lastStable != 0 {
				ps[len(ps)-1].lastStable = tc.lastStable
			}
			seen := tc.seen
			if seen == 0 {
				seen = len(ps)
			}
			if tc.rules != nil {
				got := rules{lagZeroOnce(ps), rewound(ps), stalled(ps, tc.members), stopped(ps, tc.members), fallingBehind(ps)}
				if got != *tc.rules {
					t.Errorf("rules 1-5 = %v, want %v (%s)", got, *tc.rules, tc.why)
				}
			}
			status, rule := judge(ps, seen, tc.members, tc.leaderless)
			if status != tc.status || rule != tc.rule {
				t.Errorf("judge = %s by rule %d, want %s by rule %d (%s)", status, rule, tc.status, tc.rule, tc.why)
			}
		})
	}
}

func TestStatusOrderAndNames(t *testing.T) {
	order := []Status{NotEnoughData, OK, Warning, Error, Blocked, Stopped, Stalled, Rewind}
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Errorf("%s must rank below %s", order[i-1], order[i])
		}
	}
	for _, s := range order {
		b, _ := s.MarshalText()
		var back Status
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%s -> %s -> %s (%v)", s, b, back, err)
		}
	}
	if err := new(Status).UnmarshalText([]byte("LATE")); err == nil {
		t.Error("unknown status accepted")
	}
}
