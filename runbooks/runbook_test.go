package runbooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltInRunbooksLoad(t *testing.T) {
	lib, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"broker-failure", "consumer-lag", "controller-quorum", "data-recovery", "disk-pressure", "isr-shrinkage", "zombie-leader"}
	if got := lib.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("runbooks = %v, want %v", got, want)
	}
	for _, rb := range lib.All() {
		for _, s := range rb.Steps {
			if s.Checks == "" || s.Why == "" || len(s.Dont) == 0 {
				t.Errorf("%s step %s lacks checks, why or dont", rb.Name, s.ID)
			}
		}
	}
}

func TestUserDirectoryReplacesAndAdds(t *testing.T) {
	dir := t.TempDir()
	own := `schema_version: 1
name: broker-failure
title: Broker failure (ACME)
summary: ours
escalation: ["page the Kafka on-call: +1 555 0100"]
steps:
  - id: classify
    title: Classify
    diagnostic: broker-classify
    notes: ["our brokers log to /srv/kafka/logs"]
`
	if err := os.WriteFile(filepath.Join(dir, "broker-failure.yaml"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := lib.Get("broker-failure")
	if err != nil {
		t.Fatal(err)
	}
	if rb.Title != "Broker failure (ACME)" || len(rb.Escalation) != 1 || rb.Steps[0].Notes[0] == "" {
		t.Errorf("user runbook not used: %+v", rb)
	}
	if _, err := lib.Get("isr-shrinkage"); err != nil {
		t.Errorf("built-in runbooks lost: %v", err)
	}
}

func TestBadRunbookFilesNameTheFileAndProblem(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"bad yaml", "name: [", "not a valid runbook file"},
		{"unknown field", "schema_version: 1\nname: x\ntitle: X\nstepz: []\n", "stepz"},
		{"wrong version", "schema_version: 9\nname: x\ntitle: X\nsteps: [{id: a, title: A, diagnostic: broker-classify}]\n", "schema_version is 9"},
		{"unknown diagnostic", "schema_version: 1\nname: x\ntitle: X\nsteps: [{id: a, title: A, diagnostic: nope}]\n", `unknown diagnostic "nope"`},
		{"duplicate step", "schema_version: 1\nname: x\ntitle: X\nsteps: [{id: a, title: A, diagnostic: broker-classify}, {id: a, title: B, diagnostic: broker-classify}]\n", "used twice"},
		{"no steps", "schema_version: 1\nname: x\ntitle: X\n", "no steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), "mine.yaml") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming mine.yaml and %q", err, tt.want)
			}
		})
	}
}

func TestCommandsQuoteAndUseEachToolsConfigFlag(t *testing.T) {
	c := Commands{Bootstrap: "k1:9092,k2:9092", CommandConfig: "/etc/kafka/client props"}
	got := c.Kafka("kafka-leader-election.sh", "--topic", "it's")
	want := `kafka-leader-election.sh --bootstrap-server k1:9092,k2:9092 --admin.config '/etc/kafka/client props' --topic 'it'"'"'s'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := c.Kafka("kafka-topics.sh", "--describe"); !strings.Contains(got, "--command-config '/etc/kafka/client props'") {
		t.Errorf("kafka-topics.sh command: %s", got)
	}
}
