package evidence

import (
	"fmt"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Tables presents the comparison, one table per kind of change.
func (c Comparison) Tables() []render.Table {
	return append(c.clusterTables(), c.dataTables()...)
}

func right(name string) render.Column { return render.Column{Name: name, Align: render.AlignRight} }

// clusterTables show the sides, brokers, topics, leaders and ISRs.
func (c Comparison) clusterTables() []render.Table {
	head := render.Table{
		Title:   "Comparing A with B",
		Columns: []render.Column{{Name: "Side"}, {Name: "Taken (UTC)"}, {Name: "Cluster"}, {Name: "Source", Wrap: true}},
		Rows: [][]string{
			{"A (before)", c.A.TakenAt.Format(TimeFormat), words.OrDash(c.A.ClusterID), c.A.Source},
			{"B (after)", c.B.TakenAt.Format(TimeFormat), words.OrDash(c.B.ClusterID), c.B.Source},
		},
		Warnings: c.Notes,
	}
	brokers := render.Table{Title: "Brokers", Columns: []render.Column{right("Broker"), {Name: "Before"}, {Name: "After"}}, Empty: "No broker changed."}
	for _, d := range c.Brokers {
		brokers.Rows = append(brokers.Rows, []string{fmt.Sprint(d.ID), d.Before, d.After})
	}
	topics := render.Table{Title: "Topics", Columns: []render.Column{{Name: "Topic"}, {Name: "Change"}, right("Partitions before"), right("Partitions after")}, Empty: "No topic created, deleted or resized."}
	for _, d := range c.Topics {
		topics.Rows = append(topics.Rows, []string{d.Topic, d.Change, fmt.Sprint(d.PartitionsBefore), fmt.Sprint(d.PartitionsAfter)})
	}
	leaders := render.Table{Title: "Leaders", Columns: []render.Column{{Name: "Partition"}, right("Leader before"), right("Epoch before"), right("Leader after"), right("Epoch after")}, Empty: "No leader changed."}
	for _, d := range c.Leaders {
		leaders.Rows = append(leaders.Rows, []string{fmt.Sprintf("%s/%d", d.Topic, d.Partition), leaderText(d.Before), fmt.Sprint(d.EpochBefore), leaderText(d.After), fmt.Sprint(d.EpochAfter)})
	}
	isr := render.Table{Title: "ISR", Columns: []render.Column{{Name: "Partition"}, {Name: "Replicas"}, {Name: "ISR before"}, {Name: "ISR after"}}, Empty: "No ISR changed."}
	for _, d := range c.ISR {
		isr.Rows = append(isr.Rows, []string{fmt.Sprintf("%s/%d", d.Topic, d.Partition), ids(d.Replicas), ids(d.Before), ids(d.After)})
	}
	return []render.Table{head, brokers, topics, leaders, isr}
}

// dataTables show offsets, configs, groups and log directories.
func (c Comparison) dataTables() []render.Table {
	offsets := render.Table{Title: "Offsets", Columns: []render.Column{{Name: "Topic"}, right("Records appended"), right("Records removed"), right("Partitions backwards")}, Empty: "No offset moved."}
	for _, d := range c.Offsets {
		offsets.Rows = append(offsets.Rows, []string{d.Topic, fmt.Sprint(d.Appended), fmt.Sprint(d.Removed), fmt.Sprint(d.Backwards)})
	}
	back := render.Table{Title: "Offsets that went backwards", Columns: []render.Column{{Name: "Partition"}, right("Log start before"), right("Log start after"), right("Log end before"), right("Log end after")}, Empty: "No offset went backwards."}
	for _, d := range c.Backwards {
		back.Rows = append(back.Rows, []string{fmt.Sprintf("%s/%d", d.Topic, d.Partition), render.Int(d.StartBefore), render.Int(d.StartAfter), render.Int(d.EndBefore), render.Int(d.EndAfter)})
	}
	if len(c.Backwards) > 0 {
		back.Warnings = append(back.Warnings, "a log end going backwards means acknowledged records were truncated: see 'kafka-runbook explain DATA_LOSS'")
	}
	configs := render.Table{Title: "Configs", Columns: []render.Column{{Name: "Resource"}, {Name: "Config"}, {Name: "Before"}, {Name: "After"}}, Empty: "No config changed."}
	for _, d := range c.Configs {
		configs.Rows = append(configs.Rows, []string{d.Resource, d.Name, d.Before, d.After})
	}
	groups := render.Table{Title: "Consumer groups", Columns: []render.Column{{Name: "Group"}, {Name: "State before"}, {Name: "State after"}, right("Members before"), right("Members after"), right("Lag before"), right("Lag after")}, Empty: "No group changed."}
	for _, d := range c.Groups {
		groups.Rows = append(groups.Rows, []string{d.Group, d.StateBefore, d.StateAfter, fmt.Sprint(d.MembersBefore), fmt.Sprint(d.MembersAfter), render.Int(d.LagBefore), render.Int(d.LagAfter)})
	}
	dirs := render.Table{Title: "Log directories", Columns: []render.Column{right("Broker"), {Name: "Log dir"}, {Name: "Before"}, {Name: "After"}, right("Partitions")}, Empty: "No log directory failed or came back."}
	for _, d := range c.LogDirs {
		dirs.Rows = append(dirs.Rows, []string{fmt.Sprint(d.Broker), d.Path, d.Before, d.After, fmt.Sprint(d.Partitions)})
	}
	return []render.Table{offsets, back, configs, groups, dirs}
}

func leaderText(id int32) string {
	if id < 0 {
		return "none"
	}
	return fmt.Sprint(id)
}
