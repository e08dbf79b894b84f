package render

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestAlignedMatchesTablewriter holds the direct grid writer to
// tablewriter's output, byte for byte, on random tables: plain and boxed,
// with footers, blank and padded cells, wide and combining characters.
func TestAlignedMatchesTablewriter(t *testing.T) {
	pool := []string{
		"", " ", "-", "x", "42", "1234567", "orders", "__consumer_offsets", "a  b", " lead", "trail ",
		"日本語", "café", "e\u0301", "emoji 🙂", "tab\there", "line\nbreak", "esc\x1b[31m", "|pipe|",
		"LEADER_NOT_AVAILABLE", "dial tcp 10.0.0.3:9092: connect: connection refused",
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return pool[rnd.IntN(len(pool))] }
	for i := range 500 {
		tbl := Table{Title: "t"}
		for range 1 + rnd.IntN(6) {
			c := Column{Name: pick()}
			if rnd.IntN(2) == 0 {
				c.Align = AlignRight
			}
			tbl.Columns = append(tbl.Columns, c)
		}
		for range 1 + rnd.IntN(8) {
			row := make([]string, len(tbl.Columns))
			for j := range row {
				row[j] = pick()
			}
			tbl.Rows = append(tbl.Rows, row)
		}
		if rnd.IntN(2) == 0 {
			tbl.Footer = make([]string, len(tbl.Columns))
			for j := range tbl.Footer {
				tbl.Footer[j] = pick()
			}
		}
		for _, boxed := range []bool{false, true} {
			header, rows, footer := textCells(tbl)
			var fast, slow bytes.Buffer
			writeAligned(&fast, tbl, boxed, naturalWidths(header, rows, footer), header, rows, footer)
			if err := writeTablewriter(&slow, tbl, boxed, nil, header, rows, footer); err != nil {
				t.Fatal(err)
			}
			if fast.String() != slow.String() {
				t.Fatalf("table %d (boxed %v) differs from tablewriter:\n--- direct\n%s--- tablewriter\n%s", i, boxed, fast.String(), slow.String())
			}
		}
	}
}
