package checks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// unlimitedRate is Kafka's default throttle rate (Long.MAX_VALUE): no throttle.
const unlimitedRate = "9223372036854775807"

// replicationThrottles finds the throttles kafka-reassign-partitions.sh
// --execute --throttle sets and only --verify removes. Rule 1: a topic
// with leader/follower.replication.throttled.replicas and no partition
// being reassigned is REPLICATION_THROTTLE_LEFT. Rule 2: a broker with a
// throttle rate set while no reassignment at all is in progress is too.
// Rule 3: the topic's throttle holds a follower back when a throttled
// replica on a live broker is out of the ISR (a throttled follower, or
// the throttled leader of a partition with one): the summary says which,
// and urgentOnly (triage) keeps only those.
func replicationThrottles(urgentOnly bool) Check {
	reads := []string{snapshot.SourceTopicConfigs, snapshot.SourceReassignments}
	if !urgentOnly {
		reads = append(reads, snapshot.SourceBrokerConfigs) // the rates, which alone hold nobody back
	}
	return Check{
		Name:  "replication-throttles",
		Reads: reads,
		Codes: []string{findings.ReplicationThrottleLeft},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			rules := health.Of(s)
			moving := map[string]bool{}
			for _, m := range s.Reassignments {
				moving[m.Topic] = true
			}
			for _, t := range s.Topics {
				leader, follower := throttledReplicas(t, "leader"), throttledReplicas(t, "follower")
				if moving[t.Name] || (leader == nil && follower == nil) {
					continue
				}
				held := heldBack(t, leader, follower, rules)
				if urgentOnly && len(held) == 0 {
					continue
				}
				f := findings.Finding{
					Code: findings.ReplicationThrottleLeft, Topic: t.Name,
					Summary: fmt.Sprintf("topic %s keeps a replication throttle (leader: %s; follower: %s) with no reassignment of it in progress",
						t.Name, shown(t.Configs["leader.replication.throttled.replicas"].Value), shown(t.Configs["follower.replication.throttled.replicas"].Value)),
					Evidence: map[string]any{
						"leader_throttled_replicas":   t.Configs["leader.replication.throttled.replicas"].Value,
						"follower_throttled_replicas": t.Configs["follower.replication.throttled.replicas"].Value,
						"held_back":                   held,
					},
				}
				if len(held) > 0 {
					f.Summary += fmt.Sprintf("; it holds back %s, out of the ISR", strings.Join(held, ", "))
				}
				r.Add(f)
			}
			if urgentOnly || len(s.Reassignments) > 0 {
				return
			}
			for _, bc := range s.BrokerConfigs {
				var set []string
				for _, name := range []string{"leader.replication.throttled.rate", "follower.replication.throttled.rate"} {
					if v, ok := bc.Configs[name]; ok && v.Value != "" && v.Value != unlimitedRate && v.Source != "DEFAULT_CONFIG" {
						set = append(set, name+"="+v.Value)
					}
				}
				if len(set) == 0 {
					continue
				}
				r.Add(findings.Finding{
					Code: findings.ReplicationThrottleLeft, Broker: findings.Int32(bc.Broker),
					Summary: fmt.Sprintf("broker %d keeps a replication throttle rate (%s bytes/s) with no reassignment in progress",
						bc.Broker, strings.Join(set, ", ")),
					Evidence: map[string]any{"rates": set},
				})
			}
		},
	}
}

// throttle is one topic's throttled replicas: every replica ("*"), or the
// listed brokers per partition. Nil means none.
type throttle struct {
	all       bool
	partition map[int32][]int32
}

func (th *throttle) covers(p, broker int32) bool {
	return th != nil && (th.all || slices.Contains(th.partition[p], broker))
}

// throttledReplicas parses leader/follower.replication.throttled.replicas:
// "*" or "partition:broker,...".
func throttledReplicas(t snapshot.Topic, side string) *throttle {
	v := strings.TrimSpace(t.Configs[side+".replication.throttled.replicas"].Value)
	if v == "" {
		return nil
	}
	if v == "*" {
		return &throttle{all: true}
	}
	th := &throttle{partition: map[int32][]int32{}}
	for _, item := range strings.Split(v, ",") {
		ps, bs, ok := strings.Cut(strings.TrimSpace(item), ":")
		p, errP := strconv.ParseInt(ps, 10, 32)
		b, errB := strconv.ParseInt(bs, 10, 32)
		if ok && errP == nil && errB == nil {
			th.partition[int32(p)] = append(th.partition[int32(p)], int32(b))
		}
	}
	return th
}

// heldBack lists "topic/partition replica N" for each replica on a live
// broker out of the ISR whose replication the throttle slows: the
// follower's own fetches, or the leader's answers to it.
func heldBack(t snapshot.Topic, leader, follower *throttle, rules *health.Cluster) []string {
	out := []string{}
	for _, p := range t.Partitions {
		var lagging []int32
		for _, id := range p.Replicas {
			if rules.IsLive(id) && !slices.Contains(p.ISR, id) &&
				(follower.covers(p.ID, id) || leader.covers(p.ID, p.Leader)) {
				lagging = append(lagging, id)
			}
		}
		if len(lagging) > 0 {
			out = append(out, fmt.Sprintf("%s/%d replica %s", t.Name, p.ID, words.JoinIDs(lagging, ", ")))
		}
	}
	return out
}
