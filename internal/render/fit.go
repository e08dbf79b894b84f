package render

import (
	"fmt"
	"slices"
	"strings"
)

// fitted is a table's cells after fitting it to a terminal: the columns
// kept, their cells, and the headers of the columns left out.
type fitted struct {
	columns []Column
	header  []string
	rows    [][]string
	footer  []string
	natural []int
	dropped []string
}

// fitColumns leaves out columns until the boxed table fits the terminal,
// in the order the view declared (Column.Drop: highest first, the
// rightmost first among equals; 0 is never left out). A column is left out
// only when the table would not fit even with its wrappable columns folded
// to minWrapWidth: folding loses nothing, leaving out loses a column.
// Nothing is left out when the output is not a terminal or its width is
// unknown.
func fitColumns(t Table, opts Options, header []string, rows [][]string, footer []string, natural []int) fitted {
	all := fitted{columns: t.Columns, header: header, rows: rows, footer: footer, natural: natural}
	if !opts.Terminal || opts.Width <= 0 {
		return all
	}
	floors := wrapFloors(t.Columns, rows, footer, minWrapWidth)
	order := dropOrder(t.Columns)
	keep := make([]bool, len(t.Columns))
	for i := range keep {
		keep[i] = true
	}
	n := 0
	for ; n < len(order) && narrowestWidth(t.Columns, natural, floors, keep) > opts.Width; n++ {
		keep[order[n]] = false
	}
	if n == 0 {
		return all
	}
	// A column that went early may fit again once a wider one has gone:
	// take back what fits, the most wanted first.
	for i := n - 2; i >= 0; i-- {
		keep[order[i]] = true
		if narrowestWidth(t.Columns, natural, floors, keep) > opts.Width {
			keep[order[i]] = false
		} else {
			n--
		}
	}
	out := fitted{natural: make([]int, 0, len(natural)-n), header: make([]string, 0, len(header)-n)}
	for i, c := range t.Columns {
		if keep[i] {
			out.columns = append(out.columns, c)
			out.header = append(out.header, header[i])
			out.natural = append(out.natural, natural[i])
		}
	}
	// The note names the dropped columns in the table's own order.
	for i := range t.Columns {
		if !keep[i] {
			out.dropped = append(out.dropped, header[i])
		}
	}
	pick := func(r []string) []string {
		kept := make([]string, 0, len(out.columns))
		for i, c := range r {
			if keep[i] {
				kept = append(kept, c)
			}
		}
		return kept
	}
	out.rows = make([][]string, len(rows))
	for i, r := range rows {
		out.rows[i] = pick(r)
	}
	if footer != nil {
		out.footer = pick(footer)
	}
	return out
}

// dropOrder lists the columns that may be left out, first to go first.
func dropOrder(cols []Column) []int {
	var order []int
	for i, c := range cols {
		if c.Drop > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if cols[a].Drop != cols[b].Drop {
			return cols[b].Drop - cols[a].Drop
		}
		return b - a
	})
	return order
}

// narrowestWidth is the width of the boxed table over the kept columns
// with every wrappable column folded as far as wrapWidths folds it.
func narrowestWidth(cols []Column, natural, floors []int, keep []bool) int {
	total := 1
	for i, c := range cols {
		if !keep[i] {
			continue
		}
		w := natural[i]
		if c.Wrap {
			w = min(w, floors[i])
		}
		total += w + boxCellPad + 1
	}
	return total
}

// wrapFloors is how narrow each wrappable column can be folded: not below
// least, and not below its longest word, which is never split (an address
// or a class name cut in two reads as two things).
func wrapFloors(cols []Column, rows [][]string, footer []string, least int) []int {
	floors := make([]int, len(cols))
	for i, c := range cols {
		if !c.Wrap {
			continue
		}
		floors[i] = least
		measure := func(cell string) {
			for _, w := range strings.Fields(cell) {
				floors[i] = max(floors[i], cellWidth(w))
			}
		}
		for _, r := range rows {
			measure(r[i])
		}
		if footer != nil {
			measure(footer[i])
		}
	}
	return floors
}

// droppedNote says which columns were left out and how to see them.
func droppedNote(dropped []string, width int) string {
	return fmt.Sprintf("Not shown at %d columns: %s; widen the terminal or use -o json to see them.",
		width, strings.Join(dropped, ", "))
}
