package render

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// wide is a table wider than any terminal below 120 columns, with a
// subject that is never left out, columns of every priority, a status
// column and a wrappable error.
func wide() Table {
	return Table{
		Title: "Partitions of a topic whose name is long enough to need folding on a narrow screen",
		Columns: []Column{
			{Name: "Topic"}, {Name: "Partition", Align: AlignRight}, {Name: "Leader", Drop: 1},
			{Name: "Epoch", Align: AlignRight, Drop: 5}, {Name: "Replicas", Drop: 2},
			{Name: "Status", Status: true}, {Name: "Earliest", Align: AlignRight, Drop: 4},
			{Name: "Latest", Align: AlignRight, Drop: 3}, {Name: "Error", Wrap: true, Drop: 2},
		},
		Rows: [][]string{
			{"__consumer_offsets", "12", "1", "7", "1,2,3", "under-min-isr", "123456789", "987654321", ""},
			{"orders", "3", "none", "2", "3", "offline", "?", "?", "LEADER_NOT_AVAILABLE: the leader is not available right now"},
		},
		Notes:    []string{"A partition counts in every state that applies, as kafka-topics.sh lists it under each filter."},
		Warnings: []string{"partition offsets unavailable: no live leader to read offsets from for 1 partition"},
	}
}

// TestFitToTerminal: on a terminal every line fits the width (measured
// without escape codes), columns go in their declared order, the subject
// and the status stay, the note names what went, and prose folds on words.
func TestFitToTerminal(t *testing.T) {
	cases := []struct {
		width   int
		kept    []string
		dropped string // "" when nothing is left out
	}{
		{200, []string{"TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "STATUS", "EARLIEST", "LATEST", "ERROR"}, ""},
		// EPOCH goes first, then comes back once EARLIEST has made room.
		{120, []string{"TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "STATUS", "LATEST", "ERROR"}, "EARLIEST"},
		{100, []string{"TOPIC", "PARTITION", "LEADER", "REPLICAS", "STATUS", "ERROR"}, "EPOCH, EARLIEST, LATEST"},
		// ERROR (Drop 2, right of REPLICAS) goes before REPLICAS; EPOCH comes back.
		{80, []string{"TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "STATUS"}, "EARLIEST, LATEST, ERROR"},
		{60, []string{"TOPIC", "PARTITION", "LEADER", "STATUS"}, "EPOCH, REPLICAS, EARLIEST, LATEST, ERROR"},
		{30, []string{"TOPIC", "PARTITION", "STATUS"}, "LEADER, EPOCH, REPLICAS, EARLIEST, LATEST, ERROR"},
	}
	prose := map[string]bool{}
	tbl := wide()
	for _, s := range append(append([]string{tbl.Title, "WARNING: Not shown at columns: widen the terminal or use -o json to see them."}, tbl.Notes...), tbl.Warnings...) {
		for _, w := range strings.Fields(s) {
			prose[strings.TrimRight(w, ",;")] = true
		}
	}
	for _, c := range tbl.Columns {
		prose[strings.ToUpper(c.Name)] = true
	}
	for _, c := range cases {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := Render(&b, Options{Terminal: true, Width: c.width, Color: color}, wide()); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			header := ""
			for line := range strings.Lines(out) {
				line = strings.TrimSuffix(line, "\n")
				if strings.Contains(line, "TOPIC") {
					header = line
				}
				// Below the narrowest the table can be, only the table may overflow.
				if w := displayWidth(line); w > c.width && c.width >= 60 {
					t.Errorf("width %d color %v: line of %d columns: %q", c.width, color, w, line)
				}
				if !strings.HasPrefix(line, "│") && !strings.HasPrefix(line, "┌") && !strings.HasPrefix(line, "├") && !strings.HasPrefix(line, "└") {
					for _, word := range strings.Fields(stripEscapes(line)) {
						if !prose[strings.TrimRight(word, ",;")] && strconv.Itoa(c.width) != word {
							t.Errorf("width %d: word split: %q", c.width, word)
						}
					}
				}
			}
			if got := strings.Fields(strings.NewReplacer("│", " ").Replace(header)); strings.Join(got, " ") != strings.Join(c.kept, " ") {
				t.Errorf("width %d color %v: columns %q, want %q", c.width, color, got, c.kept)
			}
			note := "Not shown at"
			if c.dropped == "" {
				if strings.Contains(out, note) {
					t.Errorf("width %d: a note of columns left out, none was:\n%s", c.width, out)
				}
			} else if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, note+" "+strconv.Itoa(c.width)+" columns: "+c.dropped+"; widen the terminal or use -o json to see them.") {
				t.Errorf("width %d: no note naming %s:\n%s", c.width, c.dropped, out)
			}
			if color != strings.Contains(out, "\x1b[") {
				t.Errorf("width %d: escape codes %v, want %v", c.width, !color, color)
			}
		}
	}
}

// TestPipedNeverFits: piped output, and Markdown, keep every column and
// every line whole whatever the width, so scripts and golden files never
// change with the terminal of whoever ran the command.
func TestPipedNeverFits(t *testing.T) {
	for _, f := range []Format{FormatTable, FormatMarkdown} {
		var unknown, narrow bytes.Buffer
		if err := Render(&unknown, Options{Format: f}, wide()); err != nil {
			t.Fatal(err)
		}
		if err := Render(&narrow, Options{Format: f, Width: 40}, wide()); err != nil {
			t.Fatal(err)
		}
		if unknown.String() != narrow.String() {
			t.Errorf("%s: piped output changes with the width:\n%s\n%s", f, unknown.String(), narrow.String())
		}
		if !strings.Contains(unknown.String(), "EARLIEST") && !strings.Contains(unknown.String(), "Earliest") {
			t.Errorf("%s: a column is missing:\n%s", f, unknown.String())
		}
	}
}

// TestColourNeverMovesColumns: the coloured table is the plain one with
// escape codes around the status labels, byte for byte once they are
// removed, in the direct writer and in tablewriter's (a folded column).
func TestColourNeverMovesColumns(t *testing.T) {
	for _, width := range []int{0, 200, 100, 70} {
		for _, terminal := range []bool{false, true} {
			var plain, coloured bytes.Buffer
			if err := Render(&plain, Options{Terminal: terminal, Width: width}, wide()); err != nil {
				t.Fatal(err)
			}
			if err := Render(&coloured, Options{Terminal: terminal, Width: width, Color: true}, wide()); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(plain.String(), "\x1b") {
				t.Fatalf("escape codes without colour:\n%s", plain.String())
			}
			for _, want := range []string{Paint("offline", ToneCritical), Paint("under-min-isr", ToneCritical), Paint("WARNING", ToneWarning)} {
				if !strings.Contains(coloured.String(), want) {
					t.Errorf("width %d terminal %v: %q not coloured:\n%s", width, terminal, want, coloured.String())
				}
			}
			if got := stripEscapes(coloured.String()); got != plain.String() {
				t.Errorf("width %d terminal %v: colour moved something:\n--- coloured\n%s--- plain\n%s", width, terminal, got, plain.String())
			}
		}
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in, indent string
		width      int
		want       string
	}{
		{"short line", "", 20, "short line"},
		{"one two three four five", "", 9, "one two\nthree\nfour five"},
		{"  - a list item that folds", "  ", 14, "  - a list\n    item that\n    folds"},
		{"WARNING: a path /very/long/path/that/cannot/break here", "  ", 20, "WARNING: a path\n  /very/long/path/that/cannot/break\n  here"},
		{"\x1b[31mred\x1b[0m word fits", "", 14, "\x1b[31mred\x1b[0m word fits"},
		{"first line\nsecond line is long", "", 12, "first line\nsecond line\nis long"},
		{"no width", "", 0, "no width"},
		// Commands stay whole, to paste as one.
		{"Next: kafka-runbook run broker-failure -b kafka-1:9092,kafka-2:9092", "  ", 20, "Next: kafka-runbook run broker-failure -b kafka-1:9092,kafka-2:9092"},
		{"      $ kafka-topics.sh --describe --under-min-isr-partitions", "  ", 20, "      $ kafka-topics.sh --describe --under-min-isr-partitions"},
	}
	for _, c := range cases {
		if got := Wrap(c.in, c.width, c.indent); got != c.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
