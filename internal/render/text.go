package render

import (
	"bytes"
	"io"
	"slices"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Layout constants for the table format.
const (
	// plainGap separates columns in piped output, as kubectl does.
	plainGap = "   "
	// minWrapWidth is the narrowest a wrappable column is folded to before
	// columns are left out; below that an error message becomes a column
	// of single words.
	minWrapWidth = 24
	// lastResortWrapWidth is the narrowest it is folded to when the table
	// does not fit even with every column that may go left out: a thin
	// column of text still beats a table that breaks on the screen.
	lastResortWrapWidth = 12
	// boxCellPad is the padding a boxed cell adds around its content.
	boxCellPad = 2
)

// writeText writes one table in the table format: title, grid (or the empty
// message), then notes and warnings. On a terminal of known width the
// prose is folded on words and columns that do not fit are left out.
func writeText(w io.Writer, opts Options, t Table) error {
	var b bytes.Buffer
	if heading := t.Heading(); heading != "" {
		heading = opts.Wrap(heading, "  ")
		if t.Status != "" {
			status := clean(t.Status)
			heading = opts.Label(status) + heading[len(status):]
		}
		b.WriteString(heading)
		b.WriteByte('\n')
	}
	notes := t.Notes
	if len(t.Rows) == 0 {
		b.WriteString(opts.Wrap(clean(t.emptyText()), ""))
		b.WriteByte('\n')
	} else {
		dropped, err := writeGrid(&b, opts, t)
		if err != nil {
			return err
		}
		if len(dropped) > 0 {
			notes = append(slices.Clip(notes), droppedNote(dropped, opts.Width))
		}
	}
	for _, n := range notes {
		b.WriteString(opts.Wrap(clean(n), "  "))
		b.WriteByte('\n')
	}
	// Warnings come last, nearest the prompt, where they are read.
	const warning = "WARNING"
	for _, n := range t.Warnings {
		line := opts.Wrap(warning+": "+clean(n), "  ")
		b.WriteString(opts.LabelAs(warning, "warning"))
		b.WriteString(line[len(warning):])
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeGrid draws the rows: boxed on a terminal, plain aligned columns
// otherwise, and returns the headers of the columns left out to fit the
// terminal. Tables that fit need no folding, and those are drawn here
// directly (writeAligned), which is two orders of magnitude faster than
// tablewriter on tens of thousands of rows; tablewriter folds the rest.
func writeGrid(b *bytes.Buffer, opts Options, t Table) ([]string, error) {
	header, rows, footer := textCells(t)
	natural := naturalWidths(header, rows, footer)
	f := fitColumns(t, opts, header, rows, footer, natural)
	t.Columns = f.columns
	if opts.colour() {
		paintStatusCells(t.Columns, f.rows)
	}
	var maxWidths map[int]int
	if opts.Terminal && opts.Width > 0 { // piped output never folds: skip measuring words
		maxWidths = wrapWidths(t, opts, f.natural, wrapFloors(t.Columns, f.rows, f.footer, minWrapWidth),
			wrapFloors(t.Columns, f.rows, f.footer, lastResortWrapWidth))
	}
	if maxWidths == nil {
		writeAligned(b, t, opts.Terminal, f.natural, f.header, f.rows, f.footer)
		return f.dropped, nil
	}
	return f.dropped, writeTablewriter(b, t, opts.Terminal, maxWidths, f.header, f.rows, f.footer)
}

// paintStatusCells colours the labels of Status columns. The widths are
// measured before, on the plain text, and cellWidth skips escape codes,
// so colour never moves a column.
func paintStatusCells(cols []Column, rows [][]string) {
	for i, c := range cols {
		if !c.Status {
			continue
		}
		for _, r := range rows {
			r[i] = Paint(r[i], ToneOf(r[i]))
		}
	}
}

// writeTablewriter draws the grid through tablewriter, folding the
// wrappable columns to maxWidths (nil: no folding).
func writeTablewriter(b *bytes.Buffer, t Table, boxed bool, maxWidths map[int]int, header []string, rows [][]string, footer []string) error {
	var out bytes.Buffer
	tbl := tablewriter.NewTable(&out,
		tablewriter.WithRenderer(renderer.NewBlueprint(rendition(boxed))),
		tablewriter.WithConfig(gridConfig(t, boxed, maxWidths)),
	)
	tbl.Header(header)
	if err := tbl.Bulk(rows); err != nil {
		return err
	}
	if footer != nil {
		tbl.Footer(footer)
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	// tablewriter pads the last column too; trailing blanks upset diffs,
	// golden files and copy-paste, so every line is trimmed.
	for line := range strings.Lines(out.String()) {
		b.WriteString(strings.TrimRight(line, " \n"))
		b.WriteByte('\n')
	}
	return nil
}

// textCells returns the cleaned header, rows and footer. Empty cells become
// "-" so that awk and cut still find every column in piped output. Cells
// are trimmed as tablewriter trims them, so that widths are measured on
// what is printed.
func textCells(t Table) (header []string, rows [][]string, footer []string) {
	header = make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = strings.TrimSpace(strings.ToUpper(clean(c.Name)))
	}
	rows = make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = textRow(r, "-")
	}
	if t.Footer != nil {
		// A totals row is not data to be cut into columns; blanks read
		// better there than dashes.
		footer = textRow(t.Footer, "")
	}
	return header, rows, footer
}

func textRow(r []string, blank string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		c = clean(c)
		if c == "" {
			c = blank
		}
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// cellWidth is the display width of a cleaned cell: its length when it is
// ASCII without escape codes, which almost every cell is, else what
// tablewriter measures (which skips escape codes).
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == 0x1b {
			return twwidth.Width(s)
		}
	}
	return len(s)
}

// naturalWidths is the widest cell of each column, header and footer
// included.
func naturalWidths(header []string, rows [][]string, footer []string) []int {
	w := make([]int, len(header))
	measure := func(r []string) {
		for i, c := range r {
			w[i] = max(w[i], cellWidth(c))
		}
	}
	measure(header)
	for _, r := range rows {
		measure(r)
	}
	if footer != nil {
		measure(footer)
	}
	return w
}

// Box drawing of the terminal table, tablewriter's light style.
const (
	boxVertical = "│"
	boxLine     = "─"
)

// writeAligned draws a grid whose cells all fit their columns exactly as
// tablewriter draws it with this package's settings: plain columns padded
// to their widest cell and separated by plainGap, or a light box with one
// blank of padding inside each cell. A test holds the two byte for byte.
func writeAligned(b *bytes.Buffer, t Table, boxed bool, widths []int, header []string, rows [][]string, footer []string) {
	lineWidth := 1
	for _, w := range widths {
		lineWidth += w + len(plainGap) + 2*len(boxVertical)
	}
	b.Grow((len(rows) + 6) * lineWidth)
	rule := func(left, mid, right string) {
		b.WriteString(left)
		for i, w := range widths {
			if i > 0 {
				b.WriteString(mid)
			}
			for range w + boxCellPad {
				b.WriteString(boxLine)
			}
		}
		b.WriteString(right)
		b.WriteByte('\n')
	}
	line := func(cells []string) {
		start := b.Len()
		if boxed {
			b.WriteString(boxVertical)
		}
		for i, c := range cells {
			pad := widths[i] - cellWidth(c)
			if boxed {
				b.WriteByte(' ')
			}
			if t.Columns[i].Align == AlignRight {
				writeSpaces(b, pad)
				b.WriteString(c)
			} else {
				b.WriteString(c)
				writeSpaces(b, pad)
			}
			if boxed {
				b.WriteByte(' ')
				b.WriteString(boxVertical)
			} else {
				b.WriteString(plainGap)
			}
		}
		// Trailing blanks upset diffs, golden files and copy-paste.
		end := b.Len()
		for end > start && b.Bytes()[end-1] == ' ' {
			end--
		}
		b.Truncate(end)
		b.WriteByte('\n')
	}
	if boxed {
		rule("┌", "┬", "┐")
	}
	line(header)
	if boxed {
		rule("├", "┼", "┤")
	}
	for _, r := range rows {
		line(r)
	}
	if footer != nil {
		if boxed {
			rule("├", "┼", "┤")
		}
		line(footer)
	}
	if boxed {
		rule("└", "┴", "┘")
	}
}

// spaces feeds writeSpaces without allocating.
const spaces = "                                                                "

func writeSpaces(b *bytes.Buffer, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	if n > 0 {
		b.WriteString(spaces[:n])
	}
}

// rendition is the tablewriter look: light box drawing on a terminal, no
// lines at all when piped.
func rendition(boxed bool) tw.Rendition {
	if boxed {
		return tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)}
	}
	return tw.Rendition{
		Borders:  tw.BorderNone,
		Symbols:  tw.NewSymbols(tw.StyleNone),
		Settings: tw.Settings{Lines: tw.LinesNone, Separators: tw.SeparatorsNone},
	}
}

