package playbooks_test

import (
	"slices"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// Every embedded playbook must load: a broken one would only show up when a
// user runs it.
func TestEveryPlaybookLoads(t *testing.T) {
	names := playbooks.List()
	if !slices.Contains(names, "demo-broker-down") {
		t.Fatalf("List() = %v, want demo-broker-down among them", names)
	}
	for _, name := range names {
		sc, err := sim.Load(playbooks.FS(), name+".yaml")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if sc.Name != name {
			t.Errorf("%s.yaml says name %q; file and scenario names must match", name, sc.Name)
		}
	}
}
