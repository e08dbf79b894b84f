package findings

import (
	"encoding/json"
	"regexp"
	"testing"
)

// required is the list of codes the product promises, by exact name.
var required = []string{
	"BROKER_DOWN", "BROKER_UNREACHABLE", "BROKER_UNRESPONSIVE", "OFFLINE_PARTITION", "UNDER_MIN_ISR",
	"AT_MIN_ISR", "UNDER_REPLICATED", "OFFLINE_REPLICA", "ZOMBIE_LEADER", "STALE_METADATA",
	"UNCLEAN_ELECTION_REQUIRED", "DATA_LOSS", "LOG_START_ADVANCED", "UNCLEAN_ELECTION_ENABLED",
	"LOW_REPLICATION_FACTOR", "MIN_ISR_TOO_LOW", "LOG_DIR_OFFLINE",
	"CONSUMER_LAG_GROWING", "CONSUMER_STALLED", "CONSUMER_STOPPED", "OFFSET_REWIND", "REBALANCE_STORM",
	"EMPTY_GROUP_LAGGING", "GROUP_PARTITION_UNAVAILABLE", "LAG_EXCEEDS_RETENTION", "LAG_NEAR_RETENTION",
	"HANGING_TRANSACTION",
}

func TestCatalogueHasEveryPromisedCode(t *testing.T) {
	for _, code := range required {
		if _, ok := Lookup(code); !ok {
			t.Errorf("code %s missing from the catalogue", code)
		}
	}
}

func TestCatalogueEntriesAreComplete(t *testing.T) {
	snake := regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)
	seen := map[string]bool{}
	for _, e := range Catalogue() {
		if !snake.MatchString(e.Code) {
			t.Errorf("code %q is not SCREAMING_SNAKE", e.Code)
		}
		if seen[e.Code] {
			t.Errorf("code %s listed twice", e.Code)
		}
		seen[e.Code] = true
		if e.Title == "" || e.Meaning == "" || e.WhyItMatters == "" || e.WhatToDo == "" {
			t.Errorf("code %s has an empty explanation: %+v", e.Code, e)
		}
	}
}

func TestSortPutsWorstFirstAndIsStable(t *testing.T) {
	fs := []Finding{
		{Code: "UNDER_REPLICATED", Severity: Warning, Topic: "b", Partition: Int32(1)},
		{Code: "BROKER_DOWN", Severity: Critical, Broker: Int32(3)},
		{Code: "UNDER_REPLICATED", Severity: Warning, Topic: "a", Partition: Int32(2)},
		{Code: "UNDER_REPLICATED", Severity: Warning, Topic: "a", Partition: Int32(0)},
		{Code: "X", Severity: Info},
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Code+" "+f.Subject())
	}
	want := []string{"BROKER_DOWN broker 3", "UNDER_REPLICATED a/0", "UNDER_REPLICATED a/2", "UNDER_REPLICATED b/1", "X "}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order = %q, want %q", got, want)
		}
	}
}

func TestSeverityJSONRoundTrip(t *testing.T) {
	for _, s := range []Severity{Info, Warning, Critical} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%s -> %s -> %v (%v)", s, b, back, err)
		}
	}
	var s Severity
	if err := json.Unmarshal([]byte(`"fatal"`), &s); err == nil {
		t.Error("unknown severity accepted")
	}
}
