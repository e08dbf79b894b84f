package collect

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// servedChain is the certificate chain a broker served in the probe's TLS
// handshake, leaf first: from the connection when it was established, or
// from the verification error when the certificates were refused (an
// expired or misnamed certificate is exactly the one to report). Nil when
// the connection is not TLS or the handshake never reached a certificate.
// No request is sent for it: it is read from the handshake the probe makes.
func servedChain(b *sarama.Broker, err error) []snapshot.Certificate {
	if err == nil {
		if state, ok := b.TLSConnectionState(); ok && state.HandshakeComplete {
			return certificatesOf(state.PeerCertificates)
		}
		return nil
	}
	var (
		verifyErr  *tls.CertificateVerificationError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		unknownCA  x509.UnknownAuthorityError
	)
	switch {
	case errors.As(err, &verifyErr):
		return certificatesOf(verifyErr.UnverifiedCertificates)
	case errors.As(err, &hostErr) && hostErr.Certificate != nil:
		return certificatesOf([]*x509.Certificate{hostErr.Certificate})
	case errors.As(err, &invalidErr) && invalidErr.Cert != nil:
		return certificatesOf([]*x509.Certificate{invalidErr.Cert})
	case errors.As(err, &unknownCA) && unknownCA.Cert != nil:
		return certificatesOf([]*x509.Certificate{unknownCA.Cert})
	}
	return nil
}

// certificatesOf keeps the public facts of each certificate: names, issuer
// and validity, never a key.
func certificatesOf(chain []*x509.Certificate) []snapshot.Certificate {
	if len(chain) == 0 {
		return nil
	}
	out := make([]snapshot.Certificate, 0, len(chain))
	for _, c := range chain {
		cert := snapshot.Certificate{
			Subject: c.Subject.String(), Issuer: c.Issuer.String(), DNSNames: c.DNSNames,
			NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(), IsCA: c.IsCA,
		}
		if c.SerialNumber != nil {
			cert.SerialNumber = fmt.Sprintf("%x", c.SerialNumber)
		}
		for _, ip := range c.IPAddresses {
			cert.IPAddresses = append(cert.IPAddresses, ip.String())
		}
		out = append(out, cert)
	}
	return out
}
