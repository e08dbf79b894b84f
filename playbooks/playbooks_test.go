package playbooks_test

import (
	"os"
	"slices"
	"strings"
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

// The example in FORMAT.md must stay a valid scenario.
func TestFormatExampleParses(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml block in FORMAT.md")
	}
	if _, err := sim.Parse("FORMAT.md", []byte(block)); err != nil {
		t.Error(err)
	}
}
