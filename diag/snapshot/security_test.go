package snapshot

import (
	"fmt"
	"slices"
	"testing"
)

func brokerConfig(id int32, kv ...string) BrokerConfig {
	bc := BrokerConfig{Broker: id, Configs: map[string]ConfigValue{}}
	for i := 0; i+1 < len(kv); i += 2 {
		bc.Configs[kv[i]] = ConfigValue{Value: kv[i+1]}
	}
	return bc
}

func TestAdvertisedListeners(t *testing.T) {
	s := &Snapshot{BrokerConfigs: []BrokerConfig{
		// An explicit map with a custom name; names are case-insensitive in Kafka.
		brokerConfig(2, "advertised.listeners", "INTERNAL://10.0.0.2:9092,client://kafka2:9093",
			"listener.security.protocol.map", "INTERNAL:PLAINTEXT,CLIENT:SASL_SSL"),
		// No map: Kafka's default map names each protocol after itself. advertised.listeners
		// unset: the listeners are advertised.
		brokerConfig(1, "advertised.listeners", "", "listeners", "SSL://:9093,PLAINTEXT://[::1]:9092"),
		// A name the map does not know: protocol unknown, not guessed.
		brokerConfig(3, "advertised.listeners", "ODD://h:1"),
		// Nothing about listeners: cannot evaluate this broker.
		brokerConfig(4, "num.partitions", "1"),
	}}
	ls, unknown := s.AdvertisedListeners()
	var got []string
	for _, l := range ls {
		got = append(got, fmt.Sprintf("%d %s %s %s %v", l.Broker, l.Name, l.Address, l.Protocol, l.Encrypted()))
	}
	want := []string{
		"1 PLAINTEXT [::1]:9092 PLAINTEXT false",
		"1 SSL :9093 SSL true",
		"2 CLIENT kafka2:9093 SASL_SSL true",
		"2 INTERNAL 10.0.0.2:9092 PLAINTEXT false",
		"3 ODD h:1  false",
	}
	if !slices.Equal(got, want) {
		t.Errorf("listeners:\n got %q\nwant %q", got, want)
	}
	if !slices.Equal(unknown, []int32{4}) {
		t.Errorf("unknown %v, want [4]", unknown)
	}
}

func TestAuthorizer(t *testing.T) {
	tests := []struct {
		name      string
		configs   []BrokerConfig
		class     string
		wantKnown bool
	}{
		{"not collected", nil, "", false},
		{"key absent", []BrokerConfig{brokerConfig(1, "num.partitions", "1")}, "", false},
		{"none", []BrokerConfig{brokerConfig(1, "authorizer.class.name", "")}, "", true},
		{"one broker has it", []BrokerConfig{brokerConfig(1, "authorizer.class.name", ""),
			brokerConfig(2, "authorizer.class.name", "X")}, "X", true},
	}
	for _, tt := range tests {
		class, known := (&Snapshot{BrokerConfigs: tt.configs}).Authorizer()
		if class != tt.class || known != tt.wantKnown {
			t.Errorf("%s: %q %v, want %q %v", tt.name, class, known, tt.class, tt.wantKnown)
		}
	}
}

func TestGrantsAnonymousWrite(t *testing.T) {
	acl := func(principal, op, perm string) ACL {
		return ACL{Principal: principal, Operation: op, Permission: perm, ResourceType: "TOPIC", ResourceName: "t", PatternType: "LITERAL", Host: "*"}
	}
	tests := []struct {
		acl  ACL
		want bool
	}{
		{acl("User:ANONYMOUS", "WRITE", "ALLOW"), true},
		{acl("User:*", "ALL", "ALLOW"), true},
		{acl("User:*", "ALTER_CONFIGS", "ALLOW"), true},
		{acl("User:ANONYMOUS", "WRITE", "DENY"), false},    // a DENY restricts
		{acl("User:*", "DESCRIBE", "ALLOW"), false},        // reading metadata changes nothing
		{acl("User:*", "READ", "ALLOW"), false},            // an exposure, but not a write
		{acl("User:alice", "WRITE", "ALLOW"), false},       // a named principal
		{acl("User:ANONYMOUSLY", "WRITE", "ALLOW"), false}, // only the exact principal
	}
	for i, tt := range tests {
		if got := tt.acl.GrantsAnonymousWrite(); got != tt.want {
			t.Errorf("%d: %+v: %v, want %v", i+1, tt.acl, got, tt.want)
		}
	}
}
