package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// TestDrillFromBundleReplaysTheIncident records an incident with
// `evidence watch` while the unclean-election scenario plays, turns the
// bundle into a scenario with `drill from-bundle`, serves that, and checks
// the replay shows what was recorded, state by state.
func TestDrillFromBundleReplaysTheIncident(t *testing.T) {
	sc, err := sim.Load(playbooks.FS(), "unclean-election.yaml")
	if err != nil {
		t.Fatal(err)
	}
	orig, err := sim.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	bundle := filepath.Join(t.TempDir(), "incident-7")
	watched := make(chan string, 1)
	go func() {
		_, stderr, code := run(t, nil, "evidence", "watch", "-b", strings.Join(orig.Bootstrap(), ","), "--interval", "200ms",
			"--snapshot-every", "300ms", "--for", "2500ms", "--timeout", "2s", "--out", bundle)
		if code == 3 {
			watched <- stderr
		}
		watched <- ""
	}()
	time.Sleep(800 * time.Millisecond)
	if err := orig.Fire(0); err != nil { // the unclean election
		t.Fatal(err)
	}
	time.Sleep(800 * time.Millisecond)
	if err := orig.Fire(1); err != nil { // broker 1 returns
		t.Fatal(err)
	}
	if stderr := <-watched; stderr != "" {
		t.Fatalf("evidence watch: %s", stderr)
	}

	out := filepath.Join(t.TempDir(), "ledger-outage.yaml")
	if _, stderr, code := run(t, nil, "drill", "from-bundle", bundle, "--out", out); code != 0 {
		t.Fatalf("from-bundle: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	replay, err := sim.Parse(out, data)
	if err != nil {
		t.Fatalf("the generated scenario does not load: %v", err)
	}
	// Both changes are 800 ms apart and the watch keeps a snapshot every
	// 300 ms, so each is usually its own inject; a loaded machine may fold
	// them into one, and the final state is compared below either way.
	if replay.Name != "ledger-outage" || len(replay.Injects) == 0 {
		t.Fatalf("replay %q has %d injects, want the election and the return:\n%s", replay.Name, len(replay.Injects), data)
	}
	t.Logf("%d injects replayed", len(replay.Injects))
	c, err := sim.Start(context.Background(), replay)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if miss := missing(replay.ExpectedFindings, triageCodes(t, c)); len(miss) > 0 || !contains(replay.ExpectedFindings, "UNCLEAN_ELECTION_REQUIRED") {
		t.Errorf("replayed start: expected %v, triage lacks %v", replay.ExpectedFindings, miss)
	}
	for i, in := range replay.Injects {
		if err := c.Fire(i); err != nil {
			t.Fatal(err)
		}
		if miss := missing(in.Expect, triageCodes(t, c)); len(miss) > 0 {
			t.Errorf("replayed inject %d (%s): triage lacks %v", i, in.Say, miss)
		}
	}
	final := map[string]int32{}
	for _, p := range orig.Partitions() {
		final[p.Topic+"/"+itoa(p.Partition)] = p.Leader
	}
	for _, p := range c.Partitions() {
		if l := final[p.Topic+"/"+itoa(p.Partition)]; l != p.Leader {
			t.Errorf("%s/%d: replay ends with leader %d, the incident with %d", p.Topic, p.Partition, p.Leader, l)
		}
	}

	// A single snapshot file works too; a corrupt one is exit 3 naming it.
	snap := filepath.Join(t.TempDir(), "snap.json")
	if _, stderr, code := run(t, nil, "snapshot", "-b", strings.Join(orig.Bootstrap(), ","), "-f", snap); code != 0 {
		t.Fatalf("snapshot: %s", stderr)
	}
	if _, stderr, code := run(t, nil, "drill", "from-bundle", snap); code != 0 {
		t.Errorf("from-bundle of a snapshot file: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(snap, []byte(`{"schema_version": 1, "brokers": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, nil, "drill", "from-bundle", snap); code != 3 || !strings.Contains(stderr, snap) {
		t.Errorf("corrupt snapshot: exit %d\n%s", code, stderr)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
