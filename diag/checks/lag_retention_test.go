package checks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// retention sets the orders topic's retention.ms and retention.bytes.
func retention(ms, bytes string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.Topics[0].Configs["retention.ms"] = snapshot.ConfigValue{Value: ms}
		s.Topics[0].Configs["retention.bytes"] = snapshot.ConfigValue{Value: bytes}
	}
}

// aged gives a committed offset of sample i the age of its next record.
func aged(o snapshot.GroupOffset, i int, age time.Duration) snapshot.GroupOffset {
	o.NextTimestampMillis = lagT0.Add(time.Duration(i) * sampleGap).Add(-age).UnixMilli()
	return o
}

func logStart(p int, offset int64) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) { s.Topics[0].Partitions[p].EarliestOffset = offset }
}

const day = "86400000"

// TestLagRetention states, per numbered case, the retention, the age of
// the next unread record or the log start's movement, the findings with
// their severity, the gaps, and why.
func TestLagRetention(t *testing.T) {
	h := time.Hour
	cases := []struct {
		name    string
		samples []*snapshot.Snapshot
		want    []string
		gaps    []string
		why     string
	}{
		{name: "1 deleted within the hour, members", samples: window(
			each(retention(day, "-1"), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 100, 50), 0, 23*h+30*time.Minute))))),
			want: []string{"LAG_EXCEEDS_RETENTION orders/0 group billing critical"}, why: "1 day − 23h30m: 30 minutes at the earliest"},
		{name: "2 deleted within the hour, no members", samples: window(
			each(retention(day, "-1"), groups(grp("etl", "Empty", 0, nil, aged(gOff(0, 100, 50), 0, 25*h))))),
			want: []string{"EMPTY_GROUP_LAGGING orders/0 group etl info", "LAG_EXCEEDS_RETENTION orders/0 group etl warning"},
			why:  "older than retention already; a group nobody runs looks abandoned"},
		{name: "3 within 6 hours", samples: window(
			each(retention(day, "-1"), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 100, 50), 0, 20*h))))),
			want: []string{"LAG_NEAR_RETENTION orders/0 group billing warning"}, why: "4 hours left"},
		{name: "4 far from retention", samples: window(
			each(retention(day, "-1"), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 100, 50), 0, 2*h))))),
			why: "22 hours left: nothing to say"},
		{name: "5 retention.bytes: the log start closes in", samples: window(
			each(retention("-1", "1073741824"), logStart(0, 0), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 1000, 50), 0, h))),
				func(s *snapshot.Snapshot) { s.Topics[0].Partitions[0].LatestOffset = 1050 }),
			each(retention("-1", "1073741824"), logStart(0, 300), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 1000, 80), 1, h))),
				func(s *snapshot.Snapshot) { s.Topics[0].Partitions[0].LatestOffset = 1080 })),
			want: []string{"CONSUMER_STALLED orders/0 group billing critical", "LAG_EXCEEDS_RETENTION orders/0 group billing critical"},
			why:  "log start +300 in 30 s, 701 records to go: about 70 s; retention.ms is off"},
		{name: "6 already deleted is LOG_START_ADVANCED's", samples: window(
			each(retention(day, "-1"), logStart(0, 80), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 50, 50), 0, 25*h))))),
			want: []string{"LOG_START_ADVANCED orders/0 group billing critical"}, why: "nothing left to foresee"},
		{name: "7 the age read for one lagging partition, not another", samples: window(
			each(retention(day, "-1"), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 100, 50), 0, 2*h), gOff(1, 100, 50))))),
			gaps: []string{"lag-retention"}, why: "the time lag was read, yet one partition's age is missing"},
		{name: "8 no retention at all", samples: window(
			each(retention("-1", "-1"), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 100, 50), 0, 90*24*h))))),
			why: "nothing is deleted: a 90-day-old record is safe"},
		{name: "9 keeps up", samples: window(
			each(retention(day, "-1"), groups(grp("billing", "Stable", 0, two, gOff(0, 100, 0))))),
			why: "nothing unread"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := lagRun(tc.samples, "log-start-past-committed")
			if got := described(res); !slices.Equal(got, orEmpty(tc.want)) {
				t.Errorf("findings\n got  %q\n want %q (%s)", got, tc.want, tc.why)
			}
			if got := checkNames(res.Unevaluated); !slices.Equal(got, orEmpty(tc.gaps)) {
				t.Errorf("gaps %+v, want %q (%s)", res.Unevaluated, tc.gaps, tc.why)
			}
		})
	}
}

// TestLagRetentionSaysWhichRule: the evidence and summary name the
// estimate used; time-based ones say "at the earliest".
func TestLagRetentionSaysWhichRule(t *testing.T) {
	res := lagRun(window(each(retention(day, "-1"), groups(grp("billing", "Stable", 0, two, aged(gOff(0, 100, 50), 0, 23*time.Hour+30*time.Minute))))))
	f := findingOf(t, res, findings.LagExceedsRetention)
	if f.Evidence["eta_rule"] != "retention.ms" || f.Evidence["eta_ms"] != int64(30*60*1000) || f.Evidence["time_lag_ms"] != int64((23*time.Hour+30*time.Minute)/time.Millisecond) {
		t.Errorf("evidence %v", f.Evidence)
	}
	if !strings.Contains(f.Summary, "at the earliest") || !strings.Contains(f.Summary, "in 30m0s") {
		t.Errorf("summary %q", f.Summary)
	}
}

// findingOf returns the one finding with the code.
func findingOf(t *testing.T, res Result, code string) findings.Finding {
	t.Helper()
	var out []findings.Finding
	for _, f := range res.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%d %s findings in %v, want 1", len(out), code, described(res))
	}
	return out[0]
}
