package clientconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// password is recognisable, so any leak shows up in a substring search.
const password = "Zebra-Pa55-42"

func writeProps(t *testing.T, props string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "client.properties")
	if err := os.WriteFile(path, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadBootstrapPrecedence(t *testing.T) {
	env := func(string) string { return "env:1" }
	file := writeProps(t, "# c\nbootstrap.servers=file:1, file:2\n")
	cases := []struct {
		name       string
		opts       Options
		want       []string
		wantSource string
	}{
		{"flag wins", Options{BootstrapServers: "flag:1", CommandConfig: file, Overrides: []string{"bootstrap.servers=x:1"}, Getenv: env},
			[]string{"flag:1"}, "--bootstrap-server"},
		{"-X over file", Options{CommandConfig: file, Overrides: []string{"bootstrap.servers=x:1"}, Getenv: env}, []string{"x:1"}, "-X"},
		{"file over env", Options{CommandConfig: file, Getenv: env}, []string{"file:1", "file:2"}, file + ":2"},
		{"env last", Options{Getenv: env}, []string{"env:1"}, EnvBootstrapServers},
		{"blank flag falls through", Options{BootstrapServers: "  ", Getenv: env}, []string{"env:1"}, EnvBootstrapServers},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.BootstrapServers, tc.want) || s.BootstrapSource != tc.wantSource {
				t.Errorf("got %q from %q, want %q from %q", s.BootstrapServers, s.BootstrapSource, tc.want, tc.wantSource)
			}
		})
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	jaasPlain := `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="` + password + `";` + "\n"
	jaasScram := strings.Replace(jaasPlain, "plain.PlainLoginModule", "scram.ScramLoginModule", 1)
	cases := []struct {
		name, props string
		x           []string
		key, want   string
		line        int
	}{
		{"unknown key", "client.id=x\nssl.truststore.loaction=/x\n", nil, "ssl.truststore.loaction", "did you mean ssl.truststore.location?", 2},
		{"unknown -X key", "", []string{"sasl.pasword=" + password}, "sasl.pasword", "supported keys: bootstrap.servers", 0},
		{"malformed -X", "", []string{"security.protocol=SSL", password}, "", "argument 2 is not key=value", 0},
		{"-X known key without value", "", []string{"sasl.password"}, "sasl.password", "has no =value", 0},
		{"bad security.protocol", "security.protocol=SSL_SASL\n", nil, "security.protocol", "use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", 1},
		{"plain module with scram mechanism", "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n" + jaasPlain, nil,
			"sasl.jaas.config", "uses PlainLoginModule but sasl.mechanism is SCRAM-SHA-512", 3},
		{"scram module with plain mechanism", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n" + jaasScram, nil,
			"sasl.jaas.config", "uses ScramLoginModule but sasl.mechanism is PLAIN", 3},
		{"scram module without mechanism", "security.protocol=SASL_SSL\n" + jaasScram, nil, "sasl.mechanism", "SCRAM-SHA-256 or SCRAM-SHA-512", 0},
		{"GSSAPI without jaas", "security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\n", nil, "sasl.jaas.config", "Krb5LoginModule", 0},
		{"OAUTHBEARER without endpoint", "security.protocol=SASL_SSL\nsasl.mechanism=oauthbearer\n", nil, keyOAuthTokenEndpoint, "is not set", 0},
		{"unknown mechanism", "security.protocol=SASL_SSL\nsasl.mechanism=DIGEST-MD5\n", nil, "sasl.mechanism", "unknown SASL mechanism", 2},
		{"bad jaas", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=PlainLoginModule required password=" + password + " x;\n",
			nil, "sasl.jaas.config", "option 2 is not key=value", 3},
		{"oauth jaas", "security.protocol=SASL_SSL\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;\n",
			nil, "sasl.mechanism", "OAuthBearerLoginModule needs sasl.mechanism=OAUTHBEARER", 0},
		{"custom login module", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=com.example.MyLoginModule required;\n",
			nil, "sasl.jaas.config", "not supported yet", 3},
		{"two credential styles", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.username=u\n" + jaasPlain, nil,
			"sasl.jaas.config", "keep one way", 4},
		{"no credentials", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n", nil, "security.protocol", "no SASL credentials", 1},
		{"credentials without SASL", "security.protocol=SSL\n" + jaasPlain, nil, "sasl.jaas.config", "does not use SASL", 2},
		{"kcat password without user", "security.protocol=SASL_PLAINTEXT\nsasl.mechanisms=PLAIN\nsasl.password=" + password + "\n", nil,
			"sasl.username", "missing", 0},
		{"kcat user without mechanism", "security.protocol=SASL_PLAINTEXT\nsasl.username=u\nsasl.password=" + password + "\n", nil,
			"sasl.mechanism", "is not set", 0},
		{"oauthbearer key without SASL", "sasl.oauthbearer.token.endpoint.url=https://x\n", nil, keyOAuthTokenEndpoint, "does not use SASL", 1},
		{"assertion key", "sasl.oauthbearer.assertion.file=/x\n", nil, "sasl.oauthbearer.assertion.file", "JWT-bearer assertions", 1},
		{"login class", "sasl.login.class=x.Y\n", nil, "sasl.login.class", "custom login classes", 1},
		{"callback handler with PLAIN", "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n" + jaasPlain + "sasl.login.callback.handler.class=x.Y\n", nil,
			keyLoginCallbackHandler, "custom login callbacks are not supported for PLAIN", 4},
		{"stray jaas line", "sasl.jaas.config=PlainLoginModule required \\\n  username=\"u\"\n  " + password + "\n", nil, "", "not shown", 3},
		{"bad dns lookup", "client.dns.lookup=maybe\n", nil, "client.dns.lookup", "unknown value", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{BootstrapServers: "h:1", Overrides: tc.x}
			if tc.props != "" {
				opts.CommandConfig = writeProps(t, tc.props)
			}
			_, err := Load(opts)
			var ce *ConfigError
			if !errors.As(err, &ce) || !IsConfigError(err) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			msg := err.Error()
			if ce.Key != tc.key || ce.Line != tc.line || !strings.Contains(msg, tc.want) {
				t.Errorf("err = %q (key %q line %d), want key %q line %d and %q", msg, ce.Key, ce.Line, tc.key, tc.line, tc.want)
			}
			if tc.line > 0 && !strings.Contains(msg, fmt.Sprintf("client.properties:%d", tc.line)) {
				t.Errorf("err %q does not name the file and line", msg)
			}
			if strings.Contains(msg, password) || strings.Contains(msg, "Zebra") {
				t.Errorf("err %q leaks the password", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("err %q is not one line", msg)
			}
		})
	}
}

