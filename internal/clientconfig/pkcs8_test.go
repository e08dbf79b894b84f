package clientconfig

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestPEMPrivateKeyFixtures(t *testing.T) {
	plain, err := os.ReadFile("testdata/key-plain.pem")
	if err != nil {
		t.Fatal(err)
	}
	want, err := pemPrivateKey(pemBlocks(plain), "")
	if err != nil || want == nil {
		t.Fatalf("plain key: %v", err)
	}
	cases := []struct {
		file, password string
		wantErr        error // nil: must decrypt to the plain key
	}{
		{"key-pbes2-aes256-sha256.pem", "fixture-pw", nil},
		{"key-pbes2-aes128-sha1.pem", "fixture-pw", nil},
		{"key-pbes2-des3-sha512.pem", "fixture-pw", nil},
		{"key-pbes2-aes256-sha256.pem", "wrong-pw", errWrongKeyPassword},
		{"key-pbes2-des3-sha512.pem", "wrong-pw", errWrongKeyPassword},
		{"key-pbes2-aes256-sha256.pem", "", errKeyNeedsPassword},
		{"key-scrypt.pem", "fixture-pw", errUnsupportedKeyEncryption},
		{"key-pbes1.pem", "fixture-pw", errUnsupportedKeyEncryption},
	}
	for _, tc := range cases {
		t.Run(tc.file+"/"+tc.password, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pemPrivateKey(pemBlocks(data), tc.password)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			if !publicKeyEqualSigner(got, want) {
				t.Fatal("decrypted key differs from key-plain.pem")
			}
		})
	}
}

func TestInlinePEM(t *testing.T) {
	p := newTestPKI(t)
	joined := strings.ReplaceAll(string(p.ca.certPEM()), "\n", " ")
	certs, err := pemCertificates(pemBlocks(inlinePEM("  " + joined + joined)))
	if err != nil || len(certs) != 2 || !certs[0].Equal(p.ca.cert) {
		t.Fatalf("got %d certs, err %v; want the CA twice", len(certs), err)
	}
}
