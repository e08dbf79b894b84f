package collect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/IBM/sarama"
	"github.com/jcmturner/gokrb5/v8/krberror"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// failure is how an error was classified, once, where it happened: its
// coarse kind (CollectError.Kind, and through it the probe status) and its
// precise cause (the Cause fields, from which hints are chosen).
type failure struct {
	kind  string // a snapshot.Kind* value
	cause string // a snapshot.Cause* value
}

// probeStatus is the probe status of each kind; other kinds are
// snapshot.StatusError.
var probeStatus = map[string]string{
	snapshot.KindRefused:       snapshot.StatusRefused,
	snapshot.KindTimeout:       snapshot.StatusTimeout,
	snapshot.KindTLS:           snapshot.StatusTLSError,
	snapshot.KindAuth:          snapshot.StatusAuthError,
	snapshot.KindAuthorization: snapshot.StatusDenied,
	snapshot.KindUnsupported:   snapshot.StatusUnsupported,
}

// status turns the kind into a probe status.
func (f failure) status() string {
	if s, ok := probeStatus[f.kind]; ok {
		return s
	}
	return snapshot.StatusError
}

// CauseOf classifies an error from sarama, crypto/tls or the network as one
// of the snapshot.Cause* values, from the error's types, never its text
// (except where sarama flattened the type away). It is what the collector
// records in Probe.Cause and CollectError.Cause.
func CauseOf(err error) string { return classify(err).cause }

// classify maps an error from sarama or the network to its kind and cause.
// The order matters: a deadline wins over whatever the abandoned request
// said, and a TLS or SASL failure over the Kafka error code it wraps.
func classify(err error) failure {
	var kerrV sarama.KError
	var netErr net.Error
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		return failure{}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return failure{snapshot.KindTimeout, snapshot.CauseTimeout}
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return failure{snapshot.KindRefused, snapshot.CauseRefused}
	case credentialsFailed(err):
		return failure{snapshot.KindAuth, snapshot.CauseSASLCredentials}
	case tlsCause(err) != "":
		return failure{snapshot.KindTLS, tlsCause(err)}
	case saslCause(err) != "":
		return failure{snapshot.KindAuth, saslCause(err)}
	case errors.Is(err, sarama.ErrUnsupportedVersion):
		return failure{snapshot.KindUnsupported, snapshot.CauseUnsupported}
	case errors.As(err, &kerrV):
		return classifyKError(kerrV)
	case errors.As(err, &netErr) && netErr.Timeout():
		return failure{snapshot.KindTimeout, snapshot.CauseTimeout}
	case strings.Contains(err.Error(), "tls:"), strings.Contains(err.Error(), "x509:"):
		return failure{snapshot.KindTLS, snapshot.CauseTLSFailed}
	case strings.Contains(err.Error(), "SASL"):
		return failure{snapshot.KindAuth, snapshot.CauseSASLAuthFailed}
	case errors.As(err, &dnsErr):
		return failure{snapshot.KindOther, snapshot.CauseDNS}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return failure{snapshot.KindOther, snapshot.CauseClosedAtOnce}
	}
	return failure{snapshot.KindOther, snapshot.CauseOther}
}

// tlsCause names a TLS failure from its type, "" when err is none.
func tlsCause(err error) string {
	var (
		unknownCA  x509.UnknownAuthorityError
		systemRoot x509.SystemRootsError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		opErr      *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &systemRoot):
		return snapshot.CauseTLSUnknownAuthority
	case errors.As(err, &hostErr):
		if c := hostErr.Certificate; c != nil && len(c.DNSNames) == 0 && len(c.IPAddresses) == 0 {
			return snapshot.CauseTLSNoHostNames
		}
		return snapshot.CauseTLSHostnameMismatch
	case errors.As(err, &invalidErr):
		if invalidErr.Reason == x509.Expired {
			return snapshot.CauseTLSExpired
		}
		return snapshot.CauseTLSFailed
	case errors.As(err, &recordErr):
		return snapshot.CauseTLSNotTLS
	case errors.As(err, &alertErr),
		// A TLS alert from the peer arrives as a "remote error" whose alert
		// type crypto/tls keeps private.
		errors.As(err, &opErr) && opErr.Op == "remote error" && strings.HasPrefix(opErr.Err.Error(), "tls: "):
		return snapshot.CauseTLSHandshakeRejected
	}
	return ""
}

// credentialsFailed reports an error from a SASL login's own credential
// source (an OAuth token endpoint, a Kerberos KDC, the AWS credential
// chain), raised before the broker saw a login. Such errors say so by a
// method, SASLCredentialsFailed() bool, because the code that raises them
// lives above this package and cannot share a type with it.
// A Kerberos error (gokrb5's, raised by sarama's and franz-go's GSSAPI
// logins) is one too: the KDC refused the ticket before the broker saw a login.
func credentialsFailed(err error) bool {
	var c interface{ SASLCredentialsFailed() bool }
	var krb krberror.Krberror
	var krbPtr *krberror.Krberror
	return errors.As(err, &c) && c.SASLCredentialsFailed() || errors.As(err, &krb) || errors.As(err, &krbPtr)
}

// saslCause names a SASL failure from sarama's error codes, "" when err is
// none.
func saslCause(err error) string {
	switch {
	case errors.Is(err, sarama.ErrIllegalSASLState):
		return snapshot.CauseSASLIllegalState
	case errors.Is(err, sarama.ErrUnsupportedSASLMechanism):
		return snapshot.CauseSASLUnsupportedMechanism
	case errors.Is(err, sarama.ErrSASLAuthenticationFailed):
		return snapshot.CauseSASLAuthFailed
	}
	return ""
}

// classifyKError classifies an error code a broker answered with.
func classifyKError(k sarama.KError) failure {
	switch k {
	case sarama.ErrTopicAuthorizationFailed, sarama.ErrGroupAuthorizationFailed,
		sarama.ErrClusterAuthorizationFailed, sarama.ErrTransactionalIDAuthorizationFailed,
		sarama.ErrDelegationTokenAuthorizationFailed:
		return failure{snapshot.KindAuthorization, snapshot.CauseAuthorization}
	case sarama.ErrUnsupportedVersion, sarama.ErrInvalidRequest:
		return failure{snapshot.KindUnsupported, snapshot.CauseUnsupported}
	case sarama.ErrRequestTimedOut:
		return failure{snapshot.KindTimeout, snapshot.CauseTimeout}
	}
	return failure{snapshot.KindProtocol, snapshot.CauseKafkaError}
}
