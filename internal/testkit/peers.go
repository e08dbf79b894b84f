package testkit

import (
	"os"
	"os/exec"
	"testing"
)

// RequirePeer finds a peer program the test runs (the first of names on
// PATH) and returns its path. Where none is installed the test is skipped,
// unless the environment variable requireEnv is set (CI sets it), which
// makes the absence a failure: CI never passes without having run it.
func RequirePeer(t testing.TB, requireEnv, debianPackage string, names ...string) string {
	t.Helper()
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv(requireEnv) != "" {
		t.Fatalf("%s is required (%s is set) but not installed: apt-get install -y %s", names[0], requireEnv, debianPackage)
	}
	t.Skipf("%s not installed (Debian package %s); set %s=1 to make this a failure", names[0], debianPackage, requireEnv)
	return ""
}
