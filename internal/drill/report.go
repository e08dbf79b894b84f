package drill

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/internal/evidence"
	"github.com/kafka-runbook/kafka-runbook/internal/sim"
	"github.com/kafka-runbook/kafka-runbook/runbooks"
)

// lookGap ends a "look": kafka-runbook requests closer together than this
// belong to one command (a triage collects in well under a second; a
// runbook's steps follow each other within one).
const lookGap = 1500 * time.Millisecond

// Report is what a drill came to: the JSON document `drill stop -o json`
// prints, and the source of report.md.
type Report struct {
	SchemaVersion int       `json:"schema_version"`
	Meta          Meta      `json:"session"`
	EndedAt       time.Time `json:"ended_at"`
	// Stages are the starting state and the state after each inject that
	// fired, with when the team first could see what each one expects.
	Stages []Stage `json:"stages"`
	// Looks are the kafka-runbook commands the sim served, as bursts.
	Looks []Look `json:"looks"`
	// Tools are every client that sent requests.
	Tools   []Tool        `json:"tools"`
	Changes []ChangeEvent `json:"changes"`
	Notes   []Note        `json:"notes"`
	// Runbooks are the runbook walks recorded with --record into the
	// session's evidence bundle, and those inferred from requests.
	Runbooks []RunbookRun `json:"runbooks"`
	// RunbookOpened is "yes", "probably" (inferred from requests only) or
	// "no" for Meta.ExpectedRunbook.
	RunbookOpened string `json:"expected_runbook_opened"`
	// Suggested are the dangerous actions recorded runbook walks suggested.
	Suggested []SuggestedAction `json:"dangerous_actions_suggested"`
	Warnings  []string          `json:"warnings"`
}

// Stage is one state the cluster was in.
type Stage struct {
	Name string    `json:"name"`
	Say  string    `json:"say,omitempty"`
	Due  time.Time `json:"due"`
	At   time.Time `json:"at"`
	// Expect are the finding codes this state shows.
	Expect []string `json:"expect"`
	// FirstLook is the first kafka-runbook command, while this state was
	// served, that asked every question whose answer shows Expect.
	FirstLook *Look `json:"first_look,omitempty"`
	// FirstNote is the first decision noted while this state was served.
	FirstNote *Note `json:"first_note,omitempty"`
}

// Look is one burst of kafka-runbook requests: one command.
type Look struct {
	Start    time.Time      `json:"start"`
	End      time.Time      `json:"end"`
	Software string         `json:"software,omitempty"`
	Requests int            `json:"requests"`
	APIs     map[string]int `json:"apis"`
	// MetadataBrokers are the brokers asked for their own Metadata.
	MetadataBrokers []int32 `json:"metadata_brokers"`
	// Kind says what the burst looks like: a full snapshot, epoch probes, ...
	Kind string `json:"kind"`
	// details seen (replica-id -2, current-leader-epoch, by-time).
	details map[string]bool
}

