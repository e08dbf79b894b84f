package clientconfig

import (
	"slices"
	"strings"
)

// Property keys this package acts on. Java client names come first; the
// librdkafka/kcat spellings are accepted so `-X` lines copied from kcat work.
const (
	keyBootstrapServers   = "bootstrap.servers"
	keySecurityProtocol   = "security.protocol"
	keySASLMechanism      = "sasl.mechanism"
	keySASLMechanisms     = "sasl.mechanisms" // librdkafka spelling
	keySASLJAASConfig     = "sasl.jaas.config"
	keySASLUsername       = "sasl.username" // librdkafka
	keySASLPassword       = "sasl.password" // librdkafka
	keyTruststoreType     = "ssl.truststore.type"
	keyTruststoreLocation = "ssl.truststore.location"
	keyTruststorePassword = "ssl.truststore.password"
	keyTruststoreCerts    = "ssl.truststore.certificates"
	keyCALocation         = "ssl.ca.location" // librdkafka
	keyCAPEM              = "ssl.ca.pem"      // librdkafka
	keyKeystoreType       = "ssl.keystore.type"
	keyKeystoreLocation   = "ssl.keystore.location"
	keyKeystorePassword   = "ssl.keystore.password"
	keyKeyPassword        = "ssl.key.password"
	keyKeystoreKey        = "ssl.keystore.key"
	keyKeystoreCertChain  = "ssl.keystore.certificate.chain"
	keyCertLocation       = "ssl.certificate.location" // librdkafka
	keyKeyLocation        = "ssl.key.location"         // librdkafka
	keyCertPEM            = "ssl.certificate.pem"      // librdkafka
	keyKeyPEM             = "ssl.key.pem"              // librdkafka
	keyEndpointIdentAlg   = "ssl.endpoint.identification.algorithm"
	keyEnabledProtocols   = "ssl.enabled.protocols"
	keyEnableCertVerify   = "enable.ssl.certificate.verification" // librdkafka
	keyClientID           = "client.id"
	keyClientDNSLookup    = "client.dns.lookup"

	keyOAuthTokenEndpoint   = "sasl.oauthbearer.token.endpoint.url"
	keyOAuthClientID        = "sasl.oauthbearer.client.credentials.client.id"     // Kafka 4.1
	keyOAuthClientSecret    = "sasl.oauthbearer.client.credentials.client.secret" // Kafka 4.1
	keyOAuthScope           = "sasl.oauthbearer.scope"                            // Kafka 4.1
	keyLoginCallbackHandler = "sasl.login.callback.handler.class"
	keyClientCallback       = "sasl.client.callback.handler.class"
	keyRefreshWindowFactor  = "sasl.login.refresh.window.factor"
	keyKerberosServiceName  = "sasl.kerberos.service.name"
	keyOAuthHeaderURLEncode = "sasl.oauthbearer.header.urlencode"
)

// usedKeys are the keys that change how kafka-runbook connects.
var usedKeys = []string{
	keyBootstrapServers, keySecurityProtocol, keySASLMechanism, keySASLMechanisms,
	keySASLJAASConfig, keySASLUsername, keySASLPassword,
	keyTruststoreType, keyTruststoreLocation, keyTruststorePassword, keyTruststoreCerts,
	keyCALocation, keyCAPEM,
	keyKeystoreType, keyKeystoreLocation, keyKeystorePassword, keyKeyPassword,
	keyKeystoreKey, keyKeystoreCertChain, keyCertLocation, keyKeyLocation, keyCertPEM, keyKeyPEM,
	keyEndpointIdentAlg, keyEnabledProtocols, keyEnableCertVerify, keyClientID, keyClientDNSLookup,
	keyOAuthTokenEndpoint, keyOAuthClientID, keyOAuthClientSecret, keyOAuthScope, keyOAuthHeaderURLEncode,
	keyLoginCallbackHandler, keyClientCallback, keyRefreshWindowFactor, keyKerberosServiceName, keyKrb5Conf,
}

// ignoredKeys are accepted and have no effect. They are common in client
// properties files people already have (often a consumer.properties reused
// as is) and do not matter to a short-lived read-only diagnostic tool:
// timeouts and retries come from the CLI's own flags because an outage tool
// must fail fast whatever the application settings say, and producer and
// consumer tuning never applies because nothing is produced or committed.
var ignoredKeys = []string{
	// Timeouts, retries, backoff and connection housekeeping.
	"request.timeout.ms", "default.api.timeout.ms", "retries", "retry.backoff.ms",
	"retry.backoff.max.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
	"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms",
	"connections.max.idle.ms", "metadata.max.age.ms", "metadata.max.idle.ms",
	"receive.buffer.bytes", "send.buffer.bytes", "client.rack",
	// TLS provider details Go's TLS stack picks for itself. ssl.protocol
	// names the Java SSLContext; ssl.enabled.protocols is what limits versions.
	"ssl.protocol", "ssl.provider", "ssl.cipher.suites", "ssl.keymanager.algorithm",
	"ssl.trustmanager.algorithm", "ssl.secure.random.implementation",
	// Login refresh and retry tuning: a token is refreshed at
	// sasl.login.refresh.window.factor of its life, and a failed login is
	// reported at once rather than retried, as everything else here.
	"sasl.login.refresh.window.jitter", "sasl.login.refresh.min.period.seconds",
	"sasl.login.refresh.buffer.seconds", "sasl.login.connect.timeout.ms", "sasl.login.read.timeout.ms",
	"sasl.login.retry.backoff.ms", "sasl.login.retry.backoff.max.ms",
	// Claims the broker reads from a token; the client sends it as issued.
	"sasl.oauthbearer.scope.claim.name", "sasl.oauthbearer.sub.claim.name", "sasl.oauthbearer.clock.skew.seconds",
	// Ticket renewal of long-lived Java clients; a command logs in afresh.
	"sasl.kerberos.kinit.cmd", "sasl.kerberos.min.time.before.relogin",
	"sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.ticket.renew.window.factor",
	// Consumer, producer and metrics settings.
	"group.id", "group.instance.id", "auto.offset.reset", "enable.auto.commit",
	"auto.commit.interval.ms", "session.timeout.ms", "heartbeat.interval.ms",
	"max.poll.records", "max.poll.interval.ms", "fetch.min.bytes", "fetch.max.bytes",
	"fetch.max.wait.ms", "max.partition.fetch.bytes", "isolation.level",
	"key.deserializer", "value.deserializer", "key.serializer", "value.serializer",
	"acks", "linger.ms", "batch.size", "compression.type", "enable.idempotence",
	"max.in.flight.requests.per.connection", "delivery.timeout.ms", "buffer.memory",
	"max.request.size", "partitioner.class", "interceptor.classes",
	"metric.reporters", "metrics.num.samples", "metrics.sample.window.ms",
	"metrics.recording.level", "auto.include.jmx.reporter",
}

