package disk

import (
	"testing"
	"time"
)

func TestWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "~1 minute", 80 * time.Second: "~1 minute", 100 * time.Second: "~2 minutes",
		90 * time.Minute: "~90 minutes", 5 * time.Hour: "~5 hours", 72 * time.Hour: "~3 days",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultThresholds().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, th := range []Thresholds{
		{WarningPercent: 101}, {WarningPercent: 10, CriticalPercent: 20}, {CriticalFreeBytes: -1},
		{WarningWithin: time.Hour, CriticalWithin: 2 * time.Hour}, {CriticalWithin: -time.Second},
	} {
		if th.Validate() == nil {
			t.Errorf("%+v accepted", th)
		}
	}
}
