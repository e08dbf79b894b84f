package snapshot_test

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
)

// cluster is the cluster metadata the view tests compare with: topic a has
// ids 0..2 (the dense index), topic b ids 5 and 9 (the sparse one).
func cluster() []snapshot.Topic {
	return []snapshot.Topic{
		{Name: "a", Partitions: []snapshot.Partition{{ID: 0, Leader: 1, LeaderEpoch: 4}, {ID: 1, Leader: 2, LeaderEpoch: 7}, {ID: 2, Leader: 3, LeaderEpoch: 1}}},
		{Name: "b", Partitions: []snapshot.Partition{{ID: 5, Leader: 1, LeaderEpoch: 0}, {ID: 9, Leader: 2, LeaderEpoch: 3}}},
	}
}

func lv(topic string, p, leader, epoch int32) snapshot.LeaderView {
	return snapshot.LeaderView{Topic: topic, Partition: p, Leader: leader, LeaderEpoch: epoch}
}

func ref(topic string, p int32) snapshot.PartitionRef {
	return snapshot.PartitionRef{Topic: topic, Partition: p}
}

// agreeing is a broker answer identical to the cluster metadata.
func agreeing() []snapshot.LeaderView {
	return []snapshot.LeaderView{lv("a", 0, 1, 4), lv("a", 1, 2, 7), lv("a", 2, 3, 1), lv("b", 5, 1, 0), lv("b", 9, 2, 3)}
}

func TestViewReducer(t *testing.T) {
	cases := []struct {
		name        string
		answer      []snapshot.LeaderView
		differences []snapshot.LeaderView
		missing     []snapshot.PartitionRef
	}{
		{name: "agrees on everything", answer: agreeing()},
		{name: "answer in another order", answer: []snapshot.LeaderView{lv("b", 9, 2, 3), lv("a", 2, 3, 1), lv("b", 5, 1, 0), lv("a", 0, 1, 4), lv("a", 1, 2, 7)}},
		{
			name:        "zombie: claims a partition at an older epoch",
			answer:      []snapshot.LeaderView{lv("a", 0, 1, 4), lv("a", 1, 3, 6), lv("a", 2, 3, 1), lv("b", 5, 1, 0), lv("b", 9, 2, 3)},
			differences: []snapshot.LeaderView{lv("a", 1, 3, 6)},
		},
		{
			name:        "newer epoch than the cluster metadata, sparse ids",
			answer:      []snapshot.LeaderView{lv("a", 0, 1, 4), lv("a", 1, 2, 7), lv("a", 2, 3, 1), lv("b", 5, 1, 0), lv("b", 9, 1, 4)},
			differences: []snapshot.LeaderView{lv("b", 9, 1, 4)},
		},
		{
			name:    "has not learned of topic b yet",
			answer:  []snapshot.LeaderView{lv("a", 0, 1, 4), lv("a", 1, 2, 7), lv("a", 2, 3, 1)},
			missing: []snapshot.PartitionRef{ref("b", 5), ref("b", 9)},
		},
		{
			name:        "knows partitions the cluster metadata does not",
			answer:      append(agreeing(), lv("a", 3, 1, 0), lv("b", 6, 2, 0), lv("c", 0, 3, 2)),
			differences: []snapshot.LeaderView{lv("a", 3, 1, 0), lv("b", 6, 2, 0), lv("c", 0, 3, 2)},
		},
		{
			name:    "empty answer",
			missing: []snapshot.PartitionRef{ref("a", 0), ref("a", 1), ref("a", 2), ref("b", 5), ref("b", 9)},
		},
	}
	reducer := snapshot.NewViewReducer(cluster())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := snapshot.BrokerView{Broker: 3, Probe: snapshot.Probe{Status: snapshot.StatusOK}}
			reducer.Reduce(&v, tc.answer)
			s := &snapshot.Snapshot{Topics: cluster(), BrokerViews: []snapshot.BrokerView{v}}
			s.Normalize()
			v = s.BrokerViews[0]
			if v.Partitions != len(tc.answer) {
				t.Errorf("Partitions = %d, want %d", v.Partitions, len(tc.answer))
			}
			if want := nonNilViews(tc.differences); !slices.Equal(v.Differences, want) {
				t.Errorf("Differences = %v, want %v", v.Differences, want)
			}
			if want := nonNilRefs(tc.missing); !slices.Equal(v.Missing, want) {
				t.Errorf("Missing = %v, want %v", v.Missing, want)
			}
			// Expanding the reduced view gives back exactly the answer.
			got := slices.Collect(s.ViewLeaders(&v))
			sortViews(got)
			want := slices.Clone(tc.answer)
			sortViews(want)
			if !slices.Equal(got, want) {
				t.Errorf("ViewLeaders = %v, want the answer %v", got, want)
			}
		})
	}
}

