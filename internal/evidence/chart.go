package evidence

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// series is one line of a chart; NaN values are gaps (failed polls).
type series struct {
	Name   string
	Color  string
	Dashed bool
	Values []float64
}

// marker is a vertical line at a moment worth seeing on every chart.
type marker struct {
	Time  time.Time
	Color string
	Label string
}

// chart is a time-series line chart rendered as inline SVG, so the HTML
// report needs no script and no network.
type chart struct {
	Title      string
	Times      []time.Time
	Series     []series
	Markers    []marker
	Start, End time.Time
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH          = 960, 230
	padL, padR, padT, padB  = 64, 40, 34, 40
	plotW, plotH            = chartW - padL - padR, chartH - padT - padB
	maxPointDots            = 90
	chartFont               = `font-family="sans-serif" font-size="12"`
	chartGridColor          = "#e3e3e3"
	chartAxisColor, chartTx = "#888888", "#333333"
)

// SVG renders the chart.
func (c chart) SVG() template.HTML {
	start, end := c.Start, c.End
	if !end.After(start) {
		start, end = start.Add(-30*time.Second), end.Add(30*time.Second)
	}
	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				top = max(top, v)
			}
		}
	}
	step, top := niceScale(top)
	x := func(t time.Time) float64 { return padL + plotW*float64(t.Sub(start))/float64(end.Sub(start)) }
	y := func(v float64) float64 { return padT + plotH - plotH*v/top }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`, chartW, chartH, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`, chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="20" %s font-weight="bold" fill="%s">%s</text>`, padL, chartFont, chartTx, html.EscapeString(c.Title))
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>`, padL, padL+plotW, y(v), y(v), chartGridColor)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" %s text-anchor="end" fill="%s">%s</text>`, padL-6, y(v)+4, chartFont, chartTx, compact(v))
	}
	xStep := timeStep(end.Sub(start))
	for t := start.Truncate(xStep); !t.After(end); t = t.Add(xStep) {
		if t.Before(start) {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s"/>`, x(t), x(t), padT, padT+plotH, chartGridColor)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" %s text-anchor="middle" fill="%s">%s</text>`, x(t), padT+plotH+16, chartFont, chartTx, timeLabel(t, xStep))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" %s text-anchor="end" fill="%s">UTC</text>`, padL+plotW, chartH-6, chartFont, chartAxisColor)
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s"/>`, padL, padL+plotW, padT+plotH, padT+plotH, chartAxisColor)
	for _, m := range c.Markers {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" stroke-dasharray="4 3"><title>%s</title></line>`,
			x(m.Time), x(m.Time), padT, padT+plotH, m.Color, html.EscapeString(m.Label))
	}
	// Later series are drawn thinner on top of earlier ones, so equal
	// values (1 offline and 1 under min ISR) stay visible.
	for i, s := range c.Series {
		c.drawSeries(&b, s, max(4.5-1.5*float64(i), 1.5), x, y)
	}
	c.legend(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from numbers and escaped text only
}

// drawSeries draws a step line (a count holds until the next poll), broken
// at gaps, with dots on the samples when there are few.
func (c chart) drawSeries(b *strings.Builder, s series, width float64, x func(time.Time) float64, y func(float64) float64) {
	dash := ""
	if s.Dashed {
		dash = ` stroke-dasharray="6 4"`
	}
	var path strings.Builder
	open := false
	for i, v := range s.Values {
		if math.IsNaN(v) {
			open = false
			continue
		}
		if !open {
			fmt.Fprintf(&path, "M%.1f %.1f", x(c.Times[i]), y(v))
			open = true
		} else {
			fmt.Fprintf(&path, "H%.1fV%.1f", x(c.Times[i]), y(v))
		}
	}
	if path.Len() > 0 {
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="%.1f"%s/>`, path.String(), s.Color, width, dash)
	}
	if len(s.Values) > maxPointDots {
		return
	}
	for i, v := range s.Values {
		if !math.IsNaN(v) {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"><title>%s %s: %s</title></circle>`,
				x(c.Times[i]), y(v), width+1, s.Color, c.Times[i].Format(TimeFormat), html.EscapeString(s.Name), compact(v))
		}
	}
}

func (c chart) legend(b *strings.Builder) {
	lx := float64(chartW - padR)
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		lx -= float64(len(s.Name))*7 + 28
		fmt.Fprintf(b, `<rect x="%.0f" y="10" width="12" height="12" fill="%s"/>`, lx, s.Color)
		fmt.Fprintf(b, `<text x="%.0f" y="20" %s fill="%s">%s</text>`, lx+16, chartFont, chartTx, html.EscapeString(s.Name))
	}
}

// niceScale returns a tick step and an axis top at a multiple of it
// (1, 2 or 5 times a power of ten) so labels read as round numbers.
func niceScale(top float64) (step, axisTop float64) {
	if top < 1 {
		top = 1
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = max(step, 1)
	return step, math.Ceil(top/step) * step
}

// timeStep picks the x-axis tick spacing for a window: at most ~7 ticks.
func timeStep(window time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour} {
		if window/s <= 7 {
			return s
		}
	}
	return 24 * time.Hour
}

func timeLabel(t time.Time, step time.Duration) string {
	if step >= time.Minute {
		return t.UTC().Format("15:04")
	}
	return t.UTC().Format("15:04:05")
}

// compact prints an axis value: 950, 12k, 1.5M.
func compact(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
	case v >= 1e4:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
	}
	return fmt.Sprintf("%.0f", v)
}
