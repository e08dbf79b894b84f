package collect_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// lagBase is the first record timestamp of the time lag tests.
const lagBase = int64(1_750_000_000_000)

// stampOf is the timestamp given to record i of partition p: a second
// apart, and apart per partition, so a wrong record or partition shows.
func stampOf(p int32, i int) int64 { return lagBase + int64(p)*100_000 + int64(i)*1000 }

// lagData is what a time lag test seeds: records with stampOf timestamps,
// each partition's in one batch, compressed with its codec, and the
// groups' committed offsets (OffsetCommit as a simple group: no member
// joins).
type lagData struct {
	records   map[int32]int // records per partition
	valueSize int           // bytes per record value, 1 when 0
	codecs    map[int32]kgo.CompressionCodec
	commits   map[string]map[int32]int64 // committed offsets by group and partition
}

// seed produces and commits d on the topic orders.
func (d lagData) seed(t *testing.T, bootstrap []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for p, n := range d.records {
		codec := kgo.NoCompression()
		if c, ok := d.codecs[p]; ok {
			codec = c
		}
		// A linger far longer than producing takes puts every record of
		// the partition in one batch.
		cl := lagClient(t, bootstrap, kgo.ProducerBatchCompression(codec), kgo.ProducerLinger(200*time.Millisecond))
		value := []byte(strings.Repeat("x", max(d.valueSize, 1)))
		var recs []*kgo.Record
		for i := range n {
			recs = append(recs, &kgo.Record{Topic: "orders", Partition: p, Value: value, Timestamp: time.UnixMilli(stampOf(p, i))})
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatalf("producing to orders/%d: %v", p, err)
		}
	}
	cl := lagClient(t, bootstrap)
	for group, offsets := range d.commits {
		commitOffsets(ctx, t, cl, group, offsets)
	}
}

// lagClient is a franz-go client of the fake that writes records to the
// partition they name; it closes when the test ends.
func lagClient(t *testing.T, bootstrap []string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap...), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.DisableClientMetrics()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// commitOffsets commits a simple group's offsets on orders (OffsetCommit
// v10 names the topic by id).
func commitOffsets(ctx context.Context, t *testing.T, cl *kgo.Client, group string, offsets map[int32]int64) {
	t.Helper()
	md := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr("orders")
	md.Topics = append(md.Topics, mt)
	mresp, err := md.RequestWith(ctx, cl)
	if err != nil || len(mresp.Topics) != 1 {
		t.Fatalf("reading the topic id: %v", err)
	}
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic, rt.TopicID = "orders", mresp.Topics[0].TopicID
	for p, off := range offsets {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset, rp.LeaderEpoch = p, off, -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("committing %s: %v", group, err)
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				t.Fatalf("committing %s on orders/%d: %v", group, rp.Partition, err)
			}
		}
	}
}

// deleteRecords moves the log start of orders/p to offset.
func deleteRecords(t *testing.T, bootstrap []string, p int32, offset int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := kmsg.NewPtrDeleteRecordsRequest()
	req.TimeoutMillis = 5000
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = "orders"
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = p, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, lagClient(t, bootstrap))
	if err == nil {
		err = kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode)
	}
	if err != nil {
		t.Fatalf("deleting records of orders/%d: %v", p, err)
	}
}

// fetches records the Fetch requests a fake got (kfake still answers
// them), and can leave those to one node unanswered.
type fetches struct {
	mu   sync.Mutex
	reqs []kmsg.FetchRequest
}

// watchFetches records f's Fetch requests; those reaching node hang are
// never answered (-1: none).
func watchFetches(f *fake4x, hang int32) *fetches {
	w := &fetches{}
	f.handle(int16(kmsg.Fetch), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		w.mu.Lock()
		w.reqs = append(w.reqs, *kreq.(*kmsg.FetchRequest))
		w.mu.Unlock()
		return nil, nil, f.kc.CurrentNode() == hang
	})
	return w
}

// all returns the requests recorded so far.
func (w *fetches) all() []kmsg.FetchRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.reqs)
}

// partitions lists the partitions each request named, in order.
func (w *fetches) partitions() [][]int32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out [][]int32
	for _, r := range w.reqs {
		var ps []int32
		for _, rt := range r.Topics {
			for _, rp := range rt.Partitions {
				ps = append(ps, rp.Partition)
			}
		}
		out = append(out, ps)
	}
	return out
}
