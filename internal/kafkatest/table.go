package kafkatest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// tableRow is one row of a column-aligned table a Kafka tool printed, by header name. Reading
// a column that does not parse records the first error in err, so that a caller reads every
// column and checks once.
type tableRow struct {
	cols map[string]string
	err  error
}

// parseTable reads the table whose header line holds every required column (lines before it,
// such as "Consumer group 'g' has no active members.", are skipped) and one row per non-empty
// line after it. Kafka's tools pad columns with spaces and print "-" for an empty cell, so no
// value holds a space.
func parseTable(out string, required ...string) ([]*tableRow, error) {
	var header []string
	var rows []*tableRow
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case header == nil:
			if !slices.ContainsFunc(required, func(col string) bool { return !slices.Contains(f, col) }) {
				header = f
			}
		case len(f) != len(header):
			return nil, fmt.Errorf("row %q does not match header %q", strings.TrimSpace(line), header)
		default:
			r := &tableRow{cols: map[string]string{}}
			for i, col := range header {
				r.cols[col] = f[i]
			}
			rows = append(rows, r)
		}
	}
	if header == nil {
		return nil, fmt.Errorf("no table with columns %v in:\n%s", required, out)
	}
	return rows, nil
}

// str is the cell of col, "" for an empty cell ("-").
func (r *tableRow) str(col string) string {
	if v := r.cols[col]; v != "-" {
		return v
	}
	return ""
}

// int is the cell of col as a number, -1 for an empty cell ("-").
func (r *tableRow) int(col string) int64 {
	v := r.cols[col]
	if v == "-" {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("column %s: %q is not a number", col, v)
	}
	return n
}

// parseRows reads the table of parseTable and builds one T per row; what names the output
// in errors.
func parseRows[T any](out, what string, required []string, build func(r *tableRow) T) ([]T, error) {
	rows, err := parseTable(out, required...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	items := []T{}
	for _, r := range rows {
		item := build(r)
		if r.err != nil {
			return nil, fmt.Errorf("%s: %w", what, r.err)
		}
		items = append(items, item)
	}
	return items, nil
}
