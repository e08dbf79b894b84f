package views

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kafka-runbook/kafka-runbook/internal/bigsnap"
	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// TestGoldenScale renders the views of a generated 1,200-partition,
// 120-group cluster in an incident: long lists are summarised per broker
// and per topic first, then listed worst first up to the default limit.
func TestGoldenScale(t *testing.T) {
	snap := bigsnap.Generate(bigsnap.Medium())
	cases := []struct {
		name   string
		view   string
		filter Filter
	}{
		{"partitions", "partitions", Filter{}},
		{"partitions-under-replicated", "partitions", Filter{UnderReplicated: true}},
		{"topics", "topics", Filter{}},
		{"groups", "groups", Filter{}},
		{"configs", "configs", Filter{}},
	}
	formats := map[render.Format]string{render.FormatTable: "txt", render.FormatMarkdown: "md"}
	for _, c := range cases {
		v, err := Build(c.view, snap, c.filter)
		if err != nil {
			t.Fatal(err)
		}
		for format, ext := range formats {
			t.Run(c.name+"."+ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := render.View(&b, render.Options{Format: format}, v); err != nil {
					t.Fatal(err)
				}
				golden(t, "scale-"+c.name+"."+ext, b.Bytes())
			})
		}
	}
}

// TestLimitAppliesToTablesOnly: --limit and --all change how many rows the
// tables list; JSON has every row whatever the limit.
func TestLimitAppliesToTablesOnly(t *testing.T) {
	snap := bigsnap.Generate(bigsnap.Medium())
	total := 0
	for _, tp := range snap.Topics {
		total += len(tp.Partitions)
	}
	for _, c := range []struct {
		limit, rows int
		note        bool
	}{{0, DefaultLimit, true}, {7, 7, true}, {-1, total, false}, {total + 1, total, false}} {
		v := Partitions(snap, Filter{Limit: c.limit})
		tables := v.Tables()
		list := tables[len(tables)-1]
		if len(list.Rows) != c.rows {
			t.Errorf("limit %d: %d rows listed, want %d", c.limit, len(list.Rows), c.rows)
		}
		hasNote := strings.Contains(strings.Join(list.Notes, "\n"), "--all for more")
		if hasNote != c.note {
			t.Errorf("limit %d: truncation note %v, want %v: %q", c.limit, hasNote, c.note, list.Notes)
		}
		var b bytes.Buffer
		if err := render.View(&b, render.Options{Format: render.FormatJSON}, v); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Partitions []json.RawMessage `json:"partitions"`
		}
		if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Partitions) != total {
			t.Errorf("limit %d: JSON has %d partitions, want all %d", c.limit, len(doc.Partitions), total)
		}
	}
}

// TestWorstFirst: a limited list keeps the worst rows, whatever their
// place in name order.
func TestWorstFirst(t *testing.T) {
	snap := bigsnap.Generate(bigsnap.Medium())
	v := Partitions(snap, Filter{Limit: 3})
	tables := v.Tables()
	rows := tables[len(tables)-1].Rows
	for _, r := range rows {
		if r[7] != StatusOffline {
			t.Errorf("limited list shows %q before the offline partitions: %v", r[7], r)
		}
	}
	g := Groups(snap, Filter{Limit: 1})
	var most int64
	for _, row := range g.Groups {
		if row.Error == "" {
			most = max(most, row.TotalLag)
		}
	}
	gt := g.Tables()
	if got := gt[2].Rows[0][7]; !strings.HasPrefix(got, itoa(int(most))) {
		t.Errorf("first group lags %s, the most lagging group lags %d", got, most)
	}
}

// TestTopK matches a full stable sort for every k.
func TestTopK(t *testing.T) {
	items := []int{5, 3, 9, 3, 1, 9, 0, 5, 7, 3}
	for k := range len(items) + 2 {
		got := topK(items, k, func(a, b int) int { return b - a })
		want := []int{9, 9, 7, 5, 5, 3, 3, 3, 1, 0}[:min(k, len(items))]
		if !slices.Equal(got, want) {
			t.Errorf("k=%d: %v, want %v", k, got, want)
		}
	}
}
