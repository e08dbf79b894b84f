package checks

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// DriftAllowed are the broker configs that legitimately differ between
// brokers: identity, placement, addresses, storage paths, and the
// per-broker throttle rates a reassignment sets (REPLICATION_THROTTLE_LEFT
// judges those).
var DriftAllowed = []string{
	"node.id", "broker.id", "broker.rack", "listeners", "advertised.listeners", "listener.security.protocol.map",
	"log.dirs", "log.dir", "leader.replication.throttled.rate", "follower.replication.throttled.rate",
}

// configDrift compares every broker config the snapshot holds, except
// DriftAllowed and sensitive ones, across the brokers that reported it.
// Rule: the value most brokers have is the cluster's (a tie goes to the
// value of the lowest broker id); each broker with another value is
// BROKER_CONFIG_DRIFT for that config.
func configDrift() Check {
	return Check{
		Name:  "config-drift",
		Reads: []string{snapshot.SourceBrokerConfigs},
		Codes: []string{findings.BrokerConfigDrift},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			names := map[string]bool{}
			for _, bc := range s.BrokerConfigs {
				for name, v := range bc.Configs {
					if !v.Sensitive && !slices.Contains(DriftAllowed, name) {
						names[name] = true
					}
				}
			}
			for _, name := range slices.Sorted(maps.Keys(names)) {
				byValue := map[string][]int32{}
				for _, bc := range s.BrokerConfigs {
					if v, ok := bc.Configs[name]; ok {
						byValue[v.Value] = append(byValue[v.Value], bc.Broker)
					}
				}
				if len(byValue) < 2 {
					continue
				}
				reportDrift(r, s, name, byValue)
			}
		},
	}
}

// reportDrift names every broker outside the majority for one config.
func reportDrift(r *Reporter, s *snapshot.Snapshot, name string, byValue map[string][]int32) {
	values := slices.Collect(maps.Keys(byValue))
	for _, ids := range byValue {
		slices.Sort(ids)
	}
	slices.SortFunc(values, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(byValue[b]), len(byValue[a])), cmp.Compare(byValue[a][0], byValue[b][0]))
	})
	common := values[0]
	perBroker := map[string]string{}
	for v, ids := range byValue {
		for _, id := range ids {
			perBroker[fmt.Sprint(id)] = v
		}
	}
	configs := brokerConfigIndex(s)
	for _, v := range values[1:] {
		for _, id := range byValue[v] {
			r.Add(findings.Finding{
				Code: findings.BrokerConfigDrift, Broker: findings.Int32(id),
				Summary: fmt.Sprintf("broker %d has %s=%s (%s) where broker(s) %s have %s", id, name, shown(v),
					configs[id][name].Source, words.JoinIDs(byValue[common], ", "), shown(common)),
				Evidence: map[string]any{"config": name, "value": v, "source": configs[id][name].Source,
					"common_value": common, "common_brokers": byValue[common], "values": perBroker},
			})
		}
	}
}

// shown words an empty config value.
func shown(v string) string {
	if v == "" {
		return "(unset)"
	}
	return v
}

// autoCreateTopics flags every broker with auto.create.topics.enable=true
// (Rule: a typo in a topic name creates a topic).
func autoCreateTopics() Check {
	return Check{
		Name:  "auto-create-topics",
		Reads: []string{snapshot.SourceBrokerConfigs},
		Codes: []string{findings.AutoCreateTopicsEnabled},
		Run: func(in Input, r *Reporter) {
			for _, bc := range in.Snap.BrokerConfigs {
				if v, ok := bc.Configs["auto.create.topics.enable"]; ok && strings.EqualFold(v.Value, "true") {
					r.Add(findings.Finding{
						Code: findings.AutoCreateTopicsEnabled, Broker: findings.Int32(bc.Broker),
						Summary:  fmt.Sprintf("broker %d creates topics on first use (auto.create.topics.enable=true, %s)", bc.Broker, v.Source),
						Evidence: map[string]any{"source": v.Source},
					})
				}
			}
		},
	}
}

// brokerVersions compares the ApiVersions ranges the answering brokers
// offer (Rule: brokers of one Kafka version offer the same ranges; the
// ranges most brokers offer are the cluster's, each broker offering other
// ranges is MIXED_BROKER_VERSIONS, with the APIs that differ).
func brokerVersions() Check {
	return Check{
		Name:  "broker-versions",
		Codes: []string{findings.MixedBrokerVersions},
		Run: func(in Input, r *Reporter) {
			bySignature := map[string][]snapshot.Broker{}
			for _, b := range in.Snap.Brokers {
				if b.Probe.Answered() && len(b.APIVersions) > 0 {
					sig := versionSignature(b.APIVersions)
					bySignature[sig] = append(bySignature[sig], b)
				}
			}
			if len(bySignature) < 2 {
				return
			}
			sigs := slices.Collect(maps.Keys(bySignature))
			slices.SortFunc(sigs, func(a, b string) int {
				return cmp.Or(cmp.Compare(len(bySignature[b]), len(bySignature[a])), cmp.Compare(bySignature[a][0].ID, bySignature[b][0].ID))
			})
			common := bySignature[sigs[0]]
			commonIDs := make([]int32, 0, len(common))
			for _, b := range common {
				commonIDs = append(commonIDs, b.ID)
			}
			for _, sig := range sigs[1:] {
				for _, b := range bySignature[sig] {
					diff := versionDiff(b.APIVersions, common[0].APIVersions)
					r.Add(findings.Finding{
						Code: findings.MixedBrokerVersions, Broker: findings.Int32(b.ID),
						Summary: fmt.Sprintf("broker %d offers other API versions than broker(s) %s: %s", b.ID,
							words.JoinIDs(commonIDs, ", "), strings.Join(diff[:min(len(diff), 5)], "; ")),
						Evidence: map[string]any{"differences": diff, "common_brokers": commonIDs},
					})
				}
			}
		},
	}
}

func versionSignature(vs []snapshot.APIVersion) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%d:%d-%d", v.Key, v.Min, v.Max))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// versionDiff words each API whose range differs, "Name this vs other".
func versionDiff(mine, theirs []snapshot.APIVersion) []string {
	type rng struct {
		name     string
		min, max int16
	}
	index := func(vs []snapshot.APIVersion) map[int16]rng {
		m := map[int16]rng{}
		for _, v := range vs {
			m[v.Key] = rng{v.Name, v.Min, v.Max}
		}
		return m
	}
	a, b := index(mine), index(theirs)
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	word := func(x rng, ok bool) string {
		if !ok {
			return "absent"
		}
		return fmt.Sprintf("v%d-%d", x.min, x.max)
	}
	for _, k := range keys {
		x, okA := a[k]
		y, okB := b[k]
		if okA && okB && x == y {
			continue
		}
		name := cmp.Or(x.name, y.name, fmt.Sprintf("key %d", k))
		out = append(out, fmt.Sprintf("%s %s vs %s", name, word(x, okA), word(y, okB)))
	}
	return out
}
