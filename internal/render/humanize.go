package render

import (
	"fmt"
	"strconv"
	"strings"
)

// Bytes formats a byte count with binary units (KiB, MiB, ...) and one
// decimal, the way df -h reads. Negative counts mean "unknown" in the
// snapshot and print as "?".
func Bytes(n int64) string {
	if n < 0 {
		return "?"
	}
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Millis formats a duration in milliseconds with the largest exact units,
// so that retention.ms=604800000 reads "7d" and 90000 reads "1m30s".
// Negative values print as "?".
func Millis(ms int64) string {
	if ms < 0 {
		return "?"
	}
	if ms == 0 {
		return "0ms"
	}
	units := []struct {
		suffix string
		size   int64
	}{{"d", 86_400_000}, {"h", 3_600_000}, {"m", 60_000}, {"s", 1000}, {"ms", 1}}
	var b strings.Builder
	for _, u := range units {
		if q := ms / u.size; q > 0 {
			b.WriteString(strconv.FormatInt(q, 10))
			b.WriteString(u.suffix)
			ms -= q * u.size
		}
	}
	return b.String()
}

// Percent formats part/whole as a percentage with one decimal, "?" when
// either is unknown (negative) or whole is zero.
func Percent(part, whole int64) string {
	if part < 0 || whole <= 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

// Int formats a count or offset, "?" for the snapshot's -1 "unknown".
func Int[T ~int | ~int32 | ~int64](n T) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(int64(n), 10)
}
