package checks

import (
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
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
		// The hygiene checks too; a panic in one is a gap Run records, which
		// must never happen on a decodable snapshot.
		hygiene := Run(Input{Snap: s}, Hygiene())
		for _, u := range hygiene.Unevaluated {
			if strings.Contains(u.Reason, "internal error") {
				t.Fatalf("%s panicked: %s", u.Check, u.Reason)
			}
		}
		res.Findings = append(res.Findings, hygiene.Findings...)
		findings.Sort(res.Findings)
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
