package clientconfig

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

type storeKind int

const (
	storeUnknown storeKind = iota
	storePEM
	storePKCS12
	storeJKS
)

// sniffStore decides the format from the content, not from ssl.*.type: Java
// itself reads PKCS12 files declared as JKS ("keystore.type.compat"), and
// keytool writes PKCS12 by default since Java 9, so the declared type is
// often stale while the bytes never lie.
func sniffStore(data []byte) storeKind {
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return storePEM
	case bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}), bytes.HasPrefix(data, []byte{0xCE, 0xCE, 0xCE, 0xCE}):
		return storeJKS // JKS or JCEKS
	case len(data) > 0 && data[0] == 0x30: // DER SEQUENCE
		return storePKCS12
	}
	return storeUnknown
}

// checkStoreType rejects ssl.truststore.type/ssl.keystore.type values we
// cannot read, even before looking at the file.
func (s *Settings) checkStoreType(key string) error {
	e, ok := s.entries.get(key)
	if !ok {
		return nil
	}
	switch strings.ToUpper(e.value) {
	case "", "PEM", "PKCS12", "JKS": // JKS is checked against the content
		return nil
	}
	return e.errorf("use PKCS12 or PEM", "store type %q is not supported", e.value)
}

func jksError(e entry, passwordKey string) error {
	return e.errorf("convert it with keytool -importkeystore -srckeystore "+e.value+
		" -destkeystore store.p12 -deststoretype PKCS12, which prompts for the passwords; "+
		"then point "+e.key+" at store.p12 and keep "+passwordKey,
		"is a Java JKS/JCEKS store, which is not supported")
}

func readFileFor(e entry, what string) ([]byte, error) {
	data, err := readBounded(e.value)
	if err != nil {
		return nil, &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: "cannot read " + what, Err: err}
	}
	return data, nil
}

// loadTrust returns the CAs to trust, nil for the system roots.
func (s *Settings) loadTrust() ([]*x509.Certificate, error) {
	if err := s.checkStoreType(keyTruststoreType); err != nil {
		return nil, err
	}
	e, ok, err := s.onlyOne(keyTruststoreLocation, keyTruststoreCerts, keyCALocation, keyCAPEM)
	if err != nil || !ok {
		return nil, err
	}
	var certs []*x509.Certificate
	switch e.key {
	case keyTruststoreLocation:
		certs, err = s.readTruststore(e)
	case keyCALocation:
		if e.value == "probe" { // librdkafka: look for system CAs
			return nil, nil
		}
		certs, err = readCALocation(e)
	default:
		certs, err = pemCertificates(pemBlocks(inlinePEM(e.value)))
	}
	if err != nil {
		return nil, e.wrap(err)
	}
	if len(certs) == 0 {
		return nil, e.errorf("expected PEM \"-----BEGIN CERTIFICATE-----\" blocks", "contains no certificates")
	}
	return certs, nil
}

// readTruststore reads ssl.truststore.location as PEM or PKCS12.
func (s *Settings) readTruststore(e entry) ([]*x509.Certificate, error) {
	data, err := readFileFor(e, "truststore")
	if err != nil {
		return nil, err
	}
	switch sniffStore(data) {
	case storePEM:
		return pemCertificates(pemBlocks(data))
	case storeJKS:
		return nil, jksError(e, keyTruststorePassword)
	case storePKCS12:
	default:
		return nil, e.errorf("use a PEM or PKCS12 file", "is neither PEM nor PKCS12")
	}
	pw := s.entries.value(keyTruststorePassword)
	certs, err := pkcs12.DecodeTrustStore(data, pw)
	if err == nil {
		return certs, nil
	}
	if isPKCS12PasswordError(err) {
		return nil, s.passwordError(keyTruststorePassword, e)
	}
	// A keystore used as truststore: Java trusts the certificates in its key
	// entries, so do the same.
	if _, leaf, cas, err2 := pkcs12.DecodeChain(data, pw); err2 == nil {
		return append([]*x509.Certificate{leaf}, cas...), nil
	}
	return nil, &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: "cannot read PKCS12 truststore", Err: err,
		Hint: "create it with keytool -importcert -storetype PKCS12, or use a PEM CA file"}
}

// readCALocation reads librdkafka's ssl.ca.location: a PEM (or DER) file, or
// a directory of .pem/.crt/.cer files.
func readCALocation(e entry) ([]*x509.Certificate, error) {
	paths := []string{e.value}
	if st, err := os.Stat(e.value); err == nil && st.IsDir() {
		paths = nil
		des, err := os.ReadDir(e.value)
		if err != nil {
			return nil, &ConfigError{Key: e.key, Source: e.source, Line: e.line, Problem: "cannot read CA directory", Err: err}
		}
		for _, de := range des {
			if ext := strings.ToLower(filepath.Ext(de.Name())); !de.IsDir() && (ext == ".pem" || ext == ".crt" || ext == ".cer") {
				paths = append(paths, filepath.Join(e.value, de.Name()))
			}
		}
	}
	var certs []*x509.Certificate
	for _, p := range paths {
		data, err := readFileFor(entry{key: e.key, value: p, source: e.source, line: e.line}, "CA file")
		if err != nil {
			return nil, err
		}
		if sniffStore(data) == storePKCS12 { // i.e. starts like DER: a binary .cer
			c, err := x509.ParseCertificates(data)
			if err != nil {
				return nil, err
			}
			certs = append(certs, c...)
			continue
		}
		c, err := pemCertificates(pemBlocks(data))
		if err != nil {
			return nil, err
		}
		certs = append(certs, c...)
	}
	return certs, nil
}

// onlyOne returns the single non-empty entry among keys; more than one is a
// conflict because the user cannot know which one we would pick.
func (s *Settings) onlyOne(keys ...string) (entry, bool, error) {
	var found []entry
	for _, k := range keys {
		if e, ok := s.entries.get(k); ok && e.value != "" {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return entry{}, false, nil
	case 1:
		return found[0], true, nil
	}
	return entry{}, false, found[1].errorf("set only one of "+strings.Join(keys, ", "), "conflicts with %s", found[0].key)
}

// passwordError blames pwKey (or, when it is unset, the store entry) for a
// failed PKCS12 integrity check, without ever showing the password.
func (s *Settings) passwordError(pwKey string, store entry) error {
	if pe, ok := s.entries.get(pwKey); ok && pe.value != "" {
		return pe.errorf("check the password of "+store.value, "wrong password: the PKCS12 integrity check failed")
	}
	return store.errorf("set "+pwKey, "is password protected and %s is not set", pwKey)
}

func isPKCS12PasswordError(err error) bool {
	return errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption)
}

// publicKeyEqual reports whether key belongs to cert.
func publicKeyEqual(cert *x509.Certificate, key crypto.Signer) bool {
	pk, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pk.Equal(key.Public())
}

// maxStoreSize bounds a key or trust store file. Real ones are a few KiB;
// a path to a device or a huge file must fail, not hang or exhaust memory.
const maxStoreSize = 4 << 20

// readBounded reads a regular file of at most maxStoreSize bytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStoreSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStoreSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a key or trust store", path, maxStoreSize)
	}
	return data, nil
}
