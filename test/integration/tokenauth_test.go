package integration

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// Listener names of the token-login cluster.
const (
	listenerOAuth = "OAUTH" // SASL_PLAINTEXT, OAUTHBEARER checked by Kafka's JWT validator
	listenerKrb   = "KRB"   // SASL_PLAINTEXT, GSSAPI against the test's KDC
)

// tokenCluster is one cluster with an OAUTHBEARER listener validating the test's
// identity provider's JWTs, a GSSAPI listener on the test's KDC (when MIT Kerberos is
// installed), ACLs on, and the read-only ACLs of docs/SECURITY.md granted to the OAuth
// client's principal (User:runbook) and the Kerberos client's (User:client).
type tokenCluster struct {
	*kafkatest.Cluster
	idp *identityProvider
	kdc *kdc // nil when MIT Kerberos is not installed
	dir string
}

func startTokenCluster(t *testing.T) *tokenCluster {
	t.Helper()
	tc := &tokenCluster{idp: startIdentityProvider(t), dir: t.TempDir()}
	validator := "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"
	listeners := []kafkatest.Listener{{Name: listenerOAuth, Protocol: kafkatest.ProtocolSASLPlaintext,
		Mechanisms: []string{kafkatest.MechanismOAuthBearer},
		Properties: map[string]string{"oauthbearer.sasl.server.callback.handler.class": validator}}}
	props := map[string]string{
		"sasl.oauthbearer.jwks.endpoint.url":        tc.idp.JWKSURL(),
		"sasl.oauthbearer.expected.audience":        oauthAudience,
		"sasl.oauthbearer.expected.issuer":          tc.idp.Issuer(),
		"sasl.oauthbearer.jwks.endpoint.refresh.ms": "60000",
	}
	// Kafka 4 fetches OAuth URLs only when a JVM property allows them.
	jvm := map[string]string{"org.apache.kafka.sasl.oauthbearer.allowed.urls": tc.idp.JWKSURL() + "," + tc.idp.TokenURL()}
	if krb5kdc, kdb5util, kadmin, ok := kerberosTools(t); ok {
		tc.kdc = startKDC(t, krb5kdc, kdb5util, kadmin)
		listeners = append(listeners, kafkatest.Listener{Name: listenerKrb, Protocol: kafkatest.ProtocolSASLPlaintext,
			Mechanisms: []string{kafkatest.MechanismGSSAPI}, ServerJAAS: map[string]string{kafkatest.MechanismGSSAPI: tc.kdc.brokerJAAS()}})
		props["sasl.kerberos.service.name"] = "kafka"
		jvm["java.security.krb5.conf"] = tc.kdc.krb5conf
	}
	tc.Cluster = kafkatest.Start(t, kafkatest.Options{Properties: props, JVMProperties: jvm,
		Security: &kafkatest.Security{Listeners: listeners, ACLs: true}})
	tc.CreateTopic(t, "shop.orders", [][]int32{{1, 2, 3}, {2, 3, 1}}, nil)
	tc.Produce(t, "shop.orders", 0, 10)
	tc.CommitOffset(t, "billing", "shop.orders", 0, 5)
	tc.CreateACLs(t, append(readOnlyACLs("User:"+oauthClientID, "*", false), readOnlyACLs("User:client", "*", false)...)...)
	return tc
}

// oauthProps writes the client.properties of an OAuth login, as Kafka's Java client takes it.
func (tc *tokenCluster) oauthProps(t *testing.T, name, clientID, secret string) string {
	t.Helper()
	return tc.write(t, name, "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=OAUTHBEARER",
		"sasl.oauthbearer.token.endpoint.url="+tc.idp.TokenURL(),
		"sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
		`sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="`+clientID+
			`" clientSecret="`+secret+`" scope="kafka";`)
}

// krbProps writes the client.properties of a Kerberos login with keytab kt.
func (tc *tokenCluster) krbProps(t *testing.T, name, kt string) string {
	t.Helper()
	return tc.write(t, name, "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=GSSAPI", "sasl.kerberos.service.name=kafka",
		"java.security.krb5.conf="+tc.kdc.krb5conf,
		`sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="`+kt+
			`" principal="`+clientPrincipal+`";`)
}

