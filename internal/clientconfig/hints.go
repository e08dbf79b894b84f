package clientconfig

import "github.com/kafka-runbook/kafka-runbook/diag/snapshot"

// hints is the one table of what to check when a connection failed, keyed by
// the cause the collector classified (snapshot.Cause*) and worded in the
// property keys users write.
var hints = map[string]string{
	snapshot.CauseRefused: "nothing listens at a refused address: check host:port and that the brokers run",
	snapshot.CauseTimeout: "an address accepted but did not answer: the broker may be hung, or it is not speaking Kafka " +
		"(or expects TLS: set " + keySecurityProtocol + ")",
	snapshot.CauseDNS: "a host name did not resolve: check the host names in --bootstrap-server and this machine's DNS",
	snapshot.CauseTLSUnknownAuthority: "the brokers' certificates are not signed by a CA you trust: " +
		"set " + keyTruststoreLocation + " (PEM or PKCS12, with " + keyTruststoreType + ") in --command-config to the cluster's CA " +
		"certificate; --insecure-skip-tls-verify skips the check, for emergencies only",
	snapshot.CauseTLSHostnameMismatch: "the broker certificate does not name the address dialled: " +
		"connect with a host name from the certificate, or set " + keyEndpointIdentAlg + "= (empty) to skip only the name check",
	snapshot.CauseTLSNoHostNames: "the broker certificate names no host: " +
		"set " + keyEndpointIdentAlg + "= (empty) to skip only the name check",
	snapshot.CauseTLSExpired: "a certificate has expired or is not yet valid (check the clocks too)",
	snapshot.CauseTLSHandshakeRejected: "the broker rejected the TLS handshake, usually for want of a client " +
		"certificate it trusts (mutual TLS): set " + keyKeystoreLocation + " (PKCS12 or PEM) and its passwords in --command-config",
	snapshot.CauseTLSNotTLS: "the port does not speak TLS: check " + keySecurityProtocol +
		" and that the port is the broker's SSL or SASL_SSL listener",
	snapshot.CauseTLSFailed: "TLS failed: check " + keySecurityProtocol + " and ssl.truststore.* / ssl.keystore.* in --command-config",
	snapshot.CauseSASLIllegalState: "this listener does not use SASL: drop the sasl.* keys and set " +
		keySecurityProtocol + "=SSL (or PLAINTEXT), or connect to the broker's SASL listener",
	snapshot.CauseSASLUnsupportedMechanism: "set " + keySASLMechanism + " to one the listener enables " +
		"(sasl.enabled.mechanisms on the broker)",
	snapshot.CauseSASLAuthFailed: "the brokers rejected the login: check the user name and password in " + keySASLJAASConfig +
		", and that " + keySASLMechanism + " is one the user has credentials for (SCRAM credentials exist per mechanism)",
	snapshot.CauseSASLCredentials: "the login failed before reaching the brokers: for OAUTHBEARER check " + keyOAuthTokenEndpoint +
		" and the clientId and clientSecret in " + keySASLJAASConfig + "; for GSSAPI the keyTab and principal in " + keySASLJAASConfig +
		", the KDC in krb5.conf and " + keyKerberosServiceName + "; for AWS MSK IAM the AWS credentials and region",
	snapshot.CauseClosedAtOnce: "the broker closed the connection at once: the port may expect TLS or SASL " +
		"(set " + keySecurityProtocol + "=SSL or SASL_SSL in --command-config), or is not a Kafka listener",
}

// HintFor says which setting to check for a connection that failed with
// cause (a snapshot.Cause* value), or "" when the cause names none (an
// authorization or Kafka error, say, is not fixed by a client setting).
func HintFor(cause string) string { return hints[cause] }
