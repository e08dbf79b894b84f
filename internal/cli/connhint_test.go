package cli

import (
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
)

// TestConnectionHintsNameTheSettingToFix: each cause the collector records
// leads to the client property that fixes it, once however many addresses
// failed alike.
func TestConnectionHintsNameTheSettingToFix(t *testing.T) {
	tests := []struct {
		cause, want string
	}{
		{snapshot.CauseTLSUnknownAuthority, "ssl.truststore.location"},
		{snapshot.CauseTLSHostnameMismatch, "ssl.endpoint.identification.algorithm"},
		{snapshot.CauseTLSNoHostNames, "ssl.endpoint.identification.algorithm"},
		{snapshot.CauseTLSExpired, "clocks"},
		{snapshot.CauseTLSHandshakeRejected, "ssl.keystore.location"},
		{snapshot.CauseTLSNotTLS, "security.protocol"},
		{snapshot.CauseTLSFailed, "ssl.truststore.*"},
		{snapshot.CauseSASLAuthFailed, "sasl.jaas.config"},
		{snapshot.CauseSASLIllegalState, "security.protocol=SSL"},
		{snapshot.CauseSASLUnsupportedMechanism, "sasl.enabled.mechanisms"},
		{snapshot.CauseClosedAtOnce, "security.protocol=SSL or SASL_SSL"},
		{snapshot.CauseRefused, "check host:port"},
		{snapshot.CauseTimeout, "may be hung"},
		{snapshot.CauseDNS, "did not resolve"},
		{snapshot.CauseOther, "check --bootstrap-server and --command-config"},
		{"", "check --bootstrap-server and --command-config"},
	}
	for _, tt := range tests {
		e := &collect.NoClusterError{Endpoints: []snapshot.Endpoint{
			{Address: "a:1", Probe: snapshot.Probe{Status: snapshot.StatusError, Cause: tt.cause}},
			{Address: "b:1", Probe: snapshot.Probe{Status: snapshot.StatusError, Cause: tt.cause}},
		}}
		hint := noClusterHint(e)
		if !strings.Contains(hint, tt.want) {
			t.Errorf("%q: hint %q lacks %q", tt.cause, hint, tt.want)
		}
		if one := noClusterHint(&collect.NoClusterError{Endpoints: e.Endpoints[:1]}); hint != one {
			t.Errorf("two addresses failing alike give %q, one gives %q: a hint must not repeat", hint, one)
		}
	}
}

// TestRefusedAndTimeoutHintsComeFirst: the likeliest mistakes are named
// first, then the others in the order of the addresses.
func TestRefusedAndTimeoutHintsComeFirst(t *testing.T) {
	e := &collect.NoClusterError{}
	for _, c := range []string{snapshot.CauseTLSExpired, snapshot.CauseTimeout, snapshot.CauseDNS, snapshot.CauseRefused} {
		e.Endpoints = append(e.Endpoints, snapshot.Endpoint{Probe: snapshot.Probe{Cause: c}})
	}
	var want []string
	for _, c := range []string{snapshot.CauseRefused, snapshot.CauseTimeout, snapshot.CauseTLSExpired, snapshot.CauseDNS} {
		want = append(want, clientconfig.HintFor(c))
	}
	if got := noClusterHint(e); got != strings.Join(want, "; ") {
		t.Errorf("hint %q\nwant %q", got, strings.Join(want, "; "))
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
