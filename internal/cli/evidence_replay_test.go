package cli

import (
	"testing"
	"time"
)

func TestParseMomentKeepsThePrecisionTyped(t *testing.T) {
	at := time.Date(2026, 3, 14, 3, 12, 5, 0, time.UTC)
	tests := []struct {
		in     string
		at     time.Time
		within time.Duration
	}{
		{"2026-03-14T03:12:05Z", at, time.Second},
		{"2026-03-14T03:12:05", at, time.Second},
		{"2026-03-14T04:12:05+01:00", at, time.Second},
		{"2026-03-14T03:12", at.Add(-5 * time.Second), time.Minute},
		{"2026-03-14T03:12:05.123Z", at.Add(123 * time.Millisecond), time.Millisecond},
		{"2026-03-14T03:12:05.123", at.Add(123 * time.Millisecond), time.Millisecond},
		{"2026-03-14T03:12:05.5Z", at.Add(500 * time.Millisecond), 100 * time.Millisecond},
		{"2026-03-14T03:12:05.123456789Z", at.Add(123456789), time.Nanosecond},
	}
	for _, tt := range tests {
		m, err := parseMoment(tt.in)
		if err != nil || !m.At.Equal(tt.at) || m.Within != tt.within {
			t.Errorf("parseMoment(%q) = %s within %s, %v; want %s within %s", tt.in, m.At, m.Within, err, tt.at, tt.within)
		}
	}
	if _, err := parseMoment("yesterday"); err == nil {
		t.Error("yesterday parsed")
	}
}