// Tool is one client (a client id) and how much it asked.
type Tool struct {
	ClientID string `json:"client_id"`
	// Software is every client software the id announced (ApiVersions,
	// KIP-511), sorted and comma-separated.
	Software string    `json:"software,omitempty"`
	Requests int       `json:"requests"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// ChangeEvent is a request that changed (or tried to change) the cluster.
type ChangeEvent struct {
	At       time.Time `json:"at"`
	ClientID string    `json:"client_id"`
	Software string    `json:"software,omitempty"`
	Broker   int32     `json:"broker"`
	API      string    `json:"api"`
	Risk     string    `json:"risk"`
	What     string    `json:"what"`
}

// RunbookRun is one runbook walk.
type RunbookRun struct {
	At     time.Time `json:"at"`
	Name   string    `json:"name"`
	Status string    `json:"status"`
	// Source is "recorded" (a transcript in the session's evidence
	// bundle) or "inferred" (requests only that runbook sends).
	Source string `json:"source"`

	// from and until span a recorded walk's steps.
	from, until time.Time
}

// walkSlack widens a recorded walk's span when matching the requests it
// sent: the transcript's clock and the sim's journal are read apart.
const walkSlack = 5 * time.Second

// covers says whether the recorded walk rb sent requests inferred as run
// x: same runbook, while it was walking. Such an inferred run is the same
// walk seen twice, and the report lists it once, as recorded.
func (rb RunbookRun) covers(x RunbookRun) bool {
	return rb.Source == "recorded" && slices.Contains(strings.Split(x.Name, " or "), rb.Name) &&
		!x.At.Before(rb.from.Add(-walkSlack)) && !x.At.After(rb.until.Add(walkSlack))
}

// SuggestedAction is a dangerous action a recorded runbook walk suggested.
type SuggestedAction struct {
	At      time.Time `json:"at"`
	Runbook string    `json:"runbook"`
	Title   string    `json:"title"`
	Command string    `json:"command"`
}

// Build reads the session's journal, notes and evidence bundle and works
// out the report. A corrupt journal or notes file is an error naming it; a
// torn last line is a warning.
func Build(s *Session) (*Report, error) {
	events, warn1, err := readLines[Event](s.Path(JournalFile))
	if err != nil {
		return nil, err
	}
	notes, warn2, err := readLines[Note](s.Path(NotesFile))
	if err != nil {
		return nil, err
	}
	r := &Report{SchemaVersion: SchemaVersion, Meta: s.Meta, Notes: notes, Warnings: append(warn1, warn2...)}
	if r.Notes == nil {
		r.Notes = []Note{}
	}
	var reqs []sim.Request
	r.EndedAt = s.Meta.StartedAt
	stages := []Stage{{Name: "start", Due: s.Meta.StartedAt, At: s.Meta.StartedAt, Expect: s.Meta.ExpectedFindings}}
	stopped := false
	for _, n := range notes {
		r.EndedAt = maxTime(r.EndedAt, n.At)
	}
	for _, e := range events {
		r.EndedAt = maxTime(r.EndedAt, e.At)
		switch {
		case e.Kind == KindStopped:
			stopped = true
		case e.Kind == KindRequest && e.Request != nil:
			reqs = append(reqs, *e.Request)
		case e.Kind == KindInject && e.Inject != nil && e.Inject.Index < len(s.Meta.Injects):
			p := s.Meta.Injects[e.Inject.Index]
			stages = append(stages, Stage{Name: fmt.Sprintf("inject %d (+%s)", e.Inject.Index+1, p.At), Say: p.Say, Due: e.Inject.Due, At: e.At, Expect: p.Expect})
		case e.Kind == KindDropped:
			r.Warnings = append(r.Warnings, "journal: "+e.Message)
		}
	}
	if !stopped {
		r.Warnings = append(r.Warnings, "the serving process did not record its end (killed or crashed): the report covers what it journaled until then")
	}
	slices.SortStableFunc(reqs, func(a, b sim.Request) int { return a.At.Compare(b.At) })
	r.Looks = looks(reqs)
	r.Tools = tools(reqs)
	r.Changes = changes(reqs)
	r.Stages = stagesWithLooks(stages, r.Looks, notes)
	r.readEvidence(s)
	for _, x := range inferredRunbooks(r.Looks) {
		if !slices.ContainsFunc(r.Runbooks, func(rb RunbookRun) bool { return rb.covers(x) }) {
			r.Runbooks = append(r.Runbooks, x)
		}
	}
	slices.SortStableFunc(r.Runbooks, func(a, b RunbookRun) int { return a.At.Compare(b.At) })
	r.RunbookOpened = "no"
	for _, rb := range r.Runbooks {
		if !slices.Contains(strings.Split(rb.Name, " or "), s.Meta.ExpectedRunbook) {
			continue
		}
		if rb.Source == "recorded" {
			r.RunbookOpened = "yes"
			break
		}
		r.RunbookOpened = "probably"
	}
	if r.Suggested == nil {
		r.Suggested = []SuggestedAction{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	return r, nil
}

// readEvidence reads the runbook transcripts recorded into the session's
// evidence bundle with `run --record`.
func (r *Report) readEvidence(s *Session) {
	dir := s.Path(EvidenceDir)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return
	}
	b, err := evidence.Open(dir)
	if err != nil {
		r.Warnings = append(r.Warnings, "runbook transcripts not read: "+err.Error())
		return
	}
	trs, err := b.Transcripts()
	if err != nil {
		r.Warnings = append(r.Warnings, "runbook transcripts not read: "+err.Error())
		return
	}
	for _, tr := range trs {
		run := RunbookRun{At: tr.Cluster.TakenAt, Name: tr.Runbook.Name, Status: tr.Status.String(), Source: "recorded",
			from: tr.Cluster.TakenAt, until: tr.Cluster.TakenAt}
		for _, st := range tr.Steps {
			run.from = minTime(run.from, st.StartedAt)
			run.until = maxTime(run.until, st.StartedAt.Add(time.Duration(st.DurationMS)*time.Millisecond))
		}
		r.Runbooks = append(r.Runbooks, run)
		for _, st := range tr.Steps {
			for _, a := range st.Actions {
				if a.Risk == runbooks.Dangerous {
					r.Suggested = append(r.Suggested, SuggestedAction{At: st.StartedAt, Runbook: tr.Runbook.Name, Title: a.Title, Command: a.Command})
				}
			}
		}
	}
}

// isKafkaRunbook tells kafka-runbook's requests from other tools': it
// sends client id "kafka-runbook" unless client.id is set.
func isKafkaRunbook(r sim.Request) bool { return strings.HasPrefix(r.ClientID, "kafka-runbook") }

func looks(reqs []sim.Request) []Look {
	out := []Look{}
	var cur *Look
	for _, q := range reqs {
		if !isKafkaRunbook(q) {
			continue
		}
		if cur == nil || q.At.Sub(cur.End) > lookGap {
			out = append(out, Look{Start: q.At, APIs: map[string]int{}, MetadataBrokers: []int32{}, details: map[string]bool{}})
			cur = &out[len(out)-1]
		}
		cur.End = q.At
		cur.Requests++
		cur.APIs[q.API]++
		if cur.Software == "" || strings.HasPrefix(cur.Software, "kgo") {
			cur.Software = cmp.Or(q.Software, cur.Software)
		}
		if q.API == "Metadata" && !slices.Contains(cur.MetadataBrokers, q.Broker) {
			cur.MetadataBrokers = append(cur.MetadataBrokers, q.Broker)
		}
		if q.Detail != "" {
			cur.details[q.Detail] = true
		}
	}
	for i := range out {
		slices.Sort(out[i].MetadataBrokers)
		out[i].Kind = lookKind(&out[i])
	}
	return out
}

func lookKind(l *Look) string {
	switch {
	case l.APIs["OffsetForLeaderEpoch"] > 0 || l.details["current-leader-epoch"]:
		return "leader-epoch probes (run zombie-leader)"
	case l.details["by-time"]:
		return "offsets by time (run data-recovery, rewind step)"
	case l.details["replica-id -2"]:
		return "replica log-end probes (run isr-shrinkage or data-recovery)"
	case len(l.MetadataBrokers) > 1 && l.APIs["DescribeConfigs"] > 0 && l.APIs["DescribeLogDirs"] > 0:
		return "full snapshot (triage, describe, snapshot or a runbook step)"
	}
	return "partial snapshot (describe or a runbook step)"
}

// inferredRunbooks are the runbooks whose own requests appeared.
func inferredRunbooks(ls []Look) []RunbookRun {
	var out []RunbookRun
	for _, l := range ls {
		var name string
		switch {
		case l.APIs["OffsetForLeaderEpoch"] > 0 || l.details["current-leader-epoch"]:
			name = "zombie-leader"
		case l.details["by-time"]:
			name = "data-recovery"
		case l.details["replica-id -2"]:
			name = "isr-shrinkage or data-recovery"
		default:
			continue
		}
		if n := len(out); n > 0 && out[n-1].Name == name && l.Start.Sub(out[n-1].At) < time.Minute {
			continue
		}
		out = append(out, RunbookRun{At: l.Start, Name: name, Status: "requests seen", Source: "inferred"})
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
