// Command simserve serves a large simulated cluster for bench/compare.sh:
// a scenario of many partitions and consumer groups is generated in memory
// (never written to the repository), validated by sim.Parse and served by
// internal/sim on 127.0.0.1 until SIGINT or SIGTERM.
//
//	go run ./bench/simserve -partitions 100000 -groups 5000 -ready /tmp/sim.addr
//
// The bootstrap address is printed on stdout and, with -ready, written to
// that file once the cluster answers.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/atomicfile"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

func main() {
	sz := bigsnap.LargeSim()
	var ready, dump string
	flag.IntVar(&sz.Partitions, "partitions", sz.Partitions, "partitions in all")
	flag.IntVar(&sz.PerTopic, "per-topic", sz.PerTopic, "partitions per topic (at most 10000)")
	flag.IntVar(&sz.Brokers, "brokers", sz.Brokers, "brokers")
	flag.IntVar(&sz.ReplicationFactor, "rf", sz.ReplicationFactor, "replication factor")
	flag.IntVar(&sz.Groups, "groups", sz.Groups, "consumer groups")
	flag.IntVar(&sz.OffsetsPerGroup, "offsets-per-group", sz.OffsetsPerGroup, "partitions each group has committed offsets on")
	flag.Int64Var(&sz.Records, "records", sz.Records, "records per partition (the simulator produces them at start)")
	flag.IntVar(&sz.Down, "down", 0, "id of a broker that is down, 0 for none (then only a few groups fit: see docs/PERFORMANCE.md)")
	flag.StringVar(&ready, "ready", "", "file to write the bootstrap address to once serving")
	flag.StringVar(&dump, "dump", "", "also write the generated scenario to this file")
	flag.Parse()
	if err := serve(sz, ready, dump); err != nil {
		fmt.Fprintln(os.Stderr, "simserve:", err)
		os.Exit(1)
	}
}

func serve(sz bigsnap.SimOptions, ready, dump string) error {
	began := time.Now()
	doc := bigsnap.Scenario(sz)
	if dump != "" {
		if err := os.WriteFile(dump, doc, 0o644); err != nil {
			return err
		}
	}
	sc, err := sim.Parse("bench.yaml", doc)
	if err != nil {
		return err
	}
	parsed := time.Since(began)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := sim.Start(ctx, sc)
	if err != nil {
		return err
	}
	defer c.Close()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "simserve: %d partitions on %d brokers, %d groups: scenario %d KiB parsed in %s, serving after %s, heap %d MiB\n",
		sz.Partitions, sz.Brokers, sz.Groups, len(doc)>>10, parsed.Round(time.Millisecond),
		time.Since(began).Round(time.Millisecond), ms.HeapAlloc>>20)
	addr := strings.Join(c.Bootstrap(), ",")
	fmt.Println(addr)
	if ready != "" {
		if err := atomicfile.Write(ready, []byte(addr+"\n"), 0o644); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}
