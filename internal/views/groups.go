package views

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/lag"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// GroupsView is `describe groups`: a lag summary per consumer group, then
// its committed offsets per partition.
type GroupsView struct {
	Groups []GroupRow `json:"groups"`
	// Total is the number of groups before filtering.
	Total    int       `json:"total"`
	Filter   string    `json:"filter,omitempty"`
	Warnings []Warning `json:"warnings"`

	// live says which brokers are live, for the per-coordinator summary.
	live map[int32]bool
	// limit is the number of rows the tables may list.
	limit int
	// judged: statuses come from a window (Judge), so the tables show them.
	judged bool
}

// GroupRow is one consumer group.
type GroupRow struct {
	Group string `json:"group"`
	// Type is the group's protocol: classic, or consumer for KIP-848 groups
	// (group.protocol=consumer); "" when the coordinator did not say.
	Type         string `json:"type"`
	State        string `json:"state"`
	ProtocolType string `json:"protocol_type"`
	// Epoch is a consumer-protocol group's epoch, which moves on every
	// rebalance; 0 for classic groups.
	Epoch int32 `json:"epoch,omitempty"`
	// Coordinator is the coordinating broker, -1 when unknown.
	Coordinator     int32 `json:"coordinator"`
	CoordinatorLive bool  `json:"coordinator_live"`
	MemberCount     int   `json:"member_count"`
	// TotalLag sums the lag of partitions where it is known;
	// LagUnknown counts the others, so a total is never silently partial.
	TotalLag int64 `json:"total_lag"`
	// MaxTimeLagMS is how old the oldest record the group has not consumed
	// is, over its partitions (ms); -1 when not read for any lagging one.
	MaxTimeLagMS int64 `json:"max_time_lag_ms"`
	// Status is the group's lag status over a window of samples (Burrow's
	// rules, diag/lag: OK, WARNING, STALLED, STOPPED, REWIND, BLOCKED...);
	// absent when the view was built from one snapshot.
	Status     string                 `json:"status,omitempty"`
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
	// TimeLagMS is how old the next record the group will read is (ms,
	// when the snapshot was taken): 0 with no lag, -1 when not read.
	TimeLagMS int64 `json:"time_lag_ms"`
	// Status is the partition's lag status over a window; absent from one
	// snapshot.
	Status string `json:"status,omitempty"`
}

// Judge sets every listed group's and partition's lag status from samples,
// oldest first, the view's own snapshot last (describe groups --sample).
func (v *GroupsView) Judge(samples []*snapshot.Snapshot) {
	judge := lag.NewJudge(samples)
	for i := range v.Groups {
		r := &v.Groups[i]
		g, ok := judge.Group(r.Group)
		if !ok {
			continue
		}
		r.Status = g.Status.String()
		for j := range r.Offsets {
			for _, p := range g.Partitions {
				if p.Topic == r.Offsets[j].Topic && p.Partition == r.Offsets[j].Partition {
					r.Offsets[j].Status = p.Status.String()
				}
			}
		}
	}
	v.judged = true
}

