package clientconfig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// testCert is a generated certificate and its key.
type testCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// newCert issues a certificate; parent nil means self-signed CA.
func newCert(t *testing.T, parent *testCert, cn string, mod func(*x509.Certificate)) *testCert {
	t.Helper()
	var issuer *testkit.Cert
	if parent != nil {
		issuer = &testkit.Cert{Cert: parent.cert, Key: parent.key}
	}
	c := testkit.IssueCert(t, issuer, cn, mod)
	return &testCert{cert: c.Cert, key: c.Key}
}

func serverName(names ...string) func(*x509.Certificate) { return testkit.ServerNames(names...) }

func clientUsage(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} }

func (c *testCert) certPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
}

func (c *testCert) keyPEM(t *testing.T) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// legacyEncryptedKeyPEM writes the key the way `openssl ec -aes256` did
// before OpenSSL 3 (Proc-Type: 4,ENCRYPTED).
func (c *testCert) legacyEncryptedKeyPEM(t *testing.T, pw string) []byte {
	der, err := x509.MarshalECPrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the test needs a legacy-encrypted key like users have.
	b, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte(pw), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(b)
}

func (c *testCert) tlsCert() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key, Leaf: c.cert}
}

// testPKI is a CA with a server and a client certificate, plus a second,
// untrusted CA and servers for the negative cases.
type testPKI struct {
	ca, server, otherName, client *testCert
	rogueCA, rogueServer          *testCert
	dir                           string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	p.ca = newCert(t, nil, "runbook test CA", nil)
	p.server = newCert(t, p.ca, "localhost", serverName("localhost", "127.0.0.1"))
	p.otherName = newCert(t, p.ca, "other.example", serverName("other.example"))
	p.client = newCert(t, p.ca, "runbook-client", clientUsage)
	p.rogueCA = newCert(t, nil, "rogue CA", nil)
	p.rogueServer = newCert(t, p.rogueCA, "localhost", serverName("localhost", "127.0.0.1"))
	return p
}

// write stores data under the test directory and returns its path.
func (p *testPKI) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (p *testPKI) truststoreP12(t *testing.T, pw string) string {
	data, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{p.ca.cert}, pw)
	if err != nil {
		t.Fatal(err)
	}
	return p.write(t, "truststore.p12", data)
}

func (p *testPKI) keystoreP12(t *testing.T, pw string) string {
	data, err := pkcs12.Modern.Encode(p.client.key, p.client.cert, []*x509.Certificate{p.ca.cert}, pw)
	if err != nil {
		t.Fatal(err)
	}
	return p.write(t, "keystore.p12", data)
}

// handshakeResult is what the test server saw.
type handshakeResult struct {
	clientCN string
	err      error
}

// startServer runs a TLS server on 127.0.0.1 that requires a client
// certificate from p.ca, accepts one connection and reports what it saw.
func (p *testPKI) startServer(t *testing.T, cert *testCert) (string, <-chan handshakeResult) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(p.ca.cert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert.tlsCert()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	results := make(chan handshakeResult, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			results <- handshakeResult{err: err}
			return
		}
		defer func() { _ = conn.Close() }()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		tc := conn.(*tls.Conn)
		if err := tc.Handshake(); err != nil {
			results <- handshakeResult{err: err}
			return
		}
		_, _ = tc.Write([]byte("ok"))
		cs := tc.ConnectionState()
		results <- handshakeResult{clientCN: cs.PeerCertificates[0].Subject.CommonName}
	}()
	return ln.Addr().String(), results
}

// dialLikeSarama connects the way sarama's broker does: plain TCP, then
// tls.Client with a clone of the config whose ServerName is the dialled
// host. It reads the server's "ok" so that TLS 1.3 client-certificate
// rejections, which arrive after the client's handshake, surface here.
func dialLikeSarama(addr, host string, cfg *tls.Config) error {
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer func() { _ = raw.Close() }()
	_ = raw.SetDeadline(time.Now().Add(5 * time.Second))
	c := cfg.Clone()
	c.ServerName = host
	conn := tls.Client(raw, c)
	if err := conn.Handshake(); err != nil {
		return err
	}
	buf := make([]byte, 2)
	if _, err := conn.Read(buf); err != nil {
		return err
	}
	return nil
}

func publicKeyEqualSigner(a, b interface{ Public() crypto.PublicKey }) bool {
	pa, ok := a.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pa.Equal(b.Public())
}
