package collect

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

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

// TestNoAnswerSaysWhichLimitRanOut: a request abandoned at its own bound
// says how long that was and what it is, in words (not "within 3.333s:
// context deadline exceeded"); one cut by the command's --timeout says so.
// Either is still context.DeadlineExceeded to errors.Is.
func TestNoAnswerSaysWhichLimitRanOut(t *testing.T) {
	own := noAnswer(withCommandTimeout(context.Background(), 10*time.Second), 3333*time.Millisecond)
	if got := own.Error(); got != "no answer within 3.3s, the most one request may take: a third of --timeout 10s, between 0.5s and 5s" {
		t.Errorf("request's own limit: %q", got)
	}
	if got := noAnswer(context.Background(), time.Second).Error(); got != "no answer within 1s, the most one request may take: a third of --timeout, between 0.5s and 5s" {
		t.Errorf("command timeout unknown: %q", got)
	}
	ctx, cancel := context.WithCancel(withCommandTimeout(context.Background(), 10*time.Second))
	cancel()
	whole := noAnswer(ctx, 3333*time.Millisecond)
	if got := whole.Error(); got != "no answer before the command's --timeout 10s ran out" {
		t.Errorf("command's deadline: %q", got)
	}
	for _, err := range []error{own, whole, errEarlierTimeout} {
		if !errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "context deadline exceeded") {
			t.Errorf("%q: errors.Is DeadlineExceeded %v", err, errors.Is(err, context.DeadlineExceeded))
		}
	}
}
