package clientconfig

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// EnvBootstrapServers is the environment variable consulted for bootstrap
// servers when neither --bootstrap-server nor bootstrap.servers is given.
const EnvBootstrapServers = "KAFKA_BOOTSTRAP_SERVERS"

// EnvCommandConfig is the environment variable consulted for the client
// properties file when --command-config is not given.
const EnvCommandConfig = "KAFKA_RUNBOOK_COMMAND_CONFIG"

// DefaultClientID is the client.id brokers see unless client.id is set, so
// operators can tell kafka-runbook's connections apart in broker logs.
const DefaultClientID = "kafka-runbook"

// Flag names as the CLI spells them; used as ConfigError sources.
const (
	flagBootstrap     = "--bootstrap-server"
	flagCommandConfig = "--command-config"
	flagOverride      = "-X"
)

// Options is what the CLI gathers from flags and the environment. No field
// needs to hold a secret: secrets belong in the CommandConfig file.
type Options struct {
	// BootstrapServers is the --bootstrap-server/-b value, "" when not given.
	BootstrapServers string
	// CommandConfig is the --command-config path, "" when not given.
	CommandConfig string
	// Overrides are the -X values in command-line order, each "key=value".
	// They win over CommandConfig; a later -X wins over an earlier one.
	Overrides []string
	// CommandConfigSource names where CommandConfig came from when it was
	// not the --command-config flag, e.g. "KAFKA_RUNBOOK_COMMAND_CONFIG".
	CommandConfigSource string
	// Context, when set, is a named context's settings: used for whatever
	// the flags and environment above leave unset (see Load).
	Context *ContextDefaults
	// InsecureSkipVerify is --insecure-skip-tls-verify: accept any server
	// certificate. The CLI must warn when it is set.
	InsecureSkipVerify bool
	// Getenv reads the environment, normally os.Getenv. Nil means the
	// environment is not consulted, which keeps tests hermetic.
	Getenv func(string) string

	// awsCredentials, when set, signs AWS MSK IAM tokens instead of the
	// AWS credential chain: tests use fixed credentials.
	awsCredentials aws.CredentialsProvider
}

// ContextDefaults are a named context's connection settings, the lowest
// precedence of all: flags win over the environment, which wins over these.
type ContextDefaults struct {
	// Name is the context's name, for messages.
	Name string
	// Bootstrap is the context's host:port list.
	Bootstrap string
	// CommandConfig is the context's client properties file, "" for none.
	CommandConfig string
	// Settings are the context's inline client properties; they win over
	// its CommandConfig file.
	Settings map[string]string
}

// SecurityProtocol is a Kafka security.protocol value, upper case.
type SecurityProtocol string

// The security protocols Kafka clients speak.
const (
	ProtocolPlaintext     SecurityProtocol = "PLAINTEXT"
	ProtocolSSL           SecurityProtocol = "SSL"
	ProtocolSASLPlaintext SecurityProtocol = "SASL_PLAINTEXT"
	ProtocolSASLSSL       SecurityProtocol = "SASL_SSL"
)

// UsesTLS reports whether connections are wrapped in TLS.
func (p SecurityProtocol) UsesTLS() bool { return p == ProtocolSSL || p == ProtocolSASLSSL }

// UsesSASL reports whether connections authenticate with SASL.
func (p SecurityProtocol) UsesSASL() bool { return p == ProtocolSASLPlaintext || p == ProtocolSASLSSL }

// SASL is the resolved SASL login. It is printable: every fmt verb, JSON
// and slog show it without its secrets (String, Format; Password and the
// OAuth client secret redact themselves), and a keytab is known by its path.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, GSSAPI
	// or AWS_MSK_IAM.
	Mechanism string
	// Username is the authentication identity (the OAuth client id, the
	// Kerberos principal). Not treated as secret.
	Username string
	// Password is the secret of PLAIN and SCRAM; only Reveal() gives it.
	Password Secret
	// OAuth is the OAUTHBEARER client-credentials login, nil otherwise.
	OAuth *OAuth
	// Kerberos is the GSSAPI login, nil otherwise.
	Kerberos *Kerberos
	// MSKIAM is the AWS MSK IAM login (AWS_MSK_IAM, or OAUTHBEARER with
	// MSK's login callback handler), nil otherwise.
	MSKIAM *MSKIAM
}

