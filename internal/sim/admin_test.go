package sim

import (
	"slices"
	"testing"

	"github.com/IBM/sarama"
)

func TestDemoGroups(t *testing.T) {
	c, sc := startDemo(t)
	coordinators := map[string]int32{}
	for _, id := range []int32{1, 2} {
		resp, err := dialID(t, c, id).ListGroups(&sarama.ListGroupsRequest{Version: 5})
		if err != nil {
			t.Fatal(err)
		}
		for g, data := range resp.GroupsData {
			if prev, dup := coordinators[g]; dup {
				t.Errorf("group %s listed by brokers %d and %d", g, prev, id)
			}
			coordinators[g] = id
			if data.GroupState != "Stable" || data.GroupType != "classic" || resp.Groups[g] != "consumer" {
				t.Errorf("group %s: %+v type %q", g, data, resp.Groups[g])
			}
		}
	}
	if len(coordinators) != 2 {
		t.Fatalf("groups listed: %v, want billing and shipping", coordinators)
	}
	for _, g := range sc.Groups {
		fc, err := dialID(t, c, 1).FindCoordinator(&sarama.FindCoordinatorRequest{
			Version: 2, CoordinatorKey: g.ID, CoordinatorType: sarama.CoordinatorGroup})
		if err != nil {
			t.Fatal(err)
		}
		coord := coordinators[g.ID]
		if addr, _ := c.Addr(coord); fc.Err != sarama.ErrNoError || fc.Coordinator.ID() != coord || fc.Coordinator.Addr() != addr {
			t.Fatalf("FindCoordinator(%s) = %v %v, want broker %d at %s", g.ID, fc.Err, fc.Coordinator, coord, addr)
		}
		b := dialID(t, c, coord)
		checkDescribeGroup(t, b, g)
		checkCommitted(t, b, sc, g)

		// Asked of the wrong broker, a group request is refused.
		other := dialID(t, c, 3-coord)
		dg, err := other.DescribeGroups(&sarama.DescribeGroupsRequest{Version: 5, Groups: []string{g.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if dg.Groups[0].Err != sarama.ErrNotCoordinatorForConsumer {
			t.Errorf("DescribeGroups(%s) at broker %d: %v, want NOT_COORDINATOR", g.ID, 3-coord, dg.Groups[0].Err)
		}
	}
}

func checkDescribeGroup(t *testing.T, b *sarama.Broker, g Group) {
	t.Helper()
	dg, err := b.DescribeGroups(&sarama.DescribeGroupsRequest{Version: 5, Groups: []string{g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	d := dg.Groups[0]
	if d.Err != sarama.ErrNoError || d.State != g.State || d.Protocol != g.Protocol || len(d.Members) != g.Members {
		t.Fatalf("group %s: err %v state %s protocol %s members %d", g.ID, d.Err, d.State, d.Protocol, len(d.Members))
	}
	var owned []int32
	for _, m := range d.Members {
		a, err := m.GetMemberAssignment()
		if err != nil {
			t.Fatal(err)
		}
		owned = append(owned, a.Topics["orders"]...)
	}
	slices.Sort(owned)
	if !slices.Equal(owned, []int32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("group %s members own orders partitions %v, want each of 0..5 once", g.ID, owned)
	}
}

func checkCommitted(t *testing.T, b *sarama.Broker, sc *Scenario, g Group) {
	t.Helper()
	resp, err := b.FetchOffset(sarama.NewOffsetFetchRequest(sarama.V4_0_0_0, g.ID, nil))
	if err != nil {
		t.Fatal(err)
	}
	orders := sc.Topics[0]
	for p, lag := range g.Lag["orders"] {
		_, latest := orders.Partitions[p].bounds()
		blk := resp.GetBlock("orders", p)
		if blk == nil || blk.Err != sarama.ErrNoError || blk.Offset != latest-lag {
			t.Errorf("group %s orders/%d committed %+v, want %d", g.ID, p, blk, latest-lag)
		}
	}
}

func TestDemoConfigs(t *testing.T) {
	c, _ := startDemo(t)
	b := dialID(t, c, 1)
	resp, err := b.DescribeConfigs(&sarama.DescribeConfigsRequest{Version: 4, IncludeSynonyms: true,
		Resources: []*sarama.ConfigResource{
			{Type: sarama.TopicResource, Name: "orders"},
			{Type: sarama.TopicResource, Name: "audit-log", ConfigNames: []string{"retention.ms", "unclean.leader.election.enable"}},
			{Type: sarama.BrokerResource, Name: "1"},
			{Type: sarama.BrokerResource, Name: "2"},
			{Type: sarama.TopicResource, Name: "nope"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		value  string
		source sarama.ConfigSource
	}
	expect := []map[string]want{
		{"min.insync.replicas": {"2", sarama.SourceTopic}, "cleanup.policy": {"delete", sarama.SourceDefault}},
		{"retention.ms": {"2592000000", sarama.SourceTopic}, "unclean.leader.election.enable": {"false", sarama.SourceDefault}},
		{"broker.rack": {"eu-west-1a", sarama.SourceStaticBroker}, "min.insync.replicas": {"2", sarama.SourceStaticBroker},
			"auto.create.topics.enable": {"false", sarama.SourceStaticBroker}, "num.partitions": {"1", sarama.SourceDefault}},
	}
	for i, exp := range expect {
		r := resp.Resources[i]
		if r.ErrorCode != 0 {
			t.Fatalf("%s: error %d %s", r.Name, r.ErrorCode, r.ErrorMsg)
		}
		got := map[string]*sarama.ConfigEntry{}
		for _, e := range r.Configs {
			got[e.Name] = e
		}
		if r.Name == "audit-log" && len(got) != 2 {
			t.Errorf("audit-log: ConfigNames filter gave %d configs", len(got))
		}
		for name, w := range exp {
			e := got[name]
			if e == nil || e.Value != w.value || e.Source != w.source {
				t.Errorf("%s %s = %+v, want %+v", r.Name, name, e, w)
			}
		}
	}
	// The effective min ISR of orders comes with its synonyms, highest
	// precedence first, as kafka-configs --describe --all shows them.
	for _, e := range resp.Resources[0].Configs {
		if e.Name == "min.insync.replicas" {
			var srcs []sarama.ConfigSource
			for _, s := range e.Synonyms {
				srcs = append(srcs, s.Source)
			}
			if !slices.Equal(srcs, []sarama.ConfigSource{sarama.SourceTopic, sarama.SourceStaticBroker, sarama.SourceDefault}) {
				t.Errorf("min.insync.replicas synonyms %v", srcs)
			}
		}
	}
	if resp.Resources[3].ErrorCode != int16(sarama.ErrInvalidRequest) {
		t.Errorf("broker 2's configs asked of broker 1: error %d, want INVALID_REQUEST", resp.Resources[3].ErrorCode)
	}
	if resp.Resources[4].ErrorCode != int16(sarama.ErrUnknownTopicOrPartition) {
		t.Errorf("unknown topic: error %d", resp.Resources[4].ErrorCode)
	}
}

func TestDemoLogDirs(t *testing.T) {
	c, sc := startDemo(t)
	resp, err := dialID(t, c, 2).DescribeLogDirs(&sarama.DescribeLogDirsRequest{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.LogDirs) != 1 {
		t.Fatalf("%d log dirs, want 1", len(resp.LogDirs))
	}
	d := resp.LogDirs[0]
	if d.ErrorCode != sarama.ErrNoError || d.Path != defaultLogDir.Path || d.TotalBytes != defaultLogDir.TotalBytes ||
		d.UsableBytes != defaultLogDir.UsableBytes {
		t.Errorf("dir %+v", d)
	}
	hosted := map[string][]int32{}
	for _, dt := range d.Topics {
		for _, dp := range dt.Partitions {
			hosted[dt.Topic] = append(hosted[dt.Topic], dp.PartitionID)
			if dt.Topic == "orders" && dp.Size <= 0 {
				t.Errorf("orders/%d size %d, want the stored bytes", dp.PartitionID, dp.Size)
			}
		}
	}
	// Broker 2 hosts only its own replicas.
	for _, st := range sc.Topics {
		var want []int32
		for _, sp := range st.Partitions {
			if slices.Contains(sp.Replicas, 2) {
				want = append(want, sp.Partition)
			}
		}
		if st.PartitionCount > 0 {
			for p := range int32(st.PartitionCount) {
				want = append(want, p)
			}
		}
		got := hosted[st.Name]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("broker 2 hosts %s %v, want %v", st.Name, got, want)
		}
	}
}
