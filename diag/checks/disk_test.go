package checks

import (
	"cmp"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

const gib = int64(1) << 30

var diskT0 = time.Date(2025, 3, 14, 3, 0, 0, 0, time.UTC)

// withDirs gives broker 1 one log dir of total bytes with usable bytes
// free at time at, the other brokers roomy ones.
func withDirs(at time.Time, total, usable int64) func(*snapshot.Snapshot) {
	return func(s *snapshot.Snapshot) {
		s.TakenAt = at
		s.LogDirs = []snapshot.LogDir{
			{Broker: 1, Path: "/data", TotalBytes: total, UsableBytes: usable, SizeBytes: -1, Partitions: -1},
			{Broker: 2, Path: "/data", TotalBytes: 100 * gib, UsableBytes: 80 * gib, SizeBytes: -1, Partitions: -1},
			{Broker: 3, Path: "/data", TotalBytes: 100 * gib, UsableBytes: 80 * gib, SizeBytes: -1, Partitions: -1},
		}
	}
}

func TestLogDirSpace(t *testing.T) {
	th := disk.DefaultThresholds()
	tests := []struct {
		name string
		// window are broker 1's usable bytes in the samples before the
		// snapshot, a minute apart; the snapshot has usable.
		window        []int64
		total, usable int64
		mutate        func(*snapshot.Snapshot)
		wantSeverity  string // "" for no finding
		wantGap       string // part of a gap reason, "" for none
		wantInSummary string
		wantTTF       float64       // seconds_to_full, 0 for absent
		every         time.Duration // between the samples; a minute when zero
	}{
		{name: "roomy", total: 100 * gib, usable: 50 * gib},
		{name: "just above warning", total: 100 * gib, usable: 16 * gib},
		{name: "below warning", total: 100 * gib, usable: 14 * gib, wantSeverity: "warning", wantInSummary: "14.0 GiB usable of 100.0 GiB (14.0%)"},
		{name: "below critical share", total: 100 * gib, usable: 4 * gib, wantSeverity: "critical"},
		{name: "below the absolute floor", total: 10 * gib, usable: gib / 2, wantSeverity: "critical", wantInSummary: "512.0 MiB usable"},
		{name: "usable not reported is a gap, not OK", total: -1, usable: -1, wantGap: "did not report its space"},
		{name: "total not reported is a gap", total: 100 * gib, usable: -1, wantGap: "did not report its space"},
		{name: "failed log-dir source is a gap", total: 100 * gib, usable: 50 * gib,
			mutate: func(s *snapshot.Snapshot) {
				s.LogDirs = s.LogDirs[1:]
				s.Errors = append(s.Errors, snapshot.CollectError{Source: snapshot.SourceLogDirs, Broker: 1, Kind: snapshot.KindTimeout, Message: "timed out"})
			},
			wantGap: "log dirs of broker 1 could not be read"},
		{name: "log dirs not collected is a gap", total: 100 * gib, usable: 50 * gib,
			mutate:  func(s *snapshot.Snapshot) { s.LogDirs = nil },
			wantGap: "not collected"},
		{name: "an offline dir is LOG_DIR_OFFLINE's, not judged here", total: -1, usable: -1,
			mutate: func(s *snapshot.Snapshot) { s.LogDirs[0].Error = "KAFKA_STORAGE_ERROR" }},
		{name: "two samples give a known rate: 1 GiB a minute, 10 GiB left", window: []int64{12 * gib, 11 * gib},
			total: 100 * gib, usable: 10 * gib, wantSeverity: "critical", wantInSummary: "full in ~10 minutes at the current rate (17.1 MiB/s)", wantTTF: 600},
		{name: "filling fast on a roomy disk is critical", window: []int64{60 * gib, 50 * gib},
			total: 200 * gib, usable: 40 * gib, wantSeverity: "critical", wantInSummary: "full in ~4 minutes", wantTTF: 240},
		{name: "filling slowly, full within 12h, is a warning", window: []int64{50*gib + 1000<<20},
			total: 100 * gib, usable: 50 * gib, every: 10 * time.Minute, wantSeverity: "warning", wantInSummary: "full in ~9 hours", wantTTF: 50 * 1024 * 600 / 1000},
		{name: "a minute's rate does not tell the next 9 hours: nothing", window: []int64{50*gib + 100<<20},
			total: 100 * gib, usable: 50 * gib},
		{name: "zero growth: no time to full", window: []int64{14 * gib, 14 * gib},
			total: 100 * gib, usable: 14 * gib, wantSeverity: "warning"},
		{name: "shrinking: no time to full", window: []int64{12 * gib, 13 * gib},
			total: 100 * gib, usable: 14 * gib, wantSeverity: "warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.window)
			every := cmp.Or(tt.every, time.Minute)
			var window []*snapshot.Snapshot
			for i, u := range tt.window {
				window = append(window, cluster(withDirs(diskT0.Add(time.Duration(i)*every), tt.total, u)))
			}
			opts := []func(*snapshot.Snapshot){withDirs(diskT0.Add(time.Duration(n)*every), tt.total, tt.usable)}
			if tt.mutate != nil {
				opts = append(opts, tt.mutate)
			}
			res := Run(Input{Snap: cluster(opts...), Window: window, Disk: &th}, Named("log-dir-space"))
			var got *findings.Finding
			for i, f := range res.Findings {
				if f.Code != findings.LogDirLowSpace {
					t.Fatalf("unexpected code %s", f.Code)
				}
				if got != nil {
					t.Fatalf("more than one finding: %+v", res.Findings)
				}
				got = &res.Findings[i]
			}
			gaps := ""
			for _, u := range res.Unevaluated {
				gaps += u.Reason + "\n"
			}
			if (tt.wantGap == "") != (gaps == "") || !strings.Contains(gaps, tt.wantGap) {
				t.Errorf("gaps %q, want one with %q", gaps, tt.wantGap)
			}
			if tt.wantSeverity == "" {
				if got != nil {
					t.Fatalf("finding %+v, want none", *got)
				}
				return
			}
			if got == nil {
				t.Fatalf("no finding, want %s", tt.wantSeverity)
			}
			if got.Severity.String() != tt.wantSeverity || got.Broker == nil || *got.Broker != 1 || got.LogDir != "/data" {
				t.Errorf("finding %s on %s, want %s on broker 1 /data", got.Severity, got.Subject(), tt.wantSeverity)
			}
			if !strings.Contains(got.Summary, tt.wantInSummary) {
				t.Errorf("summary %q does not say %q", got.Summary, tt.wantInSummary)
			}
			ttf, hasTTF := got.Evidence["seconds_to_full"].(float64)
			if tt.wantTTF == 0 {
				if hasTTF || strings.Contains(got.Summary, "full in") {
					t.Errorf("time to full given without growth: %q %v", got.Summary, got.Evidence)
				}
			} else if !hasTTF || ttf < tt.wantTTF-1 || ttf > tt.wantTTF+1 {
				t.Errorf("seconds_to_full %v, want %v", got.Evidence["seconds_to_full"], tt.wantTTF)
			}
		})
	}
}

