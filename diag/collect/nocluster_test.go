package collect

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jcmturner/gokrb5/v8/krberror"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestNoClusterErrorSaysEachFailureOnce: brokers that failed alike (the same
// refused login, say) share one entry; different failures keep their order.
func TestNoClusterErrorSaysEachFailureOnce(t *testing.T) {
	ep := func(addr, status, msg string) snapshot.Endpoint {
		return snapshot.Endpoint{Address: addr, Probe: snapshot.Probe{Status: status, Error: msg}}
	}
	cases := []struct {
		name string
		eps  []snapshot.Endpoint
		want string
	}{
		{"one", []snapshot.Endpoint{ep("a:1", "refused", "connection refused")}, "no bootstrap server answered: a:1 refused (connection refused)"},
		{"alike", []snapshot.Endpoint{ep("a:1", "auth_error", "login failed"), ep("b:1", "auth_error", "login failed"), ep("c:1", "auth_error", "login failed")},
			"no bootstrap server answered: a:1, b:1, c:1 auth_error (login failed)"},
		{"mixed", []snapshot.Endpoint{ep("a:1", "timeout", "i/o timeout"), ep("b:1", "refused", "connection refused"), ep("c:1", "timeout", "i/o timeout")},
			"no bootstrap server answered: a:1, c:1 timeout (i/o timeout); b:1 refused (connection refused)"},
	}
	for _, tc := range cases {
		if got := (&NoClusterError{Endpoints: tc.eps}).Error(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

type credentialsErr struct{}

func (credentialsErr) Error() string               { return "token endpoint refused" }
func (credentialsErr) SASLCredentialsFailed() bool { return true }

// TestCredentialFailuresHaveTheirCause: a login that failed before the broker (a token
// endpoint, a KDC) is sasl_credentials, also wrapped, and a deadline still wins.
func TestCredentialFailuresHaveTheirCause(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{credentialsErr{}, snapshot.CauseSASLCredentials},
		{fmt.Errorf("SASL/OAUTHBEARER login failed: %w", credentialsErr{}), snapshot.CauseSASLCredentials},
		{krberror.Errorf(errors.New("integrity verification failed"), krberror.DecryptingError, "AS_REP is not valid"), snapshot.CauseSASLCredentials},
		{fmt.Errorf("login: %w", context.DeadlineExceeded), snapshot.CauseTimeout},
		{errors.New("SASL handshake failed"), snapshot.CauseSASLAuthFailed},
	}
	for _, tc := range cases {
		if got := CauseOf(tc.err); got != tc.want {
			t.Errorf("CauseOf(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}
