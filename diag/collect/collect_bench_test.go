package collect_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/triage"
)

// BenchmarkCollect takes snapshots of a simulated cluster served in this
// process, with the parts each command asks for. The simulator is sized by
// KRB_BENCH_SIM_PARTITIONS and KRB_BENCH_SIM_GROUPS (default 10,000 and
// 500, so that `make bench` stays short). Allocations include the
// simulator's own: for the client alone, run bench/compare.sh, which
// measures kafka-runbook in its own process. With KRB_BENCH_BOOTSTRAP set
// it collects from that cluster instead, for profiling against real brokers
// (bench/kafkacluster serves a loaded one).
func BenchmarkCollect(b *testing.B) {
	bootstrap := bigsnap.BenchBootstrap(b)
	for _, p := range []struct {
		name  string
		parts source.Parts
	}{
		{"brokers", 0},
		{"partitions", source.PartConfigs | source.PartOffsets | source.PartReassignments},
		{"groups", source.PartGroups},
		{"all", source.PartAll},
		// what triage asks for without --since
		{"triage", triage.Parts(false)},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				snap, err := collect.Collect(ctx, collect.Options{Bootstrap: bootstrap, RequestTimeout: 10 * time.Second, Parts: p.parts})
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				if len(snap.Errors) > 0 && os.Getenv("KRB_BENCH_BOOTSTRAP") == "" {
					b.Fatalf("collection errors: %+v", snap.Errors)
				}
			}
		})
	}
}
