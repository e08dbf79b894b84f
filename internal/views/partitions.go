package views

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/health"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// PartitionsView is `describe partitions`: one row per partition, the
// output of kafka-topics.sh --describe with the state computed.
type PartitionsView struct {
	Partitions []PartitionRow `json:"partitions"`
	// Total is the number of partitions before filtering.
	Total int `json:"total"`
	// Filter describes the active filters, "" when none.
	Filter   string    `json:"filter,omitempty"`
	Warnings []Warning `json:"warnings"`

	// waiting counts offline partitions per down ISR member, for a note.
	waiting map[int32]int
	// live says which brokers are live, for the per-broker summary.
	live map[int32]bool
	// limit is the number of rows the tables may list.
	limit int
}

// PartitionRow is one partition.
type PartitionRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Leader is -1 when the partition has none.
	Leader          int32   `json:"leader"`
	LeaderEpoch     int32   `json:"leader_epoch"`
	Replicas        []int32 `json:"replicas"`
	ISR             []int32 `json:"isr"`
	OfflineReplicas []int32 `json:"offline_replicas"`
	Status          string  `json:"status"`
	Health
	// EarliestOffset (log start) and LatestOffset (high watermark) are -1
	// when they could not be read.
	EarliestOffset int64 `json:"earliest_offset"`
	LatestOffset   int64 `json:"latest_offset"`
	// Error is the partition metadata error, "" when none.
	Error string `json:"error"`
}

// Partitions builds the partitions view, filtered.
func Partitions(s *snapshot.Snapshot, f Filter) PartitionsView {
	c := newCluster(s)
	v := PartitionsView{Partitions: []PartitionRow{}, Filter: f.describe(), waiting: map[int32]int{}, live: c.LiveBrokers(), limit: f.rowLimit()}
	var unknownMinISR []string
	for _, t := range s.Topics {
		v.Total += len(t.Partitions)
		if !f.matchTopic(t) {
			continue
		}
		shown := false
		for _, p := range t.Partitions {
			h := c.health(t, p)
			if !f.matchState(h) {
				continue
			}
			shown = true
			if h.Unavailable {
				v.countWaiting(c, p)
			}
			v.Partitions = append(v.Partitions, PartitionRow{
				Topic: t.Name, Partition: p.ID, Leader: p.Leader, LeaderEpoch: p.LeaderEpoch,
				Replicas: nonNil(p.Replicas), ISR: nonNil(p.ISR), OfflineReplicas: nonNil(p.OfflineReplicas),
				Status: h.Status(), Health: h,
				EarliestOffset: p.EarliestOffset, LatestOffset: p.LatestOffset, Error: p.Error,
			})
		}
		if (shown || f.byState()) && health.MinISR(t) < 0 {
			unknownMinISR = append(unknownMinISR, t.Name)
		}
	}
	w := warningsFrom(s, f, snapshot.SourceMetadata, snapshot.SourceTopicConfigs, snapshot.SourceOffsets)
	v.Warnings = sortWarnings(append(w, minISRWarnings(s, unknownMinISR)...))
	return v
}

// Tables returns the partition table with a count of each status. A long
// list is preceded by its counts per broker and per topic, and lists the
// worst partitions first, up to the limit.
func (v PartitionsView) Tables() []render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Columns: []render.Column{
			// Drop: on a narrow terminal the offsets and epoch go first,
			// the replica sets and the status last; the partition never.
			{Name: "Topic"}, num("Partition"), {Name: "Leader", Drop: 1}, dropped(num("Epoch"), 7), {Name: "Replicas", Drop: 2}, {Name: "ISR", Drop: 1},
			{Name: "Offline", Drop: 4}, {Name: "Status", Status: true}, dropped(num("Min ISR"), 6), dropped(num("Earliest"), 8), dropped(num("Latest"), 5),
			{Name: "Error", Wrap: true, Drop: 3},
		},
		Rows:     [][]string{},
		Empty:    "no partitions match",
		Warnings: warningLines(v.Warnings),
	}
	counts := map[string]int{}
	for _, p := range v.Partitions {
		counts[p.Status]++
	}
	for _, p := range v.worstFirst(counts) {
		leader := render.Int(p.Leader)
		if p.Leader < 0 {
			leader = "none"
		} else if p.Unavailable {
			leader += " (down)"
		}
		t.Rows = append(t.Rows, []string{
			p.Topic, itoa(int(p.Partition)), leader, render.Int(p.LeaderEpoch), words.JoinIDs(p.Replicas, ","), words.JoinIDs(p.ISR, ","),
			words.JoinIDs(p.OfflineReplicas, ","), p.Status, render.Int(p.MinISR), render.Int(p.EarliestOffset), render.Int(p.LatestOffset), p.Error,
		})
	}
	t.Title = listTitle("Partitions", len(t.Rows), len(v.Partitions), v.Total)
	if len(v.Partitions) > 0 {
		t.Notes = append(t.Notes, v.countsSummary(counts[StatusOK]))
	}
	if n := limitNote(len(t.Rows), len(v.Partitions), "partitions", "worst first"); n != "" {
		t.Notes = append(t.Notes, n)
	}
	if n := v.waitingFor(); n != "" {
		t.Notes = append(t.Notes, n)
	}
	if v.Filter != "" {
		t.Notes = append(t.Notes, "filter: "+v.Filter)
	}
	if len(v.Partitions) <= summariseAbove {
		return []render.Table{t}
	}
	return []render.Table{v.perBroker(), v.perTopic(), t}
}

// statusOrder lists the statuses worst first.
var statusOrder = []string{StatusOffline, StatusUnderMinISR, StatusAtMinISR, StatusUnderReplicated, StatusOK}

