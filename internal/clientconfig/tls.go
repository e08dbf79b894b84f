package clientconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
)

// tlsMaterial is what Load read from trust and key stores. It stays
// unexported so the private key can only leave through TLSConfig.
type tlsMaterial struct {
	roots      *x509.CertPool      // nil: the system roots
	rootCerts  []*x509.Certificate // the certificates in roots, for evidence
	cert       *tls.Certificate    // client certificate, nil when none
	minVersion uint16
	maxVersion uint16
}

// tlsMaterialKeys name trust or key material; setting one without TLS is
// almost always a forgotten security.protocol.
var tlsMaterialKeys = []string{
	keyTruststoreLocation, keyTruststoreCerts, keyCALocation, keyCAPEM,
	keyKeystoreLocation, keyKeystoreKey, keyKeystoreCertChain,
	keyCertLocation, keyKeyLocation, keyCertPEM, keyKeyPEM,
}

// resolveTLS validates the ssl.* keys and loads the stores they name.
func (s *Settings) resolveTLS(Options) error {
	if !s.SecurityProtocol.UsesTLS() {
		for _, k := range tlsMaterialKeys {
			if e, ok := s.entries.get(k); ok && e.value != "" {
				return e.errorf("set security.protocol=SSL (or SASL_SSL) to use TLS, or remove the key",
					"is set but security.protocol is %s, which does not use TLS", s.SecurityProtocol)
			}
		}
		if s.InsecureSkipVerify {
			s.Warnings = append(s.Warnings, "--insecure-skip-tls-verify has no effect: security.protocol is "+
				string(s.SecurityProtocol)+", which does not use TLS")
		}
		return nil
	}
	if err := s.resolveVerification(); err != nil {
		return err
	}
	var err error
	if s.tls.minVersion, s.tls.maxVersion, err = s.tlsVersions(); err != nil {
		return err
	}
	if s.tls.rootCerts, err = s.loadTrust(); err != nil {
		return err
	}
	if s.tls.rootCerts != nil {
		s.tls.roots = x509.NewCertPool()
		for _, c := range s.tls.rootCerts {
			s.tls.roots.AddCert(c)
		}
	}
	s.tls.cert, err = s.loadClientCert()
	return err
}

// resolveVerification reads ssl.endpoint.identification.algorithm and
// librdkafka's enable.ssl.certificate.verification.
func (s *Settings) resolveVerification() error {
	s.VerifyHostname = true
	if e, ok := s.entries.get(keyEndpointIdentAlg); ok {
		switch strings.ToLower(e.value) {
		case "https":
		case "", "none": // "none" is librdkafka's spelling
			s.VerifyHostname = false
			s.Warnings = append(s.Warnings, keyEndpointIdentAlg+" is empty: broker certificates are "+
				"checked against the trusted CAs but their host names are not")
		default:
			return e.errorf("use https to check host names, or an empty value not to",
				"unknown value %q", e.value)
		}
	}
	if e, ok := s.entries.get(keyEnableCertVerify); ok {
		switch strings.ToLower(e.value) {
		case "true":
		case "false":
			// One switch for "trust anything", so the CLI's warning always shows.
			return e.errorf("pass --insecure-skip-tls-verify instead", "cannot turn certificate verification off from properties")
		default:
			return e.errorf("use true or false", "unknown value %q", e.value)
		}
	}
	return nil
}

// tlsVersions turns ssl.enabled.protocols into a Go version range. Without
// it Go's TLS 1.2 to 1.3 is used, which is also what current Java allows.
func (s *Settings) tlsVersions() (lo, hi uint16, err error) {
	e, ok := s.entries.get(keyEnabledProtocols)
	if !ok || e.value == "" {
		return tls.VersionTLS12, 0, nil
	}
	versions := map[string]uint16{
		"TLSV1": tls.VersionTLS10, "TLSV1.1": tls.VersionTLS11,
		"TLSV1.2": tls.VersionTLS12, "TLSV1.3": tls.VersionTLS13,
	}
	for _, name := range strings.Split(e.value, ",") {
		v, known := versions[strings.ToUpper(strings.TrimSpace(name))]
		if !known {
			return 0, 0, e.errorf("use a list of TLSv1.2 and TLSv1.3", "unsupported protocol %q", strings.TrimSpace(name))
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi, nil
}

// TLSConfig returns the client TLS configuration, or nil when
// SecurityProtocol does not use TLS. ServerName is left empty on purpose:
// sarama (and tls.Dial) fill it per broker from the address being dialled,
// which is what hostname verification must check. Each call returns a new
// *tls.Config.
//
// With hostname verification off (ssl.endpoint.identification.algorithm
// empty), Go's built-in check is switched off and replaced by
// VerifyConnection, which still verifies the chain against the trusted CAs,
// so only the name check is skipped. InsecureSkipVerify skips everything.
func (s *Settings) TLSConfig() *tls.Config {
	if !s.SecurityProtocol.UsesTLS() {
		return nil
	}
	cfg := &tls.Config{
		MinVersion: s.tls.minVersion,
		MaxVersion: s.tls.maxVersion,
		RootCAs:    s.tls.roots,
	}
	if s.tls.cert != nil {
		cert := s.tls.cert
		// Always offer the certificate. Go would silently send none when the
		// broker's list of acceptable CAs does not name our issuer, and
		// "certificate required" is harder to diagnose than the broker
		// rejecting the certificate it was actually given.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	switch {
	case s.InsecureSkipVerify:
		cfg.InsecureSkipVerify = true
	case !s.VerifyHostname:
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(s.tls.roots)
	}
	return cfg
}

// verifyChainOnly verifies the server chain like crypto/tls does, minus the
// host name. Failures are *tls.CertificateVerificationError, as Go's own.
func verifyChainOnly(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: server sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: inter,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		return nil
	}
}

// ClientCertificate returns the client certificate that will be presented,
// nil when none is configured; useful to report its subject and expiry.
func (s *Settings) ClientCertificate() *x509.Certificate {
	if s.tls.cert == nil {
		return nil
	}
	return s.tls.cert.Leaf
}

// TrustedCertificates returns the CA certificates loaded from the
// truststore, or nil when the system roots are used.
func (s *Settings) TrustedCertificates() []*x509.Certificate {
	return append([]*x509.Certificate(nil), s.tls.rootCerts...)
}
