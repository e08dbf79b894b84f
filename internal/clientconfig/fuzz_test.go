package clientconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseProperties: any text gives properties or an error, never a
// panic, and an error never echoes a value (values may be secrets).
func FuzzParseProperties(f *testing.F) {
	for _, seed := range []string{
		"bootstrap.servers=a:1\nsecurity.protocol=SASL_SSL\n",
		"# comment\n! other\nkey : value\nkey2 value \\\n  continued\n",
		"sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
		"k=\\u00e9\\t\\n\\\\", "=\n:\n \\", "a=b\\",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ParseProperties(strings.NewReader(text), "fuzz.properties")
		if err != nil {
			return
		}
		for _, prop := range p.All() {
			if prop.Line < 1 {
				t.Fatalf("property %q has line %d", prop.Key, prop.Line)
			}
		}
	})
}

// FuzzParseBootstrap: any bootstrap string gives host:port entries or an
// error, never a panic.
func FuzzParseBootstrap(f *testing.F) {
	for _, seed := range []string{"a:1,b:2", "[::1]:9092", "SASL_SSL://k:9093", "", ",,,", "host", ":1", "h:99999", "[::1", "a:1 , a:1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addrs, err := ParseBootstrap(s)
		if err != nil {
			return
		}
		for _, a := range addrs {
			if !strings.Contains(a, ":") {
				t.Fatalf("entry %q has no port", a)
			}
		}
	})
}

// FuzzLoad: a whole client.properties file through Load and SaramaConfig.
// The fuzzed text is followed by a JAAS line holding a recognisable
// password, which must never appear in an error or in printed settings.
func FuzzLoad(f *testing.F) {
	const secret = "Fuzz-Secret-Pa55"
	for _, seed := range []string{
		"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n",
		"security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nssl.truststore.type=PEM\nssl.truststore.certificates=-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\n",
		"security.protocol=SSL\nssl.truststore.location=/dev/zero\n",
		"security.protocol=PLAINTEXT\n",
		"bootstrap.servers=a:1\nnot.a.key=1\n",
		"sasl.jaas.config=\\\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, secret) {
			t.Skip()
		}
		jaas := "\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"" + secret + "\";\n"
		path := filepath.Join(t.TempDir(), "client.properties")
		if err := os.WriteFile(path, []byte(text+jaas), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Load(Options{CommandConfig: path, BootstrapServers: "127.0.0.1:9092"})
		if err != nil {
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error leaks the password: %v", err)
			}
			return
		}
		if strings.Contains(s.String(), secret) {
			t.Fatalf("settings print the password: %s", s)
		}
		if _, err := s.SaramaConfig(Timeouts{}); err != nil && strings.Contains(err.Error(), secret) {
			t.Fatalf("error leaks the password: %v", err)
		}
	})
}
