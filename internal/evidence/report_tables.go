package evidence

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/findings"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// foldAbove is how many events of one kind in one poll the timeline lists
// one per row; more fold into one row naming the subjects.
const foldAbove = 3

// TimelineTable lists the events in time order, folding a poll's many
// events of one kind (every ISR of a lost broker) into one row.
func (r *Report) TimelineTable() render.Table {
	t := render.Table{
		Title:   "Timeline (UTC)",
		Columns: []render.Column{{Name: "Time"}, {Name: "Severity"}, {Name: "Event"}, {Name: "Subject"}, {Name: "What happened", Wrap: true}},
		Empty:   "No events recorded: a capture holds one moment; use 'evidence watch' to record changes.",
	}
	for start := 0; start < len(r.Events); {
		end := start
		for end < len(r.Events) && r.Events[end].Time.Equal(r.Events[start].Time) {
			end++
		}
		t.Rows = append(t.Rows, timelineRows(r.Events[start:end])...)
		start = end
	}
	return t
}

// timelineRows renders the events of one poll.
func timelineRows(evs []Event) [][]string {
	byKind := map[Kind][]Event{}
	var order []Kind
	for _, e := range evs {
		if len(byKind[e.Kind]) == 0 {
			order = append(order, e.Kind)
		}
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	var rows [][]string
	for _, k := range order {
		group := byKind[k]
		if len(group) <= foldAbove {
			for _, e := range group {
				rows = append(rows, []string{e.Time.Format(TimeFormat), e.Severity.String(), string(e.Kind), e.Subject(), e.Summary})
			}
			continue
		}
		worst := findings.Info
		subjects := make([]string, 0, len(group))
		for _, e := range group {
			worst = max(worst, e.Severity)
			subjects = append(subjects, e.Subject())
		}
		rows = append(rows, []string{group[0].Time.Format(TimeFormat), worst.String(), string(k),
			fmt.Sprintf("%d subjects", len(group)), fmt.Sprintf("%s; likewise %s", group[0].Summary, listSome(subjects[1:], 8))})
	}
	return rows
}

// listSome names up to n items and counts the rest.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// affected tallies what happened to one subject.
type affected struct {
	kinds       map[string]int
	first, last string
	parts       map[int32]bool
}

func (a *affected) add(what, at string) {
	a.kinds[what]++
	if a.first == "" || at < a.first {
		a.first = at
	}
	if at > a.last {
		a.last = at
	}
}

func (a *affected) what() string {
	names := make([]string, 0, len(a.kinds))
	for k := range a.kinds {
		names = append(names, k)
	}
	slices.SortFunc(names, func(x, y string) int { return cmp.Or(cmp.Compare(a.kinds[y], a.kinds[x]), cmp.Compare(x, y)) })
	for i, n := range names {
		if c := a.kinds[n]; c > 1 {
			names[i] = fmt.Sprintf("%s ×%d", n, c)
		}
	}
	return strings.Join(names, ", ")
}

// AffectedTables lists the brokers, topics and groups that events or the
// final findings name, with what happened to each and when.
func (r *Report) AffectedTables() []render.Table {
	brokers, topics, groups := map[string]*affected{}, map[string]*affected{}, map[string]*affected{}
	get := func(m map[string]*affected, key string) *affected {
		if m[key] == nil {
			m[key] = &affected{kinds: map[string]int{}, parts: map[int32]bool{}}
		}
		return m[key]
	}
	note := func(b *int32, topic string, part *int32, group, what, at string) {
		switch {
		case group != "":
			get(groups, group).add(what, at)
		case topic != "":
			a := get(topics, topic)
			a.add(what, at)
			if part != nil {
				a.parts[*part] = true
			}
		case b != nil:
			get(brokers, fmt.Sprintf("broker %d", *b)).add(what, at)
		}
	}
	for _, e := range r.Events {
		note(e.Broker, e.Topic, e.Partition, e.Group, string(e.Kind), e.Time.Format(TimeFormat))
	}
	at := r.Triage.Cluster.TakenAt.UTC().Format(TimeFormat)
	for _, f := range r.Triage.Findings {
		note(f.Broker, f.Topic, f.Partition, f.Group, f.Code, at)
	}
	return []render.Table{
		affectedTable("Affected brokers", "Broker", brokers, false),
		affectedTable("Affected topics", "Topic", topics, true),
		affectedTable("Affected consumer groups", "Group", groups, false),
	}
}

func affectedTable(title, subject string, m map[string]*affected, parts bool) render.Table {
	cols := []render.Column{{Name: subject}}
	if parts {
		cols = append(cols, render.Column{Name: "Partitions", Align: render.AlignRight})
	}
	cols = append(cols, render.Column{Name: "First (UTC)"}, render.Column{Name: "Last (UTC)"}, render.Column{Name: "Events and findings", Wrap: true})
	t := render.Table{Title: title, Columns: cols, Empty: "None."}
	keys := slices.Sorted(maps.Keys(m))
	if subject == "Broker" {
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) })
	}
	for _, k := range keys {
		a := m[k]
		row := []string{k}
		if parts {
			row = append(row, fmt.Sprint(len(a.parts)))
		}
		t.Rows = append(t.Rows, append(row, a.first, a.last, a.what()))
	}
	return t
}

