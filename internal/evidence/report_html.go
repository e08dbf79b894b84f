package evidence

import (
	"bytes"
	"embed"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

// Series colours; the headless-browser test looks for them on screen.
const (
	colorAlive   = "#2ca02c"
	colorKnown   = "#9e9e9e"
	colorURP     = "#ff7f0e"
	colorMinISR  = "#d62728"
	colorOffline = "#6a1b9a"
	colorLag     = "#1f77b4"
	colorFailed  = "#d62728"
	colorEvent   = "#b00020"
)

// htmlCell is one table cell with its CSS class.
type htmlCell struct {
	Text  string
	Class string
}

// htmlTable is a render.Table prepared for the template.
type htmlTable struct {
	Title           string
	Columns         []string
	Rows            [][]htmlCell
	Empty           string
	Notes, Warnings []string
}

type htmlSection struct {
	Heading string
	Tables  []htmlTable
}

type htmlPage struct {
	Title, Version, Dir string
	Summary             []string
	Charts              []template.HTML
	Sections            []htmlSection
}

// HTML writes the report as one self-contained page: inline CSS and SVG
// charts, no script, nothing fetched.
func (r *Report) HTML(w io.Writer) error {
	tmpl, err := template.ParseFS(templateFS, "templates/report.html.tmpl")
	if err != nil {
		return err
	}
	page := htmlPage{Title: r.Title(), Version: r.Manifest.Tool.Version, Dir: r.Dir, Summary: r.Summary()}
	for _, c := range r.Charts() {
		page.Charts = append(page.Charts, c.SVG())
	}
	for _, s := range []struct {
		heading string
		tables  []render.Table
	}{
		{"Timeline", []render.Table{r.TimelineTable()}},
		{"Affected topics, partitions and groups", r.AffectedTables()},
		{"Findings at the end", r.FindingsTables()},
		{"Actions taken", r.ActionTables()},
		{"Evidence", []render.Table{r.EvidenceTable()}},
	} {
		sec := htmlSection{Heading: s.heading}
		for _, t := range s.tables {
			sec.Tables = append(sec.Tables, toHTMLTable(t))
		}
		page.Sections = append(page.Sections, sec)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, page); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func toHTMLTable(t render.Table) htmlTable {
	h := htmlTable{Title: t.Heading(), Empty: t.Empty, Notes: t.Notes, Warnings: t.Warnings}
	if h.Empty == "" {
		h.Empty = "(none)"
	}
	for _, c := range t.Columns {
		h.Columns = append(h.Columns, c.Name)
	}
	for _, row := range t.Rows {
		cells := make([]htmlCell, len(row))
		for i, text := range row {
			cells[i] = htmlCell{Text: text}
			switch {
			case text == findings.Critical.String() || text == findings.Warning.String():
				cells[i].Class = "sev-" + text
			case t.Columns[i].Name == "Time" || strings.HasSuffix(t.Columns[i].Name, "(UTC)"):
				cells[i].Class = "time"
			case t.Columns[i].Align == render.AlignRight:
				cells[i].Class = "num"
			case t.Columns[i].Name == "Command" || t.Columns[i].Name == "SHA-256":
				cells[i].Class = "mono"
			}
		}
		h.Rows = append(h.Rows, cells)
	}
	return h
}

// Charts are the report's time series: brokers, partitions in trouble and
// lag, with critical events and failed polls marked.
func (r *Report) Charts() []chart {
	n := len(r.Metrics)
	times := make([]time.Time, n)
	vals := func(f func(Metrics) float64) []float64 {
		out := make([]float64, n)
		for i, m := range r.Metrics {
			out[i] = math.NaN()
			if !m.Failed() {
				out[i] = f(m)
			}
		}
		return out
	}
	for i, m := range r.Metrics {
		times[i] = m.Time
	}
	markers := r.markers()
	base := chart{Times: times, Start: r.Start, End: r.End, Markers: markers}
	brokers, parts, lag := base, base, base
	brokers.Title = "Brokers alive"
	brokers.Series = []series{
		{Name: "alive", Color: colorAlive, Values: vals(func(m Metrics) float64 { return float64(m.BrokersAlive) })},
		{Name: "known", Color: colorKnown, Dashed: true, Values: vals(func(m Metrics) float64 { return float64(m.BrokersKnown) })},
	}
	parts.Title = "Partitions in trouble"
	parts.Series = []series{
		{Name: "under-replicated", Color: colorURP, Values: vals(func(m Metrics) float64 { return float64(m.UnderReplicated) })},
		{Name: "under min ISR", Color: colorMinISR, Values: vals(func(m Metrics) float64 { return float64(m.UnderMinISR) })},
		{Name: "offline", Color: colorOffline, Values: vals(func(m Metrics) float64 { return float64(m.Offline) })},
	}
	lag.Title = "Total consumer lag (records)"
	lag.Series = []series{{Name: "total lag", Color: colorLag, Values: vals(func(m Metrics) float64 {
		if m.TotalLag < 0 {
			return math.NaN()
		}
		return float64(m.TotalLag)
	})}}
	return []chart{brokers, parts, lag}
}

// maxMarkers bounds the event lines on a chart; beyond it they hide the data.
const maxMarkers = 40

// markers are the critical events and failed polls, one per moment.
func (r *Report) markers() []marker {
	var out []marker
	seen := map[time.Time]bool{}
	for _, e := range r.Events {
		if e.Severity == findings.Critical && e.Kind != WatchStarted && !seen[e.Time] && len(out) < maxMarkers {
			seen[e.Time] = true
			out = append(out, marker{Time: e.Time, Color: colorEvent, Label: e.Time.Format(TimeFormat) + " " + e.Summary})
		}
	}
	for _, m := range r.Metrics {
		if m.Failed() && !seen[m.Time] && len(out) < maxMarkers {
			seen[m.Time] = true
			out = append(out, marker{Time: m.Time, Color: colorFailed, Label: m.Time.Format(TimeFormat) + " collection failed: " + m.Error})
		}
	}
	return out
}
