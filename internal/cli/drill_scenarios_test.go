package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/playbooks"
)

// triageCodes runs triage against the cluster and returns the finding
// codes it reported.
func triageCodes(t *testing.T, c *sim.Cluster) map[string]bool {
	t.Helper()
	out, stderr, code := run(t, nil, "triage", "-b", strings.Join(c.Bootstrap(), ","), "-o", "json", "--timeout", "3s")
	if code == 3 {
		t.Fatalf("could not evaluate: %s", stderr)
	}
	var report struct {
		Findings []struct{ Code string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("triage JSON: %v", err)
	}
	got := map[string]bool{}
	for _, f := range report.Findings {
		got[f.Code] = true
	}
	return got
}

func missing(want []string, got map[string]bool) []string {
	var out []string
	for _, w := range want {
		if !got[w] {
			out = append(out, w)
		}
	}
	return out
}

// kcatLeaders asks Debian's kcat for the cluster metadata through the
// first bootstrap broker and returns "topic/partition" -> leader.
func kcatLeaders(t *testing.T, bootstrap string) map[string]int32 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "kcat", "-L", "-J", "-b", bootstrap, "-m", "10").Output()
	if err != nil {
		t.Fatalf("kcat -L: %v", err)
	}
	var md struct {
		Topics []struct {
			Topic      string `json:"topic"`
			Partitions []struct {
				Partition int32 `json:"partition"`
				Leader    int32 `json:"leader"`
			} `json:"partitions"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(out, &md); err != nil {
		t.Fatalf("kcat -L -J output does not parse: %v\n%.500s", err, out)
	}
	leaders := map[string]int32{}
	for _, tp := range md.Topics {
		for _, p := range tp.Partitions {
			leaders[fmt.Sprintf("%s/%d", tp.Topic, p.Partition)] = p.Leader
		}
	}
	return leaders
}

// needKcat skips without kcat unless KAFKA_RUNBOOK_REQUIRE_KCAT=1 (CI).
func needKcat(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("kcat"); err != nil {
		if os.Getenv("KAFKA_RUNBOOK_REQUIRE_KCAT") == "1" {
			t.Fatal("kcat not installed and KAFKA_RUNBOOK_REQUIRE_KCAT=1: apt-get install -y kcat")
		}
		t.Log("kcat not installed (apt-get install -y kcat): skipping the kcat -L comparison")
		return false
	}
	return true
}

// TestEveryScenarioServesItsStateAndInjects: every embedded scenario starts,
// triage shows its expected findings, kcat -L parses its metadata and sees
// the same leaders, and after each inject triage shows what the inject
// promises and kcat still agrees.
func TestEveryScenarioServesItsStateAndInjects(t *testing.T) {
	withKcat := needKcat(t)
	for _, name := range playbooks.List() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, sc := servePlaybook(t, name)
			check := func(stage string, want []string) {
				if miss := missing(want, triageCodes(t, c)); len(miss) > 0 {
					t.Errorf("%s: triage lacks %v", stage, miss)
				}
				if withKcat {
					compareLeaders(t, stage, c)
				}
			}
			check("start", sc.ExpectedFindings)
			for i, in := range sc.Injects {
				if err := c.Fire(i); err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("after inject %d (at %s)", i, in.At.D()), in.Expect)
			}
		})
	}
}

// TestEveryScenarioNamesARunbook: the runbook a drill report checks for
// exists, and every scenario has facilitator notes and timed injects.
func TestEveryScenarioNamesARunbook(t *testing.T) {
	out, _, code := run(t, nil, "list", "-o", "json")
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	for _, name := range playbooks.List() {
		sc, err := sim.Load(playbooks.FS(), name+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if rb := expectedRunbook(sc); !strings.Contains(out, `"name": "`+rb+`"`) {
			t.Errorf("%s: expected runbook %q is not a runbook", name, rb)
		}
		if len(strings.TrimSpace(sc.FacilitatorNotes)) < 200 || len(sc.Injects) == 0 || len(sc.ExpectedFindings) == 0 {
			t.Errorf("%s: a drill scenario needs facilitator notes, expected findings and injects", name)
		}
	}
}

func compareLeaders(t *testing.T, stage string, c *sim.Cluster) {
	t.Helper()
	got := kcatLeaders(t, c.Bootstrap()[0])
	var wrong []string
	for _, p := range c.Partitions() {
		key := fmt.Sprintf("%s/%d", p.Topic, p.Partition)
		if l, ok := got[key]; !ok || l != p.Leader {
			wrong = append(wrong, fmt.Sprintf("%s: kcat %d (listed %v), served %d", key, l, ok, p.Leader))
		}
	}
	slices.Sort(wrong)
	if len(wrong) > 0 {
		t.Errorf("%s: kcat -L disagrees on %d leaders: %v", stage, len(wrong), wrong[:min(len(wrong), 5)])
	}
}

// TestQuorumLostShowsItsRootCause: on quorum-lost's first state triage
// names the lost quorum first (the runbook to open is controller-quorum,
// not broker-failure), and once the quorum is back it warns about the
// controller still missing.
func TestQuorumLostShowsItsRootCause(t *testing.T) {
	c, _ := servePlaybook(t, "quorum-lost")
	out, _, code := run(t, nil, "triage", "-b", strings.Join(c.Bootstrap(), ","), "-o", "json", "--timeout", "3s")
	var report struct {
		Findings []struct{ Code, Severity string } `json:"findings"`
		Summary  struct {
			NextRunbook string `json:"next_runbook"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("triage JSON: %v", err)
	}
	quorum := ""
	for _, f := range report.Findings {
		if f.Code == "CONTROLLER_QUORUM_UNAVAILABLE" {
			quorum = f.Severity
		}
	}
	if quorum != "critical" || code != 2 || report.Summary.NextRunbook != "controller-quorum" {
		t.Errorf("start: CONTROLLER_QUORUM_UNAVAILABLE %q, exit %d, next runbook %q; want critical, 2, controller-quorum",
			quorum, code, report.Summary.NextRunbook)
	}
	if err := c.Fire(0); err != nil {
		t.Fatal(err)
	}
	if got := triageCodes(t, c); got["CONTROLLER_QUORUM_UNAVAILABLE"] || !got["CONTROLLER_VOTER_DOWN"] {
		t.Errorf("quorum back: codes %v, want CONTROLLER_VOTER_DOWN and the quorum available", got)
	}
}
