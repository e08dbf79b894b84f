package clientconfig

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// continued writes PEM as Kafka's docs show inline values: one property
// continued over lines with trailing backslashes.
func continued(pemData []byte) string {
	return strings.ReplaceAll(strings.TrimSpace(string(pemData)), "\n", " \\\n  ")
}

func TestTLSHandshake(t *testing.T) {
	p := newTestPKI(t)
	const storePW, keyPW = "St0re-Pa55!", "K3y-Pa55!"
	caPEM := p.write(t, "ca.pem", p.ca.certPEM())
	clientCert := p.write(t, "client.pem", append(p.client.certPEM(), p.ca.certPEM()...))
	clientKey := p.write(t, "client-key.pem", p.client.keyPEM(t))
	clientKeyEnc := p.write(t, "client-key-enc.pem", p.client.legacyEncryptedKeyPEM(t, keyPW))
	pemKeystore := p.write(t, "keystore.pem", append(p.client.keyPEM(t), clientCertPEM(p)...))
	trustP12, keyP12 := p.truststoreP12(t, storePW), p.keystoreP12(t, storePW)

	pemFiles := "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=" + caPEM +
		"\nssl.keystore.type=PEM\nssl.keystore.location=" + pemKeystore + "\n"
	cases := []struct {
		name      string
		props     string
		flags     Options
		server    *testCert
		host      string
		wantCause string // "" means the handshake must succeed
	}{
		{name: "PEM truststore and PEM keystore files", props: pemFiles, server: p.server, host: "localhost"},
		{name: "PKCS12 stores with passwords", server: p.server, host: "127.0.0.1", props: "security.protocol=SSL\n" +
			"ssl.truststore.type=PKCS12\nssl.truststore.location=" + trustP12 + "\nssl.truststore.password=" + storePW +
			"\nssl.keystore.type=PKCS12\nssl.keystore.location=" + keyP12 + "\nssl.keystore.password=" + storePW +
			"\nssl.key.password=" + storePW + "\n"},
		{name: "inline PEM continued over lines", server: p.server, host: "localhost", props: "security.protocol=SSL\n" +
			"ssl.truststore.type=PEM\nssl.truststore.certificates=" + continued(p.ca.certPEM()) +
			"\nssl.keystore.type=PEM\nssl.keystore.key=" + continued(p.client.keyPEM(t)) +
			"\nssl.keystore.certificate.chain=" + continued(clientCertPEM(p)) + "\n"},
		{name: "kcat style with encrypted key", server: p.server, host: "localhost",
			props: "security.protocol=ssl\nssl.ca.location=" + caPEM + "\nssl.certificate.location=" + clientCert +
				"\nssl.key.location=" + clientKeyEnc + "\nssl.key.password=" + keyPW + "\n"},
		{name: "kcat style via -X only", server: p.server, host: "localhost", flags: Options{Overrides: []string{
			"security.protocol=SSL", "ssl.ca.location=" + caPEM, "ssl.certificate.location=" + clientCert, "ssl.key.location=" + clientKey}}},
		{name: "hostname mismatch is refused", props: pemFiles, server: p.otherName, host: "localhost",
			wantCause: snapshot.CauseTLSHostnameMismatch},
		{name: "hostname check off accepts other name", props: pemFiles + "ssl.endpoint.identification.algorithm=\n",
			server: p.otherName, host: "localhost"},
		{name: "untrusted CA is refused", props: pemFiles, server: p.rogueServer, host: "localhost",
			wantCause: snapshot.CauseTLSUnknownAuthority},
		{name: "hostname check off still checks the chain", props: pemFiles + "ssl.endpoint.identification.algorithm=\n",
			server: p.rogueServer, host: "localhost", wantCause: snapshot.CauseTLSUnknownAuthority},
		{name: "insecure skip verify accepts untrusted CA", props: pemFiles, flags: Options{InsecureSkipVerify: true},
			server: p.rogueServer, host: "localhost"},
		{name: "no client certificate is rejected by the server", server: p.server, host: "localhost",
			props: "security.protocol=SSL\nssl.truststore.location=" + caPEM + "\n", wantCause: snapshot.CauseTLSHandshakeRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.flags
			opts.BootstrapServers = "localhost:9093"
			if tc.props != "" {
				opts.CommandConfig = p.write(t, "client.properties", []byte(tc.props))
			}
			s, err := Load(opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			cfg, err := s.SaramaConfig(Timeouts{})
			if err != nil {
				t.Fatalf("SaramaConfig: %v", err)
			}
			if !cfg.Net.TLS.Enable || cfg.Net.TLS.Config == nil || cfg.Net.TLS.Config.ServerName != "" {
				t.Fatalf("TLS enable=%v config=%v: want enabled, ServerName left to sarama", cfg.Net.TLS.Enable, cfg.Net.TLS.Config)
			}
			addr, results := p.startServer(t, tc.server)
			err = dialLikeSarama(addr, tc.host, cfg.Net.TLS.Config)
			if tc.wantCause == "" {
				if err != nil {
					t.Fatalf("handshake: %v", err)
				}
				if r := <-results; r.err != nil || r.clientCN != "runbook-client" {
					t.Fatalf("server saw %+v, want client runbook-client", r)
				}
				return
			}
			if cause := collect.CauseOf(err); cause != tc.wantCause || HintFor(cause) == "" {
				t.Fatalf("err = %v, cause %q (hint %q), want %q", err, cause, HintFor(cause), tc.wantCause)
			}
		})
	}
}

