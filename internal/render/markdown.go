package render

import (
	"bytes"
	"io"
	"strings"
)

// writeMarkdown writes one table as GitHub-flavoured Markdown, to be pasted
// into a postmortem or an incident channel. It is written by hand rather
// than through tablewriter's Markdown renderer, which neither escapes "|"
// nor keeps a cell on one line, and either breaks a GFM table.
//
// Columns are padded so the raw text is readable too; the footer is a bold
// last row; notes follow as a list.
func writeMarkdown(w io.Writer, _ Options, t Table) error {
	var b bytes.Buffer
	if heading := t.Heading(); heading != "" {
		b.WriteString("### ")
		b.WriteString(mdEscape(heading))
		b.WriteString("\n\n")
	}
	if len(t.Rows) == 0 {
		b.WriteString("_")
		b.WriteString(mdEscape(clean(t.emptyText())))
		b.WriteString("_\n")
	} else {
		writeMarkdownGrid(&b, t)
	}
	if len(t.Notes)+len(t.Warnings) > 0 {
		b.WriteByte('\n')
	}
	for _, n := range t.Notes {
		b.WriteString("- ")
		b.WriteString(mdEscape(clean(n)))
		b.WriteByte('\n')
	}
	for _, n := range t.Warnings {
		b.WriteString("- **Warning:** ")
		b.WriteString(mdEscape(clean(n)))
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeMarkdownGrid writes the header, the alignment row, the data rows and
// the footer, every column padded to its widest cell.
func writeMarkdownGrid(b *bytes.Buffer, t Table) {
	header := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = mdEscape(clean(c.Name))
	}
	rows := make([][]string, 0, len(t.Rows)+1)
	for _, r := range t.Rows {
		rows = append(rows, mdRow(r, false))
	}
	if t.Footer != nil {
		rows = append(rows, mdRow(t.Footer, true))
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = max(3, cellWidth(h)) // "---" is the shortest rule
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], cellWidth(c))
		}
	}
	writeMarkdownLine(b, t, header, widths)
	rule := make([]string, len(header))
	for i, c := range t.Columns {
		if c.Align == AlignRight {
			rule[i] = strings.Repeat("-", widths[i]-1) + ":"
		} else {
			rule[i] = strings.Repeat("-", widths[i])
		}
	}
	writeMarkdownLine(b, t, rule, widths)
	for _, r := range rows {
		writeMarkdownLine(b, t, r, widths)
	}
}

func writeMarkdownLine(b *bytes.Buffer, t Table, cells []string, widths []int) {
	b.WriteString("|")
	for i, c := range cells {
		pad := widths[i] - cellWidth(c)
		b.WriteByte(' ')
		if t.Columns[i].Align == AlignRight {
			writeSpaces(b, pad)
			b.WriteString(c)
		} else {
			b.WriteString(c)
			writeSpaces(b, pad)
		}
		b.WriteString(" |")
	}
	b.WriteByte('\n')
}

func mdRow(r []string, bold bool) []string {
	out := make([]string, len(r))
	for i, c := range r {
		c = mdEscape(clean(c))
		if bold && c != "" {
			c = "**" + c + "**"
		}
		out[i] = c
	}
	return out
}

// mdEscaper neutralises the characters that would end a cell ("|") or turn
// broker text into formatting. Underscores are left alone: GFM ignores them
// inside words, and escaping them would make every __consumer_offsets
// unreadable in the raw text. Angle brackets are handled by mdAngles.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`,
	`|`, `\|`,
	"`", "\\`",
	`*`, `\*`,
)

// mdSpecial are the characters mdEscape may change; most cells have none,
// and checking first spares the replacer's allocations.
const mdSpecial = "\\|`*<>"

// mdAngles escapes only the angle brackets Markdown would act on: a "<"
// that could open an HTML tag or autolink, and a ">" that starts the text
// (a blockquote). Every other one stays as typed, so "3 -> 1" reads as
// "3 -> 1" in the raw report, not "3 -&gt; 1".
func mdAngles(s string) string {
	if strings.HasPrefix(s, ">") {
		s = `\` + s
	}
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && i+1 < len(s) && opensTag(s[i+1]) {
			b.WriteString(`\<`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// opensTag says whether c after "<" may start HTML or an autolink.
func opensTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

func mdEscape(s string) string {
	if !strings.ContainsAny(s, mdSpecial) {
		return s
	}
	return mdAngles(mdEscaper.Replace(s))
}
