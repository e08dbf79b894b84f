package runbooks

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit/diskseries"
)

// diskSeries is the healthy fixture with broker 1's /data filling at
// 50 MiB/s through orders/0, sampled PollInterval (2s) apart.
func diskSeries(t *testing.T) []*snapshot.Snapshot {
	return diskseries.Filling(func() *snapshot.Snapshot { return fixture(t, "healthy") }, 2*time.Second)
}

func TestDiskStepsOnAFillingDir(t *testing.T) {
	src := recorded(diskSeries(t)...)
	env := testEnv(t, src)
	space := runDiag(t, "disk-space", env)
	expect{
		verdict:  []string{"1 log directory low on space.", "Broker 1 /data fills first: full in ~2 minutes at 50.0 MiB/s."},
		findings: []string{"LOG_DIR_LOW_SPACE broker 1 /data"},
	}.check(t, space)
	if f := space.Findings[0]; f.Severity.String() != "critical" || !strings.Contains(f.Summary, "full in ~2 minutes at the current rate (50.0 MiB/s)") {
		t.Errorf("finding %s %q", f.Severity, f.Summary)
	}
	checkRows(t, space, "Log directories", [][]string{
		{"1", "/data", "5.0 GiB", "100.0 GiB", "5.0", "50.0 MiB/s", "~2 minutes", "90.3 GiB"},
		{"1", "/data2", "90.0 GiB", "100.0 GiB", "90.0", "0 B/s", "-", "10.0 GiB"},
		{"2", "/data", "60.0 GiB", "100.0 GiB", "60.0", "0 B/s", "-", "65.0 GiB"},
		{"3", "/data", "70.0 GiB", "100.0 GiB", "70.0", "0 B/s", "-", "65.0 GiB"},
	})
	calls := len(src.parts)
	growth := runDiag(t, "disk-growth", env)
	if len(src.parts) != calls {
		t.Errorf("the growth step sampled again: the walk's window must be reused")
	}
	expect{verdict: []string{"Fastest-growing on the log directories low on space: topic orders at 50.0 MiB/s (partition orders/0 on broker 1 at 50.0 MiB/s)."}}.check(t, growth)
	checkRows(t, growth, "Fastest-growing topics", [][]string{{"orders", "50.0 MiB/s", "60.3 GiB", "2"}})
	checkRows(t, growth, "Biggest partitions", [][]string{
		{"orders/0", "1", "/data", "40.3 GiB"}, {"clickstream/1", "1", "/data", "30.0 GiB"}, {"orders/1", "1", "/data", "20.0 GiB"},
	})

	acts := runDiag(t, "disk-actions", env)
	checkActions(t, acts.Actions, []wantAction{
		{Safe, "see what fills the disk", []string{"df -h /data", "du -sh /data/*"}},
		{Safe, "Record topic orders's configs", []string{"kafka-configs.sh", "--bootstrap-server", testBootstrap, "--entity-type", "topics", "--entity-name", "orders", "--describe"}},
		{Caution, "Temporarily lower retention of orders to 84 hours", []string{"kafka-configs.sh", "--bootstrap-server", testBootstrap, "--entity-type", "topics", "--entity-name", "orders", "--alter", "--add-config", "retention.ms=302400000"}},
		{Caution, "Undo the override", []string{"kafka-configs.sh", "--bootstrap-server", testBootstrap, "--entity-name", "orders", "--alter", "--delete-config", "retention.ms"}},
		{Caution, "to the other log dir", []string{"kafka-reassign-partitions.sh", "--reassignment-json-file", "move-log-dirs-", "--execute", "--replica-alter-log-dirs-throttle", "50000000"}},
		{Safe, "Watch the move", []string{"--verify"}},
		{Caution, "other brokers", []string{"kafka-reassign-partitions.sh", "--reassignment-json-file", "move-off-full-disks-", "--execute", "--throttle", "50000000"}},
		{Safe, "Watch the reassignment", []string{"--verify"}},
		{Caution, "Give broker 1 another disk", []string{"kafka-storage.sh format", "--cluster-id", "q7Zx1b0fT4mK2pLw9aR3cA", "--ignore-formatted"}},
	})
	if len(acts.Files) != 2 {
		t.Fatalf("plan files %q, want two", acts.Files)
	}
	data, err := os.ReadFile(acts.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	var plan ReassignmentPlan
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	// orders/0 grows fastest and fits in half of /data2's 90 GiB; the
	// next ones would not. Broker 1 is first of its replicas [1,2,3].
	if len(plan.Partitions) != 1 || plan.Partitions[0].Topic != "orders" || plan.Partitions[0].Partition != 0 ||
		strings.Join(plan.Partitions[0].LogDirs, ",") != "/data2,any,any" {
		t.Errorf("log dir plan %s", data)
	}
	// orders/0 and orders/1 are on every broker; clickstream/1 (3,1) can
	// go to broker 2, which has room for it twice over.
	checkRows(t, acts, "Plan: move replicas to another broker", [][]string{{"clickstream/1", "3,1", "3,2", "30.0 GiB"}})
}

// TestDiskStepsWithoutAWindow: a replay of one moment gives no rate and no
// time to full, and says so; replicas not listed are a gap, not a pass.
func TestDiskStepsWithoutAWindow(t *testing.T) {
	series := diskSeries(t)
	env := testEnv(t, recorded(series[len(series)-1]))
	env.Window = []*snapshot.Snapshot{}
	space := runDiag(t, "disk-space", env)
	if strings.Contains(space.Verdict, "full in") || space.Findings[0].Evidence["seconds_to_full"] != nil {
		t.Errorf("time to full without a window: %q %v", space.Verdict, space.Findings[0].Evidence)
	}
	rows := tableRows(t, space, "Log directories")
	if rows[0][5] != "-" || rows[0][6] != "-" {
		t.Errorf("rate and time to full without a window: %q", rows[0])
	}
	bare := fixture(t, "healthy")
	env = testEnv(t, recorded(bare))
	env.Window = []*snapshot.Snapshot{}
	expect{unevaluated: []string{"no broker listed the replicas"}}.check(t, runDiag(t, "disk-growth", env))
}

// TestDiskActionsCarryTheConnection: every Kafka command names the
// bootstrap and the client properties in use, so it pastes as printed.
func TestDiskActionsCarryTheConnection(t *testing.T) {
	env := testEnv(t, recorded(diskSeries(t)...))
	env.Commands.CommandConfig = "/etc/kafka/admin client.properties"
	acts := runDiag(t, "disk-actions", env)
	n := 0
	for _, a := range acts.Actions {
		if !strings.HasPrefix(a.Command, "kafka-configs.sh") && !strings.HasPrefix(a.Command, "kafka-reassign-partitions.sh") {
			continue
		}
		n++
		if !strings.Contains(a.Command, "--bootstrap-server "+testBootstrap) || !strings.Contains(a.Command, "--command-config '/etc/kafka/admin client.properties'") {
			t.Errorf("%q lacks the connection", a.Command)
		}
	}
	if n != 7 {
		t.Errorf("%d Kafka commands, want 7:\n%s", n, actionList(acts.Actions))
	}
}

// TestDiskRetentionUndo: the undo restores a topic's own override, deletes
// one the broker default stood for, and never lengthens a short retention.
func TestDiskRetentionUndo(t *testing.T) {
	for _, tt := range []struct {
		name  string
		value *snapshot.ConfigValue
		want  []string // the titles and commands' words, or nil for no retention action
	}{
		{"own override", &snapshot.ConfigValue{Value: "86400000", Source: "DYNAMIC_TOPIC_CONFIG"},
			[]string{"to 12 hours", "retention.ms=43200000", "--add-config retention.ms=86400000"}},
		{"broker default", &snapshot.ConfigValue{Value: "604800000", Source: "DEFAULT_CONFIG"},
			[]string{"to 84 hours", "retention.ms=302400000", "--delete-config retention.ms"}},
		{"unlimited", &snapshot.ConfigValue{Value: "-1", Source: "DYNAMIC_TOPIC_CONFIG"},
			[]string{"to 24 hours", "retention.ms=86400000", "--add-config retention.ms=-1"}},
		{"not readable", nil, []string{"to 24 hours", "could not be read", "--delete-config retention.ms"}},
		{"already short", &snapshot.ConfigValue{Value: "600000", Source: "DYNAMIC_TOPIC_CONFIG"}, nil},
		{"short: halved, not below 10 minutes", &snapshot.ConfigValue{Value: "900000", Source: "DYNAMIC_TOPIC_CONFIG"},
			[]string{"to 10 minutes", "retention.ms=600000", "--add-config retention.ms=900000"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			top := snapshot.Topic{Name: "orders", Configs: map[string]snapshot.ConfigValue{}}
			if tt.value != nil {
				top.Configs["retention.ms"] = *tt.value
			}
			acts := retentionActions(testEnv(t, recorded()), top)
			if tt.want == nil {
				if len(acts) != 0 {
					t.Errorf("actions %s", actionList(acts))
				}
				return
			}
			text := actionList(acts)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q missing from\n%s", w, text)
				}
			}
		})
	}
}
