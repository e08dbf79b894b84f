package clientconfig

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafka-runbook/kafka-runbook/diag/collect"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestSaramaAgainstFakeKafka connects a real sarama client, configured only
// through properties, to an in-process Kafka (kfake) that requires mutual
// TLS and SASL, for each mechanism. It proves the wiring end to end: TLS
// material, SASL fields and the hand-written SCRAM client against an
// independent server implementation.
func TestSaramaAgainstFakeKafka(t *testing.T) {
	p := newTestPKI(t)
	caPEM := p.write(t, "ca.pem", p.ca.certPEM())
	keystore := p.write(t, "keystore.pem", append(p.client.keyPEM(t), clientCertPEM(p)...))
	pool := x509.NewCertPool()
	pool.AddCert(p.ca.cert)
	const user = "svc-runbook"

	for _, mech := range []string{sarama.SASLTypePlaintext, sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512} {
		t.Run(mech, func(t *testing.T) {
			cluster, err := kfake.NewCluster(
				kfake.NumBrokers(1),
				kfake.TLS(&tls.Config{
					Certificates: []tls.Certificate{p.server.tlsCert()},
					ClientAuth:   tls.RequireAndVerifyClientCert,
					ClientCAs:    pool,
					MinVersion:   tls.VersionTLS12,
				}),
				kfake.EnableSASL(),
				kfake.Superuser(mech, user, password),
				kfake.SeedTopics(1, "payments"),
			)
			if err != nil {
				t.Fatal(err)
			}
			defer cluster.Close()

			module := "scram.ScramLoginModule"
			if mech == sarama.SASLTypePlaintext {
				module = "plain.PlainLoginModule"
			}
			props := func(pw string) string {
				return "security.protocol=SASL_SSL\nsasl.mechanism=" + mech + "\n" +
					"sasl.jaas.config=org.apache.kafka.common.security." + module + ` required username="` + user +
					`" password="` + pw + "\";\nssl.truststore.location=" + caPEM +
					"\nssl.keystore.type=PEM\nssl.keystore.location=" + keystore + "\n"
			}
			connect := func(pw string, x ...string) error {
				s, err := Load(Options{
					BootstrapServers: strings.Join(cluster.ListenAddrs(), ","),
					CommandConfig:    writeProps(t, props(pw)),
					Overrides:        x,
				})
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := s.SaramaConfig(Timeouts{})
				if err != nil {
					t.Fatal(err)
				}
				client, err := sarama.NewClient(s.BootstrapServers, cfg)
				if err != nil {
					return err
				}
				defer func() { _ = client.Close() }()
				// With Metadata.Full off NewClient does not connect; asking
				// for a topic does.
				parts, err := client.Partitions("payments")
				if err == nil && len(parts) != 1 {
					t.Errorf("partitions = %v, want [0]", parts)
				}
				return err
			}
			if err := connect(password); err != nil {
				t.Fatalf("connect with the right password: %v", err)
			}
			// sarama wraps the handshake error; it must still classify as TLS.
			rogue := p.write(t, "rogue.pem", p.rogueCA.certPEM())
			err = connect(password, "ssl.truststore.location="+rogue)
			if cause := collect.CauseOf(err); cause != snapshot.CauseTLSUnknownAuthority {
				t.Errorf("untrusted broker: err = %v, cause %q, want %q", err, cause, snapshot.CauseTLSUnknownAuthority)
			}
			err = connect("Wrong-" + password)
			if err == nil || strings.Contains(err.Error(), password) {
				t.Fatalf("connect with a wrong password: err = %v, want a failure that does not echo it", err)
			}
		})
	}
}