func clientCertPEM(p *testPKI) []byte { return append(p.client.certPEM(), p.ca.certPEM()...) }

func TestPlaintextPortIsNotTLS(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n")) // anything that is not TLS
			time.Sleep(100 * time.Millisecond)
			_ = c.Close()
		}
	}()
	err = dialLikeSarama(ln.Addr().String(), "localhost", &tls.Config{MinVersion: tls.VersionTLS12})
	if cause := collect.CauseOf(err); cause != snapshot.CauseTLSNotTLS || !strings.Contains(HintFor(cause), "does not speak TLS") {
		t.Fatalf("err = %v, cause %q, hint %q", err, cause, HintFor(cause))
	}
	if cause := collect.CauseOf(errors.New("connection refused")); cause != snapshot.CauseOther {
		t.Fatalf("a plain error is cause %q, want other", cause)
	}
	if cause := collect.CauseOf(nil); cause != "" {
		t.Fatalf("nil is cause %q", cause)
	}
}

func TestTLSStoreErrors(t *testing.T) {
	p := newTestPKI(t)
	const pw = "Corr3ct-Horse"
	trustP12, keyP12 := p.truststoreP12(t, pw), p.keystoreP12(t, pw)
	caPEM := p.write(t, "ca.pem", p.ca.certPEM())
	wrongKey := p.write(t, "other-key.pem", p.server.keyPEM(t))
	clientPEM := p.write(t, "client.pem", p.client.certPEM())
	encKey := p.write(t, "enc.pem", p.client.legacyEncryptedKeyPEM(t, pw))
	cases := []struct{ name, props, key, want string }{
		{"JKS truststore", "ssl.truststore.type=JKS\nssl.truststore.location=testdata/store.jks\n",
			keyTruststoreLocation, "keytool -importkeystore"},
		{"JKS keystore", "ssl.keystore.location=testdata/store.jks\nssl.keystore.password=" + pw + "\n",
			keyKeystoreLocation, "JKS"},
		{"wrong truststore password", "ssl.truststore.location=" + trustP12 + "\nssl.truststore.password=WrongPw1\n",
			keyTruststorePassword, "wrong password"},
		{"missing keystore password", "ssl.keystore.location=" + keyP12 + "\n", keyKeystoreLocation, "not set"},
		{"wrong keystore password", "ssl.keystore.location=" + keyP12 + "\nssl.keystore.password=WrongPw1\n",
			keyKeystorePassword, "wrong password"},
		{"missing truststore file", "ssl.truststore.location=/nonexistent/ts.p12\n", keyTruststoreLocation, "no such file"},
		{"unsupported store type", "ssl.truststore.type=BCFKS\n", keyTruststoreType, "not supported"},
		{"two trust sources", "ssl.truststore.location=" + caPEM + "\nssl.ca.location=" + caPEM + "\n", keyCALocation, "set only one"},
		{"cert without key", "ssl.certificate.location=" + clientPEM + "\n", keyCertLocation, "needs a private key"},
		{"key not matching cert", "ssl.certificate.location=" + clientPEM + "\nssl.key.location=" + wrongKey + "\n",
			keyCertLocation, "does not match"},
		{"encrypted key without password", "ssl.certificate.location=" + clientPEM + "\nssl.key.location=" + encKey + "\n",
			keyKeyPassword, "encrypted"},
		{"encrypted key wrong password", "ssl.certificate.location=" + clientPEM + "\nssl.key.location=" + encKey +
			"\nssl.key.password=WrongPw1\n", keyKeyPassword, "cannot decrypt"},
		{"empty CA file", "ssl.ca.location=" + p.write(t, "empty.pem", []byte("# nothing\n")) + "\n", keyCALocation, "no certificates"},
		{"TLS material without TLS", "security.protocol=PLAINTEXT\nssl.ca.location=" + caPEM + "\n", keyCALocation, "does not use TLS"},
		{"cert verification off", "enable.ssl.certificate.verification=false\n", keyEnableCertVerify, "--insecure-skip-tls-verify"},
		{"bad endpoint algorithm", "ssl.endpoint.identification.algorithm=http\n", keyEndpointIdentAlg, "unknown value"},
		{"bad protocol list", "ssl.enabled.protocols=TLSv1.2,SSLv3\n", keyEnabledProtocols, "SSLv3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			props := tc.props
			if !strings.HasPrefix(props, "security.protocol") {
				props = "security.protocol=SSL\n" + props
			}
			path := p.write(t, "c.properties", []byte(props))
			_, err := Load(Options{BootstrapServers: "h:1", CommandConfig: path})
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if ce.Key != tc.key || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %q (key %q), want key %q and %q", err, ce.Key, tc.key, tc.want)
			}
			if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "WrongPw1") {
				t.Fatalf("err %q leaks a password", err)
			}
		})
	}
}

