package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kafka-runbook/kafka-runbook/diag/disk"
	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// DiskFlags are the LOG_DIR_LOW_SPACE thresholds, on every command that
// runs the checks.
type DiskFlags struct {
	WarningPercent  float64
	CriticalPercent float64
	CriticalFree    string
	WarningWithin   time.Duration
	CriticalWithin  time.Duration
}

// bindDiskFlags adds the disk threshold flags to cmd, with the defaults.
func bindDiskFlags(cmd *cobra.Command) *DiskFlags {
	def := disk.DefaultThresholds()
	d := &DiskFlags{}
	f := cmd.Flags()
	f.Float64Var(&d.WarningPercent, "disk-warning-percent", def.WarningPercent, "LOG_DIR_LOW_SPACE warning below this share of usable space in a log dir's filesystem (0 turns it off)")
	f.Float64Var(&d.CriticalPercent, "disk-critical-percent", def.CriticalPercent, "LOG_DIR_LOW_SPACE critical below this share of usable space (0 turns it off)")
	f.StringVar(&d.CriticalFree, "disk-critical-free", disk.Bytes(def.CriticalFreeBytes), "LOG_DIR_LOW_SPACE critical below this much usable space, e.g. 1GiB, 500MB (0 turns it off)")
	f.DurationVar(&d.WarningWithin, "disk-warning-within", def.WarningWithin, "LOG_DIR_LOW_SPACE warning when a log dir will be full within this long at the rate it fills (0 turns it off)")
	f.DurationVar(&d.CriticalWithin, "disk-critical-within", def.CriticalWithin, "LOG_DIR_LOW_SPACE critical when a log dir will be full within this long (0 turns it off)")
	return d
}

// thresholds checks the flags and returns the thresholds they set; nil
// (the defaults) for options built without the flags.
func (d *DiskFlags) thresholds() (*disk.Thresholds, error) {
	if d == nil {
		return nil, nil
	}
	free, err := parseBytes(d.CriticalFree)
	if err != nil {
		return nil, exitcode.Usagef("use e.g. --disk-critical-free 1GiB", "--disk-critical-free: %v", err)
	}
	th := disk.Thresholds{WarningPercent: d.WarningPercent, CriticalPercent: d.CriticalPercent, CriticalFreeBytes: free,
		WarningWithin: d.WarningWithin, CriticalWithin: d.CriticalWithin}
	if err := th.Validate(); err != nil {
		return nil, exitcode.Usage(err, "see 'kafka-runbook explain LOG_DIR_LOW_SPACE' for the defaults")
	}
	return &th, nil
}

// byteUnits are the suffixes parseBytes reads, longest first so "MiB" is
// not read as "B".
var byteUnits = []struct {
	suffix string
	factor int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000}, {"tb", 1000 * 1000 * 1000 * 1000},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1},
}

// parseBytes reads a size: plain bytes, or a number with a unit (KB, MB,
// GB, TB in powers of 1000; KiB, MiB, GiB, TiB or K, M, G, T in powers of
// 1024), spaces allowed between.
func parseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	factor := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v*float64(factor) > 1<<62 {
		return 0, fmt.Errorf("%q is not a size (bytes, or a number with KB, MB, GB, KiB, MiB, GiB)", s)
	}
	return int64(v * float64(factor)), nil
}
