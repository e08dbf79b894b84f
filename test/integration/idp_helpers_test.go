package integration

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Test-only OAuth client credentials, recognisable in any output that would leak them.
const (
	oauthClientID     = "runbook"
	oauthClientSecret = "OAuth-Client-Secret-FNORD"
	oauthWrongSecret  = "OAuth-Client-Secret-FNORT"
	oauthAudience     = "kafka"
	// oauthForgedClient is granted a token signed with a key the JWKS does not hold: the
	// broker, not the identity provider, must refuse it.
	oauthForgedClient = "forged"
)

// identityProvider is a local OAuth token endpoint and JWKS on loopback: it grants the
// client-credentials flow to oauthClientID and signs RS256 JWTs whose subject is the
// client id, which Kafka's OAuthBearerValidatorCallbackHandler checks against the JWKS.
type identityProvider struct {
	srv          *httptest.Server
	key, forgery *rsa.PrivateKey

	mu     sync.Mutex
	issued []string // every token handed out, to search outputs for
}

func startIdentityProvider(t *testing.T) *identityProvider {
	t.Helper()
	idp := &identityProvider{}
	var err error
	if idp.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if idp.forgery, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks", idp.jwks)
	mux.HandleFunc("/token", idp.token)
	idp.srv = httptest.NewServer(mux)
	t.Cleanup(idp.srv.Close)
	return idp
}

// Issuer, TokenURL and JWKSURL are what the broker and the client are configured with.
func (idp *identityProvider) Issuer() string   { return idp.srv.URL }
func (idp *identityProvider) TokenURL() string { return idp.srv.URL + "/token" }
func (idp *identityProvider) JWKSURL() string  { return idp.srv.URL + "/jwks" }

func (idp *identityProvider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := idp.key.PublicKey
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "test-key", "use": "sig", "alg": "RS256",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func (idp *identityProvider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.ParseForm() != nil || r.Form.Get("grant_type") != "client_credentials" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_request"}`)
		return
	}
	key := idp.key
	switch {
	case ok && id == oauthClientID && secret == oauthClientSecret:
	case ok && id == oauthForgedClient && secret == oauthClientSecret:
		key = idp.forgery
	default:
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"client authentication failed"}`)
		return
	}
	now := time.Now()
	tok, err := signJWT(key, map[string]any{"sub": id, "iss": idp.Issuer(), "aud": oauthAudience, "scope": r.Form.Get("scope"),
		"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	idp.mu.Lock()
	idp.issued = append(idp.issued, tok)
	idp.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 600})
}

// Issued returns the tokens handed out so far.
func (idp *identityProvider) Issued() []string {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	return append([]string(nil), idp.issued...)
}

// signJWT makes a compact RS256 JWS (RFC 7515) with kid "test-key".
func signJWT(key *rsa.PrivateKey, claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "test-key"})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
