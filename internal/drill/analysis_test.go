package drill

import "testing"

// TestCanShowNeedsTheQuestionsAsked: a look shows a code only when it
// asked what the code is computed from: the quorum's codes need
// DescribeQuorum, which a Metadata-only look (describe brokers) never sent.
func TestCanShowNeedsTheQuestionsAsked(t *testing.T) {
	metadataOnly := Look{APIs: map[string]int{"Metadata": 2}}
	withQuorum := Look{APIs: map[string]int{"Metadata": 2, "DescribeQuorum": 1}}
	for _, tc := range []struct {
		look  Look
		codes []string
		want  bool
	}{
		{metadataOnly, []string{"BROKER_UNREACHABLE"}, true},
		{metadataOnly, []string{"CONTROLLER_QUORUM_UNAVAILABLE", "BROKER_UNREACHABLE"}, false},
		{withQuorum, []string{"CONTROLLER_QUORUM_UNAVAILABLE", "BROKER_UNREACHABLE"}, true},
		{metadataOnly, []string{"CONTROLLER_VOTER_DOWN"}, false},
		{withQuorum, []string{"CONTROLLER_VOTER_LAGGING", "BROKER_METADATA_LAGGING"}, true},
		{Look{APIs: map[string]int{"DescribeQuorum": 1}}, []string{"BROKER_METADATA_LAGGING"}, false},
	} {
		if got := canShow(tc.look, tc.codes); got != tc.want {
			t.Errorf("look asking %v, codes %v: canShow %v, want %v", tc.look.APIs, tc.codes, got, tc.want)
		}
	}
}