// gridConfig sets alignment, padding and wrapping for header, rows and
// footer alike, so that a column lines up in every section. tablewriter's
// defaults (centred, upper-cased "auto-formatted" headers, right-aligned
// footers) are all overridden.
func gridConfig(t Table, boxed bool, maxWidths map[int]int) tablewriter.Config {
	aligns := make([]tw.Align, len(t.Columns))
	for i, c := range t.Columns {
		aligns[i] = tw.AlignLeft
		if c.Align == AlignRight {
			aligns[i] = tw.AlignRight
		}
	}
	pad := tw.Padding{Left: "", Right: plainGap, Overwrite: true}
	if boxed {
		pad = tw.PaddingDefault
	}
	cell := func(wrap int) tw.CellConfig {
		c := tw.CellConfig{
			Formatting: tw.CellFormatting{AutoWrap: wrap, AutoFormat: tw.Off},
			Padding:    tw.CellPadding{Global: pad},
			Alignment:  tw.CellAlignment{Global: tw.AlignLeft, PerColumn: aligns},
		}
		if len(maxWidths) > 0 {
			m := tw.NewMapper[int, int]()
			for col, width := range maxWidths {
				m.Set(col, width)
			}
			c.ColMaxWidths = tw.CellWidth{PerColumn: m}
		}
		return c
	}
	wrap := tw.WrapNone
	if len(maxWidths) > 0 {
		wrap = tw.WrapNormal
	}
	return tablewriter.Config{
		Header: cell(tw.WrapNone),
		Row:    cell(wrap),
		Footer: cell(wrap),
		Behavior: tw.Behavior{
			AutoHide: tw.Off, TrimSpace: tw.On, TrimTab: tw.On, TrimLine: tw.On,
		},
	}
}

