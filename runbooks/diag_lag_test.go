package runbooks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// lagSeries is the healthy fixture sampled four times, PollInterval apart,
// with billing's payments/0 edited per sample by edit(i, offset).
func lagSeries(t *testing.T, edit func(i int, s *snapshot.Snapshot, o *snapshot.GroupOffset)) []*snapshot.Snapshot {
	var out []*snapshot.Snapshot
	for i := range lagSamples + 1 {
		out = append(out, variant(t, "healthy", func(s *snapshot.Snapshot) {
			s.TakenAt = s.TakenAt.Add(time.Duration(i-lagSamples) * 2 * time.Second)
			for gi := range s.Groups {
				if s.Groups[gi].ID != "billing" {
					caughtUp(&s.Groups[gi])
					continue
				}
				for oi := range s.Groups[gi].Offsets {
					if o := &s.Groups[gi].Offsets[oi]; o.Topic == "payments" && o.Partition == 0 {
						edit(i, s, o)
					}
				}
			}
		}))
	}
	return out
}

// caughtUp makes a group keep up: no lag anywhere.
func caughtUp(g *snapshot.Group) {
	for i := range g.Offsets {
		o := &g.Offsets[i]
		o.Committed, o.Lag, o.NextTimestampMillis = o.Latest, 0, 0
	}
}

// grow makes billing fall behind on payments/0: it commits 10 records a
// sample while 100 are produced.
func grow(i int, s *snapshot.Snapshot, o *snapshot.GroupOffset) {
	o.Committed = 40000 + int64(10*i)
	o.Latest = 40000 + int64(100*i) + 50
	o.Lag = o.Latest - o.Committed
	for ti := range s.Topics {
		for pi := range s.Topics[ti].Partitions {
			if p := &s.Topics[ti].Partitions[pi]; p.Topic == "payments" && p.ID == 0 {
				p.LatestOffset = o.Latest
			}
		}
	}
}

func TestLagStepsOnASlowConsumer(t *testing.T) {
	src := recorded(lagSeries(t, grow)...)
	env := testEnv(t, src)
	out := runDiag(t, "lag-groups", env)
	expect{verdict: []string{"1 group of 2 not keeping up: 1 warning."}, findings: []string{"CONSUMER_LAG_GROWING payments/0 group billing"}}.check(t, out)
	checkRows(t, out, "Consumer groups over the window", [][]string{
		{"billing", "consumer", "Stable", "yes", "WARNING", "320", "1s", "5.0", "50.0"},
		{"orders-service", "classic", "Stable", "yes", "OK", "0", "0s", "0.0", "0.0"},
	})
	calls := len(src.parts)
	cause := runDiag(t, "lag-cause", env)
	if len(src.parts) != calls {
		t.Errorf("the cause step sampled again (%d snapshots, then %d): the walk's window must be reused", calls, len(src.parts))
	}
	if !strings.Contains(cause.Tables[0].Rows[0][2], "slower than its producers") {
		t.Errorf("cause %q", cause.Tables[0].Rows)
	}
	acts := runDiag(t, "lag-actions", env)
	checkActions(t, acts.Actions, []wantAction{
		{Safe, "Keep group billing's current offsets", []string{"kafka-consumer-groups.sh", "--group", "billing", "--reset-offsets", "--to-current", "--dry-run", "--export"}},
		{Caution, "Scale group billing out", []string{"# add instances"}},
	})
}

func TestLagStepsOnAStoppedGroup(t *testing.T) {
	stop := func(i int, s *snapshot.Snapshot, o *snapshot.GroupOffset) {
		grow(i, s, o)
		o.Committed = 40000 // never commits in the window
		o.Lag = o.Latest - o.Committed
		if i >= 1 { // its members left after the first sample
			for gi := range s.Groups {
				if s.Groups[gi].ID == "billing" {
					s.Groups[gi].Members, s.Groups[gi].State = nil, "Empty"
				}
			}
		}
	}
	env := testEnv(t, recorded(lagSeries(t, stop)...))
	acts := runDiag(t, "lag-actions", env)
	var titles []string
	for _, a := range acts.Actions {
		titles = append(titles, string(a.Risk)+" "+a.Title)
	}
	if !slices.ContainsFunc(titles, func(s string) bool {
		return strings.Contains(s, "dangerous Last resort for group billing: skip its backlog")
	}) {
		t.Errorf("actions %q lack the backlog reset with its rollback", titles)
	}
	for _, a := range acts.Actions {
		if a.Risk == Dangerous && !strings.Contains(a.Consequence, "--from-file billing-offsets-before.csv --execute") {
			t.Errorf("dangerous action %q has no way back: %q", a.Title, a.Consequence)
		}
	}
}

func TestLagRetentionBuysTimeWithTheWayBack(t *testing.T) {
	old := func(i int, s *snapshot.Snapshot, o *snapshot.GroupOffset) {
		grow(i, s, o)
		// The next unread record is 55 minutes old; retention is one hour.
		o.NextTimestampMillis = s.TakenAt.Add(-55 * time.Minute).UnixMilli()
		for ti := range s.Topics {
			if s.Topics[ti].Name == "payments" {
				s.Topics[ti].Configs["retention.ms"] = snapshot.ConfigValue{Value: "3600000", Source: "DYNAMIC_TOPIC_CONFIG"}
			}
		}
	}
	out := runDiag(t, "lag-retention", testEnv(t, recorded(lagSeries(t, old)...)))
	expect{verdict: []string{"Unread records on payments will be deleted soon"}, findings: []string{"LAG_EXCEEDS_RETENTION payments/0 group billing"},
		actions: []wantAction{{Caution, "Buy time for payments: double retention.ms", []string{"kafka-configs.sh", "--entity-name", "payments", "--add-config", "retention.ms=7200000"}}}}.check(t, out)
	if !strings.Contains(out.Actions[0].Consequence, "--add-config retention.ms=3600000") {
		t.Errorf("the undo does not restore the topic's own value: %q", out.Actions[0].Consequence)
	}
}

// TestLagStepsOnAReplayDoNotInventATrend: one recorded moment is not a
// window: no status is judged from it as if sampled four times.
func TestLagStepsOnAReplayDoNotInventATrend(t *testing.T) {
	env := testEnv(t, recorded(fixture(t, "healthy")))
	env.Window = []*snapshot.Snapshot{}
	out := runDiag(t, "lag-groups", env)
	for _, f := range out.Findings {
		if f.Code == "CONSUMER_STALLED" || f.Code == "CONSUMER_LAG_GROWING" {
			t.Errorf("a trend finding from one recorded moment: %+v", f)
		}
	}
}
