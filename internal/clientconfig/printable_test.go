package clientconfig

import (
	"slices"
	"testing"
)

// TestPrintableOverrides: a printed command repeats -X overrides, but never
// one that carries a secret or an inline PEM, nor a malformed one.
func TestPrintableOverrides(t *testing.T) {
	got := PrintableOverrides([]string{"client.id=oncall", "ssl.key.password=s3cret", "sasl.jaas.config=x password=\"p\";",
		"sasl.password=p", "ssl.keystore.key=-----BEGIN", "ssl.ca.pem=-----BEGIN", "security.protocol=SSL", "novalue", "=x"})
	if want := []string{"client.id=oncall", "security.protocol=SSL"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
