package views_test

import (
	"io"
	"sync"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
)

// large is the benchmark cluster (100,000 partitions, 50 brokers, 5,000
// groups), generated once.
var large = sync.OnceValue(func() *snapshot.Snapshot { return bigsnap.Generate(bigsnap.Large()) })

// benchViews are the describe commands benchmarked: every view, the filters
// an incident uses on the large ones, and --all (every row in the tables).
var benchViews = []struct {
	name   string
	view   string
	filter views.Filter
}{
	{"brokers", "brokers", views.Filter{}},
	{"topics", "topics", views.Filter{}},
	{"partitions", "partitions", views.Filter{}},
	{"partitions-under-replicated", "partitions", views.Filter{UnderReplicated: true}},
	{"partitions-all", "partitions", views.Filter{Limit: -1}},
	{"groups", "groups", views.Filter{}},
	{"groups-all", "groups", views.Filter{Limit: -1}},
	{"logdirs", "logdirs", views.Filter{}},
	{"configs", "configs", views.Filter{}},
}

// BenchmarkBuild builds each view from the snapshot.
func BenchmarkBuild(b *testing.B) {
	snap := large()
	for _, c := range benchViews {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := views.Build(c.view, snap, c.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRender writes each built view in each format.
func BenchmarkRender(b *testing.B) {
	snap := large()
	formats := []struct {
		name string
		opts render.Options
	}{
		{"table-piped", render.Options{Format: render.FormatTable}},
		{"table-terminal", render.Options{Format: render.FormatTable, Terminal: true, Width: 160}},
		{"markdown", render.Options{Format: render.FormatMarkdown}},
		{"json", render.Options{Format: render.FormatJSON}},
	}
	for _, c := range benchViews {
		v, err := views.Build(c.view, snap, c.filter)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range formats {
			b.Run(c.name+"/"+f.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := render.View(io.Discard, f.opts, v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
