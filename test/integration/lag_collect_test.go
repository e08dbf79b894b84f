package integration

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/source"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// TestCollectTimeLagAndTransactions: on real Kafka 4.1, the time lag of a
// committed offset is the timestamp the producer gave the record there,
// from an uncompressed batch and from the middle of a zstd one; a
// transaction a franz-go transactional producer leaves open is listed and
// described (ListTransactions, DescribeTransactions) with its partition,
// and holds that partition's last stable offset (ListOffsets
// read_committed) where it began, below the high watermark.
func TestCollectTimeLagAndTransactions(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	c.CreateTopic(t, "orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	// Recent timestamps: Kafka rejects those too far from its clock
	// (log.message.timestamp.before/after.max.ms).
	base := time.Now().Add(-10 * time.Minute).Truncate(time.Second).UnixMilli()
	stamp := func(p int32, i int) int64 { return base + int64(p)*60_000 + int64(i)*1000 }
	produceStamped(t, c, 0, kgo.NoCompression(), stamp)
	produceStamped(t, c, 2, kgo.ZstdCompression(), stamp)
	c.Produce(t, "orders", 1, 5)
	c.CommitOffset(t, "billing", "orders", 0, 4)
	c.CommitOffset(t, "billing", "orders", 2, 7)
	c.CommitOffset(t, "audit", "orders", 0, 9)
	openTransaction(t, c, "lag-it-tx", 1, 3)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap, err := collect.Collect(ctx, collect.Options{Bootstrap: c.Bootstrap(), RequestTimeout: 5 * time.Second,
		Parts: source.PartTimeLag | source.PartLastStableOffsets | source.PartTransactions})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) > 0 {
		t.Errorf("collection errors: %+v", snap.Errors)
	}
	want := map[string]int64{"billing/0": stamp(0, 4), "billing/2": stamp(2, 7), "audit/0": stamp(0, 9)}
	for _, g := range snap.Groups {
		for _, o := range g.Offsets {
			key := g.ID + "/" + string(rune('0'+o.Partition))
			if o.NextTimestampMillis != want[key] {
				t.Errorf("%s: next timestamp %d, want %d (lag %d)", key, o.NextTimestampMillis, want[key], o.Lag)
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("committed offsets not collected: %v", want)
	}
	checkOpenTransaction(t, c, snap)
}

// checkOpenTransaction checks that lag-it-tx, open on orders/1 after five
// committed records and with three of its own, holds that partition's last
// stable offset at 5 and is described with its partition.
func checkOpenTransaction(t *testing.T, c *kafkatest.Cluster, snap *snapshot.Snapshot) {
	t.Helper()
	orders, _ := snap.Topic("orders")
	for _, p := range orders.Partitions {
		lso := p.LastStableOffset
		switch {
		case lso == nil:
			t.Errorf("orders/%d: no last stable offset", p.ID)
		case p.ID == 1 && (*lso != 5 || p.LatestOffset != 8):
			t.Errorf("orders/1: last stable offset %d, high watermark %d; want 5 (where the open transaction began) and 8", *lso, p.LatestOffset)
		case p.ID != 1 && *lso != p.LatestOffset:
			t.Errorf("orders/%d: last stable offset %d, high watermark %d; want them equal", p.ID, *lso, p.LatestOffset)
		}
	}
	i := slices.IndexFunc(snap.Transactions, func(tx snapshot.Transaction) bool { return tx.TransactionalID == "lag-it-tx" })
	if i < 0 {
		t.Fatalf("transactions %+v, want lag-it-tx", snap.Transactions)
	}
	tx := snap.Transactions[i]
	if tx.State != "Ongoing" || tx.ProducerID < 0 || tx.StartMillis <= 0 || tx.TimeoutMillis != 60_000 ||
		!slices.Contains(c.BrokerIDs(), tx.Coordinator) || !slices.Equal(tx.Partitions, []snapshot.PartitionRef{{Topic: "orders", Partition: 1}}) {
		t.Errorf("transaction %+v, want Ongoing on orders/1 with its producer, start, timeout 60 s and a broker as coordinator", tx)
	}
}

// produceStamped writes ten records to orders/p in one batch, record i
// with the timestamp stamp(p, i), compressed with codec.
func produceStamped(t *testing.T, c *kafkatest.Cluster, p int32, codec kgo.CompressionCodec, stamp func(int32, int) int64) {
	t.Helper()
	cl := franzClient(t, c, kgo.ProducerBatchCompression(codec), kgo.ProducerLinger(200*time.Millisecond))
	defer cl.Close()
	var recs []*kgo.Record
	for i := range 10 {
		recs = append(recs, &kgo.Record{Topic: "orders", Partition: p, Value: []byte("v"), Timestamp: time.UnixMilli(stamp(p, i))})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing to orders/%d: %v", p, err)
	}
}

// openTransaction begins a transaction, writes n records to orders/p in
// it and never ends it: the client is closed only when the test ends.
func openTransaction(t *testing.T, c *kafkatest.Cluster, txnID string, p int32, n int) {
	t.Helper()
	cl := franzClient(t, c, kgo.TransactionalID(txnID), kgo.TransactionTimeout(time.Minute))
	t.Cleanup(cl.Close)
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var recs []*kgo.Record
	for range n {
		recs = append(recs, &kgo.Record{Topic: "orders", Partition: p, Value: []byte("t")})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("producing in transaction %s: %v", txnID, err)
	}
}

// franzClient is a franz-go client of the cluster that writes records to
// the partition they name.
func franzClient(t *testing.T, c *kafkatest.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.Bootstrap()...), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.DisableClientMetrics()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}
