package clientconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
)

// TLSErrorHint reports whether err is a TLS failure (a connection error, not
// a config error) and, if so, what the user should check, in terms of the
// property keys they wrote. Collectors use ok to record a tls_error status
// instead of a generic connection failure.
func TLSErrorHint(err error) (hint string, ok bool) {
	if err == nil {
		return "", false
	}
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		record     tls.RecordHeaderError
		verifyErr  *tls.CertificateVerificationError
		opErr      *net.OpError
		systemRoot x509.SystemRootsError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &systemRoot):
		return "the broker certificate is not signed by a trusted CA: set " + keyTruststoreLocation +
			" (or " + keyCALocation + ") to the cluster's CA certificate", true
	case errors.As(err, &hostname):
		return "the broker certificate does not name the address dialled: use a host name from the " +
			"certificate, or set " + keyEndpointIdentAlg + "= (empty) to skip only the name check", true
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return "a certificate in the broker's chain has expired or is not yet valid (check the clocks too)", true
		}
		return "the broker certificate is not valid for a TLS server", true
	case errors.As(err, &verifyErr):
		return "the broker certificate could not be verified", true
	case errors.As(err, &record):
		return "the broker did not answer with TLS: the port may be a PLAINTEXT or SASL_PLAINTEXT " +
			"listener; check " + keySecurityProtocol + " and the port", true
	case errors.As(err, &opErr) && opErr.Op == "remote error" && strings.HasPrefix(opErr.Err.Error(), "tls: "):
		return remoteAlertHint(opErr.Err.Error()), true
	}
	return "", false
}

// remoteAlertHint explains an alert the broker sent during the handshake.
func remoteAlertHint(alert string) string {
	switch {
	case strings.Contains(alert, "certificate required"), strings.Contains(alert, "bad certificate"),
		strings.Contains(alert, "unknown certificate authority"), strings.Contains(alert, "certificate unknown"),
		strings.Contains(alert, "expired certificate"), strings.Contains(alert, "revoked certificate"):
		return "the broker rejected the client certificate (" + alert + "): check ssl.keystore.* or " +
			"ssl.certificate.location and that the broker trusts its CA"
	case strings.Contains(alert, "protocol version"), strings.Contains(alert, "handshake failure"):
		return "no TLS version or cipher in common with the broker (" + alert + "): check " + keyEnabledProtocols
	}
	return "the broker aborted the TLS handshake (" + alert + ")"
}
