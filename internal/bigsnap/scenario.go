package bigsnap

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

// SimOptions sizes a simulator scenario (see internal/sim and
// playbooks/FORMAT.md).
type SimOptions struct {
	// Partitions is the number of partitions in all, in topics of PerTopic
	// (the simulator generates at most 10,000 per topic).
	Partitions, PerTopic int
	// Brokers and ReplicationFactor lay the partitions out round-robin.
	Brokers, ReplicationFactor int
	// Groups is the number of consumer groups; each has committed offsets
	// on OffsetsPerGroup partitions of one topic, half its records behind.
	Groups, OffsetsPerGroup int
	// Records is the record count of every partition; the simulator
	// produces them when it starts (at most 2,000,000 in all).
	Records int64
	// SpreadCommits puts the groups of one topic at different offsets
	// (Records/2, Records/2+1, ..., always behind the log end) instead of
	// all at Records/2, so that reading the record at every committed
	// offset (time lag) takes one read per committed offset, not one per
	// partition.
	SpreadCommits bool
	// Down is the id of a broker that is down, 0 for none. The simulator
	// places group coordinators by hashing over every broker and retries
	// until all groups land on up brokers, so with a broker down only a
	// few dozen groups fit.
	Down int
}

// LargeSim is the simulated cluster of the end-to-end comparison: 100,000
// partitions on 6 brokers, 5,000 groups.
func LargeSim() SimOptions {
	return SimOptions{Partitions: 100_000, PerTopic: 1000, Brokers: 6, ReplicationFactor: 3,
		Groups: 5_000, OffsetsPerGroup: 20, Records: 10}
}

// Scenario writes the YAML of a simulated cluster of o, for sim.Parse.
func Scenario(o SimOptions) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "schema_version: 1\nname: bench\ntitle: %d partitions and %d groups for benchmarks\n", o.Partitions, o.Groups)
	b.WriteString("broker_configs:\n  min.insync.replicas: \"2\"\nbrokers:\n")
	for id := 1; id <= o.Brokers; id++ {
		state := "up"
		if id == o.Down {
			state = "down"
		}
		fmt.Fprintf(&b, "  - {id: %d, rack: rack-%d, state: %s}\n", id, id%3, state)
	}
	b.WriteString("topics:\n")
	var topics []string
	var counts []int
	for left, i := o.Partitions, 0; left > 0; i++ {
		n := min(left, o.PerTopic)
		name := fmt.Sprintf("bench-%03d", i)
		topics, counts = append(topics, name), append(counts, n)
		fmt.Fprintf(&b, "  - {name: %s, partition_count: %d, replication_factor: %d, records: %d, configs: {min.insync.replicas: \"2\"}}\n",
			name, n, o.ReplicationFactor, o.Records)
		left -= n
	}
	b.WriteString("groups:\n")
	for g := range o.Groups {
		t := g % len(topics)
		state, members := "Empty", 0
		if g%3 == 0 {
			state, members = "Stable", 1+g%4
		}
		fmt.Fprintf(&b, "  - id: bench-group-%04d\n    state: %s\n    members: %d\n    committed:\n      %s: {", g, state, members, topics[t])
		for k := range min(o.OffsetsPerGroup, counts[t]) {
			if k > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d: %d", (g/len(topics)*o.OffsetsPerGroup+k)%counts[t], o.committed(g/len(topics)))
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// committed is the offset the n-th group of a topic commits.
func (o SimOptions) committed(n int) int64 {
	half := o.Records / 2
	if !o.SpreadCommits || o.Records-half <= 0 {
		return half
	}
	return half + int64(n)%(o.Records-half)
}

// BenchBootstrap returns the brokers a collection benchmark runs against:
// KRB_BENCH_BOOTSTRAP when set (a real cluster, for profiling), otherwise a
// simulated cluster served in this process for the benchmark's lifetime,
// sized by KRB_BENCH_SIM_PARTITIONS and KRB_BENCH_SIM_GROUPS (default
// 10,000 and 500, so that `make bench` stays short).
func BenchBootstrap(b *testing.B) []string {
	if env := os.Getenv("KRB_BENCH_BOOTSTRAP"); env != "" {
		return strings.Split(env, ",")
	}
	o := LargeSim()
	o.Partitions, o.Groups = benchEnvInt(b, "KRB_BENCH_SIM_PARTITIONS", 10_000), benchEnvInt(b, "KRB_BENCH_SIM_GROUPS", 500)
	sc, err := sim.Parse("bench.yaml", Scenario(o))
	if err != nil {
		b.Fatal(err)
	}
	c, err := sim.Start(context.Background(), sc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c.Bootstrap()
}

func benchEnvInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}
