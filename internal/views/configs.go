package views

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-runbook/kafka-runbook/diag/snapshot"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// ConfigsView is `describe configs`: the risk-relevant configs the
// snapshot holds for each broker and topic, with where each value comes
// from (a dynamic override, a static file, the default).
type ConfigsView struct {
	Brokers  []BrokerConfigs `json:"brokers"`
	Topics   []TopicConfigs  `json:"topics"`
	Filter   string          `json:"filter,omitempty"`
	Warnings []Warning       `json:"warnings"`

	// limit is the number of topic config rows the tables may list.
	limit int
}

// BrokerConfigs holds one broker's configs, sorted by name.
type BrokerConfigs struct {
	Broker  int32         `json:"broker"`
	Configs []ConfigEntry `json:"configs"`
}

// TopicConfigs holds one topic's configs, sorted by name.
type TopicConfigs struct {
	Topic   string        `json:"topic"`
	Configs []ConfigEntry `json:"configs"`
}

// ConfigEntry is one config value. Sensitive values are never shown.
type ConfigEntry struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	Source    string `json:"source"`
	Sensitive bool   `json:"sensitive"`
}

// Configs builds the configs view. Topic filters (name, internal, state)
// select topics as in the topics view; broker configs are always shown
// because topic defaults come from them.
func Configs(s *snapshot.Snapshot, f Filter) ConfigsView {
	c := newCluster(s)
	v := ConfigsView{Brokers: []BrokerConfigs{}, Topics: []TopicConfigs{}, Filter: f.describe(), limit: f.rowLimit()}
	w := warningsFrom(s, f, snapshot.SourceBrokerConfigs, snapshot.SourceTopicConfigs)
	have := map[int32]bool{}
	for _, b := range s.BrokerConfigs {
		have[b.Broker] = true
		v.Brokers = append(v.Brokers, BrokerConfigs{Broker: b.Broker, Configs: entries(b.Configs)})
	}
	for _, b := range s.Brokers {
		if b.Registered && !have[b.ID] && !hasError(s, snapshot.SourceBrokerConfigs, b.ID, "") {
			w = append(w, missing(snapshot.SourceBrokerConfigs, b.ID, "", "no configs collected"))
		}
	}
	slices.SortFunc(v.Brokers, func(a, b BrokerConfigs) int { return cmp.Compare(a.Broker, b.Broker) })
	for _, t := range s.Topics {
		if !f.matchTopic(t) {
			continue
		}
		if _, ok := c.topicRow(t, f); !ok {
			continue
		}
		if t.Configs == nil && !hasAnyError(s, snapshot.SourceTopicConfigs, t.Name) {
			w = append(w, missing(snapshot.SourceTopicConfigs, -1, t.Name, "no configs collected"))
		}
		v.Topics = append(v.Topics, TopicConfigs{Topic: t.Name, Configs: entries(t.Configs)})
	}
	v.Warnings = sortWarnings(w)
	return v
}

func entries(m map[string]snapshot.ConfigValue) []ConfigEntry {
	out := []ConfigEntry{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		c := m[name]
		e := ConfigEntry{Name: name, Value: c.Value, Source: c.Source, Sensitive: c.Sensitive}
		if c.Sensitive {
			e.Value = ""
		}
		out = append(out, e)
	}
	return out
}

// Tables returns the broker configs, then the topic configs. Many topics
// are preceded by how many topics share each value; the topic list stops
// at the limit.
func (v ConfigsView) Tables() []render.Table {
	cols := func(first string, right bool) []render.Column {
		a := render.AlignLeft
		if right {
			a = render.AlignRight
		}
		return []render.Column{{Name: first, Align: a}, {Name: "Config"}, {Name: "Value", Wrap: true}, {Name: "Source", Drop: 1}}
	}
	brokers := render.Table{
		Title: "Broker configs", Columns: cols("Broker", true), Rows: [][]string{},
		Empty: "no broker configs collected", Warnings: warningLines(v.warnings(snapshot.SourceBrokerConfigs)),
	}
	for _, b := range v.Brokers {
		for _, e := range b.Configs {
			brokers.Rows = append(brokers.Rows, []string{itoa(int(b.Broker)), e.Name, configValue(e), e.Source})
		}
	}
	topics := render.Table{
		Title: fmt.Sprintf("Topic configs (%d topics)", len(v.Topics)), Columns: cols("Topic", false),
		Rows: [][]string{}, Empty: "no topics match", Warnings: warningLines(v.warnings(snapshot.SourceTopicConfigs)),
	}
	total := 0
	for _, t := range v.Topics {
		for _, e := range t.Configs {
			total++
			if len(topics.Rows) < rowsShown(v.limit) {
				topics.Rows = append(topics.Rows, []string{t.Topic, e.Name, configValue(e), e.Source})
			}
		}
	}
	if n := limitNote(len(topics.Rows), total, "topic config rows", "in topic order"); n != "" {
		topics.Notes = append(topics.Notes, n)
	}
	if v.Filter != "" {
		topics.Notes = append(topics.Notes, "filter: "+v.Filter)
	}
	if len(v.Topics) <= summariseAbove {
		return []render.Table{brokers, topics}
	}
	return []render.Table{brokers, v.byValue(), topics}
}

// byValue counts the topics that share each config value and source, so
// that the odd topic out stands out among thousands. Values that are the
// same for every topic are listed too: that is worth knowing.
func (v ConfigsView) byValue() render.Table {
	t := render.Table{
		Title: fmt.Sprintf("Topic configs by value, of these %d topics", len(v.Topics)),
		Columns: []render.Column{{Name: "Config"}, {Name: "Value", Wrap: true}, {Name: "Source", Drop: 1},
			{Name: "Topics", Align: render.AlignRight}},
		Rows:  [][]string{},
		Empty: "no topic configs collected",
	}
	type key struct{ name, value, source string }
	counts := map[key]int{}
	for _, tc := range v.Topics {
		for _, e := range tc.Configs {
			counts[key{e.Name, configValue(e), e.Source}]++
		}
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(counts[b], counts[a]),
			cmp.Compare(a.value, b.value), cmp.Compare(a.source, b.source))
	})
	for _, k := range keys[:min(len(keys), rowsShown(v.limit))] {
		t.Rows = append(t.Rows, []string{k.name, k.value, k.source, itoa(counts[k])})
	}
	if n := limitNote(len(t.Rows), len(keys), "distinct values", "by config, commonest first"); n != "" {
		t.Notes = append(t.Notes, n)
	}
	return t
}

// warnings returns the warnings of one source, so each table carries its own.
func (v ConfigsView) warnings(source string) []Warning {
	out := []Warning{}
	for _, w := range v.Warnings {
		if w.Source == source {
			out = append(out, w)
		}
	}
	return out
}

// configValue shows a value as kafka-configs.sh takes it, followed by a
// readable form for durations and sizes: "604800000 (7d)".
func configValue(e ConfigEntry) string {
	if e.Sensitive {
		return "(sensitive)"
	}
	n, err := strconv.ParseInt(e.Value, 10, 64)
	if err != nil {
		return e.Value
	}
	switch {
	case n < 0 && (strings.HasSuffix(e.Name, ".ms") || strings.HasSuffix(e.Name, ".bytes")):
		return e.Value + " (unlimited)"
	case strings.HasSuffix(e.Name, ".ms"):
		return fmt.Sprintf("%s (%s)", e.Value, render.Millis(n))
	case strings.HasSuffix(e.Name, ".bytes") && n >= 1024:
		return fmt.Sprintf("%s (%s)", e.Value, render.Bytes(n))
	}
	return e.Value
}
