package snapshot

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestReplicaSizesRoundTrip(t *testing.T) {
	in := ReplicaSizes{
		{Topic: "a \"quoted\" topic", Partitions: []int32{0}, SizeBytes: []int64{0}},
		{Topic: "orders", Partitions: []int32{0, 3}, SizeBytes: []int64{1048576, 2097152}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a \"quoted\" topic":"0:0","orders":"0:1048576 3:2097152"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	var back ReplicaSizes
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, in) {
		t.Errorf("back %+v, %v", back, err)
	}
	if _, err := json.Marshal(ReplicaSizes{{Topic: "x", Partitions: []int32{1}}}); err == nil {
		t.Error("a topic with more partitions than sizes was encoded")
	}
	for _, bad := range []string{`{"x":"1"}`, `{"x":"1:-5"}`, `{"x":"-1:5"}`, `{"x":"a:5"}`, `{"x":3}`, `[]`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestReplicaSizesInASnapshot: a log dir keeps its replicas through Encode
// and Decode, and an empty directory that was listed stays listed.
func TestReplicaSizesInASnapshot(t *testing.T) {
	s := &Snapshot{SchemaVersion: SchemaVersion, LogDirs: []LogDir{
		{Broker: 1, Path: "/data", TotalBytes: 100, UsableBytes: 50, SizeBytes: 30, Partitions: 2,
			Replicas: ReplicaSizes{{Topic: "orders", Partitions: []int32{0, 1}, SizeBytes: []int64{10, 20}}}},
		{Broker: 1, Path: "/empty", TotalBytes: 100, UsableBytes: 50, SizeBytes: 0, Partitions: 0},
		{Broker: 2, Path: "/data", TotalBytes: 100, UsableBytes: 50, SizeBytes: -1, Partitions: -1},
	}}
	var buf bytes.Buffer
	if err := Encode(&buf, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"replicas": {`) || !strings.Contains(buf.String(), `"orders": "0:10 1:20"`) {
		t.Errorf("encoded:\n%s", buf.String())
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.LogDirs[0].Replicas, s.LogDirs[0].Replicas) {
		t.Errorf("replicas %+v", back.LogDirs[0].Replicas)
	}
	for i, want := range []bool{true, true, false} {
		if got := back.LogDirs[i].ReplicasListed(); got != want {
			t.Errorf("%s broker %d: listed %v, want %v", back.LogDirs[i].Path, back.LogDirs[i].Broker, got, want)
		}
	}
}
