package views

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
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
	v := PartitionsView{Partitions: []PartitionRow{}, Filter: f.describe(), waiting: map[int32]int{}}
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
		if (shown || f.byState()) && t.MinISR() < 0 {
			unknownMinISR = append(unknownMinISR, t.Name)
		}
	}
	w := warningsFrom(s, f, snapshot.SourceMetadata, snapshot.SourceTopicConfigs, snapshot.SourceOffsets)
	v.Warnings = sortWarnings(append(w, minISRWarnings(s, unknownMinISR)...))
	return v
}

// Tables returns the partition table with a count of each status.
func (v PartitionsView) Tables() []render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Title: fmt.Sprintf("Partitions (%d of %d)", len(v.Partitions), v.Total),
		Columns: []render.Column{
			{Name: "Topic"}, num("Partition"), {Name: "Leader"}, num("Epoch"), {Name: "Replicas"}, {Name: "ISR"},
			{Name: "Offline"}, {Name: "Status"}, num("Min ISR"), num("Earliest"), num("Latest"), {Name: "Error", Wrap: true},
		},
		Rows:     [][]string{},
		Empty:    "no partitions match",
		Warnings: warningLines(v.Warnings),
	}
	counts := map[string]int{}
	for _, p := range v.Partitions {
		leader := render.Int(p.Leader)
		if p.Leader < 0 {
			leader = "none"
		} else if p.Unavailable {
			leader += " (down)"
		}
		t.Rows = append(t.Rows, []string{
			p.Topic, itoa(int(p.Partition)), leader, render.Int(p.LeaderEpoch), idList(p.Replicas), idList(p.ISR),
			idList(p.OfflineReplicas), p.Status, render.Int(p.MinISR), render.Int(p.EarliestOffset), render.Int(p.LatestOffset), p.Error,
		})
		counts[p.Status]++
	}
	if len(v.Partitions) > 0 {
		t.Notes = append(t.Notes, statusSummary(counts))
	}
	if n := v.waitingFor(); n != "" {
		t.Notes = append(t.Notes, n)
	}
	if v.Filter != "" {
		t.Notes = append(t.Notes, "filter: "+v.Filter)
	}
	return []render.Table{t}
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
		parts = append(parts, fmt.Sprintf("broker %d (%d partition%s)", id, n, plural(n)))
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// statusSummary counts partitions per status, worst first, so the size of
// the incident is one line: "2 offline, 3 under-min-isr, 31 ok".
func statusSummary(counts map[string]int) string {
	var parts []string
	for _, s := range []string{StatusOffline, StatusUnderMinISR, StatusAtMinISR, StatusUnderReplicated, StatusOK} {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return "status: " + strings.Join(parts, ", ")
}
