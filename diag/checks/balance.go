package checks

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Kafka's defaults for the controller's automatic preferred leader election.
const (
	defaultImbalancePercent = 10
	defaultAutoRebalance    = true
)

// The skew thresholds (documented in the codes' explanations): a live
// broker is skewed when it is further from the mean of the live brokers
// than skewFraction of that mean and than the absolute minimum, so that a
// small cluster's natural unevenness (2, 2 and 1 leaders) is not a finding.
const (
	skewFraction  = 0.25
	skewMinCount  = 5
	skewMinBytes  = 1 << 30
	skewPercent   = int(skewFraction * 100)
	reassignLater = "; a reassignment is in progress, which moves replicas and leaders: judge again after it completes"
)

// leaderBalance finds brokers whose preferred partitions are led elsewhere
// (Rule: PreferredAway / Preferred above the broker's
// leader.imbalance.per.broker.percentage). With auto.leader.rebalance.enable
// the controller fixes it by itself (info); without it nothing ever does
// (warning). A broker that is down, or a reassignment in progress, explains
// the imbalance: the finding is info and says so.
func leaderBalance() Check {
	return Check{
		Name:  "leader-balance",
		Reads: []string{snapshot.SourceBrokerConfigs, snapshot.SourceReassignments},
		Codes: []string{findings.PreferredLeaderImbalance},
		Run: func(in Input, r *Reporter) {
			s := in.Snap
			rules := health.Of(s)
			configs := brokerConfigIndex(s)
			for _, l := range health.Loads(s) {
				threshold := intConfig(configs[l.Broker], "leader.imbalance.per.broker.percentage", defaultImbalancePercent)
				if l.Preferred == 0 || l.PreferredAway*100 <= threshold*l.Preferred {
					continue
				}
				auto := boolConfig(configs[l.Broker], "auto.leader.rebalance.enable", defaultAutoRebalance)
				f := findings.Finding{
					Code: findings.PreferredLeaderImbalance, Broker: findings.Int32(l.Broker), Severity: findings.Warning,
					Summary: fmt.Sprintf("broker %d is the preferred leader of %d partitions and leads %d of them (%d%% led elsewhere, above %d%%)",
						l.Broker, l.Preferred, l.Preferred-l.PreferredAway, l.PreferredAway*100/l.Preferred, threshold),
					Evidence: map[string]any{
						"preferred": l.Preferred, "led_elsewhere": l.PreferredAway, "in_sync_led_elsewhere": l.PreferredAwayInSync,
						"threshold_percent": threshold, "auto_leader_rebalance": auto,
					},
				}
				switch {
				case !rules.IsLive(l.Broker):
					f.Severity = findings.Info
					f.Summary += "; the broker is down, so this is expected: run a preferred election once it is back and in sync"
				case len(s.Reassignments) > 0:
					f.Severity = findings.Info
					f.Summary += reassignLater
				case auto:
					f.Severity = findings.Info
					f.Summary += "; auto.leader.rebalance.enable=true: the controller moves them back within leader.imbalance.check.interval.seconds"
				default:
					f.Summary += fmt.Sprintf("; auto.leader.rebalance.enable=false, so nothing moves them back: a preferred election would move %d now",
						l.PreferredAwayInSync)
				}
				r.AddAsIs(f)
			}
		},
	}
}

