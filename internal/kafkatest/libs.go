package kafkatest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Environment variables read by the harness.
const (
	// EnvLibs overrides the directory holding the Kafka jars. A relative path is taken relative
	// to the module root, so that `make` and `go test` (which runs in the package directory)
	// agree on it.
	EnvLibs = "KAFKA_RUNBOOK_KAFKA_LIBS"
	// EnvRequire, set to 1, turns every reason to skip (other than -short) into a test failure.
	EnvRequire = "KAFKA_RUNBOOK_REQUIRE_KAFKA"
)

const (
	modulePath = "github.com/kafka-runbook/kafka-runbook"
	// markerFile records the sha256 of the pom.xml the jars were fetched with, so that editing
	// the pom (a Kafka upgrade) triggers a new fetch. fetch-jars.sh writes the same file.
	markerFile = ".kafkatest-pom.sha256"
	needsMsg   = "needs Java 17 and Maven to run real Kafka brokers; install them " +
		"(Debian: apt-get install openjdk-17-jre-headless maven) or run go test -short"
)

// unavailable skips the test, or fails it when CI asked for Kafka to be mandatory.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := "kafkatest: " + needsMsg + " (" + fmt.Sprintf(format, args...) + ")"
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s; %s=1, so this is a failure rather than a skip", msg, EnvRequire)
	}
	t.Skip(msg)
}

var javaVersionRE = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

// findJava returns the java binary and its -version text, refusing versions older than
// Kafka 4's minimum.
func findJava() (java, version string, err error) {
	java, err = exec.LookPath("java")
	if err != nil {
		return "", "", errors.New("java not found in PATH")
	}
	out, err := exec.Command(java, "-version").CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("%s -version: %v: %s", java, err, out)
	}
	m := javaVersionRE.FindStringSubmatch(string(out))
	if m == nil {
		return "", "", fmt.Errorf("cannot read the version of %s from %q", java, out)
	}
	major, _ := strconv.Atoi(m[1])
	if major == 1 && m[2] != "" { // "1.8.0_x" style
		major, _ = strconv.Atoi(m[2])
	}
	if major < 17 {
		return "", "", fmt.Errorf("%s is Java %d", java, major)
	}
	return java, string(out), nil
}

// moduleRoot finds the module from this source file first (works whatever the test's working
// directory), then from the working directory (works when built with -trimpath).
func moduleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..")); isModuleRoot(root) {
			return root, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isModuleRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod for module %s above the working directory", modulePath)
		}
		dir = parent
	}
}

func isModuleRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return fields[1] == modulePath
		}
	}
	return false
}

// ensureLibs returns the jar directory of a Kafka version, fetching the jars with Maven when
// they are missing or were fetched for a different pom. The default version (pom.xml) lives in
// .cache/kafka-libs or $KAFKA_RUNBOOK_KAFKA_LIBS; any other in the same path with "-VERSION"
// appended, fetched from pom-matrix.xml, so that a matrix version never touches the default
// version's jars that other test runs use.
func ensureLibs(t testing.TB, version string) string {
	t.Helper()
	root, rootErr := moduleRoot()
	dir := os.Getenv(EnvLibs)
	switch {
	case dir == "" && rootErr != nil:
		t.Fatalf("kafkatest: cannot place the jar cache: %v; set %s", rootErr, EnvLibs)
	case dir == "":
		dir = filepath.Join(root, ".cache", "kafka-libs")
	case !filepath.IsAbs(dir) && rootErr == nil:
		dir = filepath.Join(root, dir)
	}
	pom, digest := "", ""
	if version != DefaultVersion {
		dir += "-" + version
	}
	if rootErr == nil {
		var err error
		if pom, digest, err = pomFor(root, version); err != nil {
			t.Fatalf("kafkatest: %v", err)
		}
	}
	if libsReady(dir, digest) {
		return dir
	}
	if _, err := exec.LookPath("mvn"); err != nil {
		unavailable(t, "mvn not found in PATH and no Kafka %s jars in %s", version, dir)
	}
	if err := fetchLibs(dir, pom, digest, version); err != nil {
		t.Fatalf("kafkatest: fetching the Kafka %s jars: %v", version, err)
	}
	return dir
}

// pomFor returns the pom that fetches version and the digest its jar directory's marker holds:
// pom.xml's own for the default version; for another, pom-matrix.xml's together with the version
// it is filled with, as fetch-jars.sh computes it.
func pomFor(root, version string) (pom, digest string, err error) {
	dir := filepath.Join(root, "internal", "kafkatest")
	if version == DefaultVersion {
		pom = filepath.Join(dir, "pom.xml")
		digest, err = fileDigest(pom)
		return pom, digest, err
	}
	pom = filepath.Join(dir, "pom-matrix.xml")
	b, err := os.ReadFile(pom)
	if err != nil {
		return "", "", err
	}
	return pom, matrixDigest(b, version), nil
}

// matrixDigest is the marker of a matrix version's jars: sha256 of pom-matrix.xml followed by
// "kafka.version=VERSION\n" (fetch-jars.sh hashes the same bytes).
func matrixDigest(pom []byte, version string) string {
	sum := sha256.Sum256(append(slices.Clone(pom), "kafka.version="+version+"\n"...))
	return hex.EncodeToString(sum[:])
}

func fileDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// libsReady accepts a directory we fetched for this pom, or one without our marker that holds a
// Kafka jar: somebody pointed EnvLibs at jars they manage themselves.
func libsReady(dir, digest string) bool {
	if b, err := os.ReadFile(filepath.Join(dir, markerFile)); err == nil {
		return digest == "" || strings.TrimSpace(string(b)) == digest
	}
	jars, _ := filepath.Glob(filepath.Join(dir, "kafka_2.13-*.jar"))
	return len(jars) > 0
}

// fetchLibs runs Maven under an exclusive flock shared with fetch-jars.sh, because `go test
// ./...` starts one binary per package and several may want the jars at once. Jars land in a
// temporary directory renamed into place, so a reader never sees a half-filled one.
func fetchLibs(dir, pom, digest, version string) error {
	if pom == "" {
		return errors.New("pom.xml not found (module root unknown)")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	unlock, err := lockLibs(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if libsReady(dir, digest) {
		return nil // another process fetched them while we waited
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	args := []string{"-q", "-B", "-Dstyle.color=never", "-f", pom}
	if version != DefaultVersion {
		args = append(args, "-Dkafka.version="+version)
	}
	cmd := exec.Command("mvn", append(args, "dependency:copy-dependencies", "-DoutputDirectory="+tmp)...)
	cmd.Dir = filepath.Dir(pom)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("mvn dependency:copy-dependencies: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, markerFile), []byte(digest+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// lockLibs takes the exclusive flock that fetch-jars.sh also takes (flock(1) uses flock(2)).
// Each call opens the file anew, so the lock also serialises goroutines of one test binary.
func lockLibs(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil // closing releases the flock
}
