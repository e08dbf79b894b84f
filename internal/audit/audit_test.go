package audit

import (
	"bytes"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// untidy is the healthy fixture with one of each hygiene problem: broker 3
// restarted (leads nothing it prefers, auto rebalance off), broker 2 with
// another retention, broker 1's certificate expiring in 3 days, and a
// throttle left on orders.
func untidy(t *testing.T) *snapshot.Snapshot {
	s := testkit.Snapshot(t, "healthy")
	for i := range s.BrokerConfigs {
		s.BrokerConfigs[i].Configs["auto.leader.rebalance.enable"] = snapshot.ConfigValue{Value: "false", Source: "STATIC_BROKER_CONFIG"}
	}
	s.BrokerConfigs[1].Configs["log.retention.hours"] = snapshot.ConfigValue{Value: "24", Source: "STATIC_BROKER_CONFIG"}
	for i := range s.Brokers {
		notAfter := s.TakenAt.AddDate(1, 0, 0)
		if s.Brokers[i].ID == 1 {
			notAfter = s.TakenAt.Add(72 * time.Hour)
		}
		s.Brokers[i].Certificates = []snapshot.Certificate{{Subject: "CN=kafka", Issuer: "CN=prod CA",
			DNSNames: []string{s.Brokers[i].Host}, NotBefore: s.TakenAt.AddDate(0, -1, 0), NotAfter: notAfter}}
	}
	for ti := range s.Topics {
		for pi := range s.Topics[ti].Partitions {
			if p := &s.Topics[ti].Partitions[pi]; p.Leader == 3 {
				p.Leader = p.Replicas[1]
			}
		}
		if s.Topics[ti].Name == "orders" {
			s.Topics[ti].Configs["follower.replication.throttled.replicas"] = snapshot.ConfigValue{Value: "*", Source: "DYNAMIC_TOPIC_CONFIG"}
		}
	}
	return s
}

// TestAuditGolden: the report in every format, against golden files.
func TestAuditGolden(t *testing.T) {
	r := Build(untidy(t), nil)
	if r.Status != verdict.Critical {
		t.Errorf("status %s, want CRITICAL (a certificate expires in 3 days)", r.Status)
	}
	for _, format := range render.Formats() {
		var buf bytes.Buffer
		if err := render.View(&buf, render.Options{Format: format, Width: 100}, r); err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, "untidy."+string(format), buf.Bytes())
	}
}

// TestAuditOfTheHealthyFixture: nothing to fix, status OK.
func TestAuditOfTheHealthyFixture(t *testing.T) {
	r := Build(testkit.Snapshot(t, "healthy"), nil)
	if r.Status != verdict.OK || len(r.Fixes) != 0 {
		t.Errorf("status %s, findings %+v, gaps %+v", r.Status, r.Findings, r.Unevaluated)
	}
}
