package views

import (
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

func TestSecurityView(t *testing.T) {
	acl := func(principal, rtype, name, op string) snapshot.ACL {
		return snapshot.ACL{Principal: principal, Host: "*", ResourceType: rtype, ResourceName: name,
			PatternType: "LITERAL", Operation: op, Permission: "ALLOW"}
	}
	s := &snapshot.Snapshot{
		BrokerConfigs: []snapshot.BrokerConfig{
			{Broker: 1, Configs: map[string]snapshot.ConfigValue{
				"advertised.listeners":           {Value: "INTERNAL://b1:9092,CLIENT://b1:9093"},
				"listener.security.protocol.map": {Value: "INTERNAL:PLAINTEXT,CLIENT:SASL_SSL"},
				"authorizer.class.name":          {Value: "StandardAuthorizer"},
			}},
			{Broker: 2, Configs: map[string]snapshot.ConfigValue{"num.partitions": {Value: "1"}}},
		},
		ACLs: []snapshot.ACL{
			acl("User:ANONYMOUS", "TOPIC", "orders", "WRITE"),
			acl("User:*", "TOPIC", "payments", "ALL"),
			acl("User:tool", "CLUSTER", "kafka-cluster", "DESCRIBE"),
		},
		Errors: []snapshot.CollectError{{Source: snapshot.SourceBrokerConfigs, Broker: 3, Kind: snapshot.KindTimeout, Message: "no answer"}},
	}
	v := Security(s, Filter{Topics: []string{"orders"}})
	if v.Authorizer != "StandardAuthorizer" || !v.AuthorizerKnown || len(v.Listeners) != 2 {
		t.Fatalf("view %+v", v)
	}
	if !v.Listeners[0].Encrypted || v.Listeners[0].Name != "CLIENT" || v.Listeners[1].Encrypted {
		t.Errorf("listeners %+v", v.Listeners)
	}
	// The topic filter hides the payments ACL but keeps the cluster one.
	if len(v.ACLs) != 2 || !v.ACLs[0].AnonymousWrite || v.ACLs[1].AnonymousWrite {
		t.Errorf("ACLs %+v", v.ACLs)
	}
	// Broker 2 reported configs without listeners, broker 3 none at all.
	if len(v.Warnings) != 2 {
		t.Errorf("warnings %+v", v.Warnings)
	}
	var b strings.Builder
	if err := render.View(&b, render.Options{Format: render.FormatTable}, v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Authorizer: StandardAuthorizer", "unauthenticated clients may write", "advertised.listeners not reported"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestSecurityViewCertificates: every broker's served chain is listed, leaf first, with the
// days left from the snapshot's time, and drawn as its own table; never key material.
func TestSecurityViewCertificates(t *testing.T) {
	taken := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	s := &snapshot.Snapshot{TakenAt: taken, Brokers: []snapshot.Broker{{ID: 1, Host: "b1", Port: 9093,
		Certificates: []snapshot.Certificate{
			{Subject: "CN=b1", Issuer: "CN=CA", DNSNames: []string{"b1"}, NotAfter: taken.Add(72 * time.Hour)},
			{Subject: "CN=CA", Issuer: "CN=CA", IsCA: true, NotAfter: taken.AddDate(1, 0, 0)},
		}}, {ID: 2, Host: "b2", Port: 9093}}}
	v := Security(s, Filter{})
	if len(v.Certificates) != 2 || v.Certificates[0].Position != 0 || v.Certificates[0].DaysLeft != 3 ||
		v.Certificates[1].Subject != "CN=CA" || v.Certificates[0].Address != "b1:9093" {
		t.Fatalf("certificates %+v", v.Certificates)
	}
	var b strings.Builder
	if err := render.View(&b, render.Options{Format: render.FormatTable, Width: 200}, v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "TLS certificates served (2)") || !strings.Contains(b.String(), "2026-12-06T12:00:00Z") {
		t.Errorf("table:\n%s", b.String())
	}
}
