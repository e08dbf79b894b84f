package cli

import (
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
)

// TestConnectionHintsNameTheSettingToFix: each handshake failure, as the collector words
// it, leads to the client property that fixes it.
func TestConnectionHintsNameTheSettingToFix(t *testing.T) {
	tests := []struct {
		status, message, want string
	}{
		{snapshot.StatusTLSError, "tls: failed to verify certificate: x509: certificate signed by unknown authority", "ssl.truststore.location"},
		{snapshot.StatusTLSError, "tls: failed to verify certificate: x509: certificate is valid for 10.0.0.1, not 127.0.0.1", "ssl.endpoint.identification.algorithm"},
		{snapshot.StatusTLSError, "tls: failed to verify certificate: x509: certificate has expired or is not yet valid", "clocks"},
		{snapshot.StatusTLSError, "remote error: tls: bad certificate", "ssl.keystore.location"},
		{snapshot.StatusTLSError, "tls: first record does not look like a TLS handshake", "security.protocol"},
		{snapshot.StatusTLSError, "tls: something new", "ssl.truststore.*"},
		{snapshot.StatusAuthError, `SASL/PLAIN login as "x" failed: Authentication failed: Invalid username or password`, "sasl.jaas.config"},
		{snapshot.StatusAuthError, `SASL/PLAIN login as "x" refused: ILLEGAL_SASL_STATE (this listener does not take SASL)`, "security.protocol=SSL"},
		{snapshot.StatusAuthError, `SASL/SCRAM-SHA-256 login as "x" refused: UNSUPPORTED_SASL_MECHANISM`, "sasl.enabled.mechanisms"},
		{snapshot.StatusError, "unexpected EOF", "security.protocol=SSL or SASL_SSL"},
	}
	for _, tt := range tests {
		e := &collect.NoClusterError{Endpoints: []snapshot.Endpoint{
			{Address: "a:1", Probe: snapshot.Probe{Status: tt.status, Error: tt.message}},
			{Address: "b:1", Probe: snapshot.Probe{Status: tt.status, Error: tt.message}},
		}}
		hint := noClusterHint(e)
		if !strings.Contains(hint, tt.want) {
			t.Errorf("%s %q: hint %q lacks %q", tt.status, tt.message, hint, tt.want)
		}
		if one := noClusterHint(&collect.NoClusterError{Endpoints: e.Endpoints[:1]}); hint != one {
			t.Errorf("two addresses failing alike give %q, one gives %q: a hint must not repeat", hint, one)
		}
	}
}

func TestInsecureSkipVerifyAlwaysWarns(t *testing.T) {
	load := func(insecure bool, props ...string) *clientconfig.Settings {
		t.Helper()
		s, err := clientconfig.Load(clientconfig.Options{BootstrapServers: "h:1", Overrides: props, InsecureSkipVerify: insecure})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if w := insecureWarning(load(false, "security.protocol=SSL")); len(w) != 0 {
		t.Errorf("warning without the flag: %q", w)
	}
	if w := insecureWarning(load(true, "security.protocol=SSL")); len(w) != 1 || !strings.Contains(w[0], "NOT verified") {
		t.Errorf("TLS: %q", w)
	}
	plain := load(true, "security.protocol=SASL_SSL", "sasl.mechanism=PLAIN", "sasl.username=u", "sasl.password=p")
	if w := insecureWarning(plain); len(w) != 1 || !strings.Contains(w[0], "SASL/PLAIN password") {
		t.Errorf("SASL/PLAIN: %q", w)
	}
	// Without TLS the flag does nothing; clientconfig says so, this adds nothing.
	if w := insecureWarning(load(true)); len(w) != 0 {
		t.Errorf("PLAINTEXT: %q", w)
	}
}
