package collect_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
)

// TestCertificatesFromTheProbe: every broker's served chain is recorded from
// the probe's own handshake, leaf first, with its names and validity, both
// when it verifies and when the handshake completes only because the
// client skips verification (an expired certificate is recorded as such).
func TestCertificatesFromTheProbe(t *testing.T) {
	ca := testkit.IssueCert(t, nil, "test CA", func(c *x509.Certificate) { c.NotAfter = time.Now().AddDate(1, 0, 0) })
	for _, tc := range []struct {
		name     string
		notAfter time.Time
		verify   bool
	}{
		{"valid and verified", time.Now().Add(72 * time.Hour), true},
		{"expired, verification off", time.Now().Add(-time.Minute), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			leaf := testkit.IssueCert(t, ca, "broker", func(c *x509.Certificate) {
				testkit.ServerNames("127.0.0.1", "localhost")(c)
				c.NotAfter = tc.notAfter
			})
			kc, err := kfake.NewCluster(kfake.NumBrokers(2), kfake.SeedTopics(1, "orders"),
				kfake.TLS(&tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}}))
			if err != nil {
				t.Fatal(err)
			}
			defer kc.Close()
			roots := x509.NewCertPool()
			roots.AddCert(ca.Cert)
			cfg := sarama.NewConfig()
			cfg.Net.TLS.Enable = true
			cfg.Net.TLS.Config = &tls.Config{RootCAs: roots, InsecureSkipVerify: !tc.verify} //nolint:gosec // the test's own CA
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			snap, err := collect.Collect(ctx, collect.Options{Bootstrap: kc.ListenAddrs(), Config: cfg, RequestTimeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Brokers) != 2 {
				t.Fatalf("brokers %+v", snap.Brokers)
			}
			for _, b := range snap.Brokers {
				if len(b.Certificates) == 0 {
					t.Fatalf("broker %d: no certificate recorded (probe %+v)", b.ID, b.Probe)
				}
				c := b.Certificates[0]
				if c.Subject != "CN=broker" || c.Issuer != "CN=test CA" || !c.NotAfter.Equal(leaf.Cert.NotAfter.UTC()) ||
					len(c.IPAddresses) != 1 || c.IPAddresses[0] != "127.0.0.1" || c.DNSNames[0] != "localhost" {
					t.Errorf("broker %d leaf %+v", b.ID, c)
				}
			}
		})
	}
}