// TestLogDirSpaceThresholdsAreSettable: the flags' thresholds replace the
// defaults, and zero turns a rule off.
func TestLogDirSpaceThresholdsAreSettable(t *testing.T) {
	snap := cluster(withDirs(diskT0, 100*gib, 30*gib))
	for _, tt := range []struct {
		th   disk.Thresholds
		want string
	}{
		{disk.DefaultThresholds(), ""},
		{disk.Thresholds{WarningPercent: 40, CriticalPercent: 5}, "warning"},
		{disk.Thresholds{WarningPercent: 50, CriticalPercent: 35}, "critical"},
		{disk.Thresholds{CriticalFreeBytes: 40 * gib}, "critical"},
	} {
		res := Run(Input{Snap: snap, Disk: &tt.th}, Named("log-dir-space"))
		got := ""
		if len(res.Findings) == 1 {
			got = res.Findings[0].Severity.String()
		}
		if got != tt.want || len(res.Findings) > 1 {
			t.Errorf("%+v: findings %+v, want %q", tt.th, res.Findings, tt.want)
		}
	}
}

// TestLogDirSpaceNamesTheFastestTopics: with replicas listed in two
// samples, the finding names the topics that grew fastest on that dir.
func TestLogDirSpaceNamesTheFastestTopics(t *testing.T) {
	withReplicas := func(at time.Time, usable, orders, audit int64) func(*snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) {
			withDirs(at, 100*gib, usable)(s)
			s.LogDirs[0].SizeBytes = orders + audit
			s.LogDirs[0].Replicas = []snapshot.LogDirTopic{
				{Topic: "audit", Partitions: []int32{0}, SizeBytes: []int64{audit}},
				{Topic: "orders", Partitions: []int32{0, 1}, SizeBytes: []int64{orders / 2, orders / 2}},
			}
		}
	}
	before := cluster(withReplicas(diskT0, 10*gib, 10*gib, 5*gib))
	now := cluster(withReplicas(diskT0.Add(time.Minute), 9*gib, 11*gib, 5*gib))
	res := Run(Input{Snap: now, Window: []*snapshot.Snapshot{before}}, Named("log-dir-space"))
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Summary, "growing fastest: orders (17.1 MiB/s)") ||
		strings.Contains(res.Findings[0].Summary, "audit") {
		t.Errorf("findings %+v", res.Findings)
	}
}
