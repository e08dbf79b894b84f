package collect

import "testing"

// TestAnnouncedVersionIsOneKafkaAccepts: the version kafka-runbook sends
// as its ClientSoftwareVersion is the build's, made acceptable to brokers
// (KIP-511), never the placeholder "1".
func TestAnnouncedVersionIsOneKafkaAccepts(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":             "v1.2.3",
		"51b7ad6-dirty":      "51b7ad6-dirty",
		"v1.2.3+build/7":     "v1.2.3-build-7",
		"(devel)":            "devel",
		"":                   "unknown",
		"--":                 "unknown",
		"dev":                "dev",
		"v0.0.0-2026 12 03.": "v0.0.0-2026-12-03",
	} {
		if got := newPool(nil, 0, 0).announcing(in).software; got != want {
			t.Errorf("announcing(%q) = %q, want %q", in, got, want)
		}
	}
}