// Settings is a validated connection configuration. All files named in it
// have been read and parsed by Load, so SaramaConfig and TLSConfig only
// assemble. Printing it with any fmt verb, or as JSON, shows Redacted().
type Settings struct {
	// BootstrapServers are the seed brokers as host:port, deduplicated.
	// Empty when none was given anywhere; commands that need a cluster
	// must check and say so.
	BootstrapServers []string
	// BootstrapSource says where BootstrapServers came from: "--bootstrap-server",
	// "-X", the command-config file (with line), "KAFKA_BOOTSTRAP_SERVERS" or
	// "context NAME".
	BootstrapSource string
	// BootstrapFromContext is true when BootstrapServers came from the
	// context (its bootstrap, or its command-config or inline settings).
	BootstrapFromContext bool
	// CommandConfig is the client properties file read: --command-config,
	// its environment variable or the context's; "" for none.
	CommandConfig string
	// SecurityProtocol is how connections are secured.
	SecurityProtocol SecurityProtocol
	// SASL is the login; zero unless SecurityProtocol.UsesSASL().
	SASL SASL
	// VerifyHostname is false when ssl.endpoint.identification.algorithm is
	// empty: the certificate chain is still verified, the name is not.
	VerifyHostname bool
	// InsecureSkipVerify disables all server certificate checks.
	InsecureSkipVerify bool
	// ClientID is sent to brokers; client.id or DefaultClientID.
	ClientID string
	// Warnings are things the user should hear about, e.g. a secret given
	// with -X or a disabled certificate check. The CLI prints them to stderr.
	Warnings []string
	// Ignored lists keys that were accepted but have no effect, in input order.
	Ignored []string

	tls      tlsMaterial
	canonDNS bool
	entries  *entrySet
	// tokens fetch OAUTHBEARER and MSK IAM tokens, shared by the sarama
	// and franz-go logins of one command so one token serves both.
	tokens *tokenSource
}

// Load merges the command-config file, -X overrides, flags and environment,
// validates every key and reads every file they name. All errors are
// *ConfigError (bad input); none contains a secret value.
//
// Precedence for bootstrap servers (a malformed value is an error, none at
// all leaves BootstrapServers empty): --bootstrap-server, then
// bootstrap.servers (-X over the file), then KAFKA_BOOTSTRAP_SERVERS, then
// the context's bootstrap, then its file's or inline bootstrap.servers. What
// is written on this command line wins over the ambient environment, so a
// stale exported variable never silently redirects an explicit
// --command-config; the environment wins over the context.
//
// The context's client properties (its command-config file under its
// inline settings) are used only when no command-config file is given by
// flag or environment: they are replaced as a whole, never mixed key by key
// with another file, so one cluster's credentials never reach another.
// -X overrides apply over whichever is used.
func Load(opts Options) (*Settings, error) {
	es, err := gather(opts)
	if err != nil {
		return nil, err
	}
	s := &Settings{ClientID: DefaultClientID, InsecureSkipVerify: opts.InsecureSkipVerify, entries: es,
		CommandConfig: opts.CommandConfig}
	if s.CommandConfig == "" && opts.Context != nil {
		s.CommandConfig = opts.Context.CommandConfig
	}
	for _, e := range es.list {
		if err := checkKey(e); err != nil {
			return nil, err
		}
		if classifyKey(e.key) == keyIgnored {
			s.Ignored = append(s.Ignored, e.key)
		}
		if isSecretKey(e.key) && e.source == flagOverride {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s was given with -X: command lines are visible "+
				"to other users and kept in shell history; put secrets in the --command-config file", e.key))
		}
	}
	steps := []func(Options) error{s.resolveBootstrap, s.resolveGeneral, s.resolveSASL, s.resolveTLS}
	for _, step := range steps {
		if err := step(opts); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// resolveBootstrap applies the precedence documented on Load.
func (s *Settings) resolveBootstrap(opts Options) error {
	raw, e := opts.BootstrapServers, entry{key: flagBootstrap, source: flagBootstrap}
	if strings.TrimSpace(raw) == "" {
		fe, inFile := s.entries.get(keyBootstrapServers)
		env := ""
		if opts.Getenv != nil {
			env = opts.Getenv(EnvBootstrapServers)
		}
		switch {
		case inFile && !fe.fromContext:
			raw, e = fe.value, fe
		case strings.TrimSpace(env) != "":
			raw, e = env, entry{source: EnvBootstrapServers}
		case opts.Context != nil && strings.TrimSpace(opts.Context.Bootstrap) != "":
			raw, e = opts.Context.Bootstrap, entry{key: "bootstrap", source: "context " + opts.Context.Name, fromContext: true}
		case inFile:
			raw, e = fe.value, fe
		}
	}
	if strings.TrimSpace(raw) == "" {
		// Not an error here: whether a command needs a cluster, and what to
		// suggest instead, is the caller's call.
		return nil
	}
	servers, err := ParseBootstrap(raw)
	if err != nil {
		return e.wrap(err)
	}
	s.BootstrapServers = servers
	s.BootstrapSource = e.where()
	s.BootstrapFromContext = e.fromContext
	return nil
}

// resolveGeneral handles security.protocol, client.id and client.dns.lookup.
func (s *Settings) resolveGeneral(Options) error {
	s.SecurityProtocol = ProtocolPlaintext
	if e, ok := s.entries.get(keySecurityProtocol); ok {
		switch p := SecurityProtocol(strings.ToUpper(e.value)); p {
		case ProtocolPlaintext, ProtocolSSL, ProtocolSASLPlaintext, ProtocolSASLSSL:
			s.SecurityProtocol = p
		default:
			return e.errorf("use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", "unknown security protocol %q", e.value)
		}
	}
	if e, ok := s.entries.get(keyClientID); ok && e.value != "" {
		// Honoured because broker quotas and ACL audit logs may key on it.
		s.ClientID = e.value
	}
	if e, ok := s.entries.get(keyClientDNSLookup); ok {
		switch e.value {
		case "use_all_dns_ips", "default":
		case "resolve_canonical_bootstrap_servers_only":
			s.canonDNS = true
		default:
			return e.errorf("use use_all_dns_ips or resolve_canonical_bootstrap_servers_only", "unknown value %q", e.value)
		}
	}
	return nil
}

// entry is one merged setting and where it came from.
type entry struct {
	key, value string
	source     string // file name, "-X" or a flag / variable name
	line       int
	// fromContext marks settings of the context (its file or inline).
	fromContext bool
}

// where renders the source for BootstrapSource and messages.
func (e entry) where() string {
	if e.line > 0 {
		return fmt.Sprintf("%s:%d", e.source, e.line)
	}
	return e.source
}

// wrap gives an error this entry's key and position. A *ConfigError that
// already names a key or source (e.g. the password key) keeps it.
func (e entry) wrap(err error) error {
	if ce, ok := err.(*ConfigError); ok {
		c := *ce
		if c.Key == "" {
			c.Key = e.key
		}
		if c.Source == "" {
			c.Source, c.Line = e.source, e.line
		}
		return &c
	}
	return &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: err.Error()}
}

