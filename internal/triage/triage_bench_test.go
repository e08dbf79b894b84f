package triage_test

import (
	"io"
	"sync"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// large is the benchmark cluster (100,000 partitions, 50 brokers, 5,000
// groups), generated once.
var large = sync.OnceValue(func() *snapshot.Snapshot { return bigsnap.Generate(bigsnap.Large()) })

// BenchmarkBuild runs every check and builds the report.
func BenchmarkBuild(b *testing.B) {
	snap := large()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		triage.Build(snap, nil)
	}
}

// BenchmarkRender writes a built report in each output format.
func BenchmarkRender(b *testing.B) {
	report := triage.Build(large(), nil)
	for _, c := range []struct {
		name string
		opts render.Options
	}{
		{"table-piped", render.Options{Format: render.FormatTable}},
		{"table-terminal", render.Options{Format: render.FormatTable, Terminal: true, Width: 160}},
		{"markdown", render.Options{Format: render.FormatMarkdown}},
		{"json", render.Options{Format: render.FormatJSON}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := render.View(io.Discard, c.opts, report); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
