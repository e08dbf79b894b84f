// Package render turns view data into output: aligned tables for people,
// Markdown for postmortems and JSON for programs.
//
// It is the only package that draws tables, so every command looks the same
// and a change of style happens in one place. Nothing here reads global
// state: whether the output is a terminal, and how wide it is, are passed in
// Options by the caller, so the same data always renders to the same bytes.
package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format is an output format selected with --output.
type Format string

// The output formats. JSON carries the structured view data rather than the
// tables, so scripts never have to parse humanised numbers.
const (
	FormatTable    Format = "table"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
)

// Formats returns every format ParseFormat accepts, in the order help text
// should list them.
func Formats() []Format { return []Format{FormatTable, FormatJSON, FormatMarkdown} }

// ParseFormat reads a --output value. Case and surrounding blanks are
// ignored because people type flags in a hurry; anything else is an error
// that lists the choices.
func ParseFormat(s string) (Format, error) {
	want := Format(strings.ToLower(strings.TrimSpace(s)))
	names := make([]string, 0, 3)
	for _, f := range Formats() {
		if f == want {
			return f, nil
		}
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown output format %q: choose one of %s", s, strings.Join(names, ", "))
}

// Align is the horizontal alignment of a column.
type Align int

// Alignments. Numbers are right-aligned so that magnitudes line up and a
// lag of 1000000 stands out next to a lag of 12.
const (
	AlignLeft Align = iota
	AlignRight
)

// Column describes one column of a Table.
type Column struct {
	// Name is the header label. Table output upper-cases it, like kubectl.
	Name  string
	Align Align
	// Wrap marks free text (error messages) that may be folded onto several
	// lines when a terminal is too narrow. Other columns never wrap: a
	// broken id or number is worse than a wide table.
	Wrap bool
	// Drop is when the column is left out of a table too wide for the
	// terminal: 0 never (the subject of a row: topic, partition, broker,
	// group), otherwise highest first. What was left out is named under
	// the table. Piped output and Markdown always have every column.
	Drop int
	// Status marks cells that are status, severity or risk labels: they
	// are coloured by ToneOf when Options.Color is set.
	Status bool
}

// Table is one titled table with optional footer and notes.
type Table struct {
	Title string
	// Status, when set, is printed before the title as "STATUS: Title"
	// and coloured on a terminal like any status label.
	Status  string
	Columns []Column
	// Rows holds the cells, one string per column. An empty cell prints as
	// "-" in table output so that whitespace-splitting tools keep counting
	// columns correctly.
	Rows [][]string
	// Footer is an optional summary row (totals), same width as Columns.
	Footer []string
	// Empty is printed instead of the table when Rows is empty, so that a
	// filter matching nothing says so rather than printing a bare header.
	Empty string
	// Notes are informational lines printed under the table.
	Notes []string
	// Warnings name what the table cannot show (a broker that did not
	// answer, a source that failed). They are printed under the table,
	// marked, so that a gap in the data is never silent.
	Warnings []string
}

// Options controls how tables are written.
type Options struct {
	// Format is the output format; the zero value means FormatTable.
	Format Format
	// Terminal is true when the writer is an interactive terminal: tables
	// are boxed there and plain aligned columns otherwise (pipes, files).
	Terminal bool
	// Width is the terminal width in columns, 0 when unknown. Only used
	// when Terminal is true: to fold wrappable columns and prose, and to
	// leave out columns that do not fit.
	Width int
	// Color colours status, severity and risk labels with escape codes.
	// The caller decides (a terminal, NO_COLOR, --color); widths are
	// always measured without the codes.
	Color bool
}

// Tabler is view data that can present itself as tables. Views implement
// it; the value itself is what JSON output encodes.
type Tabler interface {
	Tables() []Table
}

// View writes v in the requested format: JSON encodes v itself, the other
// formats render v.Tables().
func View(w io.Writer, opts Options, v Tabler) error {
	if opts.Format == FormatJSON {
		return JSON(w, v)
	}
	return Render(w, opts, v.Tables()...)
}

// Render writes tables in the table or markdown format, separated by blank
// lines. It refuses FormatJSON: JSON output is the view data, not its tables
// (use JSON or View).
func Render(w io.Writer, opts Options, tables ...Table) error {
	for _, t := range tables {
		if err := t.validate(); err != nil {
			return err
		}
	}
	var write func(io.Writer, Options, Table) error
	switch opts.Format {
	case FormatTable, "":
		write = writeText
	case FormatMarkdown:
		write = writeMarkdown
	case FormatJSON:
		return fmt.Errorf("render: tables cannot be written as JSON; encode the view data with render.JSON")
	default:
		return fmt.Errorf("render: unknown format %q", opts.Format)
	}
	for i, t := range tables {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := write(w, opts, t); err != nil {
			return err
		}
	}
	return nil
}

// JSON writes v as indented JSON followed by a newline. HTML escaping is off
// because broker error messages are read by people and contain < and >.
//
// The output is what json.Encoder with SetIndent("", "  ") writes, but the
// indentation is streamed to w instead of built in a second buffer: a
// 100,000-partition view is about 100 MB of indented JSON, and the encoder
// would hold it twice, each grown by doubling.
func JSON(w io.Writer, v any) error {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	writeIndented(bw, compact.Bytes())
	return bw.Flush()
}

// writeIndented indents compact JSON (as json.Encoder writes it: no blanks
// outside strings) exactly as json.Indent does with a two-space indent:
// one member or element per line, "key": value, and {} and [] for empty
// objects and arrays.
func writeIndented(w *bufio.Writer, src []byte) {
	const indent = "                                                                "
	newline := func(depth int) {
		w.WriteByte('\n')
		for n := 2 * depth; n > 0; n -= min(n, len(indent)) {
			w.WriteString(indent[:min(n, len(indent))])
		}
	}
	depth := 0
	inString, escaped, pending := false, false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			// Copy the rest of the string up to its closing quote at once.
			j := i
			for ; j < len(src); j++ {
				if escaped {
					escaped = false
					continue
				}
				if src[j] == '\\' {
					escaped = true
					continue
				}
				if src[j] == '"' {
					break
				}
			}
			if j == len(src) {
				w.Write(src[i:])
				return
			}
			w.Write(src[i : j+1])
			inString = false
			i = j
			continue
		}
		if pending && c != '}' && c != ']' {
			pending = false
			depth++
			newline(depth)
		}
		switch c {
		case '"':
			inString = true
			w.WriteByte(c)
		case '{', '[':
			// The newline waits: an empty object or array stays {} or [].
			pending = true
			w.WriteByte(c)
		case ',':
			w.WriteByte(c)
			newline(depth)
		case ':':
			w.WriteString(": ")
		case '}', ']':
			if pending {
				pending = false
			} else {
				depth--
				newline(depth)
			}
			w.WriteByte(c)
		default:
			w.WriteByte(c)
		}
	}
}

// validate catches rows of the wrong width: they are programming errors in
// a view, and silently padding them would shift values under wrong headers.
func (t Table) validate() error {
	n := len(t.Columns)
	if n == 0 {
		return fmt.Errorf("render: table %q has no columns", t.Title)
	}
	for i, r := range t.Rows {
		if len(r) != n {
			return fmt.Errorf("render: table %q row %d has %d cells, want %d", t.Title, i, len(r), n)
		}
	}
	if t.Footer != nil && len(t.Footer) != n {
		return fmt.Errorf("render: table %q footer has %d cells, want %d", t.Title, len(t.Footer), n)
	}
	return nil
}

// clean makes a cell safe to print: control characters (newlines in broker
// error messages, escape sequences) would break row alignment or drive the
// terminal, so they become spaces.
func clean(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }

// Heading is the title line: the status, if any, then the title. Every
// format that prints a table's title prints this.
func (t Table) Heading() string {
	title := clean(t.Title)
	if t.Status == "" {
		return title
	}
	if title == "" {
		return clean(t.Status)
	}
	return clean(t.Status) + ": " + title
}

// emptyText is what a table without rows prints.
func (t Table) emptyText() string {
	if t.Empty != "" {
		return t.Empty
	}
	return "(none)"
}
