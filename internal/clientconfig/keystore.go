package clientconfig

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"

	"software.sslmate.com/src/go-pkcs12"
)

// loadClientCert loads the client certificate for mutual TLS, nil when none
// is configured. Three ways are accepted, one at a time:
//   - ssl.keystore.location: a PKCS12 file, or a PEM file holding the key
//     and the chain (ssl.keystore.type=PEM);
//   - a certificate chain (ssl.keystore.certificate.chain inline,
//     ssl.certificate.location or ssl.certificate.pem) plus a private key
//     (ssl.keystore.key inline, ssl.key.location or ssl.key.pem).
//
// Encrypted PEM keys are decrypted with ssl.key.password (see pemPrivateKey).
func (s *Settings) loadClientCert() (*tls.Certificate, error) {
	if err := s.checkStoreType(keyKeystoreType); err != nil {
		return nil, err
	}
	certE, hasCert, err := s.onlyOne(keyKeystoreCertChain, keyCertLocation, keyCertPEM)
	if err != nil {
		return nil, err
	}
	keyE, hasKey, err := s.onlyOne(keyKeystoreKey, keyKeyLocation, keyKeyPEM)
	if err != nil {
		return nil, err
	}
	store, hasStore := s.entries.get(keyKeystoreLocation)
	hasStore = hasStore && store.value != ""
	switch {
	case hasStore && (hasCert || hasKey):
		other := certE
		if !hasCert {
			other = keyE
		}
		return nil, other.errorf("use either "+keyKeystoreLocation+" or a certificate and key", "conflicts with %s", keyKeystoreLocation)
	case hasStore:
		return s.readKeystore(store)
	case hasCert && !hasKey:
		return nil, certE.errorf("set "+keyKeystoreKey+" or "+keyKeyLocation, "needs a private key")
	case hasKey && !hasCert:
		return nil, keyE.errorf("set "+keyKeystoreCertChain+" or "+keyCertLocation, "needs a certificate chain")
	case !hasCert:
		return nil, nil
	}
	certPEM, err := inlineOrFile(certE, keyKeystoreCertChain, keyCertPEM)
	if err != nil {
		return nil, err
	}
	keyPEM, err := inlineOrFile(keyE, keyKeystoreKey, keyKeyPEM)
	if err != nil {
		return nil, err
	}
	certs, err := pemCertificates(pemBlocks(certPEM))
	if err != nil {
		return nil, certE.wrap(err)
	}
	if len(certs) == 0 {
		return nil, certE.errorf("expected PEM \"-----BEGIN CERTIFICATE-----\" blocks", "contains no certificates")
	}
	key, err := pemPrivateKey(pemBlocks(keyPEM), s.entries.value(keyKeyPassword))
	if err != nil {
		return nil, s.keyError(keyE, err)
	}
	if key == nil {
		return nil, keyE.errorf("expected a PEM \"-----BEGIN PRIVATE KEY-----\" block", "contains no private key")
	}
	return buildCertificate(certE, certs, key)
}

// readKeystore reads ssl.keystore.location as PKCS12 or PEM (key + chain).
func (s *Settings) readKeystore(e entry) (*tls.Certificate, error) {
	data, err := readFileFor(e, "keystore")
	if err != nil {
		return nil, err
	}
	switch sniffStore(data) {
	case storePEM:
		blocks := pemBlocks(data)
		certs, err := pemCertificates(blocks)
		if err != nil {
			return nil, e.wrap(err)
		}
		key, err := pemPrivateKey(blocks, s.entries.value(keyKeyPassword))
		if err != nil {
			return nil, s.keyError(e, err)
		}
		if key == nil || len(certs) == 0 {
			return nil, e.errorf("a PEM keystore holds the private key and the certificate chain", "lacks a private key or a certificate")
		}
		return buildCertificate(e, certs, key)
	case storeJKS:
		return nil, jksError(e, keyKeystorePassword)
	case storePKCS12:
	default:
		return nil, e.errorf("use a PKCS12 or PEM file", "is neither PKCS12 nor PEM")
	}
	// PKCS12 files carry one password for store and key in practice (keytool
	// and openssl write them so), and go-pkcs12 takes one password for both;
	// a key password different from the store password is not supported.
	// Java users sometimes set only ssl.key.password, so fall back to it.
	pwKey := keyKeystorePassword
	if s.entries.value(pwKey) == "" && s.entries.value(keyKeyPassword) != "" {
		pwKey = keyKeyPassword
	}
	k, leaf, cas, err := pkcs12.DecodeChain(data, s.entries.value(pwKey))
	if isPKCS12PasswordError(err) {
		return nil, s.passwordError(pwKey, e)
	}
	if err != nil {
		return nil, &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: "cannot read PKCS12 keystore", Err: err,
			Hint: "it must hold exactly one private key and its certificate chain"}
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, e.errorf("use an RSA, ECDSA or Ed25519 key", "private key type is not supported")
	}
	return buildCertificate(e, append([]*x509.Certificate{leaf}, cas...), key)
}

// inlineOrFile returns an inline PEM value, or reads the file it names.
func inlineOrFile(e entry, inlineKeys ...string) ([]byte, error) {
	for _, k := range inlineKeys {
		if e.key == k {
			return inlinePEM(e.value), nil
		}
	}
	data, err := readBounded(e.value)
	if err != nil {
		return nil, &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: "cannot read file", Err: err}
	}
	return data, nil
}

// keyError attributes a key decoding error: password problems to
// ssl.key.password, anything else to the key's own entry.
func (s *Settings) keyError(keyE entry, err error) error {
	if errors.Is(err, errWrongKeyPassword) || errors.Is(err, errKeyNeedsPassword) {
		pe, ok := s.entries.get(keyKeyPassword)
		if !ok {
			pe = entry{key: keyKeyPassword, source: keyE.source}
		}
		return &ConfigError{Key: pe.key, Source: pe.source, Line: pe.line, Problem: err.Error(),
			Hint: "the password of the private key in " + keyE.key}
	}
	return keyE.wrap(err)
}

// buildCertificate puts the certificate matching key first (some chains are
// written CA-first) and checks the key belongs to it.
func buildCertificate(e entry, certs []*x509.Certificate, key crypto.Signer) (*tls.Certificate, error) {
	leaf := -1
	for i, c := range certs {
		if publicKeyEqual(c, key) {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return nil, e.errorf("the key and the certificate chain must belong together", "private key does not match any certificate")
	}
	ordered := append([]*x509.Certificate{certs[leaf]}, append(certs[:leaf:leaf], certs[leaf+1:]...)...)
	tc := &tls.Certificate{PrivateKey: key, Leaf: ordered[0]}
	for _, c := range ordered {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	return tc, nil
}