// wrapWidths decides how far to fold the wrappable columns so that a boxed
// table fits the terminal. natural holds the widest cell of each column,
// floors how narrow each wrappable one may go (wrapFloors), and
// lastResort how narrow if that is not enough. It returns nil
// (no folding) when output is not a terminal, the width is unknown, the
// table already fits or nothing may wrap. Keys are column indexes, values
// whole cell widths with padding.
func wrapWidths(t Table, opts Options, natural, floors, lastResort []int) map[int]int {
	if !opts.Terminal || opts.Width <= 0 {
		return nil
	}
	natural = slices.Clone(natural)
	total := len(natural) + 1 // one border or separator per column, plus the last
	for _, n := range natural {
		total += n + boxCellPad
	}
	excess := total - opts.Width
	if excess <= 0 {
		return nil
	}
	out := map[int]int{}
	// Fold the widest wrappable column first: it usually holds an error
	// message, and taking from it hurts readability least. Down to floors
	// first, and only then, if that is not enough, to lastResort.
	for _, floor := range [][]int{floors, lastResort} {
		for excess > 0 {
			col := -1
			for i, c := range t.Columns {
				if c.Wrap && natural[i] > floor[i] && (col < 0 || natural[i] > natural[col]) {
					col = i
				}
			}
			if col < 0 {
				break
			}
			cut := min(excess, natural[col]-floor[col])
			natural[col] -= cut
			excess -= cut
			out[col] = natural[col] + boxCellPad
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
