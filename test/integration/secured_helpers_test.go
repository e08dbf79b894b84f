package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// Listener names of the secured test cluster.
const (
	listenerTLS  = "TLS"      // SSL, no client certificate: the principal is User:ANONYMOUS
	listenerMTLS = "MTLS"     // SSL with ssl.client.auth=required
	listenerSASL = "SASL_SSL" // SASL/PLAIN and SASL/SCRAM-SHA-512 over TLS
)

// Test-only credentials, recognisable in any output that would leak them. They protect
// nothing but throwaway clusters on 127.0.0.1.
const (
	toolPassword    = "Sup3r-Secret-Pa55word-XYZZY"
	limitedPassword = "Limited-Test-Pa55word-QUUX"
	adminPassword   = "Admin-Test-Pa55word-PLUGH"
	storePassword   = "Store-Test-Pa55word-FROB"
)

// securedCluster is a real cluster whose brokers have the three secured listeners, ACLs on,
// and the client files a test hands kafka-runbook, written as an operator would.
type securedCluster struct {
	*kafkatest.Cluster
	dir string
	// caPEM and caP12 are the cluster CA as a PEM and a PKCS12 truststore; otherCAPEM is a CA
	// the brokers' certificates do not chain to; toolP12 is User:tool's client keystore.
	caPEM, caP12, otherCAPEM, toolP12 string
	// toolKeyPEM is the PEM body of tool's private key, to look for in outputs.
	toolKeyPEM string
}

// startSecured starts the cluster with TLS, mutual TLS and SASL_SSL listeners and ACLs on.
// Users: admin (super user), tool (the read-only diagnostic principal, also its client
// certificate's CN) and limited (read-only, but only on "shop." topics).
func startSecured(t *testing.T, keystore string) *securedCluster {
	t.Helper()
	c := kafkatest.Start(t, kafkatest.Options{Security: &kafkatest.Security{
		Listeners: []kafkatest.Listener{
			{Name: listenerTLS, Protocol: kafkatest.ProtocolSSL},
			{Name: listenerMTLS, Protocol: kafkatest.ProtocolSSL, ClientAuth: true},
			{Name: listenerSASL, Protocol: kafkatest.ProtocolSASLSSL,
				Mechanisms: []string{kafkatest.MechanismPlain, kafkatest.MechanismSCRAMSHA512}},
		},
		Users:           map[string]string{"admin": adminPassword, "tool": toolPassword, "limited": limitedPassword},
		ACLs:            true,
		SuperUsers:      []string{"User:admin"},
		KeystoreType:    keystore,
		PrincipalFromCN: true,
	}})
	sc := &securedCluster{Cluster: c, dir: t.TempDir()}
	sc.caPEM = sc.write(t, "ca.pem", c.CA().CertPEM())
	p12, err := c.CA().TrustStorePKCS12(storePassword)
	if err != nil {
		t.Fatal(err)
	}
	sc.caP12 = sc.write(t, "truststore.p12", p12)
	other, err := kafkatest.NewCA("some other CA")
	if err != nil {
		t.Fatal(err)
	}
	sc.otherCAPEM = sc.write(t, "other-ca.pem", other.CertPEM())
	kp, err := c.CA().IssueClient("tool")
	if err != nil {
		t.Fatal(err)
	}
	if p12, err = kp.PKCS12(storePassword); err != nil {
		t.Fatal(err)
	}
	sc.toolP12 = sc.write(t, "tool.p12", p12)
	keyPEM, err := kp.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	sc.toolKeyPEM = pemBody(keyPEM)

	c.CreateTopic(t, "shop.orders", [][]int32{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}, nil)
	c.CreateTopic(t, "shop.payments", [][]int32{{2, 3, 1}}, nil)
	c.CreateTopic(t, "hr.salaries", [][]int32{{3, 1, 2}}, nil)
	c.Produce(t, "shop.orders", 0, 20)
	c.CommitOffset(t, "billing", "shop.orders", 0, 10)
	c.CreateACLs(t, append(readOnlyACLs("User:tool", "*", false), readOnlyACLs("User:limited", "shop.", true)...)...)
	return sc
}

// readOnlyACLs are the ACLs docs/SECURITY.md tells a team to grant kafka-runbook's
// principal: DESCRIBE and DESCRIBE_CONFIGS on the cluster and on the topics, DESCRIBE on the
// groups. topics is a topic name, "*", or a prefix when prefixed.
func readOnlyACLs(principal, topics string, prefixed bool) []kafkatest.ACL {
	return []kafkatest.ACL{
		{Principal: principal, Resource: sarama.AclResourceCluster, Operation: sarama.AclOperationDescribe},
		{Principal: principal, Resource: sarama.AclResourceCluster, Operation: sarama.AclOperationDescribeConfigs},
		{Principal: principal, Resource: sarama.AclResourceTopic, Name: topics, Prefixed: prefixed, Operation: sarama.AclOperationDescribe},
		{Principal: principal, Resource: sarama.AclResourceTopic, Name: topics, Prefixed: prefixed, Operation: sarama.AclOperationDescribeConfigs},
		{Principal: principal, Resource: sarama.AclResourceGroup, Name: "*", Operation: sarama.AclOperationDescribe},
	}
}

func (sc *securedCluster) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(sc.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// bootstrap is the comma-separated address list of one secured listener.
func (sc *securedCluster) bootstrap(listener string) string {
	return strings.Join(sc.ListenerBootstrap(listener), ",")
}

// properties writes a client.properties file the way an operator would for kafka-topics.sh:
// one key=value per line, secrets included.
func (sc *securedCluster) properties(t *testing.T, name string, lines ...string) string {
	t.Helper()
	return sc.write(t, name, []byte("# written by the test, like a kafka-topics.sh --command-config file\n"+strings.Join(lines, "\n")+"\n"))
}

// jaas is a sasl.jaas.config value for one login module.
func jaas(mechanism, user, password string) string {
	module := "org.apache.kafka.common.security.scram.ScramLoginModule"
	if mechanism == kafkatest.MechanismPlain {
		module = "org.apache.kafka.common.security.plain.PlainLoginModule"
	}
	return fmt.Sprintf(`%s required username="%s" password="%s";`, module, user, password)
}

// saslProps are the client properties of a SASL_SSL login trusting the cluster CA from a PEM
// file (truststore "pem") or a PKCS12 store ("p12").
func (sc *securedCluster) saslProps(mechanism, user, password, truststore string) []string {
	lines := []string{"security.protocol=SASL_SSL", "sasl.mechanism=" + mechanism,
		"sasl.jaas.config=" + jaas(mechanism, user, password)}
	return append(lines, sc.trustProps(truststore)...)
}

func (sc *securedCluster) trustProps(truststore string) []string {
	if truststore == "p12" {
		return []string{"ssl.truststore.type=PKCS12", "ssl.truststore.location=" + sc.caP12,
			"ssl.truststore.password=" + storePassword}
	}
	return []string{"ssl.truststore.type=PEM", "ssl.truststore.location=" + sc.caPEM}
}

// pemBody is the base64 body of a PEM block, the part that must never be printed.
func pemBody(pemText []byte) string {
	var body []string
	for _, line := range strings.Split(string(pemText), "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") {
			body = append(body, line)
		}
	}
	return strings.Join(body, "")
}
