package clientconfig

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

const oauthSecret = "Zebra-client-secret-42"

// tokenServer is an OAuth token endpoint that grants client "runbook" with
// oauthSecret, and counts the tokens it issued.
func tokenServer(t *testing.T, lifetime int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var issued atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("scope") != "kafka" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !ok || id != "runbook" || secret != oauthSecret {
			w.WriteHeader(http.StatusUnauthorized)
			// Some providers echo what they were sent; it must not reach a message.
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad credentials","echo":%q}`, secret)
			return
		}
		n := issued.Add(1)
		fmt.Fprintf(w, `{"access_token":"token-%d","token_type":"Bearer","expires_in":%d}`, n, lifetime)
	}))
	t.Cleanup(srv.Close)
	return srv, &issued
}

func oauthProps(endpoint, secret string) string {
	return "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n" +
		"sasl.oauthbearer.token.endpoint.url=" + endpoint + "\n" +
		"sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler\n" +
		`sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="runbook" ` +
		`clientSecret="` + secret + `" scope="kafka" extension_logicalCluster="lkc-1";` + "\n"
}

// TestOAuthTokensAreFetchedAndRefreshedBeforeExpiry: the client-credentials
// token is fetched once, reused, and fetched anew after 80% of its life,
// through the sarama provider the connection uses.
func TestOAuthTokensAreFetchedAndRefreshedBeforeExpiry(t *testing.T) {
	srv, issued := tokenServer(t, 100)
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, oauthProps(srv.URL, oauthSecret))})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.tokens.now = func() time.Time { return now }
	cfg, err := s.SaramaConfig(Timeouts{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Net.SASL.Mechanism != sarama.SASLTypeOAuth {
		t.Fatalf("mechanism %s", cfg.Net.SASL.Mechanism)
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "token-1"}, {79 * time.Second, "token-1"}, {2 * time.Second, "token-2"}, {10 * time.Second, "token-2"}} {
		now = now.Add(step.advance)
		tok, err := cfg.Net.SASL.TokenProvider.Token()
		if err != nil {
			t.Fatal(err)
		}
		if tok.Token != step.want || tok.Extensions["logicalCluster"] != "lkc-1" {
			t.Errorf("after +%s: token %q extensions %v, want %s", step.advance, tok.Token, tok.Extensions, step.want)
		}
	}
	if issued.Load() != 2 {
		t.Errorf("%d tokens issued, want 2", issued.Load())
	}
	if _, err := s.KgoOptions(); err != nil {
		t.Errorf("KgoOptions: %v", err)
	}
	if red := s.String(); strings.Contains(red, oauthSecret) || !strings.Contains(red, "sasl.oauthbearer.client.id=runbook") {
		t.Errorf("Redacted: %s", red)
	}
}

// TestOAuthWrongSecretNamesEndpointAndClient: a refused token request says
// where and for whom, marks itself a credentials failure, and never shows
// the secret, even when the server echoes it.
func TestOAuthWrongSecretNamesEndpointAndClient(t *testing.T) {
	srv, _ := tokenServer(t, 100)
	var requests atomic.Int32
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		srv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(counted.Close)
	const wrong = "Wrong-secret-Zebra"
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, oauthProps(counted.URL+"/token", wrong))})
	if err != nil {
		t.Fatal(err)
	}
	// The probes of every broker ask at once: one refusal answers them all.
	for range 3 {
		_, err = s.tokens.Token(context.Background())
	}
	if requests.Load() != 1 {
		t.Errorf("%d token requests for 3 logins within a second, want 1", requests.Load())
	}
	var te *TokenError
	if !errors.As(err, &te) || !te.SASLCredentialsFailed() {
		t.Fatalf("err %v, want a *TokenError", err)
	}
	msg := err.Error()
	for _, want := range []string{counted.URL + "/token", `client id "runbook"`, "HTTP 401", "invalid_client", "clientSecret"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, wrong) {
		t.Errorf("%q shows the secret", msg)
	}
}

func TestOAuthEndpointUnreachable(t *testing.T) {
	srv, _ := tokenServer(t, 100)
	endpoint := srv.URL
	srv.Close()
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, oauthProps(endpoint, oauthSecret))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = s.tokens.Token(ctx)
	if err == nil || !strings.Contains(err.Error(), endpoint) || !strings.Contains(err.Error(), "token.endpoint.url") {
		t.Errorf("err %v, want the endpoint and the key to check", err)
	}
}

