package kafkatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDefaultVersionIsThePoms: DefaultVersion is what pom.xml fetches, for both Kafka artifacts.
func TestDefaultVersionIsThePoms(t *testing.T) {
	pom, err := os.ReadFile("pom.xml")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`<artifactId>(kafka_2\.13|kafka-tools)</artifactId>\s*<version>([^<]+)</version>`)
	found := re.FindAllStringSubmatch(string(pom), -1)
	if len(found) != 2 {
		t.Fatalf("pom.xml: want kafka_2.13 and kafka-tools with a version, found %v", found)
	}
	for _, m := range found {
		if m[2] != DefaultVersion {
			t.Errorf("pom.xml %s %s, DefaultVersion %s", m[1], m[2], DefaultVersion)
		}
	}
}

// TestMatrixVersions: the matrix lists well-formed versions, without the default one (which
// every other integration test runs already), oldest first, one of them before 4.0 for
// ZooKeeper mode.
func TestMatrixVersions(t *testing.T) {
	vs := MatrixVersions()
	if len(vs) < 2 {
		t.Fatalf("MatrixVersions() = %v, want at least a 3.x and the newest 4.x", vs)
	}
	var parsed []kafkaVersion
	for _, v := range vs {
		pv, err := parseVersion(v)
		if err != nil {
			t.Fatal(err)
		}
		if v == DefaultVersion {
			t.Errorf("matrix-versions lists the default version %s", v)
		}
		parsed = append(parsed, pv)
	}
	if !slices.IsSortedFunc(parsed, func(a, b kafkaVersion) int {
		return (a.major-b.major)*10000 + (a.minor-b.minor)*100 + a.patch - b.patch
	}) {
		t.Errorf("matrix-versions not oldest first: %v", vs)
	}
	if !parsed[0].before(4, 0) {
		t.Errorf("no version before 4.0 (ZooKeeper mode) in %v", vs)
	}
}

// TestMatrixDigestMatchesFetchJars: the Go harness and fetch-jars.sh write and accept the same
// marker for a matrix version, so neither refetches what the other fetched.
func TestMatrixDigestMatchesFetchJars(t *testing.T) {
	pom, err := os.ReadFile("pom-matrix.xml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	libs := filepath.Join(dir, "libs")
	want := matrixDigest(pom, "3.9.1")
	// A directory holding the marker is ready for the script, which then prints it and
	// fetches nothing (no mvn needed).
	if err := os.MkdirAll(libs+"-3.9.1", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(libs+"-3.9.1", markerFile), []byte(want+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("./fetch-jars.sh", "3.9.1")
	cmd.Env = append(os.Environ(), EnvLibs+"="+libs, "PATH=/usr/bin:/bin") // no mvn: a fetch would fail
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != libs+"-3.9.1" {
		t.Fatalf("fetch-jars.sh did not accept the Go marker (%v):\n%s", err, out)
	}
	if !libsReady(libs+"-3.9.1", want) || libsReady(libs+"-3.9.1", matrixDigest(pom, "4.4.0")) {
		t.Error("libsReady does not tell the versions' markers apart")
	}
}

func TestValidateVersion(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		bad  string
	}{
		{Options{Version: "3.9.1", ZooKeeper: true}, ""},
		{Options{Version: "4.4.0"}, ""},
		{Options{Version: "4.1"}, "not of the form"},
		{Options{Version: "4.1.2", ZooKeeper: true}, "no ZooKeeper mode"},
		{Options{Version: "3.9.1", ZooKeeper: true, Controllers: 3}, "no KRaft controllers"},
		{Options{Version: "3.9.1", ZooKeeper: true, Features: map[string]int{"x": 1}}, "formatting"},
	} {
		err := tc.opts.withDefaults().validate()
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("%+v: %v", tc.opts, err)
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("%+v: error %v, want one saying %q", tc.opts, err, tc.bad)
		}
	}
}
