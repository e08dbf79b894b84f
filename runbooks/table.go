package runbooks

import (
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/internal/render"
)

// Table is a step's table: plain data in JSON, rendered through the one
// table renderer for people.
type Table struct {
	Title    string     `json:"title"`
	Columns  []string   `json:"columns"`
	Rows     [][]string `json:"rows"`
	Notes    []string   `json:"notes,omitempty"`
	Warnings []string   `json:"warnings,omitempty"`
	// Empty is what to say when there are no rows.
	Empty string `json:"-"`
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Render converts the table for the renderer, right-aligning columns whose
// cells are all numbers.
func (t Table) Render() render.Table {
	out := render.Table{Title: t.Title, Rows: t.Rows, Notes: t.Notes, Warnings: t.Warnings, Empty: t.Empty}
	for i, name := range t.Columns {
		col := render.Column{Name: name}
		if numericColumn(t.Rows, i) {
			col.Align = render.AlignRight
		}
		out.Columns = append(out.Columns, col)
	}
	return out
}

func numericColumn(rows [][]string, i int) bool {
	if len(rows) == 0 {
		return false
	}
	for _, r := range rows {
		if i >= len(r) {
			return false
		}
		if _, err := strconv.ParseInt(r[i], 10, 64); err != nil && r[i] != "" && r[i] != "-" {
			return false
		}
	}
	return true
}

func itoa[T ~int | ~int32 | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }
