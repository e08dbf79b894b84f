package sim

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// quorumYAML is baseYAML with three controllers: 100 leads, 101 lags, 102
// is down.
const quorumYAML = baseYAML + `quorum:
  leader_epoch: 7
  high_watermark: 5000
  voters:
    - {id: 100, endpoint: "ctl-a:9093", state: up}
    - {id: 101, endpoint: "ctl-b:9093", state: lagging, lag: 300, last_fetch: 1s, last_caught_up: 40s}
    - {id: 102, endpoint: "ctl-c:9093", state: down, last_fetch: 10m, lag: 2000}
`

func TestQuorumSectionErrors(t *testing.T) {
	cases := []editCase{
		{"leader not a voter", "  leader_epoch: 7", "  leader: 5\n  leader_epoch: 7", "quorum.leader: 5 is not a voter id"},
		{"leader down", "  leader_epoch: 7", "  leader: 102\n  leader_epoch: 7", "quorum.leader: voter 102 is down; only an up voter leads"},
		{"no leader with a majority", "  leader_epoch: 7", "  leader: -1\n  leader_epoch: 7",
			"quorum.leader: -1 but a majority of the 3 voters is up or lagging"},
		{"duplicate voter", "{id: 101, endpoint", "{id: 100, endpoint", "quorum.voters[1].id: duplicate voter id 100"},
		{"voter is a broker", "{id: 102, endpoint", "{id: 2, endpoint", "quorum.voters[2].id: 2 is also a broker id"},
		{"bad endpoint", `"ctl-a:9093"`, `"ctl-a"`, `quorum.voters[0].endpoint: "ctl-a" is not host:port`},
		{"same endpoint", `"ctl-b:9093"`, `"ctl-a:9093"`, "quorum.voters[1].endpoint: ctl-a:9093 is another voter's endpoint"},
		{"missing state", `"ctl-a:9093", state: up}`, `"ctl-a:9093"}`, "quorum.voters[0].state: required: up, down or lagging"},
		{"bad state", `"ctl-a:9093", state: up}`, `"ctl-a:9093", state: sleeping}`, `quorum.voters[0].state: "sleeping" is not one of up, down, lagging`},
		{"lagging without lag", "lag: 300, ", "", "quorum.voters[1].lag: required: a lagging voter is at least 1 record behind"},
		{"lagging too long", "last_fetch: 1s", "last_fetch: 3s", "quorum.voters[1].last_fetch: 3s: a voter that has not fetched for controller.quorum.fetch.timeout.ms"},
		{"caught up after last fetch", "last_caught_up: 40s", "last_caught_up: 500ms", "quorum.voters[1].last_caught_up: 500ms is more recent than its last fetch (1s)"},
		{"up with a lag", `"ctl-a:9093", state: up}`, `"ctl-a:9093", state: up, lag: 3}`, "quorum.voters[0]: an up voter is caught up"},
		{"unknown field", `"ctl-a:9093", state: up}`, `"ctl-a:9093", state: up, role: leader}`, "field role not found"},
	}
	wantEditErrors(t, quorumYAML, cases)
	if _, err := Parse("v.yaml", []byte(baseYAML+"quorum: {voters: []}\n")); err == nil || !strings.Contains(err.Error(), "quorum.voters: at least one voter is required") {
		t.Errorf("no voters: %v", err)
	}
}

// TestDefaultQuorum: a scenario without a quorum section has one voter
// leading, 100 or, when brokers have that id, the next id none has.
func TestDefaultQuorum(t *testing.T) {
	for _, tc := range []struct {
		brokers string
		want    int32
	}{
		{"{id: 1, state: up}", 100},
		{"{id: 100, state: up}\n  - {id: 7, state: up}\n  - {id: 101, state: up}", 102},
	} {
		sc, err := Parse("v.yaml", []byte("schema_version: 1\nname: v\ntitle: t\nexpected_findings: []\nbrokers:\n  - "+tc.brokers+
			"\ntopics: [{name: t, partition_count: 1, replication_factor: 1}]\n"))
		if err != nil {
			t.Fatal(err)
		}
		states, _ := sc.states()
		q := states[0].Quorum
		if len(q.Voters) != 1 || q.Voters[0].ID != tc.want || *q.Leader != tc.want || q.LeaderEpoch != 1 || q.HighWatermark != defaultHighWatermark {
			t.Errorf("brokers %s: default quorum %+v, want voter %d leading at epoch 1", tc.brokers, q, tc.want)
		}
	}
}

