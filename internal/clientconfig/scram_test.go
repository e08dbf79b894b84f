package clientconfig

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/IBM/sarama"
)

// TestSCRAMSHA256RFC7677 replays the exchange of RFC 7677 section 3.
func TestSCRAMSHA256RFC7677(t *testing.T) {
	c := newSCRAMClient(sarama.SASLTypeSCRAMSHA256)
	c.nonce = func() (string, error) { return "rOprNGfwEbeRWgbNEkqO", nil }
	if err := c.Begin("user", "pencil", ""); err != nil {
		t.Fatal(err)
	}
	steps := []struct{ server, client string }{
		{"", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"},
		{"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
			"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="},
		{"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", ""},
	}
	for i, s := range steps {
		if c.Done() {
			t.Fatalf("step %d: Done too early", i)
		}
		got, err := c.Step(s.server)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got != s.client {
			t.Fatalf("step %d: got %q, want %q", i, got, s.client)
		}
	}
	if !c.Done() {
		t.Fatal("not Done after a valid server signature")
	}
}

// TestSCRAMSHA512AgainstServer runs the exchange against a minimal server
// written from RFC 5802 section 3, which checks the proof independently.
func TestSCRAMSHA512AgainstServer(t *testing.T) {
	const user, pass = "al=ice,", "p\u00e4ss word"
	salt := []byte("0123456789abcdef")
	salted, _ := pbkdf2.Key(sha512.New, pass, salt, 4096, 64)
	mac := func(k []byte, m string) []byte { h := hmac.New(sha512.New, k); h.Write([]byte(m)); return h.Sum(nil) }
	ck := mac(salted, "Client Key")
	stored := sha512.Sum512(ck)
	serverKey := mac(salted, "Server Key")

	c := newSCRAMClient(sarama.SASLTypeSCRAMSHA512)
	if err := c.Begin(user, pass, "admin"); err != nil {
		t.Fatal(err)
	}
	first, _ := c.Step("")
	if !strings.HasPrefix(first, "n,a=admin,n=al=3Dice=2C,r=") {
		t.Fatalf("client-first %q", first)
	}
	bare := strings.TrimPrefix(first, "n,a=admin,")
	nonce := strings.TrimPrefix(bare, "n=al=3Dice=2C,r=") + "SERVER"
	serverFirst := "r=" + nonce + ",s=" + base64.StdEncoding.EncodeToString(salt) + ",i=4096"
	final, err := c.Step(serverFirst)
	if err != nil {
		t.Fatal(err)
	}
	withoutProof, proofB64, _ := strings.Cut(final, ",p=")
	authMsg := bare + "," + serverFirst + "," + withoutProof
	proof, _ := base64.StdEncoding.DecodeString(proofB64)
	sig := mac(stored[:], authMsg)
	for i := range proof {
		proof[i] ^= sig[i]
	}
	if got := sha512.Sum512(proof); !hmac.Equal(got[:], stored[:]) {
		t.Fatal("server rejects the client proof")
	}
	if _, err := c.Step("v=" + base64.StdEncoding.EncodeToString(mac(serverKey, authMsg))); err != nil || !c.Done() {
		t.Fatalf("server-final: err=%v done=%v", err, c.Done())
	}
}

func TestSCRAMRejects(t *testing.T) {
	cases := []struct{ name, serverFirst, serverFinal, want string }{
		{"server error", "e=unknown-user", "", "unknown-user"},
		{"foreign nonce", "r=other,s=c2FsdA==,i=4096", "", "nonce"},
		{"same nonce", "r=N,s=c2FsdA==,i=4096", "", "nonce"},
		{"few iterations", "r=Nx,s=c2FsdA==,i=1000", "", "iterations"},
		{"bad salt", "r=Nx,s=!!,i=4096", "", "salt"},
		{"mandatory extension", "m=ext,r=Nx,s=c2FsdA==,i=4096", "", "extension"},
		{"bad signature", "r=Nx,s=c2FsdA==,i=4096", "v=AAAA", "signature"},
		{"final error", "r=Nx,s=c2FsdA==,i=4096", "e=invalid-proof", "invalid-proof"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newSCRAMClient(sarama.SASLTypeSCRAMSHA256)
			c.nonce = func() (string, error) { return "N", nil }
			_ = c.Begin("u", "TopSecretPw", "")
			_, _ = c.Step("")
			_, err := c.Step(tc.serverFirst)
			if err == nil {
				_, err = c.Step(tc.serverFinal)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "TopSecretPw") || c.Done() {
				t.Fatalf("err %q leaks or Done() = true", err)
			}
		})
	}
}
