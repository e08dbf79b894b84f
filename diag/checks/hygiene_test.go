package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

var auditTime = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// hygienic is cluster() with what the hygiene checks read: brokers' configs
// (the same on all three), racks a, b, c, a TLS chain valid for a year, log
// dirs of equal size, and the snapshot's time.
func hygienic(opts ...func(*snapshot.Snapshot)) *snapshot.Snapshot {
	base := func(s *snapshot.Snapshot) {
		s.TakenAt = auditTime
		for i := range s.Brokers {
			b := &s.Brokers[i]
			b.Rack = string(rune('a' + i))
			b.Certificates = []snapshot.Certificate{leafCert(auditTime.AddDate(1, 0, 0)), caCert(auditTime.AddDate(5, 0, 0))}
			b.APIVersions = []snapshot.APIVersion{{Key: 0, Name: "Produce", Min: 3, Max: 12}, {Key: 1, Name: "Fetch", Min: 4, Max: 17}}
			s.BrokerConfigs = append(s.BrokerConfigs, snapshot.BrokerConfig{Broker: b.ID, Configs: map[string]snapshot.ConfigValue{
				"auto.leader.rebalance.enable":      {Value: "false", Source: "STATIC_BROKER_CONFIG"},
				"log.retention.hours":               {Value: "168", Source: "DEFAULT_CONFIG"},
				"min.insync.replicas":               {Value: "2", Source: "STATIC_BROKER_CONFIG"},
				"auto.create.topics.enable":         {Value: "false", Source: "STATIC_BROKER_CONFIG"},
				"broker.rack":                       {Value: b.Rack, Source: "STATIC_BROKER_CONFIG"},
				"log.dirs":                          {Value: fmt.Sprintf("/data/%d", b.ID), Source: "STATIC_BROKER_CONFIG"},
				"leader.replication.throttled.rate": {Value: unlimitedRate, Source: "DEFAULT_CONFIG"},
				"ssl.keystore.password":             {Sensitive: true},
			}})
			s.LogDirs = append(s.LogDirs, snapshot.LogDir{Broker: b.ID, Path: "/data", TotalBytes: 1 << 40, UsableBytes: 1 << 39, SizeBytes: 5 << 30, Partitions: 3})
		}
		for ti := range s.Topics {
			s.Topics[ti].Configs["leader.replication.throttled.replicas"] = snapshot.ConfigValue{Value: "", Source: "DEFAULT_CONFIG"}
		}
	}
	return cluster(append([]func(*snapshot.Snapshot){base}, opts...)...)
}

func leafCert(notAfter time.Time) snapshot.Certificate {
	return snapshot.Certificate{Subject: "CN=broker", Issuer: "CN=test CA", IPAddresses: []string{"127.0.0.1"},
		DNSNames: []string{"localhost"}, NotBefore: auditTime.AddDate(0, -1, 0), NotAfter: notAfter}
}

func caCert(notAfter time.Time) snapshot.Certificate {
	return snapshot.Certificate{Subject: "CN=test CA", Issuer: "CN=test CA", IsCA: true, NotBefore: auditTime.AddDate(-1, 0, 0), NotAfter: notAfter}
}

func setBrokerConfig(id int32, name, value string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		for _, bc := range s.BrokerConfigs {
			if bc.Broker == id {
				bc.Configs[name] = snapshot.ConfigValue{Value: value, Source: "DYNAMIC_BROKER_CONFIG"}
			}
		}
	}
}

// restarted makes broker id a follower of everything it led, as after a
// restart with auto.leader.rebalance.enable=false.
func restarted(id int32) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		for ti := range s.Topics {
			for pi := range s.Topics[ti].Partitions {
				p := &s.Topics[ti].Partitions[pi]
				if p.Leader == id {
					p.Leader = p.Replicas[1]
				}
			}
		}
	}
}

func throttled(topicName, leader, follower string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		for ti := range s.Topics {
			if s.Topics[ti].Name == topicName {
				s.Topics[ti].Configs["leader.replication.throttled.replicas"] = snapshot.ConfigValue{Value: leader, Source: "DYNAMIC_TOPIC_CONFIG"}
				s.Topics[ti].Configs["follower.replication.throttled.replicas"] = snapshot.ConfigValue{Value: follower, Source: "DYNAMIC_TOPIC_CONFIG"}
			}
		}
	}
}

func reassigning(topicName string, partition int32) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.Reassignments = append(s.Reassignments, snapshot.Reassignment{Topic: topicName, Partition: partition,
			Replicas: []int32{1, 2, 3}, AddingReplicas: []int32{}, RemovingReplicas: []int32{}})
	}
}

func racks(rs ...string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		for i := range s.Brokers {
			s.Brokers[i].Rack = rs[i]
		}
	}
}

