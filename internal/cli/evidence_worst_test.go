package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
)

// TestWatchWorstMomentReplays: issue 14 item 3. evidence watch records a
// broker lost and back on the simulated cluster; the report names the
// worst moment and the command that replays it, and that command (and
// --at with the second the report prints) replays exactly that poll's
// snapshot, with its findings.
func TestWatchWorstMomentReplays(t *testing.T) {
	c := serveScenario(t, "broker-restart")
	dir := filepath.Join(t.TempDir(), "incident")
	r := start(t, "evidence", "watch", "-b", strings.Join(c.Bootstrap(), ","), "--interval", "100ms", "--for", "30s", "--out", dir)
	r.waitFor(t, "watch started")
	if err := c.Fire(0); err != nil { // broker 3 down
		t.Fatal(err)
	}
	r.waitFor(t, "broker 3 was fenced")
	time.Sleep(300 * time.Millisecond) // a few polls of the broken cluster
	if err := c.Fire(1); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, "broker 3 was unfenced")
	time.Sleep(200 * time.Millisecond)
	r.stop(&Interrupt{}) // Ctrl-C: the normal end of a watch
	if code := r.exit(t, 10*time.Second); code != 0 {
		t.Fatalf("watch: exit %d\n%s", code, r.err)
	}

	md, stderr, code := run(t, nil, "evidence", "report", dir)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`Worst moment: (\S+) UTC, 2 of 3 brokers alive.*Replay it: (kafka-runbook triage --from \S+ --at (\S+))`).FindStringSubmatch(md)
	if m == nil {
		t.Fatalf("no worst moment with a broker down and its replay command in the report:\n%s", md)
	}
	second, command, exact := m[1], m[2], m[3]
	worst, err := time.Parse(evidence.ExactTimeFormat, exact)
	if err != nil || worst.Format(evidence.TimeFormat) != second {
		t.Fatalf("replay time %q does not name the worst moment %s (%v)", exact, second, err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var worstMetrics evidence.Metrics
	for _, mt := range b.Metrics {
		if mt.Time.Truncate(time.Millisecond).Equal(worst) {
			worstMetrics = mt
		}
	}
	if worstMetrics.UnderReplicated != 3 {
		t.Fatalf("the worst poll's metrics: %+v", worstMetrics)
	}
	// The printed command names the poll to the millisecond: at 100 ms
	// polls a second holds ten, and --at SECOND takes the newest of them
	// (at the default 5 s, the one poll of that second).
	args := strings.Fields(command)[1:]
	{
		out, stderr, code := run(t, nil, append(args, "-o", "json")...)
		if code != 2 {
			t.Fatalf("%v: exit %d, want 2 (critical): %s", args, code, stderr)
		}
		var rep struct {
			Cluster struct {
				TakenAt time.Time `json:"taken_at"`
			} `json:"cluster"`
			Findings []struct {
				Code string `json:"code"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, f := range rep.Findings {
			codes = append(codes, f.Code)
		}
		if !slices.Contains(codes, "BROKER_DOWN") || !slices.Contains(codes, "UNDER_REPLICATED") {
			t.Errorf("%v replays %v, want the worst moment's BROKER_DOWN and UNDER_REPLICATED", args, codes)
		}
		if !rep.Cluster.TakenAt.Equal(worstMetrics.Time) {
			t.Errorf("replayed the snapshot of %s, not the worst moment's %s", rep.Cluster.TakenAt, worstMetrics.Time)
		}
	}
}
