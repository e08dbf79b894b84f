package views

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
)

// KindMissing is the Warning kind for data that is absent although no
// collection error explains why (a broker that reported no log dirs, a
// topic without configs). Other kinds are the snapshot's Kind* values.
const KindMissing = "missing"

// Warning names something a view cannot show and why. Most come straight
// from the snapshot's collection errors for the sources the view reads;
// the rest are gaps the view noticed itself (Kind "missing").
type Warning struct {
	Source string `json:"source"`
	// Broker is the broker concerned, -1 when not tied to one.
	Broker int32 `json:"broker"`
	// Subject narrows the warning: a topic, a group or an address.
	Subject string `json:"subject,omitempty"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// sourceNames says in words what each collection source provides, for the
// warning lines under a table.
var sourceNames = map[string]string{
	snapshot.SourceBootstrap:       "bootstrap address",
	snapshot.SourceMetadata:        "cluster metadata",
	snapshot.SourceDescribeCluster: "fenced state (DescribeCluster)",
	snapshot.SourceBrokerView:      "direct metadata",
	snapshot.SourceTopicConfigs:    "topic configs",
	snapshot.SourceBrokerConfigs:   "broker configs",
	snapshot.SourceLogDirs:         "log dirs",
	snapshot.SourceOffsets:         "partition offsets",
	snapshot.SourceGroups:          "consumer groups",
	snapshot.SourceReassignments:   "reassignments",
}

// String is the warning as printed under a table, for example
// "log dirs unavailable from broker 3 (timeout): i/o timeout"; a kind of
// "other" is left out (snapshot.KindNote).
func (w Warning) String() string {
	what := sourceNames[w.Source]
	if what == "" {
		what = w.Source
	}
	if w.Subject != "" {
		what += " for " + w.Subject
	}
	from := ""
	if w.Broker >= 0 {
		from = fmt.Sprintf(" from broker %d", w.Broker)
	}
	if w.Kind == KindMissing {
		return fmt.Sprintf("%s%s: %s", what, from, w.Message)
	}
	return fmt.Sprintf("%s unavailable%s%s: %s", what, from, snapshot.KindNote(w.Kind), w.Message)
}

// warningsFrom returns the collection errors of the given sources that
// concern what the filter selects: an error about a topic or group the
// user filtered out is noise during an incident.
func warningsFrom(s *snapshot.Snapshot, f Filter, sources ...string) []Warning {
	out := []Warning{}
	for _, e := range s.Errors {
		if !slices.Contains(sources, e.Source) || !f.matchSubject(e) {
			continue
		}
		out = append(out, Warning{Source: e.Source, Broker: e.Broker, Subject: e.Subject, Kind: e.Kind, Message: e.Message})
	}
	return out
}

// matchSubject reports whether a collection error concerns what the filter
// selects. Subjects are topics for topic configs and group ids for groups;
// errors without a subject concern everything.
func (f Filter) matchSubject(e snapshot.CollectError) bool {
	if e.Subject == "" {
		return true
	}
	switch e.Source {
	case snapshot.SourceTopicConfigs:
		return f.matchTopicName(e.Subject)
	case snapshot.SourceGroups:
		return f.matchGroup(e.Subject)
	}
	return true
}

// missing is a warning for a gap no collection error explains.
func missing(source string, broker int32, subject, msg string) Warning {
	return Warning{Source: source, Broker: broker, Subject: subject, Kind: KindMissing, Message: msg}
}

// sortWarnings orders warnings like the snapshot orders its errors and
// drops exact duplicates.
func sortWarnings(w []Warning) []Warning {
	slices.SortFunc(w, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Broker, b.Broker),
			cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(w)
}

// warningLines renders warnings for render.Table.Warnings.
func warningLines(w []Warning) []string {
	out := make([]string, len(w))
	for i, x := range w {
		out[i] = x.String()
	}
	return out
}

// hasError reports whether a collection error of source already explains a
// gap for broker (or for any broker, when the error is not tied to one).
func hasError(s *snapshot.Snapshot, source string, broker int32, subject string) bool {
	for _, e := range s.ErrorsFor(source) {
		if (e.Broker == broker || e.Broker < 0) && (e.Subject == "" || e.Subject == subject) {
			return true
		}
	}
	return false
}