// Groups builds the groups view. Groups filters by id; Topics keeps only
// offsets on those topics and drops groups with none.
func Groups(s *snapshot.Snapshot, f Filter) GroupsView {
	c := newCluster(s)
	v := GroupsView{Groups: []GroupRow{}, Total: len(s.Groups), Filter: f.describe(), live: c.LiveBrokers(), limit: f.rowLimit()}
	for _, g := range s.Groups {
		if !f.matchGroup(g.ID) {
			continue
		}
		r := GroupRow{
			Group: g.ID, Type: g.Type, State: g.State, ProtocolType: g.ProtocolType, Epoch: g.Epoch, Coordinator: g.Coordinator,
			CoordinatorLive: c.isLive(g.Coordinator), MemberCount: len(g.Members), Error: g.Error,
			Members: nonNil(g.Members), Offsets: []OffsetRow{}, MaxTimeLagMS: -1,
		}
		for _, o := range g.Offsets {
			if !f.matchTopicName(o.Topic) {
				continue
			}
			row := OffsetRow{Topic: o.Topic, Partition: o.Partition, Committed: o.Committed, Latest: o.Latest, Lag: o.Lag,
				TimeLagMS: timeLag(s, o)}
			r.Offsets = append(r.Offsets, row)
			r.MaxTimeLagMS = max(r.MaxTimeLagMS, row.TimeLagMS)
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
// Many groups are preceded by their lag per topic and per coordinator; the
// lists show the most lagging groups and partitions first, up to the limit.
func (v GroupsView) Tables() []render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	sum := render.Table{
		Columns: []render.Column{
			// Drop: on a narrow terminal how a group is built goes before
			// how far behind it is; the group never.
			{Name: "Group"}, {Name: "Type", Drop: 9}, {Name: "State", Drop: 6}, {Name: "Status", Status: true}, dropped(num("Members"), 5),
			{Name: "Coordinator", Drop: 7}, dropped(num("Partitions"), 8), dropped(num("Total lag"), 2), dropped(num("Oldest unread"), 4),
			{Name: "Error", Wrap: true, Drop: 3},
		},
		Rows:     [][]string{},
		Empty:    "no consumer groups match",
		Warnings: warningLines(v.Warnings),
	}
	offsets := render.Table{
		Title: "Committed offsets",
		Columns: []render.Column{
			{Name: "Group"}, {Name: "Topic"}, num("Partition"), dropped(num("Committed"), 4), dropped(num("Latest"), 3), num("Lag"),
			dropped(num("Time lag"), 2), {Name: "Status", Status: true, Drop: 1},
		},
		Rows:  [][]string{},
		Empty: "no committed offsets",
	}
	groups := topK(v.Groups, rowsShown(v.limit), worseGroup)
	sum.Title = listTitle("Consumer groups", len(groups), len(v.Groups), v.Total)
	for _, g := range groups {
		sum.Rows = append(sum.Rows, []string{
			g.Group, words.OrDash(g.Type), g.State, words.OrDash(g.Status), itoa(g.MemberCount), v.coordinator(g.Coordinator), itoa(len(g.Offsets)), totalLag(g),
			age(g.MaxTimeLagMS), g.Error,
		})
	}
	if n := limitNote(len(groups), len(v.Groups), "groups", "errors then most lag first"); n != "" {
		sum.Notes = append(sum.Notes, n)
	}
	n := 0
	for _, g := range v.Groups {
		n += len(g.Offsets)
	}
	all := make([]groupOffset, 0, n)
	for i := range v.Groups {
		for j := range v.Groups[i].Offsets {
			all = append(all, groupOffset{&v.Groups[i], &v.Groups[i].Offsets[j]})
		}
	}
	shown := topK(all, rowsShown(v.limit), worseOffset)
	for _, r := range shown {
		o := r.o
		offsets.Rows = append(offsets.Rows, []string{
			r.g.Group, o.Topic, itoa(int(o.Partition)), render.Int(o.Committed), render.Int(o.Latest), render.Int(o.Lag), age(o.TimeLagMS),
			words.OrDash(o.Status),
		})
	}
	if n := limitNote(len(shown), len(all), "committed offsets", "most lag first"); n != "" {
		offsets.Notes = append(offsets.Notes, n)
	}
	if v.Filter != "" {
		sum.Notes = append(sum.Notes, "filter: "+v.Filter)
	}
	if !v.judged && len(v.Groups) > 0 {
		sum.Notes = append(sum.Notes, "Status needs a trend: --sample DURATION samples the groups and judges each one.")
	}
	if len(v.Groups) == 0 {
		return []render.Table{sum}
	}
	if len(v.Groups) <= summariseAbove {
		return []render.Table{sum, v.membersTable(), offsets}
	}
	return []render.Table{v.perCoordinator(), v.perTopic(all), sum, offsets}
}

// worseGroup orders groups for a limited list: groups that could not be
// read first, then by total lag, then by id.
func worseGroup(a, b GroupRow) int {
	return cmp.Or(
		cmp.Compare(count(b.Error != ""), count(a.Error != "")),
		cmp.Compare(b.TotalLag, a.TotalLag),
		cmp.Compare(a.Group, b.Group),
	)
}

// groupOffset is one committed offset with its group.
type groupOffset struct {
	g *GroupRow
	o *OffsetRow
}

// worseOffset orders committed offsets by lag, unknown lag after every
// known one; the input order (group, topic, partition) breaks ties.
func worseOffset(a, b groupOffset) int {
	return cmp.Compare(b.o.Lag, a.o.Lag)
}

// coordinator names a group's coordinator, marking one that is not live.
func (v GroupsView) coordinator(id int32) string {
	if id < 0 {
		return "none"
	}
	s := strconv.Itoa(int(id))
	if !v.live[id] {
		s += " (down)"
	}
	return s
}

// perCoordinator counts the groups, members and lag of each coordinator:
// a coordinator that is down or slow stands out.
func (v GroupsView) perCoordinator() render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Title:   fmt.Sprintf("Per coordinator, of these %d groups", len(v.Groups)),
		Columns: []render.Column{{Name: "Coordinator"}, num("Groups"), num("Members"), num("Total lag"), num("Errors")},
		Rows:    [][]string{},
	}
	type counts struct {
		groups, members, errors int
		lag                     int64
	}
	by := map[int32]*counts{}
	for _, g := range v.Groups {
		c := by[g.Coordinator]
		if c == nil {
			c = &counts{}
			by[g.Coordinator] = c
		}
		c.groups++
		c.members += g.MemberCount
		c.lag += g.TotalLag
		c.errors += count(g.Error != "")
	}
	for _, id := range slices.Sorted(maps.Keys(by)) {
		c := by[id]
		t.Rows = append(t.Rows, []string{v.coordinator(id), itoa(c.groups), itoa(c.members), strconv.FormatInt(c.lag, 10), itoa(c.errors)})
	}
	return t
}

