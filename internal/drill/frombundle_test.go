package drill

import (
	"slices"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// A generated scenario expects a metadata divergence only where it carries
// the views that show it: a poll that caught the brokers mid-change, with
// the cluster's answer from the broker behind, has a view newer than the
// cluster metadata, which a scenario cannot state.
func TestFromSnapshotsExpectsViewCodesOnlyWithViews(t *testing.T) {
	viewCodes := map[string]bool{"ZOMBIE_LEADER": true, "STALE_METADATA": true}
	viewCodesIn := func(codes []string) []string {
		return slices.DeleteFunc(slices.Clone(codes), func(c string) bool { return !viewCodes[c] })
	}
	zombie := testkit.Snapshot(t, "zombie")
	sc, _, err := FromSnapshots("zombie", "", []*snapshot.Snapshot{zombie})
	if err != nil {
		t.Fatal(err)
	}
	if len(viewCodesIn(sc.ExpectedFindings)) == 0 {
		t.Fatalf("the zombie's older view is carried, so its codes are expected: got %v", sc.ExpectedFindings)
	}

	ahead := testkit.Snapshot(t, "zombie")
	epochs := map[tpKey]int32{}
	for _, tp := range ahead.Topics {
		for _, p := range tp.Partitions {
			epochs[tpKey{tp.Name, p.ID}] = p.LeaderEpoch
		}
	}
	for i := range ahead.BrokerViews {
		ahead.BrokerViews[i].Brokers = []int32{1, 2} // the live brokers: only the leaders differ
		for j := range ahead.BrokerViews[i].Differences {
			d := &ahead.BrokerViews[i].Differences[j]
			d.LeaderEpoch = epochs[tpKey{d.Topic, d.Partition}] + 1
		}
	}
	found := checks.Run(checks.Input{Snap: ahead}, nil)
	var diverged bool
	for _, f := range found.Findings {
		diverged = diverged || viewCodes[f.Code]
	}
	if !diverged {
		t.Fatal("fixture: the checks no longer see the newer view as a divergence; the case below proves nothing")
	}
	sc, _, err = FromSnapshots("ahead", "", []*snapshot.Snapshot{ahead})
	if err != nil {
		t.Fatal(err)
	}
	if got := viewCodesIn(sc.ExpectedFindings); len(got) > 0 {
		t.Errorf("no view is carried, yet the scenario expects %v", got)
	}
}
