package collect

import (
	"maps"
	"testing"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestMetadataModeFromOfferedAPIs: the mode is judged by DescribeQuorum in
// ApiVersions, never guessed. Each case states why.
func TestMetadataModeFromOfferedAPIs(t *testing.T) {
	kraft := []snapshot.APIVersion{{Key: 3, Max: 12}, {Key: 55, Max: 2}}
	zk := []snapshot.APIVersion{{Key: 3, Max: 12}, {Key: 18, Max: 3}}
	for _, tc := range []struct {
		name    string
		answers [][]snapshot.APIVersion
		want    string
	}{
		{"every node offers DescribeQuorum: KRaft", [][]snapshot.APIVersion{kraft, kraft}, snapshot.MetadataKRaft},
		{"no node offers it: ZooKeeper brokers", [][]snapshot.APIVersion{zk, zk, zk}, snapshot.MetadataZooKeeper},
		{"a node that listed nothing says nothing", [][]snapshot.APIVersion{nil, zk}, snapshot.MetadataZooKeeper},
		{"nodes disagree (migration): not guessed", [][]snapshot.APIVersion{kraft, zk}, ""},
		{"no node said: not guessed", [][]snapshot.APIVersion{nil}, ""},
		{"no node answered", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := metadataMode(tc.answers); got != tc.want {
				t.Errorf("metadataMode = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFinalizedFeatures: features come from ApiVersions v3+ with an epoch
// of 0 or more, and the newest epoch wins when nodes disagree.
func TestFinalizedFeatures(t *testing.T) {
	answer := func(version int16, epoch int64, levels map[string]int16) *sarama.ApiVersionsResponse {
		r := &sarama.ApiVersionsResponse{Version: version, FinalizedFeaturesEpoch: epoch}
		for name, l := range levels {
			r.FinalizedFeatures = append(r.FinalizedFeatures, sarama.FinalizedFeatureKey{Name: name, MinVersionLevel: l, MaxVersionLevel: l})
		}
		return r
	}
	old := map[string]int16{"metadata.version": 26}
	cur := map[string]int16{"metadata.version": 27, "eligible.leader.replicas.version": 1}
	for _, tc := range []struct {
		name    string
		answers []*sarama.ApiVersionsResponse
		want    map[string]int16
	}{
		{"one report", []*sarama.ApiVersionsResponse{answer(3, 5, cur)}, cur},
		{"the newest epoch wins, in any order", []*sarama.ApiVersionsResponse{answer(3, 7, cur), answer(3, 4, old)}, cur},
		{"epoch -1: not finalized yet", []*sarama.ApiVersionsResponse{answer(3, -1, cur)}, nil},
		{"before v3 there are no features", []*sarama.ApiVersionsResponse{answer(2, 5, cur)}, nil},
		{"nothing finalized above level 0", []*sarama.ApiVersionsResponse{answer(3, 1, nil)}, nil},
		{"no answer", []*sarama.ApiVersionsResponse{nil}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reports []finalized
			for _, a := range tc.answers {
				reports = append(reports, finalizedOf(a))
			}
			if got := newestFeatures(reports); !maps.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("features = %v, want %v", got, tc.want)
			}
		})
	}
}