func sortViews(v []snapshot.LeaderView) {
	slices.SortFunc(v, func(a, b snapshot.LeaderView) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
}

func nonNilViews(v []snapshot.LeaderView) []snapshot.LeaderView {
	if v == nil {
		return []snapshot.LeaderView{}
	}
	return v
}

func nonNilRefs(r []snapshot.PartitionRef) []snapshot.PartitionRef {
	if r == nil {
		return []snapshot.PartitionRef{}
	}
	return r
}

// A version 1 document lists every partition in every broker view; Decode
// keeps only the differences and the document then encodes as version 2.
func TestDecodeUpgradesVersion1Views(t *testing.T) {
	v1 := `{"schema_version":1,
	"topics":[{"name":"a","partitions":[{"partition":0,"leader":1,"leader_epoch":4},{"partition":1,"leader":2,"leader_epoch":7}]},
	          {"name":"b","partitions":[{"partition":0,"leader":2,"leader_epoch":1}]}],
	"broker_views":[
	  {"broker":1,"probe":{"status":"ok"},"leaders":[{"topic":"a","partition":0,"leader":1,"leader_epoch":4},{"topic":"a","partition":1,"leader":2,"leader_epoch":7},{"topic":"b","partition":0,"leader":2,"leader_epoch":1}]},
	  {"broker":2,"probe":{"status":"timeout"},"leaders":[]},
	  {"broker":3,"probe":{"status":"ok"},"leaders":[{"topic":"a","partition":0,"leader":3,"leader_epoch":3},{"topic":"a","partition":1,"leader":2,"leader_epoch":7}]}]}`
	s, err := snapshot.Decode(strings.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if s.SchemaVersion != snapshot.SchemaVersion {
		t.Errorf("SchemaVersion = %d after upgrade, want %d", s.SchemaVersion, snapshot.SchemaVersion)
	}
	want := []struct {
		partitions  int
		differences []snapshot.LeaderView
		missing     []snapshot.PartitionRef
	}{
		{partitions: 3},
		{partitions: 0}, // did not answer: nothing is missing, nothing was seen
		{partitions: 2, differences: []snapshot.LeaderView{lv("a", 0, 3, 3)}, missing: []snapshot.PartitionRef{ref("b", 0)}},
	}
	for i, w := range want {
		v := s.BrokerViews[i]
		if v.Partitions != w.partitions || !slices.Equal(v.Differences, nonNilViews(w.differences)) || !slices.Equal(v.Missing, nonNilRefs(w.missing)) {
			t.Errorf("broker %d: partitions %d, differences %v, missing %v; want %d, %v, %v",
				v.Broker, v.Partitions, v.Differences, v.Missing, w.partitions, w.differences, w.missing)
		}
	}
	var out bytes.Buffer
	if err := snapshot.Encode(&out, s); err != nil {
		t.Fatal(err)
	}
	if doc := out.String(); !strings.Contains(doc, `"schema_version": 2`) || strings.Contains(doc, `"leaders"`) {
		t.Errorf("re-encoded document is not version 2:\n%s", doc)
	}
}

// Broker views cost next to nothing when the brokers agree: the document of
// a 50-broker cluster with every broker's view is barely larger than
// without them, so it stays far below MaxDocumentBytes at any partition
// count (version 1 wrote 779 MB at 100,000 partitions).
func TestBrokerViewsDoNotGrowWithBrokersTimesPartitions(t *testing.T) {
	encode := func(views int) []byte {
		s := bigsnap.Generate(bigsnap.Options{Brokers: 50, Partitions: 20_000, Groups: 10, BrokerViews: views})
		var b bytes.Buffer
		if err := snapshot.Encode(&b, s); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	without, with := encode(-1), encode(0)
	s, err := snapshot.Decode(bytes.NewReader(with))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.BrokerViews) < 40 {
		t.Fatalf("only %d broker views generated", len(s.BrokerViews))
	}
	if extra := len(with) - len(without); extra > 64<<10 {
		t.Errorf("%d broker views add %d bytes to a %d-byte document; want under 64 KiB", len(s.BrokerViews), extra, len(without))
	}
}