func TestTLSVersionsAndKeytoolStores(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.properties")
	props := "security.protocol=SSL\nssl.enabled.protocols=TLSv1.3\n" +
		"ssl.truststore.type=JKS\nssl.truststore.location=testdata/truststore-keytool.p12\nssl.truststore.password=fixture-pw\n" +
		"ssl.keystore.location=testdata/keystore-keytool.p12\nssl.keystore.password=fixture-pw\n"
	if err := os.WriteFile(path, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: path})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	cfg := s.TLSConfig()
	if cfg.MinVersion != tls.VersionTLS13 || cfg.MaxVersion != tls.VersionTLS13 {
		t.Errorf("versions %x..%x, want TLS 1.3 only", cfg.MinVersion, cfg.MaxVersion)
	}
	if got := s.TrustedCertificates(); len(got) != 1 || got[0].Subject.CommonName != "fixture" {
		t.Errorf("trusted %v, want the keytool fixture CA", got)
	}
	if c := s.ClientCertificate(); c == nil || c.Subject.CommonName != "fixture" {
		t.Errorf("client certificate %v, want the keytool fixture", c)
	}
}

func TestTrustAndKeySources(t *testing.T) {
	p := newTestPKI(t)
	caDir := filepath.Join(p.dir, "cas")
	if err := os.Mkdir(caDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"ca.crt": p.ca.certPEM(), "rogue.cer": p.rogueCA.cert.Raw, "notes.txt": []byte("not a cert"),
	} {
		if err := os.WriteFile(filepath.Join(caDir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// CA first: buildCertificate must still put the client certificate first.
	caFirst := p.write(t, "ca-first.pem", append(p.ca.certPEM(), p.client.certPEM()...))
	key := p.write(t, "key.pem", p.client.keyPEM(t))
	cases := []struct {
		name, props string
		trusted     int // -1: system roots
	}{
		{"CA directory", "ssl.ca.location=" + caDir, 2},
		{"probe means system roots", "ssl.ca.location=probe", -1},
		{"nothing means system roots", "ssl.truststore.type=PKCS12", -1},
		{"keystore used as truststore", "ssl.truststore.location=" + p.keystoreP12(t, "pw") + "\nssl.truststore.password=pw", 2},
		{"inline ssl.ca.pem", "ssl.ca.pem=" + continued(p.ca.certPEM()), 1},
		{"chain in CA-first order", "ssl.certificate.location=" + caFirst + "\nssl.key.location=" + key, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load(Options{BootstrapServers: "h:1", CommandConfig: writeProps(t, "security.protocol=SSL\n"+tc.props+"\n")})
			if err != nil {
				t.Fatal(err)
			}
			got := s.TrustedCertificates()
			if (tc.trusted < 0 && got != nil) || (tc.trusted >= 0 && len(got) != tc.trusted) {
				t.Errorf("trusted %d certificates, want %d", len(got), tc.trusted)
			}
			if tc.trusted < 0 && s.TLSConfig().RootCAs != nil {
				t.Error("RootCAs set, want nil (system roots)")
			}
			if c := s.ClientCertificate(); c != nil && c.Subject.CommonName != "runbook-client" {
				t.Errorf("client certificate %q is not the leaf", c.Subject.CommonName)
			}
		})
	}
}