// TestDescribeQuorumPerState: the answer at a fixed time gives the leader
// its own clock, an up follower a fresh fetch, a lagging one its lag and
// the time since it was caught up, a down one its silence, and derives the
// observers from the brokers: up ones follow, a down one is silent.
func TestDescribeQuorumPerState(t *testing.T) {
	sc, err := Parse("v.yaml", []byte(quorumYAML))
	if err != nil {
		t.Fatal(err)
	}
	states, _ := sc.states()
	start := time.UnixMilli(1_700_000_000_000)
	q := newQuorum(states[0], start)
	now := start.Add(10 * time.Second) // the leader appended 20 no-ops since
	p := describeAt(t, q, now)
	if p.LeaderID != 100 || p.LeaderEpoch != 7 || p.HighWatermark != 5020 {
		t.Errorf("leader %d epoch %d hw %d, want 100, 7, 5020", p.LeaderID, p.LeaderEpoch, p.HighWatermark)
	}
	ms := func(ago time.Duration) int64 { return now.Add(-ago).UnixMilli() }
	silent := start.Add(-10 * time.Minute).UnixMilli()
	want := map[int32][3]int64{ // log end offset, last fetch, last caught up
		100: {5020, ms(0), ms(0)},
		101: {4720, ms(time.Second), ms(40 * time.Second)},
		102: {3000, silent, silent},
		1:   {5020, ms(followerFetchAgo), ms(followerFetchAgo)},
		2:   {5020, ms(followerFetchAgo), ms(followerFetchAgo)},
		3:   {5000 - noOps(defaultSilence), start.Add(-defaultSilence).UnixMilli(), start.Add(-defaultSilence).UnixMilli()},
	}
	checkReplicas(t, "voter", p.CurrentVoters, want, 100, 101, 102)
	checkReplicas(t, "observer", p.Observers, want, 1, 2, 3)
}

func describeAt(t *testing.T, q *quorumInfo, now time.Time) kmsg.DescribeQuorumResponseTopicPartition {
	t.Helper()
	req := kmsg.NewPtrDescribeQuorumRequest()
	req.Version = describeQuorumMax
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic = metadataTopic
	rt.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = append(req.Topics, rt)
	resp := q.answer(req, now)
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("answer %+v", resp)
	}
	if len(resp.Nodes) != len(q.voters) {
		t.Errorf("%d nodes for %d voters", len(resp.Nodes), len(q.voters))
	}
	return resp.Topics[0].Partitions[0]
}

func checkReplicas(t *testing.T, role string, got []kmsg.DescribeQuorumResponseTopicPartitionReplicaState, want map[int32][3]int64, ids ...int32) {
	t.Helper()
	if len(got) != len(ids) {
		t.Fatalf("%ss %+v, want %v", role, got, ids)
	}
	for i, r := range got {
		w := want[ids[i]]
		if r.ReplicaID != ids[i] || r.LogEndOffset != w[0] || r.LastFetchTimestamp != w[1] || r.LastCaughtUpTimestamp != w[2] {
			t.Errorf("%s %d: leo %d fetch %d caught up %d; want %d: %v", role, r.ReplicaID, r.LogEndOffset,
				r.LastFetchTimestamp, r.LastCaughtUpTimestamp, ids[i], w)
		}
	}
}

// lostAndRegainedYAML loses voter 101, and with it the majority and the
// leader; brings it back, which re-elects 100; then loses 100 while 102
// returns, which elects 101.
const lostAndRegainedYAML = baseYAML + `quorum:
  leader_epoch: 7
  high_watermark: 5000
  voters:
    - {id: 100, state: up}
    - {id: 101, state: up}
    - {id: 102, state: down, last_fetch: 10m, lag: 2000}
injects:
  - at: 1m
    quorum: {voters: [{id: 101, state: down}]}
    expect: []
  - at: 2m
    quorum: {voters: [{id: 101, state: up}]}
    brokers: [{id: 3, state: up}]
    expect: []
  - at: 3m
    quorum: {voters: [{id: 100, state: down}, {id: 102, state: up}]}
    expect: []
`