// worstFirst returns up to the limit of partitions, worst status first and
// in topic and partition order within a status.
func (v PartitionsView) worstFirst(counts map[string]int) []PartitionRow {
	n := min(rowsShown(v.limit), len(v.Partitions))
	if counts[StatusOK] == len(v.Partitions) {
		return v.Partitions[:n]
	}
	out := make([]PartitionRow, 0, n)
	for _, status := range statusOrder {
		for _, p := range v.Partitions {
			if len(out) == n {
				return out
			}
			if p.Status == status {
				out = append(out, p)
			}
		}
	}
	return out
}

// brokerCounts is one broker's share of the listed partitions.
type brokerCounts struct {
	leads, replicas, notInISR, offline int
}

// perBroker counts the listed partitions each broker leads, holds, is out
// of the ISR of, and holds offline: the broker behind an incident stands out.
func (v PartitionsView) perBroker() render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Title:   fmt.Sprintf("Per broker, of these %d partitions", len(v.Partitions)),
		Columns: []render.Column{num("Broker"), num("Leads"), num("Replicas"), num("Not in ISR"), num("Offline replicas")},
		Rows:    [][]string{},
		Empty:   "no replicas",
	}
	counts := map[int32]*brokerCounts{}
	get := func(id int32) *brokerCounts {
		c := counts[id]
		if c == nil {
			c = &brokerCounts{}
			counts[id] = c
		}
		return c
	}
	for _, p := range v.Partitions {
		if p.Leader >= 0 {
			get(p.Leader).leads++
		}
		for _, id := range p.Replicas {
			c := get(id)
			c.replicas++
			if !slices.Contains(p.ISR, id) {
				c.notInISR++
			}
		}
		for _, id := range p.OfflineReplicas {
			get(id).offline++
		}
	}
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		c := counts[id]
		name := itoa(int(id))
		if !v.live[id] {
			name += " (down)"
		}
		t.Rows = append(t.Rows, []string{name, itoa(c.leads), itoa(c.replicas), itoa(c.notInISR), itoa(c.offline)})
	}
	return t
}

// topicCounts is one topic's share of the listed partitions, by status.
type topicCounts struct {
	topic string
	n     health.Counts
	ok    int
}

// perTopic counts the listed partitions of each topic in every state that
// applies (diag/health's counts, the same triage and describe topics
// report), the most affected topics first.
func (v PartitionsView) perTopic() render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Title: fmt.Sprintf("Per topic, of these %d partitions", len(v.Partitions)),
		Columns: []render.Column{{Name: "Topic"}, num("Partitions"), num("Offline"), num("Under min ISR"),
			dropped(num("At min ISR"), 2), dropped(num("Under-replicated"), 1), dropped(num("OK"), 3)},
		Rows:  [][]string{},
		Empty: "no partitions",
		Notes: []string{"A partition counts in every state that applies, as kafka-topics.sh lists it under each filter."},
	}
	var topics []topicCounts
	for _, p := range v.Partitions {
		if len(topics) == 0 || topics[len(topics)-1].topic != p.Topic {
			topics = append(topics, topicCounts{topic: p.Topic})
		}
		tc := &topics[len(topics)-1]
		tc.n.Add(p.Health, false)
		if p.Status == StatusOK {
			tc.ok++
		}
	}
	worst := topK(topics, rowsShown(v.limit), func(a, b topicCounts) int {
		return cmp.Or(cmp.Compare(b.n.Offline, a.n.Offline), cmp.Compare(b.n.UnderMinISR, a.n.UnderMinISR),
			cmp.Compare(b.n.AtMinISR, a.n.AtMinISR), cmp.Compare(b.n.UnderReplicated, a.n.UnderReplicated))
	})
	for _, tc := range worst {
		t.Rows = append(t.Rows, []string{tc.topic, itoa(tc.n.Partitions), itoa(tc.n.Offline), itoa(tc.n.UnderMinISR),
			itoa(tc.n.AtMinISR), itoa(tc.n.UnderReplicated), itoa(tc.ok)})
	}
	if n := limitNote(len(worst), len(topics), "topics", "most affected first"); n != "" {
		t.Notes = append(t.Notes, n)
	}
	return t
}

// waitingFor names the brokers offline partitions wait for. The ISR of an
// offline partition is not emptied: its members that are down hold the
// last committed copies, so bringing them back is the clean recovery.
func (v PartitionsView) waitingFor() string {
	if len(v.waiting) == 0 {
		return ""
	}
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(v.waiting)) {
		n := v.waiting[id]
		parts = append(parts, fmt.Sprintf("broker %d (%s)", id, words.Plural(n, "partition", "partitions")))
	}
	return "offline partitions wait for their last in-sync replicas on " + strings.Join(parts, ", ") +
		": bring these brokers back before considering an unclean election"
}

// countWaiting records, for an offline partition, the ISR members that are
// not live.
func (v *PartitionsView) countWaiting(c *cluster, p snapshot.Partition) {
	for _, id := range p.ISR {
		if !c.isLive(id) {
			v.waiting[id]++
		}
	}
}

// countsSummary is the size of the incident in one line, in diag/health's
// counts: the numbers triage and describe topics give.
func (v PartitionsView) countsSummary(ok int) string {
	var n health.Counts
	for _, p := range v.Partitions {
		n.Add(p.Health, false)
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{n.Offline, "offline"}, {n.UnderMinISR, "under min ISR"}, {n.AtMinISR, "at min ISR"}, {n.UnderReplicated, "under-replicated"}, {ok, "ok"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return "counts: " + strings.Join(parts, ", ") + " (a partition counts in every state that applies)"
}
