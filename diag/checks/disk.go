package checks

import (
	"fmt"
	"math"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// diskThresholds are the thresholds of in, the defaults when none given.
func (in Input) diskThresholds() disk.Thresholds {
	if in.Disk == nil {
		return disk.DefaultThresholds()
	}
	return *in.Disk
}

// logDirSpace flags log directories low on usable space, with the time to
// full when the window gives a rate. A directory that does not report its
// space is a gap, never a pass; one that reports an error is
// LOG_DIR_OFFLINE's (log-dirs).
func logDirSpace() Check {
	return Check{
		Name:  "log-dir-space",
		Reads: []string{snapshot.SourceLogDirs},
		Codes: []string{findings.LogDirLowSpace},
		Run: func(in Input, r *Reporter) {
			errs := in.Snap.ErrorsFor(snapshot.SourceLogDirs)
			for _, e := range errs {
				r.CannotEvaluate("log dirs%s could not be read: %s", e.OfBroker(), e.Message)
			}
			if len(in.Snap.LogDirs) == 0 && len(errs) == 0 {
				r.CannotEvaluate("log dirs were not collected")
				return
			}
			th := in.diskThresholds()
			samples := samplesOf(in)
			growing := fastestTopicsByDir(samples)
			for _, d := range disk.Dirs(samples) {
				if d.Error != "" {
					continue
				}
				if !d.Known() {
					r.CannotEvaluate("broker %d log dir %s did not report its space (total %d, usable %d bytes; DescribeLogDirs v4 needs Kafka 2.8+)",
						d.Broker, d.Path, d.TotalBytes, d.UsableBytes)
					continue
				}
				level, why := disk.Judge(d, th)
				if level == disk.OK {
					continue
				}
				r.Add(lowSpaceFinding(d, level, why, growing[dirKey{d.Broker, d.Path}]))
			}
		},
	}
}

type dirKey struct {
	broker int32
	path   string
}

// fastestTopicsByDir names, per directory, its three fastest-growing
// topics, when the samples listed replicas twice.
func fastestTopicsByDir(samples []*snapshot.Snapshot) map[dirKey][]string {
	byDir := map[dirKey][]disk.Replica{}
	for _, r := range disk.Replicas(samples) {
		k := dirKey{r.Broker, r.Path}
		byDir[k] = append(byDir[k], r)
	}
	out := map[dirKey][]string{}
	for k, rs := range byDir {
		for _, t := range disk.FastestTopics(disk.Topics(rs)) {
			if t.Rate <= 0 || len(out[k]) == 3 {
				break
			}
			out[k] = append(out[k], fmt.Sprintf("%s (%s)", t.Topic, disk.Rate(t.Rate)))
		}
	}
	return out
}

func lowSpaceFinding(d disk.Dir, level disk.Level, why, growing []string) findings.Finding {
	sev := findings.Warning
	if level == disk.Critical {
		sev = findings.Critical
	}
	pct := math.Floor(d.UsablePercent()*10) / 10
	summary := fmt.Sprintf("broker %d log dir %s: %s usable of %s (%.1f%%)", d.Broker, d.Path,
		disk.Bytes(d.UsableBytes), disk.Bytes(d.TotalBytes), pct)
	ev := map[string]any{
		"path": d.Path, "total_bytes": d.TotalBytes, "usable_bytes": d.UsableBytes, "usable_percent": pct,
		"why": strings.Join(why, ", "),
	}
	if d.FillRateKnown {
		ev["fill_bytes_per_second"] = math.Round(d.FillRate)
		ev["window_seconds"] = math.Round(d.Span.Seconds())
	}
	if ttf, ok := d.TimeToFull(); ok {
		summary += fmt.Sprintf(", full in %s at the current rate (%s)", disk.Duration(ttf), disk.Rate(d.FillRate))
		ev["seconds_to_full"] = math.Round(ttf.Seconds())
	}
	if len(growing) > 0 {
		summary += "; growing fastest: " + strings.Join(growing, ", ")
		ev["fastest_topics"] = growing
	}
	return findings.Finding{Code: findings.LogDirLowSpace, Severity: sev, Broker: findings.Int32(d.Broker), LogDir: d.Path,
		Summary: summary, Evidence: ev}
}
