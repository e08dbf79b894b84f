package evidence

import (
	"bytes"
	"fmt"
	"io"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// HealthTable lists the per-poll health wherever it changed, so Markdown
// readers get the charts' content as numbers.
func (r *Report) HealthTable() render.Table {
	t := render.Table{
		Title: "Health at each change (UTC)",
		Columns: []render.Column{{Name: "Time"}, {Name: "Brokers alive", Align: render.AlignRight},
			{Name: "Under-replicated", Align: render.AlignRight}, {Name: "Under min ISR", Align: render.AlignRight},
			{Name: "Offline", Align: render.AlignRight}, {Name: "Total lag", Align: render.AlignRight}},
		Empty: "No poll recorded.",
	}
	var prev []string
	for i, m := range r.Metrics {
		var row []string
		if m.Failed() {
			row = []string{m.Time.Format(TimeFormat), "?", "?", "?", "?", "collection failed"}
		} else {
			row = []string{m.Time.Format(TimeFormat), fmt.Sprintf("%d/%d", m.BrokersAlive, m.BrokersKnown),
				fmt.Sprint(m.UnderReplicated), fmt.Sprint(m.UnderMinISR), fmt.Sprint(m.Offline), render.Int(m.TotalLag)}
		}
		if i == 0 || i == len(r.Metrics)-1 || prev == nil || !equalTail(row, prev) {
			t.Rows = append(t.Rows, row)
		}
		prev = row
	}
	if n := len(r.Metrics) - len(t.Rows); n > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%s without change not shown; %s has every poll.", words.Plural(n, "poll", "polls"), MetricsFile))
	}
	return t
}

// equalTail compares rows without their time.
func equalTail(a, b []string) bool {
	for i := 1; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Markdown writes the postmortem-ready report.
func (r *Report) Markdown(w io.Writer) error {
	var b bytes.Buffer
	md := render.Options{Format: render.FormatMarkdown}
	fmt.Fprintf(&b, "# %s\n\n## Summary\n\n", r.Title())
	for _, line := range r.Summary() {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	sections := []struct {
		heading string
		tables  []render.Table
	}{
		{"Health over the incident window", []render.Table{r.HealthTable()}},
		{"Timeline", []render.Table{r.TimelineTable()}},
		{"Affected topics, partitions and groups", r.AffectedTables()},
		{"Findings at the end", r.FindingsTables()},
		{"Actions taken", r.ActionTables()},
		{"Evidence", []render.Table{r.EvidenceTable()}},
	}
	for _, s := range sections {
		fmt.Fprintf(&b, "\n## %s\n\n", s.heading)
		if err := render.Render(&b, md, s.tables...); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
