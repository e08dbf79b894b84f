package checks_test

import (
	"sync"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
)

// large is the benchmark cluster (100,000 partitions, 50 brokers, 5,000
// groups, every live broker's own metadata view), generated once.
var large = sync.OnceValue(func() *checks.Input {
	return &checks.Input{Snap: bigsnap.Generate(bigsnap.Large()), Previous: bigsnap.Generate(bigsnap.Large())}
})

// BenchmarkRun runs every check, as triage does, with a previous snapshot
// so that offsets-backwards has work too.
func BenchmarkRun(b *testing.B) {
	in := *large()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		checks.Run(in, nil)
	}
}

// BenchmarkCheck runs each check alone, to see which one costs what.
func BenchmarkCheck(b *testing.B) {
	in := *large()
	for _, c := range checks.All() {
		b.Run(c.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				checks.Run(in, []checks.Check{c})
			}
		})
	}
}
