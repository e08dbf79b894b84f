package evidence

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// comparisonRows renders every row of the change tables (not the head) as
// "Title: cell | cell", in table order.
func comparisonRows(c Comparison) []string {
	var out []string
	for _, t := range c.Tables()[1:] {
		for _, r := range t.Rows {
			out = append(out, t.Title+": "+strings.Join(r, " | "))
		}
	}
	return out
}

// TestCompare pins the table rendering of the delta; what counts as a
// change is TestChanges'. The cases are the ones where `evidence diff`
// used to have rules of its own.
func TestCompare(t *testing.T) {
	tests := []struct {
		name   string
		before func(c *cluster)
		after  func(c *cluster)
		want   []string
		notes  []string
		why    string
	}{
		{name: "no change", after: func(c *cluster) {}},
		{name: "config added and removed", after: func(c *cluster) {
			c.topic("payments").Configs["cleanup.policy"] = snapshot.ConfigValue{Value: "compact"}
			delete(c.s.BrokerConfigs[1].Configs, "default.replication.factor")
		}, want: []string{"Configs: topic payments | cleanup.policy | (absent) | compact",
			"Configs: broker 2 | default.replication.factor | 3 | (absent)"}},
		{name: "broker down, leader moved, ISR shrank, log dir failed", after: func(c *cluster) {
			c.broker(2).Fenced = true
			c.broker(2).Probe = snapshot.Probe{Status: snapshot.StatusRefused}
			c.lead("orders", 1, 3, 4, 3, 1)
			c.s.LogDirs[1].Error = "KAFKA_STORAGE_ERROR"
		}, want: []string{"Brokers: 2 | up kafka2:9092 | down (fenced) kafka2:9092",
			"Leaders: orders/1 | 2 | 3 | 3 | 4", "ISR: orders/1 | [2 3 1] | [2 3 1] | [3 1]",
			"Log directories: 2 | /var/lib/kafka | online | KAFKA_STORAGE_ERROR | 5"}},
		{name: "offsets summed per topic, backwards listed", after: func(c *cluster) {
			c.p("orders", 0).LatestOffset += 10
			c.p("orders", 1).LatestOffset = 100
			c.p("orders", 2).EarliestOffset = 1500
		}, want: []string{"Offsets: orders | 10 | 500 | 1", "Offsets that went backwards: orders/1 | 1000 | 1000 | 52000 | 100"}},
		{name: "errored group is not compared", after: func(c *cluster) {
			c.s.Groups[0].State, c.s.Groups[0].Error = "Dead", "COORDINATOR_NOT_AVAILABLE"
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceGroups, Broker: 1, Subject: "billing", Kind: snapshot.KindOther, Message: "COORDINATOR_NOT_AVAILABLE"}}
		}, notes: []string{"B could not read groups from broker 1 (billing): what that covers is not compared"},
			why: "a gap in the data is not a change; the note says what was not read"},
		{name: "metadata unreadable is not every topic deleted", after: func(c *cluster) {
			c.s.Topics = nil
			c.s.Errors = []snapshot.CollectError{{Source: snapshot.SourceMetadata, Broker: -1, Kind: snapshot.KindTimeout, Message: "timeout"}}
		}, notes: []string{"B could not read metadata: what that covers is not compared"}},
		{name: "epoch unknown before is no leader change", before: func(c *cluster) { c.p("orders", 0).LeaderEpoch = -1 }, after: func(c *cluster) {}},
		{name: "group created, resized topic", after: func(c *cluster) {
			c.s.Groups = append(c.s.Groups, snapshot.Group{ID: "reports", State: "Empty", Coordinator: 2})
			t := c.topic("audit-log")
			t.Partitions = append(t.Partitions, part(1, 1, 0, []int32{1}, 0, 0))
		}, want: []string{"Topics: audit-log | partitions changed | 1 | 2", "Consumer groups: reports | absent | Empty | 0 | 0 | ? | ?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newCluster(t0, 0), newCluster(t0.Add(5*time.Second), 0)
			if tt.before != nil {
				tt.before(a)
			}
			tt.after(b)
			a.s.Normalize()
			b.s.Normalize()
			c := Compare(a.s, b.s, "a.json", "b.json")
			if got := comparisonRows(c); !slices.Equal(got, tt.want) {
				t.Errorf("rows:\n  %q\nwant\n  %q\n(%s)", got, tt.want, tt.why)
			}
			if want := append([]string{}, tt.notes...); !slices.Equal(c.Notes, want) {
				t.Errorf("notes = %q, want %q", c.Notes, want)
			}
		})
	}
}

// TestCompareMarkdownGolden renders the fixture incident from its first
// poll to the one where the emergency config change was in force.
func TestCompareMarkdownGolden(t *testing.T) {
	series := fixtureSeries()
	c := Compare(series[0], series[4], "A.json", "B.json")
	var buf bytes.Buffer
	if err := render.Render(&buf, render.Options{Format: render.FormatMarkdown}, c.Tables()...); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.md.golden", buf.Bytes())
}