// brokerSkew finds live brokers whose leaders, replicas or bytes are far
// from the mean of the live brokers (Rule: further than skewFraction of the
// mean and than the minimum). Bytes are compared only when every live
// broker's log dir sizes are known.
func brokerSkew() Check {
	return Check{
		Name:  "broker-skew",
		Reads: []string{snapshot.SourceReassignments, snapshot.SourceLogDirs},
		Codes: []string{findings.LeaderSkew, findings.ReplicaSkew},
		Run: func(in Input, r *Reporter) {
			rules := health.Of(in.Snap)
			var live []health.Load
			var down []int32
			for _, l := range health.Loads(in.Snap) {
				switch {
				case rules.IsLive(l.Broker):
					live = append(live, l)
				case l.Replicas > 0:
					down = append(down, l.Broker)
				}
			}
			if len(live) < 2 {
				return
			}
			leaders, replicas, bytes := meanLoad(live)
			var because string
			switch {
			case len(in.Snap.Reassignments) > 0:
				because = reassignLater
			case len(down) > 0:
				because = fmt.Sprintf("; broker(s) %s are down and their leaders moved to the others: judge again once they are back",
					words.JoinIDs(down, ", "))
			}
			for _, l := range live {
				if skewed(float64(l.Leaders), leaders, skewMinCount) {
					r.AddAsIs(skewFinding(findings.LeaderSkew, l.Broker, because, fmt.Sprintf("broker %d leads %d partitions; the live brokers' mean is %.1f",
						l.Broker, l.Leaders, leaders), map[string]any{"leaders": l.Leaders, "mean_leaders": leaders}))
				}
				var why []string
				if skewed(float64(l.Replicas), replicas, skewMinCount) {
					why = append(why, fmt.Sprintf("holds %d replicas (mean %.1f)", l.Replicas, replicas))
				}
				if bytes >= 0 && skewed(float64(l.Bytes), bytes, skewMinBytes) {
					why = append(why, fmt.Sprintf("holds %s on disk (mean %s)", byteSize(float64(l.Bytes)), byteSize(bytes)))
				}
				if len(why) > 0 {
					r.AddAsIs(skewFinding(findings.ReplicaSkew, l.Broker, because, fmt.Sprintf("broker %d %s", l.Broker, strings.Join(why, " and ")),
						map[string]any{"replicas": l.Replicas, "mean_replicas": replicas, "bytes": l.Bytes, "mean_bytes": bytes}))
				}
			}
		},
	}
}

// skewFinding is a skew finding: a warning, or info when because says
// what explains it (a reassignment, a broker down).
func skewFinding(code string, broker int32, because, summary string, evidence map[string]any) findings.Finding {
	f := findings.Finding{Code: code, Broker: findings.Int32(broker), Summary: summary, Evidence: evidence}
	f.Summary += fmt.Sprintf(", more than %d%% away", skewPercent)
	f.Evidence["threshold_percent"] = skewPercent
	if because != "" {
		f.Severity = findings.Info
		f.Summary += because
	} else {
		f.Severity = findings.Warning
	}
	return f
}

// meanLoad is the mean of the live brokers' leaders, replicas and bytes;
// bytes is -1 when any broker's is unknown.
func meanLoad(live []health.Load) (leaders, replicas, bytes float64) {
	for _, l := range live {
		leaders += float64(l.Leaders)
		replicas += float64(l.Replicas)
		if l.Bytes < 0 || bytes < 0 {
			bytes = -1
			continue
		}
		bytes += float64(l.Bytes)
	}
	n := float64(len(live))
	if bytes >= 0 {
		bytes /= n
	}
	return leaders / n, replicas / n, bytes
}

// skewed reports whether x is further from mean than skewFraction of it
// and than minimum.
func skewed(x, mean, minimum float64) bool {
	d := x - mean
	if d < 0 {
		d = -d
	}
	return d > skewFraction*mean && d >= minimum
}

// byteSize words a byte count in GiB or MiB.
func byteSize(b float64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", b/(1<<20))
}

// brokerConfigIndex maps broker ids to their collected configs.
func brokerConfigIndex(s *snapshot.Snapshot) map[int32]map[string]snapshot.ConfigValue {
	out := make(map[int32]map[string]snapshot.ConfigValue, len(s.BrokerConfigs))
	for _, bc := range s.BrokerConfigs {
		out[bc.Broker] = bc.Configs
	}
	return out
}

// intConfig reads an integer config, def when absent or unreadable.
func intConfig(cfg map[string]snapshot.ConfigValue, name string, def int) int {
	if v, err := strconv.Atoi(strings.TrimSpace(cfg[name].Value)); err == nil {
		return v
	}
	return def
}

// boolConfig reads a boolean config, def when absent.
func boolConfig(cfg map[string]snapshot.ConfigValue, name string, def bool) bool {
	v, ok := cfg[name]
	if !ok || v.Value == "" {
		return def
	}
	return strings.EqualFold(strings.TrimSpace(v.Value), "true")
}