func TestLoadWithoutBootstrap(t *testing.T) {
	s, err := Load(Options{Getenv: func(string) string { return "" }})
	if err != nil || len(s.BootstrapServers) != 0 || s.SecurityProtocol != ProtocolPlaintext {
		t.Fatalf("Load() = %v, %v; want no servers, PLAINTEXT, no error", s, err)
	}
	_, err = Load(Options{Getenv: func(string) string { return "a:1,b" }})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Source != EnvBootstrapServers || !strings.Contains(err.Error(), `"b" has no port`) {
		t.Fatalf("bad env value: err = %v", err)
	}
	_, err = Load(Options{BootstrapServers: "foo"})
	if want := `--bootstrap-server: bootstrap server "foo" has no port (use host:port, e.g. localhost:9092)`; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestLoadMissingCommandConfig(t *testing.T) {
	_, err := Load(Options{BootstrapServers: "h:1", CommandConfig: "/nonexistent/client.properties"})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Key != "--command-config" || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want --command-config ConfigError wrapping fs.ErrNotExist", err)
	}
}

func TestSASLToSarama(t *testing.T) {
	jaas := func(module string) string {
		return `sasl.jaas.config=org.apache.kafka.common.security.` + module + ` required \` + "\n" +
			`    username="svc-runbook" \` + "\n" + `    password="` + password + `";` + "\n"
	}
	cases := []struct {
		name, props string
		x           []string
		mech        string
		tls, scram  bool
	}{
		{"PLAIN inferred from module", "security.protocol=SASL_SSL\n" + jaas("plain.PlainLoginModule"), nil, "PLAIN", true, false},
		{"SCRAM-SHA-512 jaas", "security.protocol=sasl_plaintext\nsasl.mechanism=scram-sha-512\n" + jaas("scram.ScramLoginModule"), nil,
			"SCRAM-SHA-512", false, true},
		{"kcat style", "sasl.username=svc-runbook\nsasl.password=" + password + "\n",
			[]string{"security.protocol=SASL_SSL", "sasl.mechanisms=SCRAM-SHA-256"}, "SCRAM-SHA-256", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, tc.props), Overrides: tc.x})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := s.SaramaConfig(Timeouts{})
			if err != nil {
				t.Fatal(err)
			}
			sasl := cfg.Net.SASL
			if !sasl.Enable || string(sasl.Mechanism) != tc.mech || sasl.User != "svc-runbook" || sasl.Password != password || !sasl.Handshake {
				t.Errorf("SASL = enable %v mech %q user %q handshake %v", sasl.Enable, sasl.Mechanism, sasl.User, sasl.Handshake)
			}
			if (sasl.SCRAMClientGeneratorFunc != nil) != tc.scram {
				t.Errorf("SCRAM generator set = %v, want %v", sasl.SCRAMClientGeneratorFunc != nil, tc.scram)
			}
			if tc.scram && sasl.SCRAMClientGeneratorFunc() == nil {
				t.Error("SCRAM generator returned nil")
			}
			if cfg.Net.TLS.Enable != tc.tls || (tc.tls && cfg.Net.TLS.Config.RootCAs != nil) {
				t.Errorf("TLS enable %v, want %v with system roots", cfg.Net.TLS.Enable, tc.tls)
			}
		})
	}
}

func TestSaramaConfigForDiagnostics(t *testing.T) {
	s, err := Load(Options{BootstrapServers: "h:1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.SaramaConfig(Timeouts{Read: 7 * time.Second, Metadata: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	def := sarama.NewConfig()
	checks := []struct {
		name      string
		got, want any
	}{
		{"Version", cfg.Version, sarama.V4_0_0_0},
		{"ApiVersionsRequest", cfg.ApiVersionsRequest, true},
		{"ClientID", cfg.ClientID, "kafka-runbook"},
		{"DialTimeout default", cfg.Net.DialTimeout, DefaultDialTimeout},
		{"ReadTimeout given", cfg.Net.ReadTimeout, 7 * time.Second},
		{"WriteTimeout default", cfg.Net.WriteTimeout, DefaultWriteTimeout},
		{"Metadata.Timeout", cfg.Metadata.Timeout, 20 * time.Second},
		{"Metadata.Retry.Max", cfg.Metadata.Retry.Max, 0},
		{"AllowAutoTopicCreation", cfg.Metadata.AllowAutoTopicCreation, false},
		{"Metadata.Full", cfg.Metadata.Full, false},
		{"RefreshFrequency", cfg.Metadata.RefreshFrequency, time.Duration(0)},
		{"TLS", cfg.Net.TLS.Enable, false},
		{"SASL", cfg.Net.SASL.Enable, false},
		{"MaxOpenRequests untouched", cfg.Net.MaxOpenRequests, def.Net.MaxOpenRequests},
		{"Producer untouched", cfg.Producer.RequiredAcks, def.Producer.RequiredAcks},
		{"Consumer untouched", cfg.Consumer.Offsets.Initial, def.Consumer.Offsets.Initial},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	s2, err := Load(Options{BootstrapServers: "h:1", Overrides: []string{"client.id=ops-laptop", "client.dns.lookup=resolve_canonical_bootstrap_servers_only"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg2, _ := s2.SaramaConfig(Timeouts{})
	if cfg2.ClientID != "ops-laptop" || !cfg2.Net.ResolveCanonicalBootstrapServers {
		t.Errorf("client.id %q canonical %v", cfg2.ClientID, cfg2.Net.ResolveCanonicalBootstrapServers)
	}
}

func TestIgnoredKeysAndWarnings(t *testing.T) {
	props := "group.id=g\nrequest.timeout.ms=30000\nssl.protocol=TLSv1.3\nsecurity.protocol=SSL\nssl.endpoint.identification.algorithm=\n"
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, props), Overrides: []string{"ssl.truststore.password=" + password}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"group.id", "request.timeout.ms", "ssl.protocol"}; !slices.Equal(s.Ignored, want) {
		t.Errorf("Ignored = %q, want %q", s.Ignored, want)
	}
	all := strings.Join(s.Warnings, "\n")
	if !strings.Contains(all, "ssl.truststore.password was given with -X") || !strings.Contains(all, "host names are not") {
		t.Errorf("Warnings = %q", s.Warnings)
	}
	if strings.Contains(all, password) || s.VerifyHostname {
		t.Errorf("warnings leak or hostname verification still on: %q", s.Warnings)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	p := newTestPKI(t)
	keyPEM := string(p.client.keyPEM(t))
	keyBody := strings.Split(keyPEM, "\n")[1]
	props := "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256\n" +
		`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + password + "\";\n" +
		"ssl.truststore.location=" + p.truststoreP12(t, password) + "\nssl.truststore.password=" + password + "\n" +
		"ssl.keystore.key=" + continued([]byte(keyPEM)) + "\nssl.keystore.certificate.chain=" + continued(clientCertPEM(p)) + "\n"
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, props), InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	red := s.Redacted()
	for _, k := range []string{keySASLJAASConfig, keyTruststorePassword, keyKeystoreKey} {
		if red[k] != RedactedText {
			t.Errorf("Redacted()[%s] = %q, want %q", k, red[k], RedactedText)
		}
	}
	if red[keySASLUsername] != "alice" || red["insecure.skip.tls.verify"] != "true" || red[keyBootstrapServers] != "h:1" {
		t.Errorf("Redacted() lacks derived values: %v", red)
	}
	js, _ := json.Marshal(s)
	jsVal, _ := json.Marshal(*s)
	jsSASL, _ := json.Marshal(s.SASL)
	printed := []string{
		fmt.Sprint(red), s.String(), string(js), string(jsVal), string(jsSASL),
		fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", *s, *s, *s),
		fmt.Sprintf("%v %+v %#v %s %x", s.SASL, s.SASL, s.SASL, s.SASL.Password, s.SASL.Password),
	}
	for i, out := range printed {
		if strings.Contains(out, password) || strings.Contains(out, "Zebra") || strings.Contains(out, keyBody) {
			t.Errorf("output %d leaks a secret: %s", i, out)
		}
	}
	if s.SASL.Password.Reveal() != password {
		t.Error("Reveal lost the password")
	}
}