// manyPartitions adds a topic of n partitions, every one led by leader and
// replicated on 1, 2 and 3 in that order.
func manyPartitions(n int, leader int32) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		var assignment [][]int32
		for range n {
			assignment = append(assignment, []int32{1, 2, 3})
		}
		t := topic("hot", 3, "2", assignment)
		for i := range t.Partitions {
			t.Partitions[i].Leader = leader
		}
		s.Topics = append(s.Topics, t)
	}
}

// TestHygieneChecks: each rule on fixtures, with the cases that must not fire.
func TestHygieneChecks(t *testing.T) {
	tests := []struct {
		name string
		snap *snapshot.Snapshot
		want []string // "CODE severity subject"
	}{
		{name: "a healthy, balanced cluster raises nothing", snap: hygienic()},
		{name: "restarted broker without auto rebalance: imbalance named, a warning",
			snap: hygienic(restarted(3)), want: []string{"PREFERRED_LEADER_IMBALANCE warning broker 3"}},
		{name: "with auto.leader.rebalance.enable the controller fixes it: info",
			snap: hygienic(restarted(3), setBrokerConfig(1, "auto.leader.rebalance.enable", "true"),
				setBrokerConfig(2, "auto.leader.rebalance.enable", "true"), setBrokerConfig(3, "auto.leader.rebalance.enable", "true")),
			want: []string{"PREFERRED_LEADER_IMBALANCE info broker 3"}},
		{name: "a threshold above the imbalance: nothing",
			snap: hygienic(restarted(3), setBrokerConfig(3, "leader.imbalance.per.broker.percentage", "100"))},
		{name: "a reassignment in progress explains it: info, and the moving partition is not counted",
			snap: hygienic(restarted(3), manyPartitions(2, 2), reassigning("hot", 0)),
			want: []string{"PREFERRED_LEADER_IMBALANCE info broker 1", "PREFERRED_LEADER_IMBALANCE info broker 3"}},
		{name: "the broker is down: said so, info",
			snap: hygienic(killBroker(3)),
			want: []string{"PREFERRED_LEADER_IMBALANCE info broker 3"}},
		{name: "every leader on one broker: leader skew for all three, imbalance for the others",
			snap: hygienic(manyPartitions(30, 1)),
			want: []string{"LEADER_SKEW warning broker 1", "LEADER_SKEW warning broker 2", "LEADER_SKEW warning broker 3"}},
		{name: "one broker with far more bytes: replica skew",
			snap: hygienic(func(s *snapshot.Snapshot) { s.LogDirs[0].SizeBytes = 50 << 30 }),
			// The two others are far below the mean: flagged too, as an empty new broker would be.
			want: []string{"REPLICA_SKEW warning broker 1", "REPLICA_SKEW warning broker 2", "REPLICA_SKEW warning broker 3"}},
		{name: "sizes unknown: bytes not compared",
			snap: hygienic(func(s *snapshot.Snapshot) { s.LogDirs[0].SizeBytes, s.LogDirs[1].SizeBytes = 50<<30, -1 })},
		{name: "a topic whose replicas share a rack while there are two",
			snap: hygienic(racks("a", "a", "b"), func(s *snapshot.Snapshot) {
				s.Topics = append(s.Topics, topic("same-rack", 2, "1", [][]int32{{1, 2}, {2, 1}}))
			}),
			want: []string{"RACK_SPREAD warning same-rack/0", "RACK_SPREAD warning same-rack/1"}},
		{name: "one rack only: nothing",
			snap: hygienic(racks("a", "a", "a"))},
		{name: "no racks at all: nothing",
			snap: hygienic(racks("", "", ""))},
		{name: "one broker without a rack; its replicas are not judged for spread",
			snap: hygienic(racks("a", "b", ""), func(s *snapshot.Snapshot) {
				s.Topics = append(s.Topics, topic("on-three", 2, "1", [][]int32{{1, 3}}))
			}),
			want: []string{"BROKER_WITHOUT_RACK warning broker 3"}},
		{name: "certificate expiring in 3 days: critical; in 20 days: warning; expired: expired",
			snap: hygienic(func(s *snapshot.Snapshot) {
				s.Brokers[0].Certificates[0] = leafCert(auditTime.Add(72 * time.Hour))
				s.Brokers[1].Certificates[1] = caCert(auditTime.AddDate(0, 0, 20))
				s.Brokers[2].Certificates[0] = leafCert(auditTime.Add(-time.Hour))
			}),
			want: []string{"TLS_CERT_EXPIRED critical broker 3", "TLS_CERT_EXPIRING critical broker 1", "TLS_CERT_EXPIRING warning broker 2"}},
		{name: "a certificate that does not name the advertised host",
			snap: hygienic(func(s *snapshot.Snapshot) { s.Brokers[1].Host = "kafka2.example.com" }),
			want: []string{"TLS_CERT_HOSTNAME_MISMATCH warning broker 2"}},
		{name: "a wildcard names one label",
			snap: hygienic(func(s *snapshot.Snapshot) {
				s.Brokers[1].Host = "kafka2.example.com"
				s.Brokers[1].Certificates[0].DNSNames = []string{"*.example.com"}
			})},
		{name: "one broker started with another retention: drift names it",
			snap: hygienic(setBrokerConfig(2, "log.retention.hours", "24")),
			want: []string{"BROKER_CONFIG_DRIFT warning broker 2"}},
		{name: "allow-listed and sensitive configs differ: nothing",
			snap: hygienic(setBrokerConfig(2, "node.id", "2"), setBrokerConfig(3, "advertised.listeners", "SSL://x:1"),
				func(s *snapshot.Snapshot) {
					s.BrokerConfigs[0].Configs["ssl.keystore.password"] = snapshot.ConfigValue{Sensitive: true, Value: "x"}
				})},
		{name: "a half-done upgrade: mixed versions",
			snap: hygienic(func(s *snapshot.Snapshot) { s.Brokers[2].APIVersions[1].Max = 16 }),
			want: []string{"MIXED_BROKER_VERSIONS warning broker 3"}},
		{name: "a throttle left on a topic and a broker",
			snap: hygienic(throttled("orders", "0:1,1:2", "0:2"), setBrokerConfig(2, "follower.replication.throttled.rate", "1000")),
			want: []string{"REPLICATION_THROTTLE_LEFT warning broker 2", "REPLICATION_THROTTLE_LEFT warning orders"}},
		{name: "throttles while the reassignment runs: nothing",
			snap: hygienic(throttled("orders", "*", "*"), setBrokerConfig(2, "follower.replication.throttled.rate", "1000"), reassigning("orders", 1))},
		{name: "auto topic creation on",
			snap: hygienic(setBrokerConfig(1, "auto.create.topics.enable", "true")),
			want: []string{"AUTO_CREATE_TOPICS_ENABLED info broker 1", "BROKER_CONFIG_DRIFT warning broker 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Run(Input{Snap: tt.snap}, Hygiene())
			var got []string
			for _, f := range res.Findings {
				got = append(got, fmt.Sprintf("%s %s %s", f.Code, f.Severity, f.Subject()))
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings:\n got %q\nwant %q", got, tt.want)
			}
			if len(res.Unevaluated) > 0 {
				t.Errorf("gaps: %+v", res.Unevaluated)
			}
		})
	}
}

