package drill

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// since renders an offset from the drill's start: "+1m30s".
func (r *Report) since(t time.Time) string {
	return "+" + t.Sub(r.Meta.StartedAt).Round(time.Second).String()
}

func utc(t time.Time) string { return t.UTC().Format("15:04:05") }

// Tables presents the report as tables (render.Tabler).
func (r *Report) Tables() []render.Table {
	return []render.Table{r.summaryTable(), r.stageTable(), r.timelineTable(), r.changeTable(), r.runbookTable(), r.toolTable()}
}

func (r *Report) summaryTable() render.Table {
	t := render.Table{Title: "Summary", Columns: []render.Column{{Name: "Question"}, {Name: "Answer", Wrap: true}}}
	first := "never: no kafka-runbook command asked what shows " + strings.Join(r.Stages[0].Expect, ", ")
	if l := r.Stages[0].FirstLook; l != nil {
		first = fmt.Sprintf("%s after the start (%s at %s UTC)", l.Start.Sub(r.Stages[0].At).Round(time.Second), l.Kind, utc(l.Start))
	}
	if len(r.Stages[0].Expect) == 0 {
		first = "the starting state expects no finding"
	}
	dangerous := 0
	for _, c := range r.Changes {
		if c.Risk == "dangerous" {
			dangerous++
		}
	}
	t.Rows = [][]string{
		{"Scenario", fmt.Sprintf("%s: %s (%s)", r.Meta.Scenario, r.Meta.Title, r.Meta.Source)},
		{"Ran", fmt.Sprintf("%s to %s UTC (%s), speed %gx", r.Meta.StartedAt.UTC().Format("2006-01-02 15:04:05"), utc(r.EndedAt), r.EndedAt.Sub(r.Meta.StartedAt).Round(time.Second), r.Meta.Speed)},
		{"Injects fired", fmt.Sprintf("%d of %d", len(r.Stages)-1, len(r.Meta.Injects))},
		{"Time to first correct finding", first},
		{fmt.Sprintf("Expected runbook (%s) opened", r.Meta.ExpectedRunbook), r.RunbookOpened},
		{"Decisions noted", fmt.Sprint(len(r.Notes))},
		{"Changes made to the cluster", fmt.Sprintf("%d (%d dangerous)", len(r.Changes), dangerous)},
		{"Dangerous actions suggested by recorded runbooks", fmt.Sprint(len(r.Suggested))},
	}
	t.Warnings = r.Warnings
	return t
}

func (r *Report) stageTable() render.Table {
	t := render.Table{
		Title:   "Time to the first correct finding, per state",
		Columns: []render.Column{{Name: "State"}, {Name: "Took effect"}, {Name: "Expected findings", Wrap: true}, {Name: "First kafka-runbook look showing them"}, {Name: "First note"}},
		Notes: []string{"A look shows a state's findings when a kafka-runbook command asked every question they are computed from " +
			"(Metadata of every broker, topic configs, offsets, log dirs as needed) while that state was served."},
	}
	for _, s := range r.Stages {
		took := r.since(s.At)
		if s.Name != "start" {
			took += fmt.Sprintf(" (%s late)", s.At.Sub(s.Due).Round(time.Millisecond))
		}
		look, note := "-", "-"
		if s.FirstLook != nil {
			look = fmt.Sprintf("%s later (%s)", s.FirstLook.Start.Sub(s.At).Round(time.Second), utc(s.FirstLook.Start))
		} else if len(s.Expect) > 0 {
			look = "none while this state was served"
		}
		if s.FirstNote != nil {
			note = fmt.Sprintf("%s later: %s", s.FirstNote.At.Sub(s.At).Round(time.Second), s.FirstNote.Text)
		}
		t.Rows = append(t.Rows, []string{s.Name, took, strings.Join(s.Expect, ", "), look, note})
	}
	return t
}

func (r *Report) timelineTable() render.Table {
	t := render.Table{Title: "Timeline", Columns: []render.Column{{Name: "UTC"}, {Name: "Since start", Align: render.AlignRight}, {Name: "What", Wrap: true}},
		Empty: "nothing happened"}
	type row struct {
		at   time.Time
		what string
	}
	rows := []row{{r.Meta.StartedAt, "drill started: " + r.Meta.Title}}
	for _, s := range r.Stages[1:] {
		rows = append(rows, row{s.At, fmt.Sprintf("%s: %s", s.Name, s.Say)})
	}
	for _, ls := range lookSeriesOf(r.Looks) {
		rows = append(rows, row{ls.first.Start, ls.String()})
	}
	for _, n := range r.Notes {
		who := ""
		if n.Author != "" {
			who = " (" + n.Author + ")"
		}
		rows = append(rows, row{n.At, "note" + who + ": " + n.Text})
	}
	for _, c := range r.Changes {
		rows = append(rows, row{c.At, fmt.Sprintf("%s change by %s: %s", c.Risk, c.ClientID, c.What)})
	}
	for _, rb := range r.Runbooks {
		rows = append(rows, row{rb.At, fmt.Sprintf("runbook %s (%s, %s)", rb.Name, rb.Status, rb.Source)})
	}
	rows = append(rows, row{r.EndedAt, "drill ended"})
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at.Before(rows[j].at) })
	for _, x := range rows {
		t.Rows = append(t.Rows, []string{utc(x.at), r.since(x.at), x.what})
	}
	return t
}

