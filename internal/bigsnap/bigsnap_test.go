package bigsnap

import (
	"bytes"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

// TestDeterministic: the same options give the same document, and it is
// a valid snapshot of the size asked for.
func TestDeterministic(t *testing.T) {
	encode := func() []byte {
		var b bytes.Buffer
		if err := snapshot.Encode(&b, Generate(Medium())); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := encode(), encode()
	if !bytes.Equal(a, b) {
		t.Fatal("two generations differ")
	}
	s, err := snapshot.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, tp := range s.Topics {
		parts += len(tp.Partitions)
	}
	o := Medium()
	if parts != o.Partitions || len(s.Brokers) != o.Brokers || len(s.Groups) != o.Groups {
		t.Errorf("%d partitions, %d brokers, %d groups; want %d, %d, %d", parts, len(s.Brokers), len(s.Groups), o.Partitions, o.Brokers, o.Groups)
	}
}

// TestScenarioParses: the simulator accepts the generated scenario.
func TestScenarioParses(t *testing.T) {
	o := LargeSim()
	o.Partitions, o.PerTopic, o.Groups = 2500, 1000, 50
	sc, err := sim.Parse("bench.yaml", Scenario(o))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Topics) != 3 || len(sc.Groups) != 50 {
		t.Errorf("%d topics, %d groups; want 3 and 50", len(sc.Topics), len(sc.Groups))
	}
}