func TestOAuthConfigErrors(t *testing.T) {
	base := "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n"
	jaas := `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="c" clientSecret="` + oauthSecret + `";` + "\n"
	cases := []struct{ name, props, key, want string }{
		{"file endpoint", base + jaas + "sasl.oauthbearer.token.endpoint.url=file:///tmp/token\n", keyOAuthTokenEndpoint, "not supported"},
		{"no secret", base + "sasl.oauthbearer.token.endpoint.url=https://idp/token\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="c";` + "\n",
			keySASLJAASConfig, "clientSecret"},
		{"plain module", base + "sasl.oauthbearer.token.endpoint.url=https://idp/token\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";` + "\n",
			keySASLJAASConfig, "uses PlainLoginModule but sasl.mechanism is OAUTHBEARER"},
		{"custom client callback", base + jaas + "sasl.oauthbearer.token.endpoint.url=https://idp/token\nsasl.client.callback.handler.class=x.Y\n",
			keyClientCallback, "custom SASL callbacks"},
		{"bad factor", base + jaas + "sasl.oauthbearer.token.endpoint.url=https://idp/token\nsasl.login.refresh.window.factor=2\n",
			keyRefreshWindowFactor, "0.5 to 1.0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, tc.props)})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.key || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want key %s and %q", err, tc.key, tc.want)
			}
			if strings.Contains(err.Error(), oauthSecret) {
				t.Errorf("%v shows the secret", err)
			}
		})
	}
}

// Kafka 4.1's own keys for the client credentials win over the JAAS options.
func TestOAuthKafka41Keys(t *testing.T) {
	props := "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=https://idp/token\n" +
		"sasl.oauthbearer.client.credentials.client.id=cfg-id\nsasl.oauthbearer.client.credentials.client.secret=" + oauthSecret + "\n" +
		"sasl.oauthbearer.scope=kafka\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId=jaas-id;\n"
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, props)})
	if err != nil {
		t.Fatal(err)
	}
	if o := s.SASL.OAuth; o.ClientID != "cfg-id" || o.ClientSecret.Reveal() != oauthSecret || o.Scope != "kafka" {
		t.Errorf("got %+v", o)
	}
	// Every verb, including those fmt rejects for a pointer field (%s, %d), whose error
	// path prints nested values without calling their Format methods.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		printed := fmt.Sprintf(verb, []any{s, *s, s.SASL, s.SASL.OAuth, *s.SASL.OAuth, struct{ L SASL }{s.SASL}})
		if strings.Contains(printed, oauthSecret) || strings.Contains(printed, fmt.Sprintf("%x", oauthSecret)) {
			t.Errorf("%s shows the client secret: %s", verb, printed)
		}
	}
}

// TestMSKIAMTokenMatchesTheSignersForm: the token is the AWS signer's
// base64url presigned kafka-cluster:Connect URL for the cluster's region,
// and its signature is what SigV4 gives for the fixed credentials at the
// signing time the token states.
func TestMSKIAMTokenMatchesTheSignersForm(t *testing.T) {
	for _, props := range []string{
		"security.protocol=SASL_SSL\nsasl.mechanism=AWS_MSK_IAM\nsasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;\n" +
			"sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler\n",
		"security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;\n" +
			"sasl.login.callback.handler.class=software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler\n" +
			"sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler\n",
	} {
		creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")
		s, err := Load(Options{BootstrapServers: "b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9098",
			CommandConfig: writeProps(t, props), awsCredentials: creds})
		if err != nil {
			t.Fatal(err)
		}
		if s.SASL.MSKIAM == nil || s.SASL.MSKIAM.Region != "eu-west-1" {
			t.Fatalf("MSK IAM login %+v", s.SASL.MSKIAM)
		}
		cfg, err := s.SaramaConfig(Timeouts{})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := cfg.Net.SASL.TokenProvider.Token()
		if err != nil {
			t.Fatal(err)
		}
		checkMSKToken(t, tok.Token, creds)
	}
}

func checkMSKToken(t *testing.T, token string, creds credentials.StaticCredentialsProvider) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token is not base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	at, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Action": "kafka-cluster:Connect", "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Expires": "900",
		"X-Amz-Credential":    "AKIDEXAMPLE/" + at.Format("20060102") + "/eu-west-1/kafka-cluster/aws4_request",
		"X-Amz-SignedHeaders": "host",
	}
	if u.Scheme != "https" || u.Host != "kafka.eu-west-1.amazonaws.com" || u.Path != "/" {
		t.Errorf("URL %s", u.Redacted())
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if !strings.HasPrefix(q.Get("User-Agent"), "aws-msk-iam-sasl-signer-go/") {
		t.Errorf("User-Agent %q", q.Get("User-Agent"))
	}
	// Sign the same request independently at the token's time.
	unsigned := url.URL{Scheme: "https", Host: u.Host, Path: "/", RawQuery: url.Values{"Action": {"kafka-cluster:Connect"}, "X-Amz-Expires": {"900"}}.Encode()}
	req, _ := http.NewRequest(http.MethodGet, unsigned.String(), nil)
	c, _ := creds.Retrieve(context.Background())
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), c, req,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "kafka-cluster", "eu-west-1", at)
	if err != nil {
		t.Fatal(err)
	}
	su, _ := url.Parse(signed)
	if sig := su.Query().Get("X-Amz-Signature"); sig == "" || sig != q.Get("X-Amz-Signature") {
		t.Errorf("signature %q, SigV4 gives %q", q.Get("X-Amz-Signature"), sig)
	}
}

func TestMSKIAMRegionAndProtocol(t *testing.T) {
	props := "security.protocol=SASL_SSL\nsasl.mechanism=AWS_MSK_IAM\n" +
		"sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName=\"oncall\";\n"
	env := map[string]string{"AWS_REGION": "us-east-2"}
	s, err := Load(Options{BootstrapServers: "10.0.0.1:9098", CommandConfig: writeProps(t, props), Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if m := s.SASL.MSKIAM; m.Region != "us-east-2" || m.Profile != "oncall" {
		t.Errorf("got %+v", m)
	}
	if _, err := Load(Options{BootstrapServers: "10.0.0.1:9098", CommandConfig: writeProps(t, props)}); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("no region: err %v", err)
	}
	plain := strings.Replace(props, "SASL_SSL", "SASL_PLAINTEXT", 1)
	if _, err := Load(Options{BootstrapServers: "10.0.0.1:9098", CommandConfig: writeProps(t, plain), Getenv: func(k string) string { return env[k] }}); err == nil ||
		!strings.Contains(err.Error(), "SASL_SSL") {
		t.Errorf("plaintext: err %v", err)
	}
}

// writeKerberos writes a krb5.conf and a keytab for client@EXAMPLE.COM.
func writeKerberos(t *testing.T) (conf, kt string) {
	t.Helper()
	dir := t.TempDir()
	conf = filepath.Join(dir, "krb5.conf")
	if err := os.WriteFile(conf, []byte("[libdefaults]\n default_realm = EXAMPLE.COM\n[realms]\n EXAMPLE.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k := keytab.New()
	if err := k.AddEntry("client", "EXAMPLE.COM", "Zebra-keytab-password", time.Now(), 1, 18); err != nil {
		t.Fatal(err)
	}
	b, err := k.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	kt = filepath.Join(dir, "client.keytab")
	if err := os.WriteFile(kt, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return conf, kt
}

func TestKerberosSettings(t *testing.T) {
	conf, kt := writeKerberos(t)
	props := "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka\n" +
		"java.security.krb5.conf=" + conf + "\n" +
		`sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="` + kt + `" principal="client";` + "\n"
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, props)})
	if err != nil {
		t.Fatal(err)
	}
	k := s.SASL.Kerberos
	if k.Username != "client" || k.Realm != "EXAMPLE.COM" || k.ServiceName != "kafka" || k.KeytabPath != kt {
		t.Errorf("got %+v", k)
	}
	cfg, err := s.SaramaConfig(Timeouts{})
	if err != nil {
		t.Fatal(err)
	}
	if g := cfg.Net.SASL.GSSAPI; g.AuthType != sarama.KRB5_KEYTAB_AUTH || g.KerberosConfigPath != conf || g.KeyTabPath != kt || g.Realm != "EXAMPLE.COM" {
		t.Errorf("sarama GSSAPI %+v", g)
	}
	if _, err := s.KgoOptions(); err != nil {
		t.Errorf("KgoOptions: %v", err)
	}
	b, _ := os.ReadFile(kt)
	printed := fmt.Sprintf("%v %+v %s", s, s.SASL, s.String())
	if strings.Contains(printed, string(b[len(b)-16:])) || !strings.Contains(printed, "sasl.kerberos.keytab="+kt) {
		t.Errorf("printed settings: %s", printed)
	}
}

func TestKerberosConfigErrors(t *testing.T) {
	conf, kt := writeKerberos(t)
	notKeytab := filepath.Join(t.TempDir(), "x.keytab")
	if err := os.WriteFile(notKeytab, []byte("not a keytab"), 0o600); err != nil {
		t.Fatal(err)
	}
	jaas := func(kt string) string {
		return `sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="` + kt + `" principal="client@EXAMPLE.COM";` + "\n"
	}
	base := "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\n"
	cases := []struct {
		name, props string
		env         map[string]string
		key, want   string
	}{
		{"no service name", base + "java.security.krb5.conf=" + conf + "\n" + jaas(kt), nil, keyKerberosServiceName, "usually kafka"},
		{"missing keytab", base + "sasl.kerberos.service.name=kafka\njava.security.krb5.conf=" + conf + "\n" + jaas("/nonexistent/k.keytab"), nil,
			keySASLJAASConfig, "cannot read the keytab /nonexistent/k.keytab"},
		{"not a keytab", base + "sasl.kerberos.service.name=kafka\njava.security.krb5.conf=" + conf + "\n" + jaas(notKeytab), nil,
			keySASLJAASConfig, "not a keytab"},
		{"missing krb5.conf from env", base + "sasl.kerberos.service.name=kafka\n" + jaas(kt), map[string]string{"KRB5_CONFIG": "/nonexistent/krb5.conf"},
			keyKrb5Conf, "/nonexistent/krb5.conf (from KRB5_CONFIG)"},
		{"password login", base + "sasl.kerberos.service.name=kafka\njava.security.krb5.conf=" + conf + "\n" +
			"sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required principal=\"client\";\n", nil, keySASLJAASConfig, "keytab or a ticket cache"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, tc.props), Getenv: func(k string) string { return tc.env[k] }})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.key || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want key %s and %q", err, tc.key, tc.want)
			}
		})
	}
}
