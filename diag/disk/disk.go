// Package disk judges broker log directories over a window of samples:
// how full each is, how fast it fills, when it will be full at that rate,
// and which topics and partitions grow fastest. Pure: the samples carry
// the time, so the same judgement runs on a live window (triage --sample,
// a runbook's samples), a recording (evidence watch, --from) and fixtures.
package disk

import (
	"fmt"
	"time"
)

// Thresholds decide when a log directory is low on space. A rule whose
// value is zero is off.
type Thresholds struct {
	// WarningPercent and CriticalPercent are usable space as a share of
	// the filesystem (0-100) below which a directory is a warning or
	// critical.
	WarningPercent  float64 `json:"warning_percent"`
	CriticalPercent float64 `json:"critical_percent"`
	// CriticalFreeBytes is an absolute floor: below it a directory is
	// critical whatever its share. The default is Kafka's default
	// segment.bytes (1 GiB): with less, the next segment of a busy
	// partition may not fit.
	CriticalFreeBytes int64 `json:"critical_free_bytes"`
	// WarningWithin and CriticalWithin judge the time to full at the
	// current rate, where a window gives one.
	WarningWithin  time.Duration `json:"warning_within"`
	CriticalWithin time.Duration `json:"critical_within"`
}

// DefaultThresholds: warning under 15% usable or full within 12 hours;
// critical under 5% or 1 GiB usable, or full within the hour. 15% leaves
// room to react on a disk that fills over days; 5% of a 500 GB disk is
// 25 GB, minutes of a busy broker's traffic.
func DefaultThresholds() Thresholds {
	return Thresholds{
		WarningPercent: 15, CriticalPercent: 5, CriticalFreeBytes: 1 << 30,
		WarningWithin: 12 * time.Hour, CriticalWithin: time.Hour,
	}
}

// Validate says what is wrong with th, in the words of the flags that set
// it.
func (th Thresholds) Validate() error {
	switch {
	case th.WarningPercent < 0 || th.WarningPercent > 100 || th.CriticalPercent < 0 || th.CriticalPercent > 100:
		return fmt.Errorf("disk thresholds are percentages from 0 to 100, got warning %g and critical %g", th.WarningPercent, th.CriticalPercent)
	case th.CriticalPercent > th.WarningPercent && th.WarningPercent > 0:
		return fmt.Errorf("the critical disk threshold (%g%%) must not be above the warning one (%g%%)", th.CriticalPercent, th.WarningPercent)
	case th.CriticalFreeBytes < 0:
		return fmt.Errorf("the critical free-space floor must not be negative, got %d", th.CriticalFreeBytes)
	case th.WarningWithin < 0 || th.CriticalWithin < 0:
		return fmt.Errorf("time-to-full thresholds must not be negative, got warning %s and critical %s", th.WarningWithin, th.CriticalWithin)
	case th.CriticalWithin > th.WarningWithin && th.WarningWithin > 0:
		return fmt.Errorf("the critical time to full (%s) must not be longer than the warning one (%s)", th.CriticalWithin, th.WarningWithin)
	}
	return nil
}

// Level is a directory's judgement.
type Level int

// The levels, in increasing order.
const (
	OK Level = iota
	Warning
	Critical
)

// Judge says how low dir is on space by th, and why, in a few words. The
// directory must report its space (Dir.Known).
func Judge(d Dir, th Thresholds) (Level, []string) {
	level := OK
	var why []string
	raise := func(l Level, reason string) {
		level = max(level, l)
		why = append(why, reason)
	}
	pct := d.UsablePercent()
	switch {
	case th.CriticalPercent > 0 && pct < th.CriticalPercent:
		raise(Critical, fmt.Sprintf("under %g%% usable", th.CriticalPercent))
	case th.WarningPercent > 0 && pct < th.WarningPercent:
		raise(Warning, fmt.Sprintf("under %g%% usable", th.WarningPercent))
	}
	if th.CriticalFreeBytes > 0 && d.UsableBytes < th.CriticalFreeBytes {
		raise(Critical, "under "+Bytes(th.CriticalFreeBytes)+" usable")
	}
	if ttf, ok := d.TimeToFull(); ok {
		switch {
		case th.CriticalWithin > 0 && ttf < th.CriticalWithin:
			raise(Critical, "full within "+th.CriticalWithin.String())
		case th.WarningWithin > 0 && ttf < th.WarningWithin:
			raise(Warning, "full within "+th.WarningWithin.String())
		}
	}
	return level, why
}

// Bytes renders a size in binary units, e.g. "1.5 GiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), -1
	for (v >= unit || v <= -unit) && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}

// Rate renders bytes per second, e.g. "1.2 MiB/s".
func Rate(bytesPerSecond float64) string { return Bytes(int64(bytesPerSecond)) + "/s" }

// Duration renders a time to full the way a person says it: "~12 minutes",
// "~5 hours", "~3 days".
func Duration(d time.Duration) string {
	switch m := d.Minutes(); {
	case m < 1.5:
		return "~1 minute"
	case m < 120:
		return fmt.Sprintf("~%d minutes", int(m+0.5))
	case m < 48*60:
		return fmt.Sprintf("~%d hours", int(m/60+0.5))
	default:
		return fmt.Sprintf("~%d days", int(m/60/24+0.5))
	}
}
