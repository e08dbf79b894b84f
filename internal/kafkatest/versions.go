package kafkatest

import (
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// DefaultVersion is the Kafka version of pom.xml: what Start runs unless Options.Version names
// another. TestDefaultVersionIsThePoms keeps the two equal.
const DefaultVersion = "4.1.2"

// matrixVersions is the file listing the other versions of the test matrix, one a line, shared
// with fetch-jars.sh (which fetches them all for `make kafka-jars`).
//
//go:embed matrix-versions
var matrixVersions string

// MatrixVersions returns the Kafka versions of the test matrix besides DefaultVersion, oldest
// first, as matrix-versions lists them.
func MatrixVersions() []string {
	var out []string
	for line := range strings.Lines(matrixVersions) {
		line, _, _ = strings.Cut(line, "#")
		if v := strings.TrimSpace(line); v != "" {
			out = append(out, v)
		}
	}
	return out
}

var versionRE = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// kafkaVersion is a release number, for the harness's own choices of configuration keys and
// tool classes. (The product never looks at one: it goes by what the brokers offer.)
type kafkaVersion struct{ major, minor, patch int }

func parseVersion(s string) (kafkaVersion, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return kafkaVersion{}, fmt.Errorf("version %q is not of the form 3.9.1", s)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v } // the pattern admits only digits
	return kafkaVersion{n(1), n(2), n(3)}, nil
}

// before reports whether v is older than major.minor.
func (v kafkaVersion) before(major, minor int) bool {
	return v.major < major || v.major == major && v.minor < minor
}

func (v kafkaVersion) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }
