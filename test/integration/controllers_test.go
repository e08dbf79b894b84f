package integration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// TestQuorumThroughControllersWhileBrokersAreDown: with every broker
// killed, --bootstrap-controller still describes the quorum (KIP-919), and
// triage says what it could and could not evaluate instead of failing.
func TestQuorumThroughControllersWhileBrokersAreDown(t *testing.T) {
	c := kafkatest.Start(t, kafkatest.Options{})
	for _, id := range c.BrokerIDs() {
		c.Kill(t, id)
	}
	ctrl := strings.Join(c.ControllerAddrs(), ",")

	r := runCLI(t, "describe", "quorum", "--bootstrap-controller", ctrl, "-o", "json", "--timeout", "6s")
	var q struct {
		Known    bool   `json:"known"`
		Via      string `json:"via"`
		LeaderID int32  `json:"leader_id"`
		Voters   []struct {
			ID int32 `json:"id"`
		} `json:"voters"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &q); err != nil {
		t.Fatalf("describe quorum: exit %d, not JSON: %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if !q.Known || q.Via != "controller" || q.LeaderID != kafkatest.ControllerID || len(q.Voters) != 1 || q.Voters[0].ID != kafkatest.ControllerID {
		t.Errorf("describe quorum through the controller with every broker down: %+v (exit %d, %s)", q, r.code, r.stderr)
	}

	// Brokers given too, all dead: the quorum is still read and judged; the
	// broker checks are gaps, so the status is UNKNOWN, not an error.
	r = runCLI(t, "triage", "-b", bootstrap(c), "--bootstrap-controller", ctrl, "-o", "json", "--timeout", "6s")
	var rep struct {
		Status      string `json:"status"`
		Unevaluated []struct {
			Check string `json:"check"`
		} `json:"unevaluated"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("triage: exit %d, not JSON: %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if r.code != 3 || rep.Status != "unknown" || len(rep.Unevaluated) == 0 {
		t.Errorf("triage with every broker down and the controller up: exit %d status %s, %d gaps; want 3, UNKNOWN and the gaps named",
			r.code, rep.Status, len(rep.Unevaluated))
	}
	if r.elapsed.Seconds() > 8 {
		t.Errorf("triage took %s with --timeout 6s", r.elapsed)
	}
}
