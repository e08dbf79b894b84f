package testkit

import (
	"context"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// ServePlaybook serves the embedded scenario name on 127.0.0.1 for one
// test, closed when it ends.
func ServePlaybook(t testing.TB, name string) (*sim.Cluster, *sim.Scenario) {
	t.Helper()
	sc, err := sim.Load(playbooks.FS(), name+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sim.Start(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, sc
}
