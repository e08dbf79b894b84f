package views

import (
	"fmt"
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// GroupsView is `describe groups`: a lag summary per consumer group, then
// its committed offsets per partition.
type GroupsView struct {
	Groups []GroupRow `json:"groups"`
	// Total is the number of groups before filtering.
	Total    int       `json:"total"`
	Filter   string    `json:"filter,omitempty"`
	Warnings []Warning `json:"warnings"`
}

// GroupRow is one consumer group.
type GroupRow struct {
	Group        string `json:"group"`
	State        string `json:"state"`
	ProtocolType string `json:"protocol_type"`
	// Coordinator is the coordinating broker, -1 when unknown.
	Coordinator     int32 `json:"coordinator"`
	CoordinatorLive bool  `json:"coordinator_live"`
	MemberCount     int   `json:"member_count"`
	// TotalLag sums the lag of partitions where it is known;
	// LagUnknown counts the others, so a total is never silently partial.
	TotalLag   int64                  `json:"total_lag"`
	LagUnknown int                    `json:"lag_unknown"`
	Error      string                 `json:"error"`
	Members    []snapshot.GroupMember `json:"members"`
	Offsets    []OffsetRow            `json:"offsets"`
}

// OffsetRow is a group's position on one partition.
type OffsetRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Committed int64  `json:"committed"`
	// Latest is the high watermark, -1 when unknown.
	Latest int64 `json:"latest"`
	// Lag is Latest-Committed, -1 when either is unknown.
	Lag int64 `json:"lag"`
}

// Groups builds the groups view. Groups filters by id; Topics keeps only
// offsets on those topics and drops groups with none.
func Groups(s *snapshot.Snapshot, f Filter) GroupsView {
	c := newCluster(s)
	v := GroupsView{Groups: []GroupRow{}, Total: len(s.Groups), Filter: f.describe()}
	for _, g := range s.Groups {
		if !f.matchGroup(g.ID) {
			continue
		}
		r := GroupRow{
			Group: g.ID, State: g.State, ProtocolType: g.ProtocolType, Coordinator: g.Coordinator,
			CoordinatorLive: c.isLive(g.Coordinator), MemberCount: len(g.Members), Error: g.Error,
			Members: nonNil(g.Members), Offsets: []OffsetRow{},
		}
		for _, o := range g.Offsets {
			if !f.matchTopicName(o.Topic) {
				continue
			}
			r.Offsets = append(r.Offsets, OffsetRow(o))
			if o.Lag < 0 {
				r.LagUnknown++
			} else {
				r.TotalLag += o.Lag
			}
		}
		if len(f.Topics) > 0 && len(r.Offsets) == 0 {
			continue
		}
		v.Groups = append(v.Groups, r)
	}
	v.Warnings = sortWarnings(warningsFrom(s, f, snapshot.SourceGroups, snapshot.SourceOffsets))
	return v
}

// Tables returns the per-group summary, then the per-partition offsets.
func (v GroupsView) Tables() []render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	sum := render.Table{
		Title: fmt.Sprintf("Consumer groups (%d of %d)", len(v.Groups), v.Total),
		Columns: []render.Column{
			{Name: "Group"}, {Name: "State"}, num("Members"), {Name: "Coordinator"},
			num("Partitions"), num("Total lag"), {Name: "Error", Wrap: true},
		},
		Rows:     [][]string{},
		Empty:    "no consumer groups match",
		Warnings: warningLines(v.Warnings),
	}
	offsets := render.Table{
		Title: "Committed offsets",
		Columns: []render.Column{
			{Name: "Group"}, {Name: "Topic"}, num("Partition"), num("Committed"), num("Latest"), num("Lag"),
		},
		Rows:  [][]string{},
		Empty: "no committed offsets",
	}
	for _, g := range v.Groups {
		coord := "none"
		if g.Coordinator >= 0 {
			coord = strconv.Itoa(int(g.Coordinator))
			if !g.CoordinatorLive {
				coord += " (down)"
			}
		}
		sum.Rows = append(sum.Rows, []string{
			g.Group, g.State, itoa(g.MemberCount), coord, itoa(len(g.Offsets)), totalLag(g), g.Error,
		})
		for _, o := range g.Offsets {
			offsets.Rows = append(offsets.Rows, []string{
				g.Group, o.Topic, itoa(int(o.Partition)), render.Int(o.Committed), render.Int(o.Latest), render.Int(o.Lag),
			})
		}
	}
	if v.Filter != "" {
		sum.Notes = append(sum.Notes, "filter: "+v.Filter)
	}
	if len(v.Groups) == 0 {
		return []render.Table{sum}
	}
	return []render.Table{sum, offsets}
}

// totalLag renders a group's lag, flagging partitions whose lag is unknown
// so a partial sum is never read as the whole.
func totalLag(g GroupRow) string {
	s := strconv.FormatInt(g.TotalLag, 10)
	switch {
	case g.LagUnknown > 0 && g.LagUnknown == len(g.Offsets):
		return "?"
	case g.LagUnknown > 0:
		return fmt.Sprintf("%s (+%d unknown)", s, g.LagUnknown)
	}
	return s
}
