package sim

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// statesYAML has one broker in each state, a reassignment in progress, a
// lagging follower and a log start offset above zero.
const statesYAML = `
schema_version: 1
name: states
title: one broker in each state
brokers:
  - {id: 0, rack: a, state: up}
  - {id: 5, rack: b, state: up, log_dirs: [{path: /d1, total_bytes: 100, usable_bytes: 10}, {path: /d2, offline: true}]}
  - {id: 7, rack: c, state: hung}
  - {id: 9, state: fenced}
topics:
  - name: t
    partitions:
      - {partition: 0, replicas: [0, 5, 7], isr: [0, 5, 7], leader: 7, leader_epoch: 4, records: 100}
      - {partition: 1, replicas: [5, 0, 9], isr: [5, 0], leader: 5, leader_epoch: 9,
         offsets: {earliest: 400, latest: 1000}, replica_lag: {0: 250},
         adding_replicas: [0], removing_replicas: [9]}
`

func startStates(t *testing.T) *Cluster {
	t.Helper()
	sc, err := Parse("states.yaml", []byte(statesYAML))
	if err != nil {
		t.Fatal(err)
	}
	return startScenario(t, sc)
}

func TestBrokerStates(t *testing.T) {
	c := startStates(t)
	if want := []int32{0, 5, 7, 9}; !slices.Equal(c.BrokerIDs(), want) {
		t.Fatalf("ids %v, want %v", c.BrokerIDs(), want)
	}
	a0, _ := c.Addr(0)
	a5, _ := c.Addr(5)
	a9, _ := c.Addr(9)
	if got := c.Bootstrap(); !slices.Equal(got, []string{a0, a5, a9}) {
		t.Errorf("Bootstrap %v, want the brokers that answer: 0, 5, 9", got)
	}
	// Metadata lists the live, unfenced brokers: the hung one is still
	// registered, the fenced one is not.
	md, err := dial(t, a9).GetMetadata(sarama.NewMetadataRequest(sarama.V4_0_0_0, nil))
	if err != nil {
		t.Fatalf("the fenced broker must still answer: %v", err)
	}
	var ids []int32
	for _, b := range md.Brokers {
		ids = append(ids, b.ID())
	}
	if !slices.Equal(ids, []int32{0, 5, 7}) || md.ControllerID != 0 {
		t.Errorf("metadata brokers %v controller %d", ids, md.ControllerID)
	}
	if p := md.Topics[0].Partitions[1]; !slices.Equal(p.OfflineReplicas, []int32{9}) {
		t.Errorf("t/1 offline replicas %v, want [9]", p.OfflineReplicas)
	}
	dc, err := dial(t, a0).DescribeCluster(sarama.NewDescribeClusterRequest(sarama.V4_0_0_0))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dc.Brokers {
		if b.IsFenced != (b.BrokerID == 9) {
			t.Errorf("broker %d fenced=%v", b.BrokerID, b.IsFenced)
		}
	}
}

func TestHungBrokerAcceptsButNeverAnswers(t *testing.T) {
	c := startStates(t)
	addr, _ := c.Addr(7)
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0
	cfg.Net.ReadTimeout = 200 * time.Millisecond
	cfg.ApiVersionsRequest = false
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ok, err := b.Connected(); !ok {
		t.Fatalf("TCP connect to the hung broker failed: %v", err)
	}
	start := time.Now()
	_, err := b.GetMetadata(&sarama.MetadataRequest{Version: 1})
	if err == nil {
		t.Fatal("the hung broker answered")
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("failed after %v (%v); want a read timeout, not a refusal", d, err)
	}
}

func TestHungGateWakesUp(t *testing.T) {
	c := startStates(t)
	addr, _ := c.Addr(7)
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V4_0_0_0
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// A request sent while hung is answered once the broker resumes,
	// like a SIGSTOPped process getting SIGCONT.
	go func() {
		time.Sleep(100 * time.Millisecond)
		c.gates[7].setMode(gateOpen)
	}()
	md, err := b.GetMetadata(&sarama.MetadataRequest{Version: 7})
	if err != nil || md.Topics[0].Partitions[0].Leader != 7 {
		t.Fatalf("after waking: %v %v", md, err)
	}
	c.gates[5].setMode(gateRefuse)
	a5, _ := c.Addr(5)
	if conn, err := net.Dial("tcp", a5); err == nil {
		conn.Close()
		t.Fatal("broker 5 still accepts after going down")
	}
	if err := c.gates[5].setMode(gateOpen); err != nil {
		t.Fatal(err)
	}
	if _, err := dial(t, a5).GetMetadata(&sarama.MetadataRequest{Version: 7}); err != nil {
		t.Fatalf("broker 5 back on its old port: %v", err)
	}
}

