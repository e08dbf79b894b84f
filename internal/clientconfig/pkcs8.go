package clientconfig

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"hash"
)

// Encrypted PKCS#8 ("-----BEGIN ENCRYPTED PRIVATE KEY-----") is what Kafka's
// ssl.keystore.key with ssl.key.password expects and what OpenSSL 3 writes by
// default, but Go's standard library cannot decrypt it. PBES2 with PBKDF2 and
// AES-CBC or 3DES-CBC (RFC 8018) covers `openssl pkcs8 -topk8`, `openssl
// genpkey -aes256` and Java's defaults; scrypt and the old PBES1 schemes are
// refused with a hint to re-encrypt.

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// errUnsupportedKeyEncryption: the key is encrypted with a scheme we do not
// implement; the hint tells how to re-encrypt it.
var errUnsupportedKeyEncryption = errors.New("private key encryption scheme is not supported " +
	"(re-encrypt with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pkcs8.pem)")

// errWrongKeyPassword: decryption produced garbage, almost always because of
// a wrong ssl.key.password.
var errWrongKeyPassword = errors.New("cannot decrypt private key: wrong ssl.key.password?")

// maxPBKDF2Iterations stops a corrupt or hostile file from pinning the CPU;
// real keys use 2048 to a few hundred thousand.
const maxPBKDF2Iterations = 10_000_000

type encryptedPrivateKeyInfo struct {
	Algo          pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo and returns the PKCS#8
// PrivateKeyInfo DER. The caller parses it; a parse failure there also
// means a wrong password (CBC padding only catches ~255 in 256).
func decryptPKCS8(der []byte, password string) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errors.New("malformed encrypted private key")
	}
	if !info.Algo.Algorithm.Equal(oidPBES2) {
		return nil, errUnsupportedKeyEncryption
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &params); err != nil {
		return nil, errors.New("malformed PBES2 parameters in encrypted private key")
	}
	block, keyLen, err := cbcCipher(params.Scheme)
	if err != nil {
		return nil, err
	}
	key, err := pbes2Key(params.KDF, password, keyLen)
	if err != nil {
		return nil, err
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Scheme.Parameters.FullBytes, &iv); err != nil {
		return nil, errors.New("malformed IV in encrypted private key")
	}
	c, err := block(key)
	if err != nil {
		return nil, err
	}
	data := info.EncryptedData
	if len(iv) != c.BlockSize() || len(data) == 0 || len(data)%c.BlockSize() != 0 {
		return nil, errors.New("malformed encrypted private key")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(c, iv).CryptBlocks(plain, data)
	return unpadPKCS7(plain, c.BlockSize())
}

// cbcCipher maps the encryption scheme to a block cipher and key length.
func cbcCipher(scheme pkix.AlgorithmIdentifier) (func([]byte) (cipher.Block, error), int, error) {
	switch {
	case scheme.Algorithm.Equal(oidAES128CBC):
		return aes.NewCipher, 16, nil
	case scheme.Algorithm.Equal(oidAES192CBC):
		return aes.NewCipher, 24, nil
	case scheme.Algorithm.Equal(oidAES256CBC):
		return aes.NewCipher, 32, nil
	case scheme.Algorithm.Equal(oidDESEDE3CBC):
		return des.NewTripleDESCipher, 24, nil
	}
	return nil, 0, errUnsupportedKeyEncryption
}

// pbes2Key derives the encryption key with PBKDF2.
func pbes2Key(kdf pkix.AlgorithmIdentifier, password string, keyLen int) ([]byte, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, errUnsupportedKeyEncryption // e.g. scrypt
	}
	var p pbkdf2Params
	if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
		return nil, errors.New("malformed PBKDF2 parameters in encrypted private key")
	}
	if p.Iterations < 1 || p.Iterations > maxPBKDF2Iterations || (p.KeyLength != 0 && p.KeyLength != keyLen) {
		return nil, errors.New("malformed PBKDF2 parameters in encrypted private key")
	}
	var h func() hash.Hash
	switch prf := p.PRF.Algorithm; {
	case len(prf) == 0 || prf.Equal(oidHMACSHA1):
		h = sha1.New // the RFC 8018 default when no PRF is given
	case prf.Equal(oidHMACSHA224):
		h = sha256.New224
	case prf.Equal(oidHMACSHA256):
		h = sha256.New
	case prf.Equal(oidHMACSHA384):
		h = sha512.New384
	case prf.Equal(oidHMACSHA512):
		h = sha512.New
	default:
		return nil, errUnsupportedKeyEncryption
	}
	return pbkdf2.Key(h, password, p.Salt, p.Iterations, keyLen)
}

func unpadPKCS7(b []byte, blockSize int) ([]byte, error) {
	n := int(b[len(b)-1])
	if n == 0 || n > blockSize || n > len(b) {
		return nil, errWrongKeyPassword
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, errWrongKeyPassword
		}
	}
	return b[:len(b)-n], nil
}