func (r *Report) changeTable() render.Table {
	t := render.Table{Title: "Changes made to the cluster", Empty: "none: nobody changed the cluster",
		Columns: []render.Column{{Name: "UTC"}, {Name: "Risk"}, {Name: "Client"}, {Name: "Request"}, {Name: "What", Wrap: true}}}
	for _, c := range r.Changes {
		t.Rows = append(t.Rows, []string{utc(c.At), c.Risk, strings.TrimSpace(c.ClientID + " " + c.Software), c.API, c.What})
	}
	for _, s := range r.Suggested {
		t.Notes = append(t.Notes, fmt.Sprintf("suggested by run %s at %s UTC (dangerous): %s: %s", s.Runbook, utc(s.At), s.Title, s.Command))
	}
	return t
}

func (r *Report) runbookTable() render.Table {
	t := render.Table{Title: "Runbooks", Empty: "no runbook walk recorded or seen",
		Columns: []render.Column{{Name: "UTC"}, {Name: "Runbook"}, {Name: "Status"}, {Name: "Source"}},
		Notes: []string{"recorded: a transcript in the drill's evidence bundle ('run RUNBOOK --record DRILL_DIR/" + EvidenceDir + "', as the briefing shows); " +
			"inferred: requests only that runbook sends (leader-epoch or replica log-end probes)."}}
	for _, rb := range r.Runbooks {
		t.Rows = append(t.Rows, []string{utc(rb.At), rb.Name, rb.Status, rb.Source})
	}
	return t
}

func (r *Report) toolTable() render.Table {
	t := render.Table{Title: "Tools that talked to the cluster", Empty: "no client connected",
		Columns: []render.Column{{Name: "Client id"}, {Name: "Software"}, {Name: "Requests", Align: render.AlignRight}, {Name: "First"}, {Name: "Last"}}}
	for _, x := range r.Tools {
		t.Rows = append(t.Rows, []string{x.ClientID, x.Software, fmt.Sprint(x.Requests), utc(x.First), utc(x.Last)})
	}
	return t
}

// Markdown writes the report as a postmortem-style Markdown document.
func (r *Report) Markdown(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Drill report: %s\n\n", r.Meta.Title)
	fmt.Fprintf(&b, "Scenario `%s`, drill `%s`, bootstrap `%s`.\n\n", r.Meta.Scenario, r.Meta.ID, strings.Join(r.Meta.Bootstrap, ","))
	if err := render.Render(&b, render.Options{Format: render.FormatMarkdown}, r.Tables()...); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteReport builds the report and writes report.md atomically.
func WriteReport(s *Session) (*Report, error) {
	r, err := Build(s)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := r.Markdown(&b); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(s.Path(ReportFile), b.Bytes(), 0o600); err != nil {
		return nil, err
	}
	return r, nil
}

// seriesGap is how far apart looks of the same kind may be and still be
// one series in the timeline: a watch polls every few seconds, and each
// poll as a row buried everything else the team did.
const seriesGap = time.Minute

// lookSeries is looks of one kind from one client library, each within
// seriesGap of the one before.
type lookSeries struct {
	first    Look
	n        int
	last     time.Time
	requests int
}

// lookSeriesOf folds the looks into series, in order of their first look.
func lookSeriesOf(looks []Look) []*lookSeries {
	var out []*lookSeries
	open := map[string]*lookSeries{}
	for _, l := range looks {
		key := l.Kind + "\x00" + l.Software
		s := open[key]
		if s == nil || l.Start.Sub(s.last) > seriesGap {
			s = &lookSeries{first: l}
			open[key] = s
			out = append(out, s)
		}
		s.n++
		s.last = l.Start
		s.requests += l.Requests
	}
	return out
}

// String is the series' timeline row: a single look as it was, repeated
// ones as one row with how often and until when.
func (s *lookSeries) String() string {
	l := s.first
	if s.n == 1 {
		return fmt.Sprintf("kafka-runbook (%s): %s, %d requests to %s", l.Software, l.Kind, l.Requests,
			words.Plural(max(len(l.MetadataBrokers), 1), "broker", "brokers"))
	}
	every := s.last.Sub(l.Start) / time.Duration(s.n-1)
	return fmt.Sprintf("kafka-runbook (%s): %s, %d times until %s UTC, about every %s (a watch, or a command run again), %d requests",
		l.Software, l.Kind, s.n, utc(s.last), every.Round(time.Second), s.requests)
}
