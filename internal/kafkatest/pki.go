package kafkatest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// certValidity is how long test certificates are valid. They live for one test run, but a
// year keeps them clear of the certificate checks' 30-day warning (TLS_CERT_EXPIRING), so
// that only a certificate a test means to expire soon is reported; the backdated start
// absorbs clock differences between Go and the JVMs.
const (
	certValidity = 365 * 24 * time.Hour
	certBackdate = time.Hour
)

// CA is a certificate authority made for one test run, in memory. Nothing it issues is ever
// written outside the test's temporary directories.
type CA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// NewCA makes a self-signed CA named commonName. ECDSA P-256 keeps key generation and the
// brokers' handshakes cheap on a two-core machine; Java 17 and Go both speak it.
func NewCA(commonName string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"kafkatest"}},
		NotBefore:             now.Add(-certBackdate),
		NotAfter:              now.Add(certValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key}, nil
}

// Certificate returns the CA certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertPEM returns the CA certificate as PEM: the content of a PEM truststore
// (ssl.truststore.type=PEM).
func (ca *CA) CertPEM() []byte { return pemCert(ca.cert) }

// TrustStorePKCS12 returns a PKCS12 truststore holding the CA certificate, protected by
// password, as keytool -importcert -storetype PKCS12 would write it.
func (ca *CA) TrustStorePKCS12(password string) ([]byte, error) {
	return pkcs12.Modern2023.EncodeTrustStore([]*x509.Certificate{ca.cert}, password)
}

// KeyPair is a certificate issued by a CA with its private key.
type KeyPair struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	CA   *x509.Certificate
}

// IssueServer issues a certificate for a broker: it names 127.0.0.1 and localhost, the only
// addresses the harness uses, so host name verification passes.
func (ca *CA) IssueServer(commonName string) (*KeyPair, error) {
	return ca.IssueServerFor(commonName, certValidity)
}

// IssueServerFor is IssueServer with a certificate valid for validity from now: a short one
// makes a certificate about to expire.
func (ca *CA) IssueServerFor(commonName string, validity time.Duration) (*KeyPair, error) {
	return ca.issue(commonName, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP(loopback)}, []string{"localhost"}, validity)
}

// IssueClient issues a client certificate for mutual TLS. With the harness's principal
// mapping rule the broker sees it as User:commonName.
func (ca *CA) IssueClient(commonName string) (*KeyPair, error) {
	return ca.issue(commonName, x509.ExtKeyUsageClientAuth, nil, nil, certValidity)
}

func (ca *CA) issue(commonName string, usage x509.ExtKeyUsage, ips []net.IP, names []string, validity time.Duration) (*KeyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    now.Add(-certBackdate),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  ips,
		DNSNames:     names,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &KeyPair{Cert: cert, Key: key, CA: ca.cert}, nil
}

// ChainPEM returns the certificate followed by its CA, as ssl.keystore.certificate.chain
// takes it.
func (kp *KeyPair) ChainPEM() []byte { return append(pemCert(kp.Cert), pemCert(kp.CA)...) }

// KeyPEM returns the private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), the form
// Kafka's inline ssl.keystore.key accepts without ssl.key.password. It is test material.
func (kp *KeyPair) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(kp.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PKCS12 returns a PKCS12 keystore with the key and chain, protected by password (used for
// both the store and the key, as keytool does by default).
func (kp *KeyPair) PKCS12(password string) ([]byte, error) {
	return pkcs12.Modern2023.Encode(kp.Key, kp.Cert, []*x509.Certificate{kp.CA}, password)
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// serial returns a random 128-bit serial number, as RFC 5280 recommends.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(fmt.Sprintf("kafkatest: crypto/rand failed: %v", err)) // cannot happen since Go 1.24
	}
	return n
}
