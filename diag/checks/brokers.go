package checks

import (
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// brokerHealth classifies every broker id the snapshot knows of.
func brokerHealth() Check {
	return Check{
		Name:  "broker-health",
		Reads: []string{snapshot.SourceDescribeCluster},
		Codes: []string{findings.BrokerDown, findings.BrokerUnreachable, findings.BrokerUnresponsive, findings.BrokerFenced},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			if len(s.Brokers) == 0 {
				r.CannotEvaluate("no broker is known: cluster metadata could not be read")
				return
			}
			replicas := hasReplicas(s)
			leaders := leaderCounts(s)
			for _, b := range s.Brokers {
				reportBroker(r, b, replicas[b.ID], leaders[b.ID])
			}
		},
	}
}

func reportBroker(r *Reporter, b snapshot.Broker, replicas, leaders int) {
	evidence := map[string]any{
		"registered": b.Registered, "fenced": b.Fenced, "probe": b.Probe.Status,
		"replicas": replicas, "leaders": leaders,
	}
	if b.Probe.Error != "" {
		evidence["error"] = b.Probe.Error
	}
	f := findings.Finding{Broker: findings.Int32(b.ID), Evidence: evidence}
	switch BrokerState(b) {
	case StateDown:
		if replicas == 0 {
			return // a fenced broker that holds nothing harms nothing
		}
		f.Code = findings.BrokerDown
		why := "not registered in the cluster"
		if b.Registered {
			why = "fenced by the controller"
		}
		f.Summary = fmt.Sprintf("broker %d is down (%s) and holds %d replicas", b.ID, why, replicas)
	case StateFenced:
		f.Code = findings.BrokerFenced
		f.Summary = fmt.Sprintf("broker %d is fenced by the controller but still answers clients: it cannot reach the controller "+
			"(or is shutting down); its %d replicas are out of every ISR", b.ID, replicas)
		if !b.Registered {
			f.Summary = fmt.Sprintf("broker %d is no longer registered in the cluster but still answers clients at its bootstrap address: "+
				"it lost its registration (cannot reach the controller or ZooKeeper) and serves its last view; its %d replicas are out of every ISR",
				b.ID, replicas)
		}
		if replicas == 0 {
			f.Severity = findings.Warning // holds nothing yet: a broker that never got unfenced
		}
	case StateUnreachable:
		f.Code = findings.BrokerUnreachable
		f.Summary = fmt.Sprintf("broker %d is registered but %s: %s", b.ID, b.Probe.Status, b.Probe.Error)
	case StateUnresponsive:
		f.Code = findings.BrokerUnresponsive
		f.Summary = fmt.Sprintf("broker %d accepts connections but did not answer in time; it leads %d partitions", b.ID, leaders)
	default:
		return
	}
	r.Add(f)
}

// leaderCounts counts the partitions each broker leads.
func leaderCounts(s *snapshot.Snapshot) map[int32]int {
	out := map[int32]int{}
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			if p.Leader >= 0 {
				out[p.Leader]++
			}
		}
	}
	return out
}
