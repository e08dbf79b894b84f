package clientconfig

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
)

// minSCRAMIterations is the floor Kafka's own client enforces (and the
// broker's minimum); fewer would let a man in the middle ask for a cheap hash.
const minSCRAMIterations = 4096

// scramClient implements sarama.SCRAMClient: the client side of SCRAM
// (RFC 5802) with SHA-256 (RFC 7677) or SHA-512, as Kafka speaks it. It is
// hand-written because sarama leaves SCRAM to the caller and no SCRAM module
// is in this module's dependencies. Like Kafka's Java client it does not
// apply SASLprep to the password, so non-ASCII passwords hash identically.
type scramClient struct {
	newHash func() hash.Hash
	nonce   func() (string, error) // replaced in tests for RFC vectors

	step                         int
	user, password, authzID      string
	gs2Header, clientNonce, bare string
	serverSignature              []byte
	done                         bool
}

// newSCRAMClient returns a client for sarama.SASLTypeSCRAMSHA256 or
// sarama.SASLTypeSCRAMSHA512.
func newSCRAMClient(mechanism string) *scramClient {
	h := sha512.New
	if mechanism == sarama.SASLTypeSCRAMSHA256 {
		h = sha256.New
	}
	return &scramClient{newHash: h, nonce: randomNonce}
}

func randomNonce() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

// Begin starts a new exchange.
func (c *scramClient) Begin(user, password, authzID string) error {
	c.user, c.password, c.authzID = user, password, authzID
	c.step, c.done, c.serverSignature = 0, false, nil
	return nil
}

// Step consumes the server's message and returns the next client message.
func (c *scramClient) Step(challenge string) (string, error) {
	c.step++
	switch c.step {
	case 1:
		return c.clientFirst()
	case 2:
		return c.clientFinal(challenge)
	case 3:
		return "", c.verifyServerFinal(challenge)
	}
	return "", errors.New("scram: exchange already finished")
}

// Done reports whether the server has proved it knows the password too.
func (c *scramClient) Done() bool { return c.done }

func (c *scramClient) clientFirst() (string, error) {
	nonce, err := c.nonce()
	if err != nil {
		return "", fmt.Errorf("scram: cannot make nonce: %w", err)
	}
	c.clientNonce = nonce
	c.gs2Header = "n,,"
	if c.authzID != "" {
		c.gs2Header = "n,a=" + scramEscape(c.authzID) + ","
	}
	c.bare = "n=" + scramEscape(c.user) + ",r=" + nonce
	return c.gs2Header + c.bare, nil
}

func (c *scramClient) clientFinal(serverFirst string) (string, error) {
	attrs, err := scramAttrs(serverFirst)
	if err != nil {
		return "", err
	}
	if _, ok := attrs["m"]; ok {
		return "", errors.New("scram: server requires an unsupported extension")
	}
	nonce := attrs["r"]
	if !strings.HasPrefix(nonce, c.clientNonce) || len(nonce) == len(c.clientNonce) {
		return "", errors.New("scram: server nonce does not extend the client nonce")
	}
	salt, err := base64.StdEncoding.DecodeString(attrs["s"])
	if err != nil || len(salt) == 0 {
		return "", errors.New("scram: server sent an invalid salt")
	}
	iter, err := strconv.Atoi(attrs["i"])
	if err != nil || iter < minSCRAMIterations {
		return "", fmt.Errorf("scram: server asked for %q iterations, want at least %d", attrs["i"], minSCRAMIterations)
	}
	salted, err := pbkdf2.Key(c.newHash, c.password, salt, iter, c.newHash().Size())
	if err != nil {
		return "", fmt.Errorf("scram: %w", err)
	}
	clientKey := c.hmac(salted, "Client Key")
	h := c.newHash()
	h.Write(clientKey)
	storedKey := h.Sum(nil)

	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(c.gs2Header)) + ",r=" + nonce
	authMessage := c.bare + "," + serverFirst + "," + withoutProof
	proof := c.hmac(storedKey, authMessage)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	c.serverSignature = c.hmac(c.hmac(salted, "Server Key"), authMessage)
	return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
}

// verifyServerFinal checks the server signature: without it a fake broker
// could accept any password and we would report a healthy login.
func (c *scramClient) verifyServerFinal(serverFinal string) error {
	attrs, err := scramAttrs(serverFinal)
	if err != nil {
		return err
	}
	v, err := base64.StdEncoding.DecodeString(attrs["v"])
	if err != nil || !hmac.Equal(v, c.serverSignature) {
		return errors.New("scram: server signature is invalid")
	}
	c.done = true
	return nil
}

func (c *scramClient) hmac(key []byte, msg string) []byte {
	m := hmac.New(c.newHash, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// scramAttrs parses "k=v,k=v". A server error ("e=...") becomes an error;
// its text is the server's reason (e.g. "invalid-proof"), never our secret.
func scramAttrs(msg string) (map[string]string, error) {
	attrs := map[string]string{}
	for _, part := range strings.Split(msg, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(k) != 1 {
			continue // RFC 5802 allows extensions we do not know
		}
		if _, dup := attrs[k]; !dup {
			attrs[k] = v
		}
	}
	if e, ok := attrs["e"]; ok {
		return nil, fmt.Errorf("scram: server rejected authentication: %s", e)
	}
	return attrs, nil
}

// scramEscape encodes '=' and ',' in a name, as RFC 5802 section 5.1 requires.
func scramEscape(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}
