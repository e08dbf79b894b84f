package clientconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// OAuth is the SASL/OAUTHBEARER client-credentials login (RFC 6749 4.4),
// configured as Kafka's own OAuthBearerLoginCallbackHandler is: the token
// endpoint from sasl.oauthbearer.token.endpoint.url, the client id, secret
// and scope from sasl.jaas.config (clientId, clientSecret, scope) or from
// Kafka 4.1's sasl.oauthbearer.client.credentials.* and sasl.oauthbearer.scope.
type OAuth struct {
	// TokenEndpoint is the URL tokens are requested from.
	TokenEndpoint string
	// ClientID identifies the client to the token endpoint. Not secret.
	ClientID string
	// ClientSecret is the client's password; only Reveal() gives it.
	ClientSecret Secret
	// Scope is the optional scope requested, "" for none.
	Scope string
	// Extensions are the SASL extensions sent with the token (JAAS options
	// "extension_NAME"), e.g. Confluent Cloud's logicalCluster.
	Extensions map[string]string
	// URLEncodeHeader form-encodes the client id and secret in the Basic
	// header (sasl.oauthbearer.header.urlencode, RFC 6749 2.3.1); off by
	// default, as in Kafka, because most identity providers expect them raw.
	URLEncodeHeader bool
	// RefreshFactor is the fraction of a token's lifetime after which a
	// new one is fetched (sasl.login.refresh.window.factor, default 0.8).
	RefreshFactor float64
}

// defaultRefreshFactor is Kafka's sasl.login.refresh.window.factor default.
const defaultRefreshFactor = 0.8

// maxTokenResponse bounds what is read from a token endpoint: a token
// response is a few KiB; anything larger is not one.
const maxTokenResponse = 1 << 20

// TokenError is a failed token request. It names the endpoint and the client
// id, never the secret, and never echoes the response body beyond the
// standard OAuth error fields.
type TokenError struct {
	// Endpoint is the token endpoint URL, ClientID the client asked for.
	Endpoint, ClientID string
	// Status is the HTTP status, 0 when no response came.
	Status int
	// Code and Description are the OAuth "error" and "error_description".
	Code, Description string
	// Err is the transport or decoding error, if any.
	Err error
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("OAuth token request to %s for client id %q failed", e.Endpoint, e.ClientID)
	if e.Status != 0 {
		msg += fmt.Sprintf(": HTTP %d", e.Status)
	}
	if e.Code != "" {
		msg += " " + printable(e.Code, 64)
	}
	if e.Description != "" {
		msg += " (" + printable(e.Description, 200) + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	switch {
	case e.Status == http.StatusUnauthorized || e.Code == "invalid_client":
		msg += "; check clientId and clientSecret in sasl.jaas.config"
	case e.Status == 0:
		msg += "; check sasl.oauthbearer.token.endpoint.url and that this machine can reach it"
	}
	return msg
}

func (e *TokenError) Unwrap() error { return e.Err }

// SASLCredentialsFailed tells the collector that the login failed before
// any broker saw it (see snapshot.CauseSASLCredentials).
func (e *TokenError) SASLCredentialsFailed() bool { return true }

// printable keeps a server-chosen string to one short line of visible text.
func printable(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}

// tokenSource hands out a bearer token, fetching a new one when the cached
// one has lived RefreshFactor of its lifetime, so a long watch never logs
// in with an expired token. It is shared by the sarama and franz-go logins
// of one command, and safe for concurrent use.
type tokenSource struct {
	fetch func(ctx context.Context) (token string, lifetime time.Duration, err error)
	now   func() time.Time
	// refreshFactor is the part of a token's lifetime it is used for.
	refreshFactor float64

	mu        sync.Mutex
	token     string
	refreshAt time.Time
	// lastErr is the last failed fetch, repeated to callers within
	// failureHold of it: the probes of every broker ask at once, and one
	// refusal answers them all without asking the endpoint again.
	lastErr  error
	failedAt time.Time
}

// failureHold is how long a failed token fetch answers for the next one.
const failureHold = time.Second

// Token returns the cached token or fetches a new one within ctx.
func (t *tokenSource) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.token != "" && now.Before(t.refreshAt) {
		return t.token, nil
	}
	if t.lastErr != nil && now.Sub(t.failedAt) < failureHold {
		return "", t.lastErr
	}
	token, lifetime, err := t.fetch(ctx)
	if err != nil {
		t.lastErr, t.failedAt = err, now
		return "", err
	}
	t.lastErr = nil
	t.token = token
	t.refreshAt = now.Add(time.Duration(float64(lifetime) * t.refreshFactor))
	return token, nil
}

// newOAuthSource fetches client-credentials tokens from o.TokenEndpoint.
func newOAuthSource(o *OAuth, client *http.Client, now func() time.Time) *tokenSource {
	return &tokenSource{fetch: func(ctx context.Context) (string, time.Duration, error) {
		return fetchClientCredentials(ctx, client, o)
	}, now: now, refreshFactor: o.RefreshFactor}
}

// tokenResponse is RFC 6749 5.1 and 5.2.
type tokenResponse struct {
	AccessToken      string          `json:"access_token"`
	ExpiresIn        json.RawMessage `json:"expires_in"`
	Error            string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

// defaultTokenLifetime is assumed when a response omits expires_in.
const defaultTokenLifetime = time.Hour

// fetchClientCredentials asks the endpoint for a token the way Kafka's
// ClientCredentialsRequestFormatter does: client id and secret in an HTTP
// Basic header, grant and scope in a form body.
func fetchClientCredentials(ctx context.Context, client *http.Client, o *OAuth) (string, time.Duration, error) {
	fail := func(status int, err error) error {
		return &TokenError{Endpoint: o.TokenEndpoint, ClientID: o.ClientID, Status: status, Err: err}
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if o.Scope != "" {
		form.Set("scope", o.Scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fail(0, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if o.URLEncodeHeader {
		req.SetBasicAuth(url.QueryEscape(o.ClientID), url.QueryEscape(o.ClientSecret.Reveal()))
	} else {
		req.SetBasicAuth(o.ClientID, o.ClientSecret.Reveal())
	}
	resp, err := client.Do(req)
	if err != nil {
		// *url.Error repeats the URL, never the Authorization header.
		return "", 0, fail(0, unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return "", 0, fail(resp.StatusCode, err)
	}
	var tr tokenResponse
	decodeErr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK || tr.Error != "" {
		return "", 0, &TokenError{Endpoint: o.TokenEndpoint, ClientID: o.ClientID, Status: resp.StatusCode,
			Code: tr.Error, Description: tr.ErrorDescription}
	}
	if decodeErr != nil || tr.AccessToken == "" {
		return "", 0, fail(resp.StatusCode, fmt.Errorf("the response holds no access_token"))
	}
	return tr.AccessToken, expiresIn(tr.ExpiresIn), nil
}

// expiresIn reads expires_in, which servers send as a number or a string.
func expiresIn(raw json.RawMessage) time.Duration {
	var n float64
	if json.Unmarshal(raw, &n) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return defaultTokenLifetime
		}
		if _, err := fmt.Sscan(s, &n); err != nil {
			return defaultTokenLifetime
		}
	}
	if n <= 0 {
		return defaultTokenLifetime
	}
	return time.Duration(n * float64(time.Second))
}

// unwrapURLError drops *url.Error's "Post \"URL\":" prefix, which the
// TokenError already says.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