// FindingsTables is the triage of the last state: blast radius and findings.
func (r *Report) FindingsTables() []render.Table {
	if r.Triage.SchemaVersion == 0 {
		return []render.Table{{Title: "Findings", Columns: []render.Column{{Name: "Finding"}}, Empty: "No snapshot was recorded, so nothing was triaged."}}
	}
	tables := r.Triage.Tables()
	tables[0].Notes = append(tables[0].Notes, "Source: "+r.TriageFrom+", state at "+r.Triage.Cluster.TakenAt.UTC().Format(TimeFormat)+" UTC.")
	return tables
}

// ActionTables lists, per recorded runbook, its steps' verdicts and the
// actions it suggested. kafka-runbook never changes the cluster: these are
// what the responders were told to run, for the postmortem to compare with
// what they did.
func (r *Report) ActionTables() []render.Table {
	if len(r.Transcripts) == 0 {
		return []render.Table{{Title: "Runbooks run", Columns: []render.Column{{Name: "Runbook"}},
			Empty: "No runbook transcript recorded (record one with 'kafka-runbook run NAME --record BUNDLE')."}}
	}
	var out []render.Table
	for _, tr := range r.Transcripts {
		started := ""
		if len(tr.Steps) > 0 {
			started = tr.Steps[0].StartedAt.UTC().Format(TimeFormat)
		}
		steps := render.Table{
			Title:   fmt.Sprintf("Runbook %s: %s, started %s UTC", tr.Runbook.Name, tr.Status, words.OrDash(started)),
			Columns: []render.Column{{Name: "Step", Align: render.AlignRight}, {Name: "Title"}, {Name: "Severity"}, {Name: "Verdict", Wrap: true}},
		}
		actions := render.Table{
			Title:   fmt.Sprintf("Actions suggested by %s", tr.Runbook.Name),
			Columns: []render.Column{{Name: "Step", Align: render.AlignRight}, {Name: "Risk"}, {Name: "Action"}, {Name: "Command", Wrap: true}},
			Empty:   "No action suggested.",
		}
		for _, s := range tr.Steps {
			steps.Rows = append(steps.Rows, []string{fmt.Sprint(s.Number), s.Title, s.Severity, s.Verdict})
			for _, a := range s.Actions {
				actions.Rows = append(actions.Rows, []string{fmt.Sprint(s.Number), string(a.Risk), a.Title, a.Command})
			}
		}
		out = append(out, steps, actions)
	}
	return out
}

// EvidenceTable lists the bundle's files with their hashes, and the
// command lines that wrote it.
func (r *Report) EvidenceTable() render.Table {
	t := render.Table{
		Title:   "Evidence files",
		Columns: []render.Column{{Name: "File"}, {Name: "Size", Align: render.AlignRight}, {Name: "SHA-256"}},
	}
	for _, f := range r.Manifest.Files {
		t.Rows = append(t.Rows, []string{f.Path, render.Bytes(f.Size), f.SHA256})
	}
	for _, c := range r.Manifest.Commands {
		t.Notes = append(t.Notes, fmt.Sprintf("%s UTC: %s", c.At.UTC().Format(TimeFormat), strings.Join(c.Args, " ")))
	}
	t.Warnings = append(t.Warnings, r.Warnings...)
	return t
}
