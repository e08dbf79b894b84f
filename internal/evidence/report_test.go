package evidence

import (
	"bytes"
	"strings"
	"testing"
)

func fixtureReport(t *testing.T) *Report {
	t.Helper()
	b, err := Open(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := BuildReport(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtureReport(t).Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md.golden", buf.Bytes())
	out := buf.String()
	for _, want := range []string{
		"## Summary", "## Timeline", "## Affected topics, partitions and groups", "## Findings at the end", "## Actions taken",
		"2026-03-14T03:10:10Z", "broker_fenced", "First sign of trouble: 2026-03-14T03:10:05Z",
		"Back to the starting state at 2026-03-14T03:10:30Z", "kafka-configs.sh", "audit-log",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestReportHTMLGoldenAndSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtureReport(t).HTML(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.html.golden", buf.Bytes())
	out := buf.String()
	for _, banned := range []string{"<script", "http://", "https://", "<link", "@import", "src="} {
		if strings.Contains(strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("HTML is not self-contained: it contains %q", banned)
		}
	}
	if n := strings.Count(out, "<svg"); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
}

func TestReportOfACapture(t *testing.T) {
	dir := t.TempDir() + "/cap"
	if _, err := Capture(CaptureOptions{Out: dir, Snapshot: fixtureSeries()[2], Started: t0}); err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := BuildReport(b)
	if err != nil {
		t.Fatal(err)
	}
	var md, html bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.HTML(&html); err != nil {
		t.Fatal(err)
	}
	if len(r.Metrics) != 1 || !strings.Contains(md.String(), "No events recorded") || !strings.Contains(md.String(), "CRITICAL") {
		t.Errorf("capture report:\n%s", md.String())
	}
}

func TestNiceScale(t *testing.T) {
	for _, tt := range []struct{ top, step, axis float64 }{
		{0, 1, 1}, {3, 1, 3}, {7, 2, 8}, {12, 5, 15}, {30000, 10000, 30000}, {31000, 10000, 40000},
	} {
		step, axis := niceScale(tt.top)
		if step != tt.step || axis != tt.axis {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", tt.top, step, axis, tt.step, tt.axis)
		}
	}
}
