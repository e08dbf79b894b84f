package drill

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/verdict"
	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// TestReportTimelineIsReadable: a watch's polls are one timeline row, not
// one per poll; kafka-runbook is one tool whatever libraries it speaks
// through; a recorded runbook walk is not listed again as inferred from
// its own requests.
func TestReportTimelineIsReadable(t *testing.T) {
	meta := Meta{Scenario: "zombie-leader", Title: "zombie", Source: "embedded", ExpectedRunbook: "zombie-leader",
		StartedAt: t0, Speed: 1, Bootstrap: []string{"127.0.0.1:1"}, PID: -1}
	s, err := Create(t.TempDir(), meta)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	var events []Event
	add := func(d time.Duration, api, detail, software string) {
		events = append(events, Event{At: at(d), Kind: KindRequest, Request: &sim.Request{At: at(d), Broker: 1, ClientID: "kafka-runbook",
			API: api, Detail: detail, Software: software}})
	}
	// A watch: one Metadata poll every 5 s for two minutes (25 polls; the
	// one at +32s falls into the walk's burst, leaving 24).
	for i := range 25 {
		add(time.Duration(i)*5*time.Second+2*time.Second, "Metadata", "", "sarama v1.61.1")
	}
	// A zombie-leader walk at +30s, recorded below, with its epoch probes
	// through franz-go and its probes announcing kafka-runbook itself.
	add(30*time.Second+500*time.Millisecond, "ApiVersions", "", "kafka-runbook v1.2.3")
	add(30*time.Second+600*time.Millisecond, "OffsetForLeaderEpoch", "", "kgo v1.22.3")
	events = append(events, Event{At: at(130 * time.Second), Kind: KindStopped})
	var b bytes.Buffer
	for _, e := range events {
		line, _ := json.Marshal(e)
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(s.Path(JournalFile), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := runbooks.Transcript{SchemaVersion: 1, Runbook: runbooks.Summary{Name: "zombie-leader"}, Status: verdict.Critical,
		Cluster: runbooks.Cluster{TakenAt: at(34 * time.Second)},
		Steps:   []runbooks.StepResult{{Number: 1, StartedAt: at(30 * time.Second), DurationMS: 4000}}}
	if _, err := evidence.RecordTranscript(s.Path(EvidenceDir), tr, evidence.Meta{ToolVersion: "v1.2.3"}, func() time.Time { return at(34 * time.Second) }); err != nil {
		t.Fatal(err)
	}
	r, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	timeline := section(md.String(), "### Timeline", "### Changes")
	if n := strings.Count(timeline, "partial snapshot"); n != 1 {
		t.Errorf("the watch's polls are %d timeline rows, want 1:\n%s", n, timeline)
	}
	if !strings.Contains(timeline, "24 times until 03:14:02 UTC, about every 5s") {
		t.Errorf("the folded row does not say how often and until when:\n%s", timeline)
	}
	if n := strings.Count(timeline, "runbook zombie-leader"); n != 1 || !strings.Contains(timeline, "runbook zombie-leader (CRITICAL, recorded)") {
		t.Errorf("the recorded walk is listed %d times:\n%s", n, timeline)
	}
	if len(r.Tools) != 1 || r.Tools[0].ClientID != "kafka-runbook" || r.Tools[0].Software != "kafka-runbook v1.2.3, kgo v1.22.3, sarama v1.61.1" {
		t.Errorf("tools: %+v", r.Tools)
	}
	if r.RunbookOpened != "yes" {
		t.Errorf("expected runbook opened = %q", r.RunbookOpened)
	}
}

// section is the text of md from the heading from up to the heading to.
func section(md, from, to string) string {
	i := strings.Index(md, from)
	if i < 0 {
		return ""
	}
	rest := md[i:]
	if j := strings.Index(rest, to); j > 0 {
		return rest[:j]
	}
	return rest
}