// TestInjectLosesAndRegainsTheLeader: losing the majority loses the leader
// (the epoch kept, the high watermark frozen, and DescribeQuorum answered
// REQUEST_TIMED_OUT, as by a broker with no controller to forward it to);
// a voter's return elects one at a new epoch; a voter down throughout
// keeps the silence it started with, and one newly down is silent from
// the inject on.
func TestInjectLosesAndRegainsTheLeader(t *testing.T) {
	sc, err := Parse("v.yaml", []byte(lostAndRegainedYAML))
	if err != nil {
		t.Fatal(err)
	}
	states, _ := sc.states()
	var leaders, epochs []int32
	for _, st := range states {
		leaders, epochs = append(leaders, *st.Quorum.Leader), append(epochs, st.Quorum.LeaderEpoch)
	}
	if !slices.Equal(leaders, []int32{100, -1, 100, 101}) || !slices.Equal(epochs, []int32{7, 7, 8, 9}) {
		t.Fatalf("leaders %v epochs %v, want [100 -1 100 101] and [7 7 8 9]", leaders, epochs)
	}
	start := time.UnixMilli(1_700_000_000_000)
	q := newQuorum(states[0], start)
	var got []kmsg.DescribeQuorumResponseTopicPartition
	for i := 1; i < len(states); i++ {
		next := newQuorum(states[i], start.Add(time.Duration(i)*time.Minute))
		next.carry(q)
		q = next
		at := next.since.Add(time.Second)
		if q.leader < 0 {
			resp := q.answer(kmsg.NewPtrDescribeQuorumRequest(), at)
			if resp.ErrorCode != kerr.RequestTimedOut.Code || len(resp.Topics) > 0 || q.epoch != 7 || q.hw(at) != 5120 {
				t.Errorf("without a leader: error %d, %d topics, epoch %d, hw %d; want REQUEST_TIMED_OUT, none, 7, 5120 (frozen)",
					resp.ErrorCode, len(resp.Topics), q.epoch, q.hw(at))
			}
			continue
		}
		got = append(got, describeAt(t, q, at))
	}
	back, moved := got[0], got[1]
	if v := back.CurrentVoters[2]; back.LeaderID != 100 || back.HighWatermark != 5122 || v.LastFetchTimestamp != start.Add(-10*time.Minute).UnixMilli() || v.LogEndOffset != 3000 {
		t.Errorf("regained: leader %d hw %d, voter 102 fetched at %d up to %d; want 100, 5122, its silence from the start, 3000",
			back.LeaderID, back.HighWatermark, v.LastFetchTimestamp, v.LogEndOffset)
	}
	if v := moved.CurrentVoters[0]; moved.LeaderID != 101 || moved.HighWatermark != 5242 || v.LastFetchTimestamp != start.Add(3*time.Minute-defaultSilence).UnixMilli() {
		t.Errorf("moved: leader %d hw %d, voter 100 fetched at %d; want 101, 5242, %s before the inject",
			moved.LeaderID, moved.HighWatermark, v.LastFetchTimestamp, defaultSilence)
	}
}

func TestQuorumInjectErrors(t *testing.T) {
	cases := []editCase{
		{"unknown voter", "[{id: 101, state: down}]", "[{id: 105, state: down}]", "injects[0] (at 1m0s).quorum.voters[0].id: unknown voter id 105"},
		{"bad state", "[{id: 101, state: down}]", "[{id: 101, state: gone}]", `injects[0].quorum.voters[0].state: "gone" is not one of`},
		{"leader not a voter", "quorum: {voters: [{id: 101, state: down}]}", "quorum: {leader: 3}",
			"injects[0] (at 1m0s).quorum.leader: after this inject: 3 is not a voter id"},
		{"fencing without a leader", "    expect: []\n  - at: 2m", "    brokers: [{id: 2, state: down}]\n    expect: []\n  - at: 2m",
			"injects[0] (at 1m0s).brokers[0].state: up to down needs the active controller"},
	}
	wantEditErrors(t, lostAndRegainedYAML, cases)
}

// TestBrokersOfferDescribeQuorum: every simulated broker lists
// DescribeQuorum in ApiVersions (what makes a client judge the cluster
// KRaft) and answers it with the scenario's quorum.
func TestBrokersOfferDescribeQuorum(t *testing.T) {
	sc, err := Parse("v.yaml", []byte(quorumYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := startScenario(t, sc)
	for _, addr := range c.Bootstrap() {
		resp, err := dial(t, addr).ApiVersions(&sarama.ApiVersionsRequest{Version: 3, ClientSoftwareName: "sarama", ClientSoftwareVersion: "1.0"})
		if err != nil {
			t.Fatal(err)
		}
		offered := false
		for _, k := range resp.ApiKeys {
			offered = offered || (k.ApiKey == int16(kmsg.DescribeQuorum) && k.MaxVersion == describeQuorumMax)
		}
		if !offered || len(resp.ApiKeys) < 40 {
			t.Errorf("%s: ApiVersions lists %d keys, DescribeQuorum v2 %v", addr, len(resp.ApiKeys), offered)
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Bootstrap()...), kgo.DisableClientMetrics())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// kgo sends the highest version both sides know: v2, with the
	// voters' endpoints.
	req := kmsg.NewPtrDescribeQuorumRequest()
	rt := kmsg.NewDescribeQuorumRequestTopic()
	rt.Topic = metadataTopic
	rt.Partitions = []kmsg.DescribeQuorumRequestTopicPartition{kmsg.NewDescribeQuorumRequestTopicPartition()}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	p := resp.Topics[0].Partitions[0]
	if resp.Version != describeQuorumMax || p.LeaderID != 100 || len(p.CurrentVoters) != 3 || len(p.Observers) != 3 || len(resp.Nodes) != 3 {
		t.Errorf("v%d: leader %d, %d voters, %d observers, %d nodes; want v2, 100, 3, 3, 3",
			resp.Version, p.LeaderID, len(p.CurrentVoters), len(p.Observers), len(resp.Nodes))
	}
}

// editCase is one edit of a valid document and the error it must cause.
type editCase struct{ name, from, to, want string }

// wantEditErrors parses doc with each case's first from replaced by its to
// and wants an error containing its want.
func wantEditErrors(t *testing.T, doc string, cases []editCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(doc, tc.from) {
				t.Fatalf("edit %q does not apply", tc.from)
			}
			_, err := Parse("v.yaml", []byte(strings.Replace(doc, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
