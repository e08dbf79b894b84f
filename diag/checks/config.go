package checks

import (
	"fmt"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// recommendedRF is the replication factor production topics should have.
const recommendedRF = 3

// topicConfigHygiene flags configurations that turn the next failure into
// an outage or data loss.
func topicConfigHygiene() Check {
	return Check{
		Name:  "topic-config",
		Reads: []string{snapshot.SourceTopicConfigs, snapshot.SourceReassignments},
		Codes: []string{findings.UncleanElectionEnabled, findings.LowReplicationFactor, findings.MinISRTooLow},
		Run: func(in Input, r *Reporter) {
			unknown := 0
			rules := health.Of(in.Snap)
			for _, t := range in.Snap.Topics {
				if len(t.Partitions) == 0 {
					continue
				}
				// A reassignment's replicas being added are not the topic's
				// replication factor yet: judging with them would hide these
				// findings while it runs.
				rf := rules.ReplicationFactor(t)
				if rf < recommendedRF {
					r.Add(findings.Finding{
						Code: findings.LowReplicationFactor, Topic: t.Name,
						Summary:  fmt.Sprintf("topic %s has replication factor %d", t.Name, rf),
						Evidence: map[string]any{"replication_factor": rf, "internal": t.Internal},
					})
				}
				if t.Configs == nil {
					unknown++
					continue
				}
				checkTopicConfigs(r, t, rf)
			}
			if unknown > 0 {
				r.CannotEvaluate("configs of %d topic(s) could not be read", unknown)
			}
		},
	}
}

func checkTopicConfigs(r *Reporter, t snapshot.Topic, rf int) {
	if v, ok := t.Config("unclean.leader.election.enable"); ok && strings.EqualFold(v.Value, "true") {
		r.Add(findings.Finding{
			Code: findings.UncleanElectionEnabled, Topic: t.Name,
			Summary:  fmt.Sprintf("topic %s allows unclean leader election (%s)", t.Name, v.Source),
			Evidence: map[string]any{"source": v.Source},
		})
	}
	minISR := health.MinISR(t)
	switch {
	case minISR < 0 || rf < 2:
		return // unknown, or RF 1 which LOW_REPLICATION_FACTOR already names
	case minISR < 2:
		r.Add(findings.Finding{
			Code: findings.MinISRTooLow, Topic: t.Name,
			Summary:  fmt.Sprintf("topic %s: min.insync.replicas=%d with RF %d: one broker can acknowledge acks=all writes alone", t.Name, minISR, rf),
			Evidence: map[string]any{"min_insync_replicas": minISR, "replication_factor": rf},
		})
	case minISR > rf:
		r.Add(findings.Finding{
			Code: findings.MinISRTooLow, Topic: t.Name,
			Summary:  fmt.Sprintf("topic %s: min.insync.replicas=%d is above RF %d: no acks=all producer can ever write", t.Name, minISR, rf),
			Evidence: map[string]any{"min_insync_replicas": minISR, "replication_factor": rf},
		})
	case minISR == rf:
		r.Add(findings.Finding{
			Code: findings.MinISRTooLow, Topic: t.Name,
			Summary:  fmt.Sprintf("topic %s: min.insync.replicas=%d equals RF %d: any broker failure stops acks=all producers", t.Name, minISR, rf),
			Evidence: map[string]any{"min_insync_replicas": minISR, "replication_factor": rf},
		})
	}
}

// logDirHealth flags log directories that report an error.
func logDirHealth() Check {
	return Check{
		Name:  "log-dirs",
		Reads: []string{snapshot.SourceLogDirs},
		Codes: []string{findings.LogDirOffline},
		Run: func(in Input, r *Reporter) {
			errs := in.Snap.ErrorsFor(snapshot.SourceLogDirs)
			for _, e := range errs {
				r.CannotEvaluate("log dirs%s: %s", e.OfBroker(), e.Message)
			}
			if len(in.Snap.LogDirs) == 0 && len(errs) == 0 {
				r.CannotEvaluate("log dirs were not collected")
				return
			}
			for _, d := range in.Snap.LogDirs {
				if d.Error == "" {
					continue
				}
				r.Add(findings.Finding{
					Code: findings.LogDirOffline, Broker: findings.Int32(d.Broker),
					Summary:  fmt.Sprintf("broker %d log dir %s: %s", d.Broker, d.Path, d.Error),
					Evidence: map[string]any{"path": d.Path, "error": d.Error},
				})
			}
		},
	}
}