// unsupportedKeys are known Kafka client keys we cannot honour; silently
// ignoring them would connect differently from what the user asked.
var unsupportedKeys = map[string]string{
	"sasl.login.class":                     "custom login classes are not supported; use sasl.jaas.config with one of the login modules of sasl.mechanism",
	"sasl.oauthbearer.jwt.retriever.class": "custom token retrievers are not supported; use client credentials (clientId and clientSecret in sasl.jaas.config)",
	"ssl.engine.factory.class":             "custom SSL engine factories are not supported; use the ssl.truststore.* and ssl.keystore.* keys",
	"security.providers":                   "Java security providers do not apply; remove the key",
}

type keyClass int

const (
	keyUnknown keyClass = iota
	keyUsed
	keyIgnored
)

func classifyKey(k string) keyClass {
	switch {
	case slices.Contains(usedKeys, k):
		return keyUsed
	case slices.Contains(ignoredKeys, k):
		return keyIgnored
	}
	return keyUnknown
}

// checkKey returns a *ConfigError for keys that are neither used nor ignored.
func checkKey(e entry) error {
	if classifyKey(e.key) != keyUnknown {
		return nil
	}
	ce := &ConfigError{Key: e.key, Source: e.source, Line: e.line}
	switch hint, known := unsupportedKeys[e.key]; {
	case known:
		ce.Problem, ce.Hint = "is not supported", hint
	case strings.HasPrefix(e.key, "sasl.oauthbearer.assertion."):
		ce.Problem, ce.Hint = "is not supported", "JWT-bearer assertions are not supported; use client credentials (clientId and clientSecret in sasl.jaas.config)"
	case !looksLikeKey(e.key):
		// Not echoed: a stray line is often a piece of a multi-line value,
		// such as the password line of a sasl.jaas.config.
		ce.Key = ""
		ce.Problem = "entry is not a Kafka property (its text is not shown in case it holds a secret)"
		ce.Hint = "write key=value; a value continued over several lines needs a \\ at the end of each line"
	default:
		ce.Problem = "unknown key"
		ce.Hint = "supported keys: " + strings.Join(SupportedKeys(), ", ")
		if near := nearestKey(e.key); near != "" {
			ce.Hint = "did you mean " + near + "? " + ce.Hint
		}
	}
	return ce
}

// SupportedKeys lists, sorted, the property keys that change how
// kafka-runbook connects. Keys that are accepted but ignored are not listed.
func SupportedKeys() []string {
	out := slices.Clone(usedKeys)
	slices.Sort(out)
	return out
}

// looksLikeKey reports whether k has the shape of a Kafka property name
// ("ssl.truststore.location"): lower-case words joined by dots.
func looksLikeKey(k string) bool {
	if !strings.Contains(k, ".") {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// isSecretKey reports whether a key's value must never be printed. It errs on
// the side of hiding: any key that mentions a password, secret or token.
func isSecretKey(k string) bool {
	switch k {
	case keySASLJAASConfig, keyKeystoreKey, keyKeyPEM:
		return true
	}
	lk := strings.ToLower(k)
	return strings.Contains(lk, "password") || strings.Contains(lk, "secret") ||
		strings.Contains(lk, "token") || strings.Contains(lk, "jaas")
}

// isInlinePEMKey reports keys whose value is an inline PEM certificate list:
// public, but too long to print usefully.
func isInlinePEMKey(k string) bool {
	return k == keyTruststoreCerts || k == keyCAPEM || k == keyKeystoreCertChain || k == keyCertPEM
}

// nearestKey returns the used or ignored key within two edits of k, for a
// "did you mean" hint on typos such as ssl.truststore.loaction.
func nearestKey(k string) string {
	best, bestDist := "", 3
	for _, list := range [][]string{usedKeys, ignoredKeys} {
		for _, cand := range list {
			if d := editDistance(k, cand); d < bestDist {
				best, bestDist = cand, d
			}
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (with adjacent
// transpositions, the most common typo) between two short ASCII strings.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
