package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// TestTriageSinceReadsTheLogEnd: triage reads the log end offsets only with
// --since, and then it must: an earlier snapshot whose orders/0 ended 100
// records further than the cluster does now is DATA_LOSS.
func TestTriageSinceReadsTheLogEnd(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "snapshot", "-b", addr)
	if code != 0 {
		t.Fatalf("snapshot: exit %d: %s", code, stderr)
	}
	before, err := snapshot.Decode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	moved := false
	for i := range before.Topics {
		for j := range before.Topics[i].Partitions {
			if p := &before.Topics[i].Partitions[j]; before.Topics[i].Name == "orders" && p.ID == 0 && p.LatestOffset >= 0 {
				p.LatestOffset += 100
				moved = true
			}
		}
	}
	if !moved {
		t.Fatal("orders/0 has no log end in the snapshot")
	}
	var buf bytes.Buffer
	if err := snapshot.Encode(&buf, before); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "before.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	out, stderr, code = run(t, nil, "triage", "-b", addr, "-o", "json", "--since", file)
	if code == 3 {
		t.Fatalf("triage --since: exit 3: %s", stderr)
	}
	var report struct {
		Findings []struct {
			Code      string `json:"code"`
			Topic     string `json:"topic"`
			Partition *int32 `json:"partition"`
			Evidence  struct {
				RecordsLost int64 `json:"records_lost"`
			} `json:"evidence"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("triage JSON: %v\n%s", err, out)
	}
	var lost []string
	for _, f := range report.Findings {
		if f.Code == "DATA_LOSS" && f.Partition != nil {
			lost = append(lost, f.Topic+"/"+itoa(*f.Partition))
			if f.Evidence.RecordsLost != 100 {
				t.Errorf("%s/%d: %d records lost, want 100", f.Topic, *f.Partition, f.Evidence.RecordsLost)
			}
		}
	}
	if len(lost) != 1 || lost[0] != "orders/0" {
		t.Errorf("DATA_LOSS on %v, want orders/0 only", lost)
	}
}

// TestSinceRefusesAnotherCluster: a snapshot of another cluster would make
// every offset look lost. triage and run refuse it with exit 3 before any
// finding; the same file of this cluster is accepted, as is a bundle.
func TestSinceRefusesAnotherCluster(t *testing.T) {
	addr := demoCluster(t)
	other := loadFixture(t, "degraded") // cluster q7Zx1b0fT4mK2pLw9aR3cA, not the demo's
	var buf bytes.Buffer
	if err := snapshot.Encode(&buf, other); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "other.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"triage", "-b", addr, "-o", "json", "--since", file},
		{"run", "data-recovery", "-b", addr, "-o", "json", "--since", file},
	} {
		out, stderr, code := run(t, nil, args...)
		if code != 3 || !strings.Contains(stderr, "is a snapshot of cluster q7Zx1b0fT4mK2pLw9aR3cA, not of this cluster") ||
			!strings.Contains(stderr, "Hint:") || out != "" {
			t.Errorf("%s --since another cluster: exit %d, stdout %q, stderr %q; want exit 3, no output, the reason and a hint", args[0], code, out, stderr)
		}
	}
	// The same refusal offline: a recorded snapshot with another's --since.
	mine := filepath.Join(t.TempDir(), "mine.json")
	if _, stderr, code := run(t, nil, "snapshot", "-b", addr, "-f", mine); code != 0 {
		t.Fatalf("snapshot: %s", stderr)
	}
	if _, stderr, code := run(t, nil, "triage", "--from", mine, "--since", file); code != 3 || !strings.Contains(stderr, "not of this cluster") {
		t.Errorf("triage --from --since another cluster: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, nil, "triage", "-b", addr, "--since", mine); code == 3 {
		t.Errorf("triage --since a snapshot of this cluster: exit 3: %s", stderr)
	}
	// A bundle of this cluster is taken as its last snapshot.
	bundle := filepath.Join(t.TempDir(), "bundle")
	if _, stderr, code := run(t, nil, "evidence", "capture", "-b", addr, "--out", bundle); code != 2 {
		t.Fatalf("evidence capture: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, nil, "triage", "-b", addr, "--since", bundle); code == 3 {
		t.Errorf("triage --since a bundle of this cluster: exit 3: %s", stderr)
	}
}

// TestTriageSampleTakesAWindow: --sample samples before the final snapshot
// and says over how many samples and how long the trends were judged;
// --sample with --from, or out of bounds, is refused with a hint.
func TestTriageSampleTakesAWindow(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "triage", "-b", addr, "-o", "json", "--sample", "1s")
	if code == 3 && !strings.Contains(out, `"status"`) {
		t.Fatalf("triage --sample: exit 3: %s", stderr)
	}
	var rep struct {
		Window *struct {
			Samples    int   `json:"samples"`
			DurationMS int64 `json:"duration_ms"`
		} `json:"window"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("triage JSON: %v", err)
	}
	if rep.Window == nil || rep.Window.Samples != 5 || rep.Window.DurationMS < 900 {
		t.Errorf("window %+v, want 5 samples over about 1s", rep.Window)
	}
	if !strings.Contains(stderr, "Sampling consumer groups and log dirs for 1s") {
		t.Errorf("stderr does not say it samples: %q", stderr)
	}
	for _, args := range [][]string{
		{"triage", "-b", addr, "--sample", "10ms"},
		{"triage", "--from", "x", "--sample", "5s"},
	} {
		if _, stderr, code := run(t, nil, args...); code != 3 || !strings.Contains(stderr, "Hint:") {
			t.Errorf("%v: exit %d, %q; want 3 with a hint", args, code, stderr)
		}
	}
}

// TestDescribeGroupsSampleJudgesEachGroup: describe groups --sample gives
// every group a lag status; other views refuse --sample with a hint.
func TestDescribeGroupsSampleJudgesEachGroup(t *testing.T) {
	addr := demoCluster(t)
	out, stderr, code := run(t, nil, "describe", "groups", "-b", addr, "-o", "json", "--sample", "1s")
	if code != 0 {
		t.Fatalf("describe groups --sample: exit %d: %s", code, stderr)
	}
	var v struct {
		Groups []struct {
			Group  string `json:"group"`
			Status string `json:"status"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Groups) == 0 {
		t.Fatalf("describe groups JSON: %v\n%s", err, out)
	}
	for _, g := range v.Groups {
		if g.Status == "" {
			t.Errorf("group %s has no status after --sample", g.Group)
		}
	}
	if _, stderr, code := run(t, nil, "describe", "brokers", "-b", addr, "--sample", "2s"); code != 3 || !strings.Contains(stderr, "Hint:") {
		t.Errorf("describe brokers --sample: exit %d, %q; want 3 with a hint", code, stderr)
	}
}
