package triage

import (
	"bytes"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/fuzzsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/views"
)

// FuzzReportAndViewsOnOddSnapshots: triage and every describe view render
// any snapshot in every format without panicking.
func FuzzReportAndViewsOnOddSnapshots(f *testing.F) {
	for _, seed := range [][]byte{{}, {3, 1, 0, 1, 0, 2, 2, 1, 1, 3, 9, 2, 2, 2, 1}, []byte("offline partitions and zombies"), {255, 0, 255, 0, 7, 7, 7}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, prev := fuzzsnap.FromBytes(data)
		s.Normalize()
		if prev != nil {
			prev.Normalize()
		}
		report := Build(s, prev)
		for _, format := range render.Formats() {
			var buf bytes.Buffer
			if err := render.View(&buf, render.Options{Format: format, Terminal: format == render.FormatTable, Width: 80}, report); err != nil {
				t.Fatalf("triage as %s: %v", format, err)
			}
			for _, name := range views.Names() {
				v, err := views.Build(name, s, views.Filter{UnderReplicated: len(data)%2 == 0})
				if err != nil {
					t.Fatal(err)
				}
				if err := render.View(&buf, render.Options{Format: format}, v); err != nil {
					t.Fatalf("%s as %s: %v", name, format, err)
				}
			}
		}
	})
}
