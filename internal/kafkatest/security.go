package kafkatest

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Security protocols a secured listener may use (Kafka's security.protocol values).
const (
	ProtocolSSL           = "SSL"
	ProtocolSASLSSL       = "SASL_SSL"
	ProtocolSASLPlaintext = "SASL_PLAINTEXT"
)

// SASL mechanisms a secured listener may enable.
const (
	MechanismPlain       = "PLAIN"
	MechanismSCRAMSHA256 = "SCRAM-SHA-256"
	MechanismSCRAMSHA512 = "SCRAM-SHA-512"
	// MechanismOAuthBearer and MechanismGSSAPI need the listener's ServerJAAS (GSSAPI) or
	// Properties (the OAUTHBEARER validator): the harness has no identity provider or KDC.
	MechanismOAuthBearer = "OAUTHBEARER"
	MechanismGSSAPI      = "GSSAPI"
)

// StandardAuthorizer is the KRaft authorizer class Security.ACLs turns on.
const StandardAuthorizer = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

// Keystore types for Security.KeystoreType.
const (
	KeystorePEM    = "PEM"
	KeystorePKCS12 = "PKCS12"
)

// Security adds secured client listeners to every broker, next to its PLAINTEXT listener.
//
// The PLAINTEXT listener stays, and with it the cluster's internal traffic: brokers replicate
// over it, reach the controller over a PLAINTEXT controller listener, and the harness's own
// helpers (CreateTopic, Produce, CommitOffset, Metadata, CreateACLs, the readiness probes)
// keep using it. Connections there authenticate as User:ANONYMOUS, which is therefore a super
// user when ACLs are on: inter-broker requests need it. Only the listeners declared here are
// what a test's client, i.e. kafka-runbook, connects to.
type Security struct {
	// Listeners are the secured listeners each broker gets, each on its own port. Their
	// addresses come from ListenerBootstrap and ListenerAddr.
	Listeners []Listener
	// Users are the SASL users, name to password. Every user is known to PLAIN (the listener's
	// JAAS config) and has SCRAM credentials for every SCRAM mechanism a listener enables,
	// created at format time (kafka-storage format --add-scram). Names and passwords are
	// limited to letters, digits, '.', '_' and '-' because they are written unquoted into
	// JAAS and --add-scram syntax.
	Users map[string]string
	// ACLs turns on the StandardAuthorizer on every node. Super users are User:ANONYMOUS (the
	// PLAINTEXT paths above) and SuperUsers; everybody else needs ACLs (see CreateACLs).
	ACLs bool
	// SuperUsers are extra super-user principals, e.g. "User:admin".
	SuperUsers []string
	// KeystoreType is how brokers read their key and certificates: KeystorePEM (default,
	// inline ssl.keystore.key / ssl.keystore.certificate.chain) or KeystorePKCS12 (files
	// under the node's directory, as keytool writes them).
	KeystoreType string
	// PrincipalFromCN maps a client certificate's subject "CN=name" to the principal
	// User:name (ssl.principal.mapping.rules), so that one set of ACLs covers a tool whether
	// it logs in with SASL or with a certificate. Without it the principal is User:CN=name.
	PrincipalFromCN bool
	// CertValidity sets how long a broker's certificate is valid from the start, by broker
	// id: a few days makes one about to expire. Brokers not named get a year.
	CertValidity map[int32]time.Duration
}

// Listener is one secured listener.
type Listener struct {
	// Name is the listener name, e.g. "SASL_SSL" or "MTLS": upper-case letters, digits and
	// '_', and not PLAINTEXT or CONTROLLER, which the harness uses.
	Name string
	// Protocol is ProtocolSSL, ProtocolSASLSSL or ProtocolSASLPlaintext.
	Protocol string
	// ClientAuth sets ssl.client.auth=required on the listener: mutual TLS. TLS protocols only.
	ClientAuth bool
	// Mechanisms are the SASL mechanisms the listener enables. SASL protocols only, and
	// at least one.
	Mechanisms []string
	// ServerJAAS replaces the broker's sasl.jaas.config of a mechanism on this listener,
	// e.g. GSSAPI's Krb5LoginModule with the broker's keytab and principal.
	ServerJAAS map[string]string
	// Properties are extra settings of this listener, written with its prefix
	// ("listener.name.NAME."), e.g. "oauthbearer.sasl.server.callback.handler.class".
	Properties map[string]string
}

func (l Listener) usesTLS() bool { return l.Protocol == ProtocolSSL || l.Protocol == ProtocolSASLSSL }
func (l Listener) usesSASL() bool {
	return l.Protocol == ProtocolSASLSSL || l.Protocol == ProtocolSASLPlaintext
}

// prefix is the per-listener config prefix Kafka reads, e.g. "listener.name.sasl_ssl.".
func (l Listener) prefix() string { return "listener.name." + strings.ToLower(l.Name) + "." }

var (
	listenerName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	plainToken   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

func (s *Security) validate() error {
	if s == nil {
		return nil
	}
	if len(s.Listeners) == 0 {
		return fmt.Errorf("Security: no listeners")
	}
	seen := map[string]bool{}
	for _, l := range s.Listeners {
		if err := l.validate(s); err != nil {
			return fmt.Errorf("Security listener %q: %w", l.Name, err)
		}
		if seen[l.Name] {
			return fmt.Errorf("Security: listener %q declared twice", l.Name)
		}
		seen[l.Name] = true
	}
	for name, pw := range s.Users {
		if !plainToken.MatchString(name) || !plainToken.MatchString(pw) {
			return fmt.Errorf("Security user %q: names and passwords may only hold letters, digits, '.', '_' and '-'", name)
		}
	}
	switch s.KeystoreType {
	case "", KeystorePEM, KeystorePKCS12:
	default:
		return fmt.Errorf("Security.KeystoreType %q: use %s or %s", s.KeystoreType, KeystorePEM, KeystorePKCS12)
	}
	return nil
}

func (l Listener) validate(s *Security) error {
	if !listenerName.MatchString(l.Name) || l.Name == "PLAINTEXT" || l.Name == "CONTROLLER" {
		return fmt.Errorf("name must be upper case and not PLAINTEXT or CONTROLLER")
	}
	switch l.Protocol {
	case ProtocolSSL, ProtocolSASLSSL, ProtocolSASLPlaintext:
	default:
		return fmt.Errorf("protocol %q: use SSL, SASL_SSL or SASL_PLAINTEXT", l.Protocol)
	}
	if l.ClientAuth && !l.usesTLS() {
		return fmt.Errorf("ClientAuth needs a TLS protocol")
	}
	if l.usesSASL() != (len(l.Mechanisms) > 0) {
		return fmt.Errorf("SASL protocols need Mechanisms, other protocols none")
	}
	for _, m := range l.Mechanisms {
		switch m {
		case MechanismPlain, MechanismSCRAMSHA256, MechanismSCRAMSHA512:
			if len(s.Users) == 0 {
				return fmt.Errorf("%s needs Users", m)
			}
		case MechanismOAuthBearer:
		case MechanismGSSAPI:
			if l.ServerJAAS[m] == "" {
				return fmt.Errorf("GSSAPI needs ServerJAAS with the broker's keytab and principal")
			}
		default:
			return fmt.Errorf("mechanism %q: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI", m)
		}
	}
	return nil
}

// usesTLS reports whether any listener needs broker certificates.
func (s *Security) usesTLS() bool {
	return s != nil && slices.ContainsFunc(s.Listeners, Listener.usesTLS)
}

// scramMechanisms are the SCRAM mechanisms any listener enables, sorted.
func (s *Security) scramMechanisms() []string {
	set := map[string]bool{}
	if s != nil {
		for _, l := range s.Listeners {
			for _, m := range l.Mechanisms {
				if strings.HasPrefix(m, "SCRAM-") {
					set[m] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// scramFormatArgs are the kafka-storage format arguments that create every user's SCRAM
// credentials in the bootstrap metadata, so they exist before the first broker starts.
func (s *Security) scramFormatArgs() []string {
	var args []string
	for _, mech := range s.scramMechanisms() {
		for _, name := range slices.Sorted(maps.Keys(s.Users)) {
			args = append(args, "--add-scram", fmt.Sprintf("%s=[name=%s,password=%s]", mech, name, s.Users[name]))
		}
	}
	return args
}

// authorizerProperties go to every node, controller included: in KRaft the controller
// authorizes the requests brokers forward to it (CreateAcls among them).
func (s *Security) authorizerProperties() map[string]string {
	if s == nil || !s.ACLs {
		return nil
	}
	supers := append([]string{"User:ANONYMOUS"}, s.SuperUsers...)
	return map[string]string{
		"authorizer.class.name": StandardAuthorizer,
		"super.users":           strings.Join(supers, ";"),
	}
}

// brokerProperties are the listener, TLS and SASL settings of one broker. tls holds the
// broker's key material settings, made by writeBrokerTLS.
func (s *Security) brokerProperties(n *node, tls map[string]string) map[string]string {
	p := map[string]string{}
	listeners := []string{"PLAINTEXT://" + n.addr()}
	protocols := []string{"CONTROLLER:PLAINTEXT", "PLAINTEXT:PLAINTEXT"}
	for _, l := range s.Listeners {
		listeners = append(listeners, l.Name+"://"+n.listenerAddr(l.Name))
		protocols = append(protocols, l.Name+":"+l.Protocol)
		if l.ClientAuth {
			p[l.prefix()+"ssl.client.auth"] = "required"
		}
		if !l.usesSASL() {
			continue
		}
		p[l.prefix()+"sasl.enabled.mechanisms"] = strings.Join(l.Mechanisms, ",")
		for _, m := range l.Mechanisms {
			jaas := s.serverJAAS(m)
			if custom, ok := l.ServerJAAS[m]; ok {
				jaas = custom
			}
			p[l.prefix()+strings.ToLower(m)+".sasl.jaas.config"] = jaas
		}
		for k, v := range l.Properties {
			p[l.prefix()+k] = v
		}
	}
	p["listeners"] = strings.Join(listeners, ",")
	// A proxied broker (Options.ProxiedBrokers) advertises its proxy on PLAINTEXT only.
	p["advertised.listeners"] = strings.Join(append([]string{"PLAINTEXT://" + n.advertisedAddr()}, listeners[1:]...), ",")
	p["listener.security.protocol.map"] = strings.Join(protocols, ",")
	if s.PrincipalFromCN {
		p["ssl.principal.mapping.rules"] = "RULE:^CN=([^,]+)$/$1/,DEFAULT"
	}
	maps.Copy(p, tls)
	return p
}

// serverJAAS is the broker side of a mechanism's login: PLAIN lists its users inline,
// SCRAM reads credentials from the cluster metadata.
func (s *Security) serverJAAS(mechanism string) string {
	if mechanism == MechanismOAuthBearer {
		return "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;"
	}
	if mechanism != MechanismPlain {
		return "org.apache.kafka.common.security.scram.ScramLoginModule required;"
	}
	var b strings.Builder
	b.WriteString("org.apache.kafka.common.security.plain.PlainLoginModule required")
	for _, name := range slices.Sorted(maps.Keys(s.Users)) {
		fmt.Fprintf(&b, " user_%s=%q", name, s.Users[name])
	}
	b.WriteString(";")
	return b.String()
}

// writeBrokerTLS issues broker id's certificate and returns the ssl.* settings that make the
// broker serve it and trust ca for client certificates. PEM material goes inline, with
// newlines escaped for the properties file; PKCS12 stores are written under dir.
func (s *Security) writeBrokerTLS(ca *CA, id int32, dir string) (map[string]string, error) {
	validity := certValidity
	if v, ok := s.CertValidity[id]; ok {
		validity = v
	}
	kp, err := ca.IssueServerFor(fmt.Sprintf("broker-%d", id), validity)
	if err != nil {
		return nil, err
	}
	if s.KeystoreType == KeystorePKCS12 {
		return writePKCS12Stores(ca, kp, dir)
	}
	key, err := kp.KeyPEM()
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"ssl.keystore.type":              KeystorePEM,
		"ssl.keystore.key":               escapeNewlines(key),
		"ssl.keystore.certificate.chain": escapeNewlines(kp.ChainPEM()),
		"ssl.truststore.type":            KeystorePEM,
		"ssl.truststore.certificates":    escapeNewlines(ca.CertPEM()),
	}, nil
}

func writePKCS12Stores(ca *CA, kp *KeyPair, dir string) (map[string]string, error) {
	// A fixed, clearly-test password: the stores protect throwaway keys in a temp dir.
	const password = "kafkatest-store-password"
	ks, err := kp.PKCS12(password)
	if err != nil {
		return nil, err
	}
	ts, err := ca.TrustStorePKCS12(password)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ksPath, tsPath := filepath.Join(dir, "keystore.p12"), filepath.Join(dir, "truststore.p12")
	if err := os.WriteFile(ksPath, ks, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tsPath, ts, 0o600); err != nil {
		return nil, err
	}
	return map[string]string{
		"ssl.keystore.type":       KeystorePKCS12,
		"ssl.keystore.location":   ksPath,
		"ssl.keystore.password":   password,
		"ssl.key.password":        password,
		"ssl.truststore.type":     KeystorePKCS12,
		"ssl.truststore.location": tsPath,
		"ssl.truststore.password": password,
	}, nil
}

// escapeNewlines writes a multi-line value on one properties line: java.util.Properties
// turns "\n" back into a newline.
func escapeNewlines(b []byte) string {
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", `\n`)
}

// listenerAddr is the address of one of the node's secured listeners, "" when it has none.
func (n *node) listenerAddr(name string) string {
	port, ok := n.listenerPorts[name]
	if !ok {
		return ""
	}
	return net.JoinHostPort(loopback, strconv.Itoa(port))
}

// ListenerAddr returns broker id's address on the secured listener name, or "" when there is
// no such broker or listener.
func (c *Cluster) ListenerAddr(id int32, name string) string {
	if n, ok := c.nodes[id]; ok && n.broker {
		return n.listenerAddr(name)
	}
	return ""
}

// ListenerBootstrap returns every broker's address on the secured listener name, in broker
// id order: the bootstrap list for a client of that listener. It is empty when the cluster
// has no such listener.
func (c *Cluster) ListenerBootstrap(name string) []string {
	var addrs []string
	for _, id := range c.BrokerIDs() {
		if a := c.ListenerAddr(id, name); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// CA returns the certificate authority that signed the brokers' certificates, nil when no
// listener uses TLS. Tests issue client certificates from it and write its certificate as
// the client's truststore.
func (c *Cluster) CA() *CA { return c.ca }
