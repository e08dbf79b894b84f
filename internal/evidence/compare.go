package evidence

import (
	"fmt"
	"strings"
	"time"

	"github.com/kafka-runbook/kafka-runbook/diag/checks"
	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Comparison is what changed between two snapshots: the output of
// `evidence diff`, the table rendering of Changes. Every list is sorted and
// never null.
type Comparison struct {
	A SnapshotInfo `json:"a"`
	B SnapshotInfo `json:"b"`
	// Notes warn about the comparison itself (two different clusters).
	Notes     []string       `json:"notes"`
	Brokers   []BrokerDiff   `json:"brokers"`
	Topics    []TopicDiff    `json:"topics"`
	Leaders   []LeaderDiff   `json:"leaders"`
	ISR       []ISRDiff      `json:"isr"`
	Offsets   []TopicOffsets `json:"offsets"`
	Backwards []OffsetDiff   `json:"offsets_backwards"`
	Configs   []ConfigDiff   `json:"configs"`
	Groups    []GroupDiff    `json:"groups"`
	LogDirs   []LogDirDiff   `json:"log_dirs"`
}

// SnapshotInfo identifies one side of a comparison.
type SnapshotInfo struct {
	Source    string    `json:"source"`
	TakenAt   time.Time `json:"taken_at"`
	ClusterID string    `json:"cluster_id"`
}

// BrokerDiff is a broker whose state or address changed; "absent" when
// one side does not know the id.
type BrokerDiff struct {
	ID     int32  `json:"id"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// TopicDiff is a topic created, deleted, recreated or resized.
type TopicDiff struct {
	Topic            string `json:"topic"`
	Change           string `json:"change"`
	PartitionsBefore int    `json:"partitions_before"`
	PartitionsAfter  int    `json:"partitions_after"`
}

// LeaderDiff is a partition whose leader or leader epoch changed.
type LeaderDiff struct {
	Topic       string `json:"topic"`
	Partition   int32  `json:"partition"`
	Before      int32  `json:"leader_before"`
	EpochBefore int32  `json:"epoch_before"`
	After       int32  `json:"leader_after"`
	EpochAfter  int32  `json:"epoch_after"`
}

// ISRDiff is a partition whose in-sync replicas changed.
type ISRDiff struct {
	Topic     string  `json:"topic"`
	Partition int32   `json:"partition"`
	Replicas  []int32 `json:"replicas"`
	Before    []int32 `json:"isr_before"`
	After     []int32 `json:"isr_after"`
}

// TopicOffsets sums one topic's offset movement: records appended (log
// ends forward), records removed (log starts forward), and partitions
// whose offsets went backwards.
type TopicOffsets struct {
	Topic     string `json:"topic"`
	Appended  int64  `json:"appended"`
	Removed   int64  `json:"removed"`
	Backwards int    `json:"partitions_backwards"`
}

// OffsetDiff is a partition whose log start or end went backwards.
type OffsetDiff struct {
	Topic       string `json:"topic"`
	Partition   int32  `json:"partition"`
	StartBefore int64  `json:"log_start_before"`
	StartAfter  int64  `json:"log_start_after"`
	EndBefore   int64  `json:"log_end_before"`
	EndAfter    int64  `json:"log_end_after"`
}

// ConfigDiff is one config that differs; "(absent)" when one side lacks it.
type ConfigDiff struct {
	Resource string `json:"resource"`
	Name     string `json:"name"`
	Before   string `json:"before"`
	After    string `json:"after"`
}

// GroupDiff is a group whose state, members or lag changed.
type GroupDiff struct {
	Group         string `json:"group"`
	StateBefore   string `json:"state_before"`
	StateAfter    string `json:"state_after"`
	MembersBefore int    `json:"members_before"`
	MembersAfter  int    `json:"members_after"`
	// LagBefore and LagAfter are total lags, -1 when unknown.
	LagBefore int64 `json:"lag_before"`
	LagAfter  int64 `json:"lag_after"`
}

// LogDirDiff is a log directory that failed or came back: "online", or
// the error the broker reported.
type LogDirDiff struct {
	Broker     int32  `json:"broker"`
	Path       string `json:"path"`
	Before     string `json:"before"`
	After      string `json:"after"`
	Partitions int    `json:"partitions"`
}

// Compare reports what changed from a to b: Changes, in the shape of the
// `evidence diff` tables.
func Compare(a, b *snapshot.Snapshot, sourceA, sourceB string) Comparison {
	c := Comparison{
		A:     SnapshotInfo{Source: sourceA, TakenAt: a.TakenAt.UTC(), ClusterID: a.ClusterID},
		B:     SnapshotInfo{Source: sourceB, TakenAt: b.TakenAt.UTC(), ClusterID: b.ClusterID},
		Notes: []string{}, Brokers: []BrokerDiff{}, Topics: []TopicDiff{}, Leaders: []LeaderDiff{}, ISR: []ISRDiff{},
		Offsets: []TopicOffsets{}, Backwards: []OffsetDiff{}, Configs: []ConfigDiff{}, Groups: []GroupDiff{},
		LogDirs: []LogDirDiff{},
	}
	if a.ClusterID != b.ClusterID {
		c.Notes = append(c.Notes, fmt.Sprintf("A and B are different clusters (%s, %s): expect every partition to differ", words.OrDash(a.ClusterID), words.OrDash(b.ClusterID)))
	}
	if b.TakenAt.Before(a.TakenAt) {
		c.Notes = append(c.Notes, "B was taken before A: 'before' is A, 'after' is B")
	}
	c.unreadNote("A", a)
	c.unreadNote("B", b)
	ch := Changes(a, b)
	for _, d := range ch.Brokers {
		c.Brokers = append(c.Brokers, BrokerDiff{ID: d.ID, Before: brokerText(d.Before), After: brokerText(d.After)})
	}
	for _, d := range ch.Topics {
		c.Topics = append(c.Topics, TopicDiff{Topic: d.Topic, Change: string(d.Change), PartitionsBefore: d.PartitionsBefore, PartitionsAfter: d.PartitionsAfter})
	}
	c.partitions(ch.Partitions)
	c.configs(ch.Configs)
	c.groups(ch.Groups)
	for _, d := range ch.LogDirs {
		c.LogDirs = append(c.LogDirs, LogDirDiff{Broker: d.Broker, Path: d.Path, Before: logDirText(d.ErrorBefore), After: logDirText(d.ErrorAfter), Partitions: d.Partitions})
	}
	return c
}

// unreadNote says that a side could not read everything: what it lacks is
// not compared, so an empty table there is not a proof of no change.
func (c *Comparison) unreadNote(side string, s *snapshot.Snapshot) {
	if len(s.Errors) == 0 {
		return
	}
	var where []string
	for _, e := range s.Errors[:min(len(s.Errors), 3)] {
		where = append(where, errWhere(e))
	}
	more := ""
	if n := len(s.Errors) - len(where); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	c.Notes = append(c.Notes, fmt.Sprintf("%s could not read %s%s: what that covers is not compared", side, strings.Join(where, ", "), more))
}

// brokerText describes a broker's state for the diff table; nil is a
// broker the side does not know.
func brokerText(br *snapshot.Broker) string {
	if br == nil {
		return "absent"
	}
	st := checks.BrokerState(*br)
	text := st.String()
	switch {
	case st == checks.StateDown && !br.Registered:
		text += " (not registered)"
	case st == checks.StateDown:
		text += " (fenced)"
	case st == checks.StateFenced:
		text += " but answering"
	case st != checks.StateUp && st != checks.StateUnknown:
		text += " (" + br.Probe.Status + ")"
	}
	if addr := br.Address(); addr != "" {
		text += " " + addr
	}
	return text
}

func logDirText(err string) string {
	if err == "" {
		return "online"
	}
	return err
}

func (c *Comparison) groups(gs []GroupDelta) {
	for _, g := range gs {
		d := GroupDiff{Group: g.Group, StateBefore: "absent", StateAfter: "absent", LagBefore: -1, LagAfter: -1}
		if g.Before != nil {
			d.StateBefore, d.MembersBefore, d.LagBefore = groupSide(*g.Before)
		}
		if g.After != nil {
			d.StateAfter, d.MembersAfter, d.LagAfter = groupSide(*g.After)
		}
		c.Groups = append(c.Groups, d)
	}
}

func groupSide(g snapshot.Group) (state string, members int, lag int64) {
	state, lag = g.State, -1
	if g.Error != "" {
		state = "error: " + g.Error
	}
	if l, ok := groupLag(g); ok {
		lag = l
	}
	return state, len(g.Members), lag
}
