package kafkatest_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// securedOptions is a cluster with every kind of secured listener and ACLs on.
func securedOptions(keystore string) kafkatest.Options {
	return kafkatest.Options{Security: &kafkatest.Security{
		Listeners: []kafkatest.Listener{
			{Name: "TLS", Protocol: kafkatest.ProtocolSSL},
			{Name: "MTLS", Protocol: kafkatest.ProtocolSSL, ClientAuth: true},
			{Name: "SASL_SSL", Protocol: kafkatest.ProtocolSASLSSL,
				Mechanisms: []string{kafkatest.MechanismPlain, kafkatest.MechanismSCRAMSHA512}},
		},
		Users:           map[string]string{"alice": "alice-test-password", "bob": "bob-test-password"},
		ACLs:            true,
		KeystoreType:    keystore,
		PrincipalFromCN: true,
	}}
}

// saramaOver returns a sarama config for one secured listener.
func saramaOver(c *kafkatest.Cluster, cert *tls.Certificate, mechanism, user, password string) *sarama.Config {
	cfg := kafkatest.NewSaramaConfig()
	roots := x509.NewCertPool()
	roots.AddCert(c.CA().Certificate())
	cfg.Net.TLS.Enable = true
	cfg.Net.TLS.Config = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Net.TLS.Config.Certificates = []tls.Certificate{*cert}
	}
	if mechanism != "" {
		cfg.Net.SASL.Enable = true
		cfg.Net.SASL.Mechanism = sarama.SASLMechanism(mechanism)
		cfg.Net.SASL.User, cfg.Net.SASL.Password = user, password
	}
	return cfg
}

func openBroker(t *testing.T, addr string, cfg *sarama.Config) (*sarama.Broker, error) {
	t.Helper()
	cfg.Net.DialTimeout, cfg.Net.ReadTimeout = 3*time.Second, 5*time.Second
	b := sarama.NewBroker(addr)
	if err := b.Open(cfg); err != nil {
		return nil, err
	}
	if ok, err := b.Connected(); !ok {
		if err == nil {
			err = errors.New("not connected")
		}
		return nil, err
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, nil
}

// TestSecuredListeners proves the harness's secured listeners at the protocol level, with a
// plain sarama client: TLS, mutual TLS and SASL/PLAIN over TLS answer, a missing client
// certificate and a wrong password are refused, and ACLs apply to principals that are not
// super users while the harness's PLAINTEXT helpers keep working. (SCRAM needs a SCRAM client,
// which sarama leaves to the caller; test/integration covers it through kafka-runbook.)
//
// It runs once per broker keystore type: PKCS12 files and inline PEM.
func TestSecuredListeners(t *testing.T) {
	for _, keystore := range []string{kafkatest.KeystorePKCS12, kafkatest.KeystorePEM} {
		t.Run(keystore, func(t *testing.T) { testSecuredListeners(t, keystore) })
	}
}

func testSecuredListeners(t *testing.T, keystore string) {
	began := time.Now()
	c := kafkatest.Start(t, securedOptions(keystore))
	t.Logf("secured startup took %s", time.Since(began).Round(time.Millisecond))
	c.CreateTopic(t, "visible", [][]int32{{1, 2, 3}}, nil)
	c.CreateTopic(t, "hidden", [][]int32{{2, 3, 1}}, nil)
	c.Produce(t, "visible", 0, 3)

	tlsAddr, mtlsAddr, saslAddr := c.ListenerAddr(1, "TLS"), c.ListenerAddr(1, "MTLS"), c.ListenerAddr(1, "SASL_SSL")
	if tlsAddr == "" || mtlsAddr == "" || saslAddr == "" || len(c.ListenerBootstrap("SASL_SSL")) != kafkatest.NumBrokers {
		t.Fatalf("listener addresses missing: %q %q %q %v", tlsAddr, mtlsAddr, saslAddr, c.ListenerBootstrap("SASL_SSL"))
	}
	if _, err := openBroker(t, tlsAddr, saramaOver(c, nil, "", "", "")); err != nil {
		t.Errorf("TLS listener: %v", err)
	}
	if _, err := openBroker(t, mtlsAddr, saramaOver(c, nil, "", "", "")); err == nil {
		t.Errorf("MTLS listener accepted a client without a certificate")
	} else {
		t.Logf("MTLS without a client certificate: %v", err)
	}
	kp, err := c.CA().IssueClient("alice")
	if err != nil {
		t.Fatal(err)
	}
	cert := &tls.Certificate{Certificate: [][]byte{kp.Cert.Raw}, PrivateKey: kp.Key}
	alice, err := openBroker(t, mtlsAddr, saramaOver(c, cert, "", "", ""))
	if err != nil {
		t.Fatalf("MTLS with a client certificate: %v", err)
	}
	if _, err := openBroker(t, saslAddr, saramaOver(c, nil, kafkatest.MechanismPlain, "bob", "wrong")); err == nil {
		t.Errorf("SASL/PLAIN accepted a wrong password")
	} else {
		t.Logf("SASL/PLAIN with a wrong password: %v", err)
	}
	bob, err := openBroker(t, saslAddr, saramaOver(c, nil, kafkatest.MechanismPlain, "bob", "bob-test-password"))
	if err != nil {
		t.Fatalf("SASL/PLAIN: %v", err)
	}

	// Without ACLs neither principal sees a topic; alice (via her certificate, mapped to
	// User:alice) then gets Describe on one topic, and sees exactly that one.
	if got := topicNames(t, bob); len(got) != 0 {
		t.Errorf("bob sees %v before any ACL", got)
	}
	c.CreateACLs(t, kafkatest.ACL{Principal: "User:alice", Resource: sarama.AclResourceTopic, Name: "visible", Operation: sarama.AclOperationDescribe})
	if got := topicNames(t, alice); len(got) != 1 || got[0] != "visible" {
		t.Errorf("alice sees %v, want [visible]", got)
	}
	if got := topicNames(t, bob); len(got) != 0 {
		t.Errorf("bob sees %v without ACLs", got)
	}
	// Left out when listing all topics, but named: TOPIC_AUTHORIZATION_FAILED, not "unknown".
	md, err := alice.GetMetadata(sarama.NewMetadataRequest(sarama.V4_0_0_0, []string{"hidden"}))
	if err != nil || len(md.Topics) != 1 || md.Topics[0].Err != sarama.ErrTopicAuthorizationFailed {
		t.Errorf("alice asking for hidden: %v %+v", err, md)
	}
	if md := c.Metadata(t); len(md.Topics) < 2 {
		t.Errorf("the harness (super user over PLAINTEXT) sees %d topics", len(md.Topics))
	}
}

func topicNames(t *testing.T, b *sarama.Broker) []string {
	t.Helper()
	md, err := b.GetMetadata(sarama.NewMetadataRequest(sarama.V4_0_0_0, nil))
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	var names []string
	for _, tm := range md.Topics {
		names = append(names, tm.Name)
	}
	return names
}
