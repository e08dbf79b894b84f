package checks

import "github.com/kafka-runbook/kafka-runbook/diag/snapshot"

// State is how a broker looks from the snapshot.
type State int

// Broker states. The zero value is StateUnknown, so that looking up an id
// the snapshot does not list (a map miss) never reads as up.
const (
	StateUnknown      State = iota // registered but not probed, or not listed at all
	StateUp                        // registered, unfenced, answered
	StateUnreachable               // registered, refuses connections or handshakes
	StateUnresponsive              // registered, accepts but does not answer
	StateFenced                    // fenced by the controller, or no longer registered, yet answers clients
	StateDown                      // not registered, or fenced and not answering
)

func (s State) String() string {
	return [...]string{"unknown", "up", "unreachable", "unresponsive", "fenced", "down"}[s]
}

// BrokerState classifies one broker.
func BrokerState(b snapshot.Broker) State {
	fenced := b.FencedKnown && b.Fenced
	switch {
	case !b.Registered && b.Probe.Status == snapshot.StatusOK:
		// Found at a bootstrap address, answering, but unlisted by the cluster: it lost its
		// registration (ZooKeeper session, or a fence brokers older than 4.0 cannot report)
		// and serves its last view. As a fenced one, it is cut off, not dead.
		return StateFenced
	case !b.Registered:
		return StateDown
	case fenced && b.Probe.Status == snapshot.StatusOK:
		// Its process runs and serves clients: cut off from the controller
		// (or shutting down), not dead. Moving its replicas away would be
		// the wrong cure.
		return StateFenced
	case fenced:
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