// errorf builds a *ConfigError for this entry. Only call it with the value in
// args for keys that are not secret.
func (e entry) errorf(hint, format string, args ...any) *ConfigError {
	return &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: fmt.Sprintf(format, args...), Hint: hint}
}

// entrySet holds merged entries in input order; a later value for a key
// replaces the earlier one in place.
type entrySet struct {
	list  []entry
	byKey map[string]int
}

func (es *entrySet) put(e entry) {
	if i, ok := es.byKey[e.key]; ok {
		es.list[i] = e
		return
	}
	es.byKey[e.key] = len(es.list)
	es.list = append(es.list, e)
}

// get returns a key's entry. Values are trimmed on entry, like Kafka's
// ConfigDef does, so a trailing blank never ends up in a password.
func (es *entrySet) get(key string) (entry, bool) {
	i, ok := es.byKey[key]
	if !ok {
		return entry{}, false
	}
	return es.list[i], true
}

// value returns a key's value, "" when absent.
func (es *entrySet) value(key string) string {
	e, _ := es.get(key)
	return e.value
}

// gather reads the command-config file and applies -X overrides on top.
func gather(opts Options) (*entrySet, error) {
	es := &entrySet{byKey: map[string]int{}}
	path, source, fromContext := opts.CommandConfig, opts.CommandConfigSource, false
	if path == "" && opts.Context != nil {
		path, source, fromContext = opts.Context.CommandConfig, "context "+opts.Context.Name, true
	}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, &ConfigError{Key: flagCommandConfig, Source: source, Problem: "cannot open client properties", Err: err}
		}
		props, err := ParseProperties(f, path)
		_ = f.Close() // read-only file: a close error cannot lose data
		if err != nil {
			return nil, err
		}
		for _, p := range props.All() {
			es.put(entry{key: p.Key, value: strings.TrimSpace(p.Value), source: path, line: p.Line, fromContext: fromContext})
		}
	}
	if opts.CommandConfig == "" && opts.Context != nil {
		keys := make([]string, 0, len(opts.Context.Settings))
		for k := range opts.Context.Settings {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			es.put(entry{key: k, value: strings.TrimSpace(opts.Context.Settings[k]), source: "context " + opts.Context.Name, fromContext: true})
		}
	}
	for i, x := range opts.Overrides {
		k, v, ok := strings.Cut(x, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			ce := &ConfigError{Source: flagOverride, Problem: fmt.Sprintf("argument %d is not key=value", i+1),
				Hint: "write -X key=value, e.g. -X security.protocol=SSL"}
			// Echo the argument only when it is a known key, so a pasted
			// password is never printed back.
			if classifyKey(strings.TrimSpace(x)) != keyUnknown {
				ce.Key, ce.Problem = strings.TrimSpace(x), "has no =value"
			}
			return nil, ce
		}
		es.put(entry{key: k, value: strings.TrimSpace(v), source: flagOverride})
	}
	return es, nil
}
