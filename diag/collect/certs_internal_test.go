package collect

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// TestServedChainFromARefusedHandshake: when verification refuses the
// broker's certificate (expired, misnamed), the chain it served is still
// recorded from the error, since that certificate is the one to report.
func TestServedChainFromARefusedHandshake(t *testing.T) {
	leaf := testkit.IssueCert(t, nil, "broker", func(c *x509.Certificate) { c.NotAfter = time.Now().Add(-time.Hour) })
	for name, err := range map[string]error{
		"verification error": fmt.Errorf("dial: %w", &tls.CertificateVerificationError{
			UnverifiedCertificates: []*x509.Certificate{leaf.Cert}, Err: x509.CertificateInvalidError{Cert: leaf.Cert, Reason: x509.Expired}}),
		"invalid certificate": fmt.Errorf("dial: %w", x509.CertificateInvalidError{Cert: leaf.Cert, Reason: x509.Expired}),
		"host name":           x509.HostnameError{Certificate: leaf.Cert, Host: "kafka1"},
	} {
		chain := servedChain(nil, err)
		if len(chain) != 1 || chain[0].Subject != "CN=broker" || !chain[0].NotAfter.Equal(leaf.Cert.NotAfter.UTC()) {
			t.Errorf("%s: chain %+v", name, chain)
		}
	}
	if chain := servedChain(nil, fmt.Errorf("connection refused")); chain != nil {
		t.Errorf("a refused connection served %+v", chain)
	}
}
