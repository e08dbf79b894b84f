package collect_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
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
		{"triage", triage.Parts()},
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
				if os.Getenv("KRB_BENCH_BOOTSTRAP") == "" {
					timeLagCounts(b, snap) // no error but what the cap on time lag reads left out
				}
			}
		})
	}
}

// BenchmarkCollectTimeLag collects every group's lag with and without the
// time lag (the record at each lagging committed offset), on a simulated
// cluster the size of the comparison with kafka-consumer-groups.sh
// --describe --all-groups (docs/PERFORMANCE.md): 5,000 partitions in 100
// topics on 3 brokers, 500 groups each committed on the 50 partitions of
// one topic, 25,000 committed offsets. With "same" every group of a topic
// commits at the same offset (5,000 positions to read), with "spread" each
// at its own (25,000); "all" lifts the cap on reads (Options.TimeLagReads).
// It reports the positions read and left out per collection.
func BenchmarkCollectTimeLag(b *testing.B) {
	for _, spread := range []bool{false, true} {
		o := bigsnap.SimOptions{Partitions: 5_000, PerTopic: 50, Brokers: 3, ReplicationFactor: 2,
			Groups: 500, OffsetsPerGroup: 50, Records: 20, SpreadCommits: spread}
		sc, err := sim.Parse("bench.yaml", bigsnap.Scenario(o))
		if err != nil {
			b.Fatal(err)
		}
		c, err := sim.Start(context.Background(), sc)
		if err != nil {
			b.Fatal(err)
		}
		name := map[bool]string{false: "same", true: "spread"}[spread]
		for _, p := range []struct {
			name  string
			parts source.Parts
			reads int
		}{
			{"groups", source.PartGroups | source.PartGroupTypes, 0},
			{"time-lag", source.PartGroups | source.PartGroupTypes | source.PartTimeLag, 0},
			{"time-lag-all", source.PartGroups | source.PartGroupTypes | source.PartTimeLag, 1 << 30},
		} {
			b.Run(name+"/"+p.name, func(b *testing.B) {
				b.ReportAllocs()
				var read, left int
				for b.Loop() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					snap, err := collect.Collect(ctx, collect.Options{Bootstrap: c.Bootstrap(), RequestTimeout: 10 * time.Second,
						Parts: p.parts, TimeLagReads: p.reads})
					cancel()
					if err != nil {
						b.Fatal(err)
					}
					read, left = timeLagCounts(b, snap)
				}
				b.ReportMetric(float64(read), "timed-offsets")
				b.ReportMetric(float64(left), "untimed-lagging-offsets")
			})
		}
		c.Close()
	}
}

// timeLagCounts counts the committed offsets with lag whose record was
// timed and those left without, failing on any error but the cap's.
func timeLagCounts(b *testing.B, snap *snapshot.Snapshot) (read, left int) {
	for _, e := range snap.Errors {
		if e.Source != snapshot.SourceTimeLag || !strings.Contains(e.Message, "left out") {
			b.Fatalf("collection error: %+v", e)
		}
	}
	for _, g := range snap.Groups {
		for _, o := range g.Offsets {
			switch {
			case o.Lag <= 0:
			case o.NextTimestampMillis > 0:
				read++
			default:
				left++
			}
		}
	}
	return read, left
}
