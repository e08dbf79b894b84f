package snapshot

import "strconv"

// Error kinds: why a source could not be collected.
const (
	KindRefused       = "refused"
	KindTimeout       = "timeout"
	KindTLS           = "tls"
	KindAuth          = "authentication"
	KindAuthorization = "authorization"
	KindUnsupported   = "unsupported"
	KindProtocol      = "protocol"
	KindOther         = "other"
)

// KindNote is how an error's kind is shown after its message: " (timeout)",
// or nothing for KindOther and an empty kind, which tell the reader
// nothing the message does not.
func KindNote(kind string) string {
	if kind == "" || kind == KindOther {
		return ""
	}
	return " (" + kind + ")"
}

// OfBroker is " of broker N" for an error tied to a broker, and "" for
// one that is not (Broker -1: the bootstrap, a recording's missing part),
// so no message ever names "broker -1".
func (e CollectError) OfBroker() string {
	if e.Broker < 0 {
		return ""
	}
	return " of broker " + strconv.Itoa(int(e.Broker))
}

// Collection sources, used in CollectError.Source.
const (
	SourceBootstrap       = "bootstrap"
	SourceMetadata        = "metadata"
	SourceDescribeCluster = "describe_cluster"
	SourceBrokerView      = "broker_view"
	SourceTopicConfigs    = "topic_configs"
	SourceBrokerConfigs   = "broker_configs"
	SourceLogDirs         = "log_dirs"
	SourceOffsets         = "offsets"
	SourceGroups          = "groups"
	SourceReassignments   = "reassignments"
	SourceACLs            = "acls"
	// SourceQuorum is DescribeQuorum, through a broker or a controller.
	SourceQuorum = "quorum"
	// SourceTopicPartitions is DescribeTopicPartitions (ELR).
	SourceTopicPartitions = "topic_partitions"
	// SourceTimeLag is the Fetch at committed offsets that reads how old
	// the next unconsumed record is.
	SourceTimeLag = "time_lag"
	// SourceTransactions is ListTransactions and DescribeTransactions.
	SourceTransactions = "transactions"
)

// CollectError names one thing that could not be collected.
type CollectError struct {
	Source string `json:"source"`
	// Broker is the broker asked, -1 when the failure is not tied to one.
	Broker int32  `json:"broker"`
	Kind   string `json:"kind"`
	// Subject narrows the failure (a topic, a group), "" when it is the whole source.
	Subject string `json:"subject,omitempty"`
	Message string `json:"message"`
	// Cause is why it failed, one of the Cause* values ("" in documents
	// written before causes were recorded).
	Cause string `json:"cause,omitempty"`
}

// Failure causes: why a probe or a request failed, precisely enough to say
// which setting to fix. The collector records one where it classifies the
// error it had in hand (Probe.Cause, CollectError.Cause), so nothing
// downstream reads the cause back out of the message text. A cause refines
// the coarse Status and Kind; "" means no failure, or a document written
// before causes were recorded.
const (
	// CauseTLSUnknownAuthority: the broker's certificate chain ends in a CA
	// the client does not trust.
	CauseTLSUnknownAuthority = "tls_unknown_authority"
	// CauseTLSHostnameMismatch: the broker's certificate names hosts, but
	// not the address dialled.
	CauseTLSHostnameMismatch = "tls_hostname_mismatch"
	// CauseTLSNoHostNames: the broker's certificate names no host at all
	// (no subject alternative names).
	CauseTLSNoHostNames = "tls_no_host_names"
	// CauseTLSExpired: a certificate has expired or is not yet valid.
	CauseTLSExpired = "tls_expired"
	// CauseTLSHandshakeRejected: the broker sent a TLS alert, usually for
	// want of a client certificate it trusts (mutual TLS).
	CauseTLSHandshakeRejected = "tls_handshake_rejected"
	// CauseTLSNotTLS: the port answered, but not with TLS.
	CauseTLSNotTLS = "tls_not_tls"
	// CauseTLSFailed: any other TLS failure.
	CauseTLSFailed = "tls_failed"
	// CauseSASLAuthFailed: the broker rejected the SASL login.
	CauseSASLAuthFailed = "sasl_auth_failed"
	// CauseSASLIllegalState: the listener does not take SASL.
	CauseSASLIllegalState = "sasl_illegal_state"
	// CauseSASLUnsupportedMechanism: the listener does not enable the
	// SASL mechanism asked for.
	CauseSASLUnsupportedMechanism = "sasl_unsupported_mechanism"
	// CauseSASLCredentials: the client could not obtain what it logs in
	// with before it reached the broker: an OAuth token endpoint refused
	// or failed, a Kerberos KDC refused the ticket, no AWS credentials.
	CauseSASLCredentials = "sasl_credentials"
	// CauseRefused: nothing listens at the address, or it is unreachable.
	CauseRefused = "refused"
	// CauseTimeout: no answer before the deadline.
	CauseTimeout = "timeout"
	// CauseDNS: the host name did not resolve.
	CauseDNS = "dns"
	// CauseClosedAtOnce: the peer closed the connection at once (EOF),
	// typically a port that expects TLS or SASL.
	CauseClosedAtOnce = "closed_at_once"
	// CauseUnsupported: the broker does not support the request or version.
	CauseUnsupported = "unsupported"
	// CauseAuthorization: the principal lacks the right to ask.
	CauseAuthorization = "authorization"
	// CauseKafkaError: the broker answered with another Kafka error code,
	// named in the message.
	CauseKafkaError = "kafka_error"
	// CauseOther: anything else.
	CauseOther = "other"
)