// topicLag is the lag of every listed group on one topic.
type topicLag struct {
	topic           string
	groups, unknown int
	lag, maxLag     int64
	lastGroup       *GroupRow
}

// perTopic sums the lag on each topic over the listed groups, the most
// lagging topics first, up to the limit.
func (v GroupsView) perTopic(all []groupOffset) render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{
		Title: fmt.Sprintf("Lag per topic, of these %d groups", len(v.Groups)),
		Columns: []render.Column{{Name: "Topic"}, num("Groups"), num("Total lag"), num("Largest partition lag"),
			num("Unknown lag")},
		Rows:  [][]string{},
		Empty: "no committed offsets",
	}
	by := map[string]*topicLag{}
	var last *topicLag
	for _, r := range all {
		tl := last
		if tl == nil || tl.topic != r.o.Topic {
			tl = by[r.o.Topic]
			if tl == nil {
				tl = &topicLag{topic: r.o.Topic}
				by[r.o.Topic] = tl
			}
		}
		last = tl
		if tl.lastGroup != r.g {
			// A group's offsets are listed together: count it once.
			tl.groups++
			tl.lastGroup = r.g
		}
		if r.o.Lag < 0 {
			tl.unknown++
			continue
		}
		tl.lag += r.o.Lag
		tl.maxLag = max(tl.maxLag, r.o.Lag)
	}
	topics := make([]topicLag, 0, len(by))
	for _, name := range slices.Sorted(maps.Keys(by)) {
		topics = append(topics, *by[name])
	}
	worst := topK(topics, rowsShown(v.limit), func(a, b topicLag) int { return cmp.Compare(b.lag, a.lag) })
	for _, tl := range worst {
		t.Rows = append(t.Rows, []string{tl.topic, itoa(tl.groups), strconv.FormatInt(tl.lag, 10),
			strconv.FormatInt(tl.maxLag, 10), itoa(tl.unknown)})
	}
	if n := limitNote(len(worst), len(topics), "topics", "most lag first"); n != "" {
		t.Notes = append(t.Notes, n)
	}
	return t
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

// timeLag is how old the record at the committed offset was when the
// snapshot was taken: 0 without lag, -1 when its timestamp was not read.
func timeLag(s *snapshot.Snapshot, o snapshot.GroupOffset) int64 {
	switch {
	case o.Lag == 0:
		return 0
	case o.NextTimestampMillis <= 0 || s.TakenAt.IsZero():
		return -1
	}
	return max(s.TakenAt.UnixMilli()-o.NextTimestampMillis, 0)
}

// age renders a time lag: "-" when unknown, "0s" with no lag.
func age(ms int64) string {
	if ms < 0 {
		return "-"
	}
	return (time.Duration(ms) * time.Millisecond).Round(time.Second).String()
}

// membersTable lists who consumes for each listed group: the client ids
// and hosts to look at, and how many partitions each owns.
func (v GroupsView) membersTable() render.Table {
	num := func(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }
	t := render.Table{Title: "Members",
		Columns: []render.Column{{Name: "Group"}, {Name: "Member"}, {Name: "Client id", Drop: 3}, {Name: "Host", Drop: 2},
			dropped(num("Partitions"), 1), dropped(num("Epoch"), 4)},
		Rows: [][]string{}, Empty: "no group has members"}
	for _, g := range v.Groups {
		for _, m := range g.Members {
			epoch := "-"
			if m.Epoch > 0 {
				epoch = itoa(int(m.Epoch))
			}
			t.Rows = append(t.Rows, []string{g.Group, m.ID, m.ClientID, m.Host, itoa(len(m.Assignment)), epoch})
		}
	}
	return t
}