func TestReassignmentsAndLogDirs(t *testing.T) {
	c := startStates(t)
	b := dialID(t, c, 5)
	// sarama cannot send a null topic list; an empty one lists nothing,
	// in Kafka as here, so the topic must be named.
	req := &sarama.ListPartitionReassignmentsRequest{}
	req.AddBlock("t", []int32{0, 1})
	lr, err := b.ListPartitionReassignments(req)
	if err != nil {
		t.Fatal(err)
	}
	st := lr.TopicStatus["t"][1]
	if len(lr.TopicStatus["t"]) != 1 || st == nil || !slices.Equal(st.AddingReplicas, []int32{0}) ||
		!slices.Equal(st.RemovingReplicas, []int32{9}) || !slices.Equal(st.Replicas, []int32{5, 0, 9}) {
		t.Errorf("reassignments %+v", lr.TopicStatus)
	}
	ld, err := b.DescribeLogDirs(&sarama.DescribeLogDirsRequest{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(ld.LogDirs) != 2 || ld.LogDirs[0].TotalBytes != 100 || ld.LogDirs[0].UsableBytes != 10 ||
		len(ld.LogDirs[0].Topics[0].Partitions) != 2 || ld.LogDirs[1].ErrorCode != sarama.ErrKafkaStorageError {
		t.Errorf("log dirs %+v", ld.LogDirs)
	}
}

// TestListOffsetsKmsg covers what sarama cannot ask: the debug replica id,
// leader-epoch fencing and lookups by time.
func TestListOffsetsKmsg(t *testing.T) {
	c := startStates(t)
	a0, _ := c.Addr(0)
	a5, _ := c.Addr(5)
	cl, err := kgo.NewClient(kgo.SeedBrokers(a0, a5), kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	w := c.world.Load()
	ask := func(broker, replica, epoch int32, ts int64) kmsg.ListOffsetsResponseTopicPartition {
		t.Helper()
		req := kmsg.NewPtrListOffsetsRequest()
		req.ReplicaID = replica
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = "t"
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.CurrentLeaderEpoch, rp.Timestamp = 1, epoch, ts
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(context.Background(), cl.Broker(int(broker)))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Topics[0].Partitions[0]
	}
	cases := []struct {
		name                    string
		broker, replica, epoch  int32
		ts                      int64
		wantErr                 int16
		wantOffset, wantTimeTst int64
	}{
		{"leader latest", 5, -1, -1, -1, 0, 1000, -1},
		{"leader earliest", 5, -1, 9, -2, 0, 400, -1},
		{"follower is not leader", 0, -1, -1, -1, 6, 0, 0},
		{"debug id reads the follower's LEO", 0, -2, -1, -1, 0, 750, -1},
		{"stale epoch is fenced", 5, -1, 8, -1, 74, 0, 0},
		{"future epoch is unknown", 5, -1, 10, -1, 75, 0, 0},
		{"max timestamp", 5, -1, -1, -3, 0, 999, w.recordTimestamp(1000, 999)},
		{"by time inside the log", 5, -1, -1, w.recordTimestamp(1000, 600) - 1, 0, 600, w.recordTimestamp(1000, 600)},
		{"by time before log start", 5, -1, -1, 1, 0, 400, w.recordTimestamp(1000, 400)},
		{"by time after the last record", 5, -1, -1, w.recordBase, 0, -1, -1},
	}
	for _, tc := range cases {
		got := ask(tc.broker, tc.replica, tc.epoch, tc.ts)
		if got.ErrorCode != tc.wantErr || (tc.wantErr == 0 && (got.Offset != tc.wantOffset || got.Timestamp != tc.wantTimeTst)) {
			t.Errorf("%s: err %d offset %d ts %d, want err %d offset %d ts %d",
				tc.name, got.ErrorCode, got.Offset, got.Timestamp, tc.wantErr, tc.wantOffset, tc.wantTimeTst)
		}
	}
}

// TestConsumeSeededRecords reads real records through kfake, following the
// rewritten metadata, from the scenario's log start offset.
func TestConsumeSeededRecords(t *testing.T) {
	c := startStates(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap()...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"t": {1: kgo.NewOffset().AtStart()}}),
		// The final metrics push at Close may pick the hung broker and wait.
		kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var offsets []int64
	for len(offsets) < 600 {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("after %d records: %v", len(offsets), err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			offsets = append(offsets, r.Offset)
			if r.LeaderEpoch > 9 {
				t.Fatalf("record %d has leader epoch %d, above the partition's 9", r.Offset, r.LeaderEpoch)
			}
		})
	}
	if offsets[0] != 400 || offsets[len(offsets)-1] != 999 {
		t.Errorf("consumed offsets %d..%d, want 400..999", offsets[0], offsets[len(offsets)-1])
	}
}
