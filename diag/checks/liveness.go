package checks

import "github.com/kafka-runbook/kafka-runbook/diag/snapshot"

// State is how a broker looks from the snapshot.
type State int

// Broker states, worst last.
const (
	StateUp           State = iota // registered, unfenced, answered
	StateUnknown                   // registered but not probed
	StateUnreachable               // registered, refuses connections or handshakes
	StateUnresponsive              // registered, accepts but does not answer
	StateDown                      // fenced or not registered
)

func (s State) String() string {
	return [...]string{"up", "unknown", "unreachable", "unresponsive", "down"}[s]
}

// BrokerState classifies one broker.
func BrokerState(b snapshot.Broker) State {
	switch {
	case !b.Registered, b.FencedKnown && b.Fenced:
		return StateDown
	case b.Probe.Status == snapshot.StatusOK:
		return StateUp
	case b.Probe.Status == snapshot.StatusTimeout:
		return StateUnresponsive
	case b.Probe.Status == snapshot.StatusNotProbed:
		return StateUnknown
	}
	return StateUnreachable
}

// States classifies every broker of the snapshot by id.
func States(s *snapshot.Snapshot) map[int32]State {
	out := make(map[int32]State, len(s.Brokers))
	for _, b := range s.Brokers {
		out[b.ID] = BrokerState(b)
	}
	return out
}

// hasReplicas reports which broker ids appear in any replica list.
func hasReplicas(s *snapshot.Snapshot) map[int32]int {
	out := map[int32]int{}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			for _, r := range p.Replicas {
				out[r]++
			}
		}
	}
	return out
}