func (tc *tokenCluster) write(t *testing.T, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(tc.dir, name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTokenLogins: OAUTHBEARER against Kafka's own JWT validator with a token endpoint and
// JWKS served by the test, and GSSAPI against a KDC the test runs, both with ACLs and a
// read-only principal, on one cluster. The subtests share it and run in order.
func TestTokenLogins(t *testing.T) {
	began := time.Now()
	tc := startTokenCluster(t)
	t.Run("OAUTHBEARER with the read-only ACLs", func(t *testing.T) {
		tc.testWorks(t, listenerOAuth, tc.oauthProps(t, "oauth.properties", oauthClientID, oauthClientSecret))
		if len(tc.idp.Issued()) == 0 {
			t.Error("no token was issued: the login did not use the token endpoint")
		}
	})
	t.Run("OAUTHBEARER wrong client secret", func(t *testing.T) {
		r := runCLI(t, "describe", "brokers", "-b", strings.Join(tc.ListenerBootstrap(listenerOAuth), ","),
			"--command-config", tc.oauthProps(t, "wrong.properties", oauthClientID, oauthWrongSecret))
		if r.code != 3 || r.elapsed > authDeadline {
			t.Errorf("exit %d after %s, want 3 within %s: %s", r.code, r.elapsed, authDeadline, r.stderr)
		}
		for _, want := range []string{tc.idp.TokenURL(), `client id "` + oauthClientID + `"`, "HTTP 401", "clientSecret"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q: %s", want, r.stderr)
			}
		}
		assertNoSecret(t, "wrong secret output", r.stdout+r.stderr, []string{oauthWrongSecret, oauthClientSecret})
		t.Logf("exit %d after %s:\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stderr)
	})
	t.Run("OAUTHBEARER token the broker rejects", func(t *testing.T) {
		r := runCLI(t, "describe", "brokers", "-b", strings.Join(tc.ListenerBootstrap(listenerOAuth), ","),
			"--command-config", tc.oauthProps(t, "forged.properties", oauthForgedClient, oauthClientSecret))
		if r.code != 3 || r.elapsed > authDeadline || !strings.Contains(r.stderr, "rejected the login") {
			t.Errorf("exit %d after %s, want 3 within %s and the SASL hint: %s", r.code, r.elapsed, authDeadline, r.stderr)
		}
	})
	if tc.kdc == nil {
		t.Logf("GSSAPI not tested: MIT Kerberos is not installed (%s makes this a failure)", envRequireKerberos)
	} else {
		t.Run("GSSAPI with the read-only ACLs", func(t *testing.T) {
			tc.testWorks(t, listenerKrb, tc.krbProps(t, "krb.properties", tc.kdc.clientKeytab))
		})
		t.Run("GSSAPI wrong keytab", func(t *testing.T) {
			r := runCLI(t, "describe", "brokers", "-b", strings.Join(tc.ListenerBootstrap(listenerKrb), ","),
				"--command-config", tc.krbProps(t, "wrong-krb.properties", tc.kdc.wrongKeytab))
			if r.code != 3 || r.elapsed > authDeadline {
				t.Errorf("exit %d after %s, want 3 within %s: %s", r.code, r.elapsed, authDeadline, r.stderr)
			}
			for _, want := range []string{`GSSAPI login as "` + clientPrincipal + `"`, "keytab incorrect", "keyTab and principal"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q: %s", want, r.stderr)
				}
			}
		})
	}
	t.Run("no secret, token or key in any output or file", func(t *testing.T) { tc.testNoLeaks(t) })
	t.Logf("token logins: %s in all", time.Since(began).Round(time.Second))
}

// testWorks: describe brokers reaches every broker on the listener, and triage of the
// healthy cluster is OK with nothing but what the documented read-only ACLs allow.
func (tc *tokenCluster) testWorks(t *testing.T, listener, props string) {
	t.Helper()
	b := strings.Join(tc.ListenerBootstrap(listener), ",")
	r := runCLI(t, "describe", "brokers", "-o", "json", "-b", b, "--command-config", props)
	if r.code != 0 {
		t.Fatalf("describe brokers exit %d: %s", r.code, r.stderr)
	}
	var v struct {
		Brokers []struct {
			ID      int32  `json:"id"`
			Address string `json:"address"`
			Probe   string `json:"probe"`
		} `json:"brokers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || len(v.Brokers) != kafkatest.NumBrokers {
		t.Fatalf("describe brokers: %v %s", err, r.stdout)
	}
	for _, br := range v.Brokers {
		if br.Probe != "ok" || br.Address != tc.ListenerAddr(br.ID, listener) {
			t.Errorf("broker %d: probe %s at %s, want ok at %s", br.ID, br.Probe, br.Address, tc.ListenerAddr(br.ID, listener))
		}
	}
	r = runCLI(t, "triage", "-o", "json", "-b", b, "--command-config", props)
	var rep struct {
		Findings []finding `json:"findings"`
		Errors   []struct{ Source, Kind, Message string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("triage exit %d, not JSON: %v\n%s", r.code, err, r.stderr)
	}
	for _, f := range rep.Findings {
		if f.Severity != "info" {
			t.Errorf("finding %s (%s)", f.key(), f.Severity)
		}
	}
	errs := slices.DeleteFunc(rep.Errors, func(e struct{ Source, Kind, Message string }) bool {
		return e.Source == "time_lag" && e.Kind == "authorization" // READ is optional (docs/SECURITY.md)
	})
	if len(errs) > 0 || r.code != 0 {
		t.Errorf("triage exit %d, collection errors %+v: %s", r.code, errs, r.stderr)
	}
	t.Logf("describe brokers and triage OK (triage %s)", r.elapsed.Round(time.Millisecond))
}

// testNoLeaks runs the commands that print or write what they connected with, over both
// logins, and searches everything printed and written for the OAuth client secret, every
// token the identity provider issued, and the client keytab's contents and keys.
func (tc *tokenCluster) testNoLeaks(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	type login struct{ listener, props string }
	logins := []login{{listenerOAuth, tc.oauthProps(t, "leak-oauth.properties", oauthClientID, oauthClientSecret)},
		{listenerOAuth, tc.oauthProps(t, "leak-wrong.properties", oauthClientID, oauthWrongSecret)}}
	if tc.kdc != nil {
		logins = append(logins, login{listenerKrb, tc.krbProps(t, "leak-krb.properties", tc.kdc.clientKeytab)},
			login{listenerKrb, tc.krbProps(t, "leak-wrong-krb.properties", tc.kdc.wrongKeytab)})
	}
	var outputs []string
	for i, l := range logins {
		conn := []string{"-b", strings.Join(tc.ListenerBootstrap(l.listener), ","), "--command-config", l.props}
		for _, args := range [][]string{
			{"triage"}, {"triage", "-o", "json"}, {"describe", "security", "-o", "markdown"}, {"run", "broker-failure", "--yes"},
			{"evidence", "capture", "--out", filepath.Join(work, "bundle-"+string(rune('a'+i)))}, {"snapshot", "-o", "json"},
		} {
			r := runCLI(t, append(args, conn...)...)
			outputs = append(outputs, r.stdout, r.stderr)
		}
	}
	secrets := []string{oauthClientSecret, oauthWrongSecret, "FNORD", "FNORT"}
	secrets = append(secrets, tc.idp.Issued()...)
	for _, tok := range tc.idp.Issued() {
		secrets = append(secrets, tok[strings.LastIndexByte(tok, '.')+1:]) // the signature alone
	}
	if tc.kdc != nil {
		secrets = append(secrets, string(tc.kdc.clientKeytabB), base64.StdEncoding.EncodeToString(tc.kdc.clientKeytabB),
			hex.EncodeToString(tc.kdc.clientKeytabB))
		kt := keytab.New()
		if err := kt.Unmarshal(tc.kdc.clientKeytabB); err != nil {
			t.Fatal(err)
		}
		for _, e := range kt.Entries {
			v := e.Key.KeyValue
			secrets = append(secrets, hex.EncodeToString(v), base64.StdEncoding.EncodeToString(v), base64.RawURLEncoding.EncodeToString(v))
		}
	}
	if len(tc.idp.Issued()) == 0 {
		t.Fatal("no token issued: the OAuth runs did not log in")
	}
	assertNoSecret(t, "outputs", strings.Join(outputs, "\n"), secrets)
	for _, l := range logins {
		s, err := clientconfig.Load(clientconfig.Options{CommandConfig: l.props})
		if err != nil {
			t.Fatal(err)
		}
		if (s.SASL.OAuth == nil || !s.SASL.OAuth.ClientSecret.IsSet()) && s.SASL.Kerberos == nil {
			t.Fatalf("%s: no OAuth secret or Kerberos login loaded: nothing is proved", l.props)
		}
		assertPrintedSettingsRedacted(t, s, secrets)
	}
	files := assertNoSecretInFiles(t, work, secrets)
	t.Logf("%d outputs and %d files searched for %d secrets", len(outputs), files, len(secrets))
}
