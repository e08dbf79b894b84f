package clientconfig

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// pemArmor finds PEM blocks whatever the line breaks inside them.
var pemArmor = regexp.MustCompile(`(?s)-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----`)

// inlinePEM rebuilds PEM written inside a properties value. Kafka's docs show
// such values continued with a trailing backslash, which joins the lines
// with spaces ("-----BEGIN CERTIFICATE----- MIIB... -----END ..."); Kafka
// accepts that and so must we, but encoding/pem needs real line breaks.
// Blocks with headers (legacy encrypted keys) are kept as written.
func inlinePEM(s string) []byte {
	var b strings.Builder
	for _, m := range pemArmor.FindAllStringSubmatch(s, -1) {
		if m[1] != m[3] || strings.Contains(m[2], ":") {
			b.WriteString(m[0] + "\n")
			continue
		}
		body := strings.Join(strings.Fields(m[2]), "")
		b.WriteString("-----BEGIN " + m[1] + "-----\n")
		for len(body) > 64 {
			b.WriteString(body[:64] + "\n")
			body = body[64:]
		}
		b.WriteString(body + "\n-----END " + m[1] + "-----\n")
	}
	return []byte(b.String())
}

// errKeyNeedsPassword: an encrypted key and no ssl.key.password.
var errKeyNeedsPassword = errors.New("private key is encrypted and ssl.key.password is not set")

// pemBlocks decodes every PEM block in data. Text outside blocks (OpenSSL's
// "Bag Attributes" lines, comments) is skipped, as OpenSSL does.
func pemBlocks(data []byte) []*pem.Block {
	var out []*pem.Block
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		out = append(out, b)
	}
}

// pemCertificates parses every CERTIFICATE block, in order.
func pemCertificates(blocks []*pem.Block) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, b := range blocks {
		if b.Type != "CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// pemPrivateKey finds the one private key among blocks and decrypts it with
// password when it is encrypted. Supported: PKCS#8 ("PRIVATE KEY"),
// encrypted PKCS#8 with PBES2 ("ENCRYPTED PRIVATE KEY"), PKCS#1 and SEC 1
// ("RSA/EC PRIVATE KEY"), the last two also with OpenSSL's legacy
// "Proc-Type: 4,ENCRYPTED" headers that librdkafka users often have.
// Returns (nil, nil) when there is no key block at all.
func pemPrivateKey(blocks []*pem.Block, password string) (crypto.Signer, error) {
	var found *pem.Block
	for _, b := range blocks {
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			if found != nil {
				return nil, errors.New("holds more than one private key")
			}
			found = b
		}
	}
	if found == nil {
		return nil, nil
	}
	encrypted := found.Type == "ENCRYPTED PRIVATE KEY" || isLegacyEncrypted(found)
	der, err := decryptPEMKey(found, encrypted, password)
	if err != nil {
		return nil, err
	}
	var key any
	switch found.Type {
	case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(der)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	default:
		return nil, fmt.Errorf("private key type %q is not supported", found.Type)
	}
	if err != nil {
		if encrypted {
			// The key was encrypted: garbage after decryption means the
			// password was wrong, not that the file is corrupt.
			return nil, errWrongKeyPassword
		}
		return nil, fmt.Errorf("cannot parse private key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, errors.New("private key type is not supported")
	}
	return signer, nil
}

// decryptPEMKey returns the key DER, decrypting it when needed.
func decryptPEMKey(b *pem.Block, encrypted bool, password string) ([]byte, error) {
	switch {
	case !encrypted:
		return b.Bytes, nil
	case password == "":
		return nil, errKeyNeedsPassword
	case b.Type == "ENCRYPTED PRIVATE KEY":
		return decryptPKCS8(b.Bytes, password)
	}
	//lint:ignore SA1019 legacy OpenSSL key encryption is weak, but users have such keys and need to connect mid-incident.
	der, err := x509.DecryptPEMBlock(b, []byte(password))
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, errWrongKeyPassword
	}
	return der, err
}

func isLegacyEncrypted(b *pem.Block) bool {
	return strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}
