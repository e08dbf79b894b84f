package checks

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// listenerConfigs gives every broker of the snapshot the same listener configs.
func listenerConfigs(listeners, protocolMap, authorizer string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		for _, b := range s.Brokers {
			s.BrokerConfigs = append(s.BrokerConfigs, snapshot.BrokerConfig{Broker: b.ID, Configs: map[string]snapshot.ConfigValue{
				"advertised.listeners":           {Value: listeners},
				"listener.security.protocol.map": {Value: protocolMap},
				"authorizer.class.name":          {Value: authorizer},
			}})
		}
	}
}

func withACLs(acls ...snapshot.ACL) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) { s.ACLs = append(s.ACLs, acls...) }
}

func withError(source, kind, msg string) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.Errors = append(s.Errors, snapshot.CollectError{Source: source, Broker: -1, Kind: kind, Message: msg})
	}
}

func topicACL(principal, name, op string) snapshot.ACL {
	return snapshot.ACL{Principal: principal, Host: "*", ResourceType: "TOPIC", ResourceName: name,
		PatternType: "LITERAL", Operation: op, Permission: "ALLOW"}
}

const standard = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

// TestSecurityPosture: each case states its inputs, the findings of the security check as
// "CODE subject", whether (part of) it cannot evaluate, and why.
func TestSecurityPosture(t *testing.T) {
	secured := listenerConfigs("INTERNAL://10.0.0.1:9092,CLIENT://kafka:9093", "INTERNAL:SSL,CLIENT:SASL_SSL", standard)
	tests := []struct {
		name        string
		opts        []func(*snapshot.Snapshot)
		want        []string
		unevaluated bool
		why         string
	}{
		{"1 all listeners encrypted, no risky ACL", []func(*snapshot.Snapshot){secured,
			withACLs(topicACL("User:tool", "*", "DESCRIBE"))},
			nil, false, "nothing a client can see is exposed"},
		{"2 a PLAINTEXT listener on every broker", []func(*snapshot.Snapshot){
			listenerConfigs("PLAINTEXT://h:9092,SSL://h:9093", "", standard)},
			[]string{"PLAINTEXT_LISTENER broker 1", "PLAINTEXT_LISTENER broker 2", "PLAINTEXT_LISTENER broker 3"}, false,
			"the default map makes PLAINTEXT unencrypted; one finding per broker"},
		{"3 SASL_PLAINTEXT is unencrypted too", []func(*snapshot.Snapshot){
			listenerConfigs("CLIENT://h:9092", "CLIENT:SASL_PLAINTEXT", standard)},
			[]string{"PLAINTEXT_LISTENER broker 1", "PLAINTEXT_LISTENER broker 2", "PLAINTEXT_LISTENER broker 3"}, false,
			"SASL over a clear channel: passwords of PLAIN cross it"},
		{"4 anonymous and wildcard writes", []func(*snapshot.Snapshot){secured, withACLs(
			topicACL("User:ANONYMOUS", "orders", "WRITE"),
			topicACL("User:*", "*", "ALL"),
			topicACL("User:*", "orders", "READ"),
			topicACL("User:app", "orders", "WRITE"))},
			[]string{"ACL_ALLOWS_ANONYMOUS_WRITE", "ACL_ALLOWS_ANONYMOUS_WRITE orders"}, false,
			"ANONYMOUS WRITE on a topic and User:* ALL on every topic; reads and named principals are fine"},
		{"5 ACLs not readable", []func(*snapshot.Snapshot){secured,
			withError(snapshot.SourceACLs, snapshot.KindAuthorization, "CLUSTER_AUTHORIZATION_FAILED")},
			nil, true, "no DESCRIBE on the cluster: cannot evaluate, never a silent OK"},
		{"6 broker configs not collected", nil, nil, true, "neither listeners nor the authorizer are known"},
		{"7 a broker without listener configs", []func(*snapshot.Snapshot){secured, func(s *snapshot.Snapshot) {
			delete(s.BrokerConfigs[2].Configs, "advertised.listeners")
		}}, nil, true, "broker 3's listeners cannot be evaluated; the others are fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Run(Input{Snap: cluster(tt.opts...)}, []Check{securityPosture()})
			var got []string
			for _, f := range res.Findings {
				got = append(got, strings.TrimSpace(f.Code+" "+f.Subject()))
			}
			sort.Strings(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %q, want %q (%s)", got, tt.want, tt.why)
			}
			if (len(res.Unevaluated) > 0) != tt.unevaluated {
				t.Errorf("unevaluated %+v, want %v (%s)", res.Unevaluated, tt.unevaluated, tt.why)
			}
		})
	}
}

func TestPlaintextListenerSummarySaysWhenNothingIsAuthorized(t *testing.T) {
	res := Run(Input{Snap: cluster(listenerConfigs("PLAINTEXT://h:9092", "", ""))}, []Check{securityPosture()})
	if len(res.Findings) != 3 || !strings.Contains(res.Findings[0].Summary, "no authorizer is configured") {
		t.Errorf("findings %+v", res.Findings)
	}
}
