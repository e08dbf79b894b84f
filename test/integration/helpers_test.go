// Package integration proves kafka-runbook against real Apache Kafka
// brokers that the tests start and break (internal/kafkatest). Each test
// owns its cluster. They run under `make test` (integration target) and
// skip with one line on a machine without Java and Maven.
package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/cli"
	"github.com/kafka-runbook/kafka-runbook/internal/kafkatest"
)

// result is one CLI invocation.
type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// runCLI runs kafka-runbook in-process, exactly as main does.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	app := &cli.App{
		IO:      &cli.IO{In: strings.NewReader(""), Out: &out, Err: &errOut},
		Getenv:  func(string) string { return "" },
		Version: "integration",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	code := cli.Main(ctx, app, args)
	return result{stdout: out.String(), stderr: errOut.String(), code: code, elapsed: time.Since(start)}
}

func bootstrap(c *kafkatest.Cluster) string { return strings.Join(c.Bootstrap(), ",") }

// finding is the part of a finding the tests assert on.
type finding struct {
	Code      string         `json:"code"`
	Severity  string         `json:"severity"`
	Broker    *int32         `json:"broker"`
	Topic     string         `json:"topic"`
	Partition *int32         `json:"partition"`
	Group     string         `json:"group"`
	Summary   string         `json:"summary"`
	Evidence  map[string]any `json:"evidence"`
}

func (f finding) key() string {
	s := f.Code
	if f.Broker != nil {
		s += fmt.Sprintf(" broker %d", *f.Broker)
	}
	if f.Topic != "" {
		s += " " + f.Topic
		if f.Partition != nil {
			s += fmt.Sprintf("/%d", *f.Partition)
		}
	}
	if f.Group != "" {
		s += " group " + f.Group
	}
	return s
}

type report struct {
	Findings    []finding `json:"findings"`
	Unevaluated []struct {
		Check  string `json:"check"`
		Reason string `json:"reason"`
	} `json:"unevaluated"`
	Errors []struct {
		Source string `json:"source"`
		Broker int32  `json:"broker"`
		Kind   string `json:"kind"`
	} `json:"errors"`
}

// triage runs `triage -o json` and decodes the report.
func triage(t *testing.T, c *kafkatest.Cluster, extra ...string) (report, result) {
	t.Helper()
	r := runCLI(t, append([]string{"triage", "-b", bootstrap(c), "-o", "json"}, extra...)...)
	var rep report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("triage output is not JSON (exit %d): %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	t.Logf("triage took %s, exit %d, %d findings", r.elapsed.Round(time.Millisecond), r.code, len(rep.Findings))
	return rep, r
}

// keys returns the findings of the given codes as sorted "CODE subject" strings.
func keys(rep report, codes ...string) []string {
	var out []string
	for _, f := range rep.Findings {
		if slices.Contains(codes, f.Code) {
			out = append(out, f.key())
		}
	}
	sort.Strings(out)
	return out
}

// worseThanInfo returns findings of warning or critical severity.
func worseThanInfo(rep report) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Severity != "info" {
			out = append(out, f.key())
		}
	}
	return out
}

// partitionsOn lists "topic/p" for every partition with a replica on broker
// id, from the live cluster metadata.
func partitionsOn(t *testing.T, c *kafkatest.Cluster, id int32) []string {
	t.Helper()
	md := c.Metadata(t)
	var out []string
	for _, topic := range md.Topics {
		for _, p := range topic.Partitions {
			if slices.Contains(p.Replicas, id) {
				out = append(out, fmt.Sprintf("%s/%d", topic.Name, p.ID))
			}
		}
	}
	sort.Strings(out)
	return out
}

func prefixed(prefix string, items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = prefix + s
	}
	return out
}

// eventually retries cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	kafkatest.WaitFor(t, timeout, what, cond)
}
