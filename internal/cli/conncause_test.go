package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/clientconfig"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// TestConnectionFailuresAreClassifiedOnce makes each way of failing to
// connect happen for real (a closed port, a hung listener, a name that does
// not resolve, TLS servers with bad certificates, SASL refusals over the
// Kafka protocol), collects through the command's own connection, and
// checks that the collector recorded the cause and the command shows
// exactly the one hint the table keeps for it.
func TestConnectionFailuresAreClassifiedOnce(t *testing.T) {
	pki := newCausePKI(t)
	trust := []string{"security.protocol=SSL", "ssl.truststore.type=PEM", "ssl.truststore.location=" + pki.caFile}
	sasl := []string{"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN", "sasl.username=svc", "sasl.password=Pa55-word"}
	tests := []struct {
		cause string
		addr  func(t *testing.T) string
		props []string
	}{
		{snapshot.CauseRefused, closedAddr, nil},
		{snapshot.CauseTimeout, hungAddr, nil},
		{snapshot.CauseDNS, func(*testing.T) string { return "kafka.invalid:9092" }, nil},
		{snapshot.CauseClosedAtOnce, closingAddr, nil},
		{snapshot.CauseTLSUnknownAuthority, pki.server(pki.rogue, "127.0.0.1"), trust},
		{snapshot.CauseTLSHostnameMismatch, pki.server(pki.ca, "kafka.example"), trust},
		{snapshot.CauseTLSNoHostNames, pki.server(pki.ca), trust},
		{snapshot.CauseTLSExpired, pki.expiredServer, trust},
		{snapshot.CauseTLSHandshakeRejected, pki.mutualServer, trust},
		{snapshot.CauseTLSNotTLS, notTLSAddr, trust},
		{snapshot.CauseSASLAuthFailed, saslRefusal(kmsg.SASLAuthenticate, kerr.SaslAuthenticationFailed.Code), sasl},
		{snapshot.CauseSASLIllegalState, saslRefusal(kmsg.SASLHandshake, kerr.IllegalSaslState.Code), sasl},
		{snapshot.CauseSASLUnsupportedMechanism, saslRefusal(kmsg.SASLHandshake, kerr.UnsupportedSaslMechanism.Code), sasl},
	}
	for _, tt := range tests {
		t.Run(tt.cause, func(t *testing.T) {
			t.Parallel()
			o := &ConnOptions{Bootstrap: tt.addr(t), Overrides: tt.props, Timeout: 1500 * time.Millisecond}
			app := &App{IO: &IO{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}
			_, err := o.collectOnce(context.Background(), app, 0, nil)
			var noCluster *collect.NoClusterError
			if !errors.As(err, &noCluster) {
				t.Fatalf("err = %v, want no cluster", err)
			}
			if got := noCluster.Endpoints[0].Probe.Cause; got != tt.cause {
				t.Fatalf("cause %q, want %q; probe %+v", got, tt.cause, noCluster.Endpoints[0].Probe)
			}
			want := clientconfig.HintFor(tt.cause)
			if hint := noClusterHint(noCluster); want == "" || hint != want {
				t.Errorf("hint %q\nwant exactly %q", hint, want)
			}
		})
	}
}

// closedAddr is an address on which nothing listens.
func closedAddr(t *testing.T) string {
	ln := listen(t)
	_ = ln.Close()
	return ln.Addr().String()
}

// hungAddr accepts connections and never answers.
func hungAddr(t *testing.T) string {
	return serve(t, listen(t), func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// closingAddr reads the first request and closes the connection, as a
// listener does that expected TLS or SASL.
func closingAddr(t *testing.T) string {
	return serve(t, listen(t), func(c net.Conn) { _, _ = c.Read(make([]byte, 4096)) })
}

// notTLSAddr answers anything with a line of HTTP.
func notTLSAddr(t *testing.T) string {
	return serve(t, listen(t), func(c net.Conn) {
		_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
		_, _ = c.Read(make([]byte, 1))
	})
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}

// serve runs handle on every connection, then closes it.
func serve(t *testing.T, ln net.Listener, handle func(net.Conn)) string {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				go func() { <-done; _ = c.Close() }()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// causePKI is a trusted CA, a rogue one, and the trusted CA's PEM file.
type causePKI struct {
	ca, rogue *testkit.Cert
	caFile    string
}

func newCausePKI(t *testing.T) *causePKI {
	p := &causePKI{ca: testkit.IssueCert(t, nil, "trusted CA", nil), rogue: testkit.IssueCert(t, nil, "rogue CA", nil)}
	p.caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.ca.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// server starts a TLS listener with a certificate from ca for names.
func (p *causePKI) server(ca *testkit.Cert, names ...string) func(t *testing.T) string {
	return func(t *testing.T) string { return p.tlsServer(t, ca, &tls.Config{}, testkit.ServerNames(names...)) }
}

// expiredServer presents a trusted certificate that expired yesterday.
func (p *causePKI) expiredServer(t *testing.T) string {
	return p.tlsServer(t, p.ca, &tls.Config{}, func(c *x509.Certificate) {
		testkit.ServerNames("127.0.0.1")(c)
		c.NotBefore, c.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
	})
}

// mutualServer demands a client certificate, which the client lacks.
func (p *causePKI) mutualServer(t *testing.T) string {
	return p.tlsServer(t, p.ca, &tls.Config{ClientAuth: tls.RequireAnyClientCert}, testkit.ServerNames("127.0.0.1"))
}

func (p *causePKI) tlsServer(t *testing.T, ca *testkit.Cert, cfg *tls.Config, mod func(*x509.Certificate)) string {
	cfg.Certificates = []tls.Certificate{testkit.IssueCert(t, ca, "kafka", mod).TLSCertificate()}
	return serve(t, tls.NewListener(listen(t), cfg), func(c net.Conn) { _, _ = c.Read(make([]byte, 1)) })
}

// saslRefusal is a Kafka listener that answers the SASL request key with
// code, as a broker does when the login fails (SaslAuthenticate), when the
// listener takes no SASL or lacks the mechanism (SaslHandshake).
func saslRefusal(key kmsg.Key, code int16) func(t *testing.T) string {
	return func(t *testing.T) string {
		kc, err := kfake.NewCluster(kfake.NumBrokers(1))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(kc.Close)
		kc.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
			kc.KeepControl()
			switch resp := req.ResponseKind().(type) {
			case *kmsg.SASLHandshakeResponse:
				resp.ErrorCode, resp.SupportedMechanisms = code, []string{"GSSAPI"}
				return resp, nil, true
			case *kmsg.SASLAuthenticateResponse:
				msg := "Authentication failed: Invalid username or password"
				resp.ErrorCode, resp.ErrorMessage = code, &msg
				return resp, nil, true
			}
			return nil, nil, false
		})
		return strings.Join(kc.ListenAddrs(), ",")
	}
}
