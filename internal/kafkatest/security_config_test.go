package kafkatest

import (
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
)

// TestSecurityOptionsAreValidated: mistakes fail Start with a message, before any JVM.
func TestSecurityOptionsAreValidated(t *testing.T) {
	users := map[string]string{"u": "p"}
	tests := []struct {
		name string
		sec  Security
		want string // "" for valid
	}{
		{"valid", Security{Listeners: []Listener{{Name: "SASL_SSL", Protocol: ProtocolSASLSSL, Mechanisms: []string{MechanismPlain}}}, Users: users}, ""},
		{"no listeners", Security{}, "no listeners"},
		{"reserved name", Security{Listeners: []Listener{{Name: "PLAINTEXT", Protocol: ProtocolSSL}}}, "not PLAINTEXT"},
		{"lower-case name", Security{Listeners: []Listener{{Name: "tls", Protocol: ProtocolSSL}}}, "upper case"},
		{"unknown protocol", Security{Listeners: []Listener{{Name: "X", Protocol: "TLS"}}}, "protocol"},
		{"client auth without TLS", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSASLPlaintext, ClientAuth: true, Mechanisms: []string{MechanismPlain}}}, Users: users}, "ClientAuth"},
		{"SASL without mechanisms", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSASLSSL}}, Users: users}, "Mechanisms"},
		{"mechanisms without SASL", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSSL, Mechanisms: []string{MechanismPlain}}}}, "Mechanisms"},
		{"SASL without users", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSASLSSL, Mechanisms: []string{MechanismPlain}}}}, "Users"},
		{"unknown mechanism", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSASLSSL, Mechanisms: []string{"DIGEST-MD5"}}}, Users: users}, "mechanism"},
		{"GSSAPI without server JAAS", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSASLPlaintext, Mechanisms: []string{MechanismGSSAPI}}}}, "ServerJAAS"},
		{"GSSAPI and OAUTHBEARER need no users", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSASLPlaintext,
			Mechanisms: []string{MechanismGSSAPI, MechanismOAuthBearer}, ServerJAAS: map[string]string{MechanismGSSAPI: "Krb5LoginModule required;"}}}}, ""},
		{"duplicate", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSSL}, {Name: "X", Protocol: ProtocolSSL}}}, "twice"},
		{"quote in password", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSSL}}, Users: map[string]string{"u": `p"w`}}, "letters"},
		{"keystore type", Security{Listeners: []Listener{{Name: "X", Protocol: ProtocolSSL}}, KeystoreType: "JKS"}, "KeystoreType"},
	}
	for _, tt := range tests {
		err := tt.sec.validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}

// TestSecuredBrokerProperties pins the server.properties a secured broker gets: the
// PLAINTEXT listener stays for replication and the harness, each secured listener is
// mapped to its protocol, and the per-listener settings use Kafka's lower-case prefix.
func TestSecuredBrokerProperties(t *testing.T) {
	s := &Security{
		Listeners: []Listener{
			{Name: "MTLS", Protocol: ProtocolSSL, ClientAuth: true},
			{Name: "SASL_SSL", Protocol: ProtocolSASLSSL, Mechanisms: []string{MechanismPlain, MechanismSCRAMSHA512}},
		},
		Users: map[string]string{"bob": "b-pw", "alice": "a-pw"}, ACLs: true, SuperUsers: []string{"User:admin"},
		PrincipalFromCN: true,
	}
	n := &node{id: 1, broker: true, port: 9000, listenerPorts: map[string]int{"MTLS": 9001, "SASL_SSL": 9002}}
	p := n.properties(Options{Security: s}.withDefaults(), testQuorum(), map[string]string{"ssl.keystore.type": "PEM"})
	want := map[string]string{
		"listeners":                                             "PLAINTEXT://127.0.0.1:9000,MTLS://127.0.0.1:9001,SASL_SSL://127.0.0.1:9002",
		"advertised.listeners":                                  "PLAINTEXT://127.0.0.1:9000,MTLS://127.0.0.1:9001,SASL_SSL://127.0.0.1:9002",
		"listener.security.protocol.map":                        "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,MTLS:SSL,SASL_SSL:SASL_SSL",
		"inter.broker.listener.name":                            "PLAINTEXT",
		"listener.name.mtls.ssl.client.auth":                    "required",
		"listener.name.sasl_ssl.sasl.enabled.mechanisms":        "PLAIN,SCRAM-SHA-512",
		"listener.name.sasl_ssl.plain.sasl.jaas.config":         `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="a-pw" user_bob="b-pw";`,
		"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
		"authorizer.class.name":                                 StandardAuthorizer,
		"super.users":                                           "User:ANONYMOUS;User:admin",
		"ssl.principal.mapping.rules":                           "RULE:^CN=([^,]+)$/$1/,DEFAULT",
		"ssl.keystore.type":                                     "PEM",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
	if got := s.scramFormatArgs(); !slices.Equal(got, []string{
		"--add-scram", "SCRAM-SHA-512=[name=alice,password=a-pw]", "--add-scram", "SCRAM-SHA-512=[name=bob,password=b-pw]",
	}) {
		t.Errorf("scram args %q", got)
	}
	// The controller gets the authorizer (it authorizes forwarded CreateAcls) but no listeners.
	ctrl := (&node{id: ControllerID, port: 9999}).properties(Options{Security: s}.withDefaults(), testQuorum(), nil)
	if ctrl["authorizer.class.name"] != StandardAuthorizer || ctrl["listeners"] != "CONTROLLER://127.0.0.1:9999" {
		t.Errorf("controller: %q %q", ctrl["authorizer.class.name"], ctrl["listeners"])
	}
}

// TestInlinePEMSurvivesPropertiesEscaping: the broker key goes inline on one properties
// line; java.util.Properties turns "\n" back into newlines.
func TestInlinePEMSurvivesPropertiesEscaping(t *testing.T) {
	ca, err := NewCA("test")
	if err != nil {
		t.Fatal(err)
	}
	props, err := (&Security{}).writeBrokerTLS(ca, 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ssl.keystore.key", "ssl.keystore.certificate.chain", "ssl.truststore.certificates"} {
		v := props[k]
		if strings.Contains(v, "\n") || !strings.Contains(v, `\n`) {
			t.Errorf("%s is not one escaped line", k)
		}
		block, _ := pem.Decode([]byte(strings.ReplaceAll(v, `\n`, "\n")))
		if block == nil {
			t.Errorf("%s does not decode after unescaping", k)
		}
	}
	chain := []byte(strings.ReplaceAll(props["ssl.keystore.certificate.chain"], `\n`, "\n"))
	block, _ := pem.Decode(chain)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate())
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("broker certificate does not verify for 127.0.0.1: %v", err)
	}
}
