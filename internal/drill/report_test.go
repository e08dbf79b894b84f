package drill

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/sim"
)

var t0 = time.Date(2026, 3, 14, 3, 12, 0, 0, time.UTC)

// fixture writes a session with a fixed clock: an inject at +60s, a
// triage before it, a partial describe and a full triage after it, a
// note, and an unclean election from Kafka's admin client.
func fixture(t *testing.T) *Session {
	t.Helper()
	meta := Meta{
		Scenario: "demo", Title: "demo", Source: "embedded", ExpectedFindings: []string{"BROKER_DOWN", "UNDER_MIN_ISR"},
		ExpectedRunbook: "zombie-leader", StartedAt: t0, Speed: 1, Bootstrap: []string{"127.0.0.1:1"}, PID: -1,
		Injects: []Planned{{At: "1m0s", Offset: Duration(time.Minute), Say: "broker 2 hangs", Expect: []string{"BROKER_UNRESPONSIVE"}}},
	}
	s, err := Create(t.TempDir(), meta)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	req := func(d time.Duration, broker int32, client, api, detail string, ch *sim.Change) Event {
		return Event{At: at(d), Kind: KindRequest, Request: &sim.Request{At: at(d), Broker: broker, ClientID: client, API: api, Detail: detail, Change: ch, Software: "sarama v1.61.1"}}
	}
	events := []Event{
		{At: t0, Kind: KindStarted},
		// +10s: a Metadata-only look cannot show UNDER_MIN_ISR.
		req(10*time.Second, 1, "kafka-runbook", "Metadata", "", nil),
		// +20s: a full triage: shows the start's findings.
		req(20*time.Second, 1, "kafka-runbook", "Metadata", "", nil),
		req(20*time.Second+100*time.Millisecond, 2, "kafka-runbook", "Metadata", "", nil),
		req(20*time.Second+200*time.Millisecond, 1, "kafka-runbook", "DescribeConfigs", "", nil),
		req(20*time.Second+300*time.Millisecond, 1, "kafka-runbook", "DescribeLogDirs", "", nil),
		{At: at(60*time.Second + 2*time.Millisecond), Kind: KindInject, Inject: &FiredInject{Index: 0, Due: at(60 * time.Second), Say: "broker 2 hangs"}},
		req(75*time.Second, 1, "kafka-runbook", "Metadata", "", nil),
		req(75*time.Second+10*time.Millisecond, 1, "kafka-runbook", "ListOffsets", "current-leader-epoch", nil),
		req(90*time.Second, 1, "adminclient-1", "ElectLeaders", "", &sim.Change{Risk: "dangerous", What: "unclean leader election of orders/2"}),
		{At: at(100 * time.Second), Kind: KindStopped, Message: "drill stop"},
	}
	var b bytes.Buffer
	for _, e := range events {
		line, _ := json.Marshal(e)
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(s.Path(JournalFile), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.AddNote(Note{At: at(70 * time.Second), Author: "ana", Text: "broker 2 looks hung"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReportTimesTheTeam(t *testing.T) {
	s := fixture(t)
	r, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Stages) != 2 || len(r.Looks) != 3 {
		t.Fatalf("%d stages, %d looks; want 2 and 3", len(r.Stages), len(r.Looks))
	}
	if l := r.Stages[0].FirstLook; l == nil || !l.Start.Equal(t0.Add(20*time.Second)) {
		t.Errorf("start: first look %+v, want the full triage at +20s (the +10s Metadata-only look cannot show UNDER_MIN_ISR)", l)
	}
	if l := r.Stages[1].FirstLook; l == nil || !l.Start.Equal(t0.Add(75*time.Second)) {
		t.Errorf("inject: first look %+v, want +75s", l)
	}
	if n := r.Stages[1].FirstNote; n == nil || n.Text != "broker 2 looks hung" || r.Stages[0].FirstNote != nil {
		t.Errorf("notes by stage: %+v / %+v", r.Stages[0].FirstNote, r.Stages[1].FirstNote)
	}
	if r.RunbookOpened != "probably" {
		t.Errorf("zombie-leader opened = %q, want probably (epoch probes seen, no transcript)", r.RunbookOpened)
	}
	if len(r.Changes) != 1 || r.Changes[0].Risk != "dangerous" || r.Changes[0].ClientID != "adminclient-1" {
		t.Errorf("changes %+v", r.Changes)
	}
	if !r.EndedAt.Equal(t0.Add(100 * time.Second)) {
		t.Errorf("ended %s", r.EndedAt)
	}
	var md bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| Time to first correct finding                    | 20s after the start",
		"| inject 1 (+1m0s) | +1m0s (2ms late)",
		"dangerous change by adminclient-1: unclean leader election of orders/2",
		"note (ana): broker 2 looks hung",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestJournalDamage(t *testing.T) {
	s := fixture(t)
	data, _ := os.ReadFile(s.Path(JournalFile))
	// A process killed mid-write leaves a torn last line: a warning.
	if err := os.WriteFile(s.Path(JournalFile), append(data, []byte(`{"at":"2026-03-14T03:14:00Z","kind":"requ`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Build(s)
	if err != nil || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "last line is incomplete") {
		t.Fatalf("torn last line: err %v, warnings %v", err, r.Warnings)
	}
	// A bad line in the middle is corruption: an error naming file and line.
	if err := os.WriteFile(s.Path(JournalFile), append([]byte("{nope\n"), data...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(s); err == nil || !strings.Contains(err.Error(), s.Path(JournalFile)+": line 1 is not valid JSON") {
		t.Fatalf("corrupt journal: %v", err)
	}
}

func TestOneDrillAtATime(t *testing.T) {
	state := t.TempDir()
	m := Meta{Scenario: "a", StartedAt: t0, PID: os.Getpid()}
	s, err := Create(state, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(state, m); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second drill: %v", err)
	}
	if err := s.Deactivate(state); err != nil {
		t.Fatal(err)
	}
	if _, err := Active(state); err != ErrNoActive {
		t.Fatalf("after deactivate: %v", err)
	}
	if err := s.AddNote(Note{At: t0, Text: "  "}); err == nil {
		t.Error("an empty note was accepted")
	}
}
