package clientconfig

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
)

// RedactedText is what is printed in place of a secret value.
const RedactedText = "[redacted]"

// Secret holds a password or similar. Every way of printing it (fmt verbs,
// JSON, slog) shows RedactedText, so a Settings or SASL value can be logged or
// put in an evidence bundle without leaking it. Only Reveal gives the value.
type Secret struct{ value string }

// NewSecret wraps a secret value.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the secret value. Call it only to hand the value to the
// code that authenticates, never to print or store it.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s.value != "" }

// String returns RedactedText for a set secret and "" for an empty one.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return RedactedText
}

// Format makes every fmt verb, including %#v and %x, print String().
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalJSON encodes the secret as the redacted string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue makes log/slog print the redacted string.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Redacted returns the effective settings as property key -> value, safe to
// print and to store as evidence: passwords, sasl.jaas.config and private
// keys are replaced with "[redacted]" and inline PEM certificates are
// summarised. Derived values are included under their property names
// (bootstrap.servers as resolved, security.protocol, sasl.mechanism,
// sasl.username), plus "insecure.skip.tls.verify=true" when that flag is on.
//
// Redacted, String, Format and MarshalJSON have value receivers so that a
// Settings printed by value is redacted too.
func (s Settings) Redacted() map[string]string {
	out := map[string]string{}
	if s.entries != nil {
		for _, e := range s.entries.list {
			out[e.key] = redactValue(e.key, e.value)
		}
	}
	out[keyBootstrapServers] = strings.Join(s.BootstrapServers, ",")
	out[keySecurityProtocol] = string(s.SecurityProtocol)
	if s.SecurityProtocol.UsesSASL() {
		out[keySASLMechanism] = s.SASL.Mechanism
		if s.SASL.Username != "" {
			out[keySASLUsername] = s.SASL.Username
		}
		for k, v := range s.SASL.describeLogin() {
			out[k] = v
		}
	}
	if s.SecurityProtocol.UsesTLS() {
		out[keyEndpointIdentAlg] = map[bool]string{true: "https", false: ""}[s.VerifyHostname]
	}
	if s.InsecureSkipVerify {
		out["insecure.skip.tls.verify"] = "true"
	}
	return out
}

// RedactValue is how a printed property value looks: secrets (passwords,
// sasl.jaas.config, keys, tokens) as "[redacted]", inline PEM summarised,
// anything else as written. Used wherever settings are shown, such as
// 'context show'.
func RedactValue(key, value string) string { return redactValue(key, value) }

func redactValue(key, value string) string {
	switch {
	case value == "":
		return ""
	case isSecretKey(key):
		return RedactedText
	case isInlinePEMKey(key):
		return fmt.Sprintf("[inline PEM, %d bytes]", len(value))
	}
	return value
}

// String renders Redacted() as sorted key=value pairs on one line.
func (s Settings) String() string {
	m := s.Redacted()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := m[k]
		if v == "" || strings.ContainsAny(v, " \t\n\"=") {
			v = strconv.Quote(v)
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, " ")
}

// Format makes every fmt verb, including %+v and %#v, print String(), so the
// private key and password held inside never reach a log by accident.
func (s Settings) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// MarshalJSON encodes Redacted().
func (s Settings) MarshalJSON() ([]byte, error) { return json.Marshal(s.Redacted()) }

// PrintableOverrides returns the -X key=value overrides that a printed
// command line may repeat for someone to paste: none whose key carries a
// secret (it would land in scrollback and shell history; secrets belong in
// --command-config), no inline PEM, nothing malformed.
func PrintableOverrides(overrides []string) []string {
	var out []string
	for _, kv := range overrides {
		k, _, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if ok && k != "" && !isSecretKey(k) && !isInlinePEMKey(k) {
			out = append(out, kv)
		}
	}
	return out
}
