package checks

import (
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/fuzzsnap"
)

// FuzzChecksOnOddSnapshots: every check runs on any snapshot without
// panicking, findings have a catalogued code, and output is sorted.
func FuzzChecksOnOddSnapshots(f *testing.F) {
	for _, seed := range [][]byte{{}, {3, 1, 0, 1, 0, 2, 2, 1, 1, 3, 9, 2, 2, 2, 1}, []byte("zombie leaders and stale views"), {255, 255, 255, 255, 0, 0, 0}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, prev := fuzzsnap.FromBytes(data)
		s.Normalize()
		if prev != nil {
			prev.Normalize()
		}
		res := Run(Input{Snap: s, Previous: prev}, nil)
		for i, f := range res.Findings {
			if f.Code == "" || f.Summary == "" {
				t.Fatalf("finding without code or summary: %+v", f)
			}
			if i > 0 && res.Findings[i-1].Severity < f.Severity {
				t.Fatalf("findings not sorted worst first")
			}
		}
	})
}
