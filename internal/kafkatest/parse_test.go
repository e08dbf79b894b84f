package kafkatest

import (
	"reflect"
	"strings"
	"testing"
)

// The samples are what Kafka 4.1.2's tools printed against a harness cluster.

const statusSample = "ClusterId:              8RqqXKA79ANLEBHuh5fwew\nLeaderId:               9\nLeaderEpoch:            1\n" +
	"HighWatermark:          30\nMaxFollowerLag:         0\nMaxFollowerLagTimeMs:   0\n" +
	"CurrentVoters:          [{\"id\": 9, \"endpoints\": [\"CONTROLLER://127.0.0.1:38931\"]}]\n" +
	"CurrentObservers:       [{\"id\": 1, \"directoryId\": \"oiMtDnfljp1kIgF9KaGE2A\"}, {\"id\": 3, \"directoryId\": \"_9s69JJKzPxzaxDneiOCsQ\"}, {\"id\": 2, \"directoryId\": \"LMjtnT_Mxx2Xj2JP1x3Y7w\"}]\n"

const replicationSample = "NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t\n" +
	"9     \tAAAAAAAAAAAAAAAAAAAAAA\t31          \t0  \t1796286132665     \t1796286132665        \tLeader  \t\n" +
	"1     \toiMtDnfljp1kIgF9KaGE2A\t31          \t2  \t1796286132537     \t-1                   \tObserver\t\n"

const groupSample = "\nConsumer group 'audit' has no active members.\n\n" +
	"GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n" +
	"audit           orders          0          4               10              6               -               -               -\n" +
	"audit           orders          1          -               7               -               m-1             /127.0.0.1      c-1\n"

func TestParseQuorumStatus(t *testing.T) {
	got, err := parseQuorumStatus(statusSample)
	if err != nil {
		t.Fatal(err)
	}
	want := &QuorumState{ClusterID: "8RqqXKA79ANLEBHuh5fwew", LeaderID: 9, LeaderEpoch: 1, HighWatermark: 30,
		CurrentVoters: []int32{9}, CurrentObservers: []int32{1, 3, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if _, err := parseQuorumStatus("Error: no leader\n"); err == nil || !strings.Contains(err.Error(), "LeaderId") {
		t.Errorf("output without a status parsed: %v", err)
	}
}

func TestParseQuorumReplication(t *testing.T) {
	got, err := parseQuorumReplication(replicationSample)
	if err != nil {
		t.Fatal(err)
	}
	want := []QuorumReplica{
		{NodeID: 9, LogEndOffset: 31, LastFetchTimestamp: 1796286132665, LastCaughtUpTimestamp: 1796286132665, Status: "Leader"},
		{NodeID: 1, LogEndOffset: 31, Lag: 2, LastFetchTimestamp: 1796286132537, LastCaughtUpTimestamp: -1, Status: "Observer"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseGroupOffsets(t *testing.T) {
	got, err := parseGroupOffsets(groupSample)
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupOffset{
		{Group: "audit", Topic: "orders", Partition: 0, CurrentOffset: 4, LogEndOffset: 10, Lag: 6},
		{Group: "audit", Topic: "orders", Partition: 1, CurrentOffset: -1, LogEndOffset: 7, Lag: -1, ConsumerID: "m-1", Host: "/127.0.0.1", ClientID: "c-1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// The tool exits 0 on an unknown group; the missing table makes it an error.
	notFound := "\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group nosuch not found.\n"
	if _, err := parseGroupOffsets(notFound); err == nil || !strings.Contains(err.Error(), "Group nosuch not found") {
		t.Errorf("unknown group: error %v", err)
	}
	if _, err := parseGroupOffsets(strings.Replace(groupSample, " 4 ", " x ", 1)); err == nil {
		t.Error("a non-numeric offset parsed")
	}
}
