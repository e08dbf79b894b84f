package views

import (
	"cmp"
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// TopicsView is `describe topics`: one row per topic with its risk-relevant
// configs and how many of its partitions are in trouble.
type TopicsView struct {
	Topics []TopicRow `json:"topics"`
	// Total is the number of topics before filtering.
	Total    int       `json:"total"`
	Filter   string    `json:"filter,omitempty"`
	Warnings []Warning `json:"warnings"`

	// limit is the number of rows the table may list.
	limit int
}

// TopicRow is one topic.
type TopicRow struct {
	Name              string `json:"name"`
	Internal          bool   `json:"internal"`
	Partitions        int    `json:"partitions"`
	ReplicationFactor int    `json:"replication_factor"`
	// MinISR is the configured min.insync.replicas, -1 when unknown.
	MinISR int `json:"min_isr"`
	// UncleanLeaderElection, RetentionMS and RetentionBytes are null when
	// the topic's configs could not be read. Retention -1 is Kafka's
	// "unlimited", not unknown.
	UncleanLeaderElection *bool  `json:"unclean_leader_election_enable"`
	RetentionMS           *int64 `json:"retention_ms"`
	RetentionBytes        *int64 `json:"retention_bytes"`
	// Partition counts by state; a partition can count in several.
	// UnderMinISR and AtMinISR are -1 when MinISR is unknown.
	UnderReplicated int `json:"under_replicated"`
	UnderMinISR     int `json:"under_min_isr"`
	AtMinISR        int `json:"at_min_isr"`
	Offline         int `json:"offline"`
	// Error is the topic-level metadata error, "" when none.
	Error string `json:"error"`
}

// Topics builds the topics view. A state filter keeps topics with at least
// one matching partition; the counts still cover every partition.
func Topics(s *snapshot.Snapshot, f Filter) TopicsView {
	c := newCluster(s)
	v := TopicsView{Topics: []TopicRow{}, Total: len(s.Topics), Filter: f.describe(), limit: f.rowLimit()}
	var unknownMinISR []string
	for _, t := range s.Topics {
		if !f.matchTopic(t) {
			continue
		}
		row, matched := c.topicRow(t, f)
		if !matched {
			continue
		}
		v.Topics = append(v.Topics, row)
		if row.MinISR < 0 {
			unknownMinISR = append(unknownMinISR, t.Name)
		}
	}
	w := warningsFrom(s, f, snapshot.SourceMetadata, snapshot.SourceTopicConfigs)
	v.Warnings = sortWarnings(append(w, minISRWarnings(s, unknownMinISR)...))
	return v
}

// topicRow summarises topic t and reports whether any of its partitions
// passes the state filters.
func (c *cluster) topicRow(t snapshot.Topic, f Filter) (TopicRow, bool) {
	rf := c.ReplicationFactor(t)
	r := TopicRow{
		Name: t.Name, Internal: t.Internal, Partitions: len(t.Partitions), ReplicationFactor: rf,
		MinISR: health.MinISR(t), Error: t.Error,
		UncleanLeaderElection: configBool(t, "unclean.leader.election.enable"),
		RetentionMS:           configInt(t, "retention.ms"),
		RetentionBytes:        configInt(t, "retention.bytes"),
	}
	matched := !f.byState()
	var n health.Counts
	for _, p := range t.Partitions {
		h := c.health(t, p)
		matched = matched || f.matchState(h)
		n.Add(h, len(c.Adding(t.Name, p.ID)) > 0)
	}
	r.UnderReplicated, r.UnderMinISR, r.AtMinISR, r.Offline = n.UnderReplicated, n.UnderMinISR, n.AtMinISR, n.Offline
	if r.MinISR < 0 {
		// A count of known cases would read as "none" in a column that
		// could not be evaluated.
		r.UnderMinISR, r.AtMinISR = -1, -1
	}
	return r, matched
}

// minISRWarnings names topics whose min ISR is unknown and whose config
// failure is not already reported, because their min-ISR counts and
// filters could not be evaluated.
func minISRWarnings(s *snapshot.Snapshot, topics []string) []Warning {
	out := []Warning{}
	for _, name := range topics {
		if hasAnyError(s, snapshot.SourceTopicConfigs, name) {
			continue
		}
		out = append(out, missing(snapshot.SourceTopicConfigs, -1, name, "min.insync.replicas unknown: under/at min ISR not evaluated"))
	}
	return out
}

// hasAnyError reports whether any broker's config error concerns topic name
// (or all topics).
func hasAnyError(s *snapshot.Snapshot, source, subject string) bool {
	for _, e := range s.ErrorsFor(source) {
		if e.Subject == "" || e.Subject == subject {
			return true
		}
	}
	return false
}

func configBool(t snapshot.Topic, name string) *bool {
	v, ok := t.Config(name)
	if !ok {
		return nil
	}
	b, err := strconv.ParseBool(v.Value)
	if err != nil {
		return nil
	}
	return &b
}

func configInt(t snapshot.Topic, name string) *int64 {
	v, ok := t.Config(name)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Tables returns the topic table with a totals footer. The rows are the
// most affected topics first, up to the limit; the totals cover them all.
func (v TopicsView) Tables() []render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Columns: []render.Column{
			// Drop: on a narrow terminal the settings go before the
			// damage; the topic never.
			{Name: "Topic"}, {Name: "Internal", Drop: 12}, dropped(num("Partitions"), 6), dropped(num("RF"), 7), dropped(num("Min ISR"), 8),
			{Name: "Unclean", Drop: 10}, dropped(num("Retention"), 9), dropped(num("Retention bytes"), 11),
			dropped(num("Under-replicated"), 3), dropped(num("Under min ISR"), 2), dropped(num("At min ISR"), 5), dropped(num("Offline"), 1),
			{Name: "Error", Wrap: true, Drop: 4},
		},
		Rows:     [][]string{},
		Empty:    "no topics match",
		Warnings: warningLines(v.Warnings),
	}
	shown := topK(v.Topics, rowsShown(v.limit), worseTopic)
	t.Title = listTitle("Topics", len(shown), len(v.Topics), v.Total)
	for _, r := range shown {
		t.Rows = append(t.Rows, []string{
			r.Name, words.YesNo(r.Internal), itoa(r.Partitions), itoa(r.ReplicationFactor), render.Int(r.MinISR),
			maybe(r.UncleanLeaderElection), retention(r.RetentionMS, render.Millis), retention(r.RetentionBytes, render.Bytes),
			itoa(r.UnderReplicated), render.Int(r.UnderMinISR), render.Int(r.AtMinISR), itoa(r.Offline), r.Error,
		})
	}
	var sum TopicRow
	var unknown bool
	for _, r := range v.Topics {
		sum.Partitions += r.Partitions
		sum.UnderReplicated += r.UnderReplicated
		sum.UnderMinISR += max(r.UnderMinISR, 0)
		sum.AtMinISR += max(r.AtMinISR, 0)
		sum.Offline += r.Offline
		unknown = unknown || r.MinISR < 0
	}
	if len(v.Topics) > 1 {
		// "+?" keeps a total that skips unknown topics from reading as final.
		partial := func(n int) string {
			if unknown {
				return itoa(n) + "+?"
			}
			return itoa(n)
		}
		t.Footer = []string{"total", "", itoa(sum.Partitions), "", "", "", "", "",
			itoa(sum.UnderReplicated), partial(sum.UnderMinISR), partial(sum.AtMinISR), itoa(sum.Offline), ""}
	}
	if n := limitNote(len(shown), len(v.Topics), "topics", "most affected first; the totals cover all"); n != "" {
		t.Notes = append(t.Notes, n)
	}
	if v.Filter != "" {
		t.Notes = append(t.Notes, "filter: "+v.Filter)
	}
	return []render.Table{t}
}

// worseTopic orders topics for a limited list: offline partitions first,
// then under min ISR, at min ISR and under-replicated ones, then topics
// with a metadata error; name order otherwise.
func worseTopic(a, b TopicRow) int {
	return cmp.Or(
		cmp.Compare(b.Offline, a.Offline),
		cmp.Compare(b.UnderMinISR, a.UnderMinISR),
		cmp.Compare(b.AtMinISR, a.AtMinISR),
		cmp.Compare(b.UnderReplicated, a.UnderReplicated),
		cmp.Compare(count(b.Error != ""), count(a.Error != "")),
	)
}

// retention renders retention.ms or retention.bytes: "?" unknown,
// "unlimited" for Kafka's -1, else humanised.
func retention(n *int64, human func(int64) string) string {
	switch {
	case n == nil:
		return "?"
	case *n < 0:
		return "unlimited"
	}
	return human(*n)
}