// TestHygieneGaps: a source that failed, or a live broker with no
// handshake while the others speak TLS, is a gap, never a pass.
func TestHygieneGaps(t *testing.T) {
	s := hygienic(func(s *snapshot.Snapshot) {
		s.Brokers[2].Certificates = nil
		s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceBrokerConfigs, Broker: 2, Message: "timeout", Kind: "timeout"},
			snapshot.CollectError{Source: snapshot.SourceReassignments, Broker: -1, Message: "denied", Kind: "auth"})
	})
	res := Run(Input{Snap: s}, Hygiene())
	var gapped []string
	for _, u := range res.Unevaluated {
		gapped = append(gapped, u.Check)
	}
	for _, want := range []string{"leader-balance", "broker-skew", "racks", "certificates", "config-drift", "auto-create-topics", "replication-throttles"} {
		if !slices.Contains(gapped, want) {
			t.Errorf("%s is not a gap: %+v", want, res.Unevaluated)
		}
	}
}

// TestTriageKeepsOnlyUrgentHygiene: triage (All) reports a certificate
// expiring within 7 days and a throttle holding a follower back, and not
// a 20-day certificate, an idle throttle or any other hygiene code.
func TestTriageKeepsOnlyUrgentHygiene(t *testing.T) {
	s := hygienic(restarted(3), racks("a", "a", "a"), setBrokerConfig(2, "log.retention.hours", "24"),
		throttled("orders", "", "1:1"), func(s *snapshot.Snapshot) {
			s.Brokers[0].Certificates[0] = leafCert(auditTime.Add(72 * time.Hour))
			s.Brokers[1].Certificates[0] = leafCert(auditTime.AddDate(0, 0, 20))
			s.Topics[0].Partitions[1].ISR = []int32{2, 3} // replica 1, throttled, out of the ISR
		})
	var got []string
	for _, f := range Run(Input{Snap: s}, All()).Findings {
		if _, hygiene := hygieneCode(f.Code); hygiene {
			got = append(got, f.Code+" "+f.Subject())
		}
	}
	want := []string{"TLS_CERT_EXPIRING broker 1", "REPLICATION_THROTTLE_LEFT orders"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("triage's hygiene findings = %q, want %q", got, want)
	}
	for _, f := range Run(Input{Snap: s}, All()).Findings {
		if f.Code == findings.ReplicationThrottleLeft && !strings.Contains(f.Summary, "orders/1 replica 1") {
			t.Errorf("the throttle finding does not say whom it holds back: %s", f.Summary)
		}
	}
}

func hygieneCode(code string) (string, bool) {
	for _, c := range Hygiene() {
		if slices.Contains(c.Codes, code) {
			return c.Name, true
		}
	}
	return "", false
}
