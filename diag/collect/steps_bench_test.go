package collect

import (
	"context"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
)

// BenchmarkCollectSteps times each step of a full collection one after the
// other, where Collect overlaps them, and reports each as a metric in
// milliseconds per collection: what the brokers take to answer each kind of
// request, and so what bounds a triage. The cluster is the simulator
// (KRB_BENCH_SIM_PARTITIONS, KRB_BENCH_SIM_GROUPS) or KRB_BENCH_BOOTSTRAP.
func BenchmarkCollectSteps(b *testing.B) {
	bootstrap := bigsnap.BenchBootstrap(b)
	total := map[string]time.Duration{}
	var order []string
	step := func(name string, fn func()) {
		start := time.Now()
		fn()
		if _, ok := total[name]; !ok {
			order = append(order, name)
		}
		total[name] += time.Since(start)
	}
	ctx := context.Background()
	for b.Loop() {
		opts := Options{Bootstrap: bootstrap, RequestTimeout: 10 * time.Second, Parts: source.PartAll, Now: time.Now}
		c := &collector{opts: opts, pool: newPool(tightened(nil, opts.RequestTimeout), opts.RequestTimeout, 0),
			kc:   newKclients(nil, opts.RequestTimeout),
			snap: &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, ControllerID: -1}}
		var seed *conn
		step("bootstrap", func() { seed, _ = c.bootstrap(ctx) })
		step("metadata+describe-cluster", func() { c.metadata(ctx, seed) })
		step("probe-brokers", func() { c.probeBrokers(ctx); c.applyMode() })
		live := c.liveBrokers(ctx)
		step("quorum", func() { c.quorum(ctx, live) })
		step("elr", func() { c.elr(ctx, live) })
		step("topic-configs", func() { c.topicConfigs(ctx, c.anyLive(live)) })
		step("reassignments", func() { c.reassignments(ctx, c.anyLive(live)) })
		step("list-offsets", func() { c.offsets(ctx, live, []offsetKind{logStart, logEnd, lastStable}) })
		for id, cn := range live {
			step("broker-configs", func() { c.brokerConfigs(ctx, id, cn) })
			step("log-dirs", func() { c.logDirs(ctx, id, cn, true, true) })
			step("broker-view", func() { c.brokerView(ctx, id, cn, snapshot.NewViewReducer(c.snap.Topics)) })
			step("groups", func() { c.groups(ctx, id, cn) })
		}
		step("transactions", func() { c.transactions(ctx, live) })
		c.computeLag()
		step("time-lag", func() { c.timeLag(ctx, live) })
		// What the cap on reads saves: every lagging committed offset.
		c.opts.TimeLagReads = 1 << 30
		step("time-lag-uncapped", func() { c.timeLag(ctx, live) })
		c.opts.TimeLagReads = 0
		step("all-details-overlapped", func() { c.details(ctx) })
		c.pool.closeAll()
		c.kc.closeAll()
	}
	for _, name := range order {
		b.ReportMetric(float64(total[name].Microseconds())/1000/float64(b.N), name+"-ms")
	}
}
