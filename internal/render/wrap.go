package render

import "strings"

// Wrap folds prose to width columns on word boundaries: a word is never
// split, and one longer than the line stays whole on a line of its own.
// Each line of s is folded on its own; a folded line's continuation keeps
// the line's own leading blanks plus indent, so list items and labelled
// fields stay readable. A line that holds a command to paste (holdsCommand)
// is never folded: folded, it would no longer paste as one command; the
// terminal shows it whole on as many rows as it takes. Width is measured
// without escape codes. A width of 0 or less returns s unchanged.
func Wrap(s string, width int, indent string) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if displayWidth(line) > width && !holdsCommand(line) {
			lines[i] = wrapLine(line, width, indent)
		}
	}
	return strings.Join(lines, "\n")
}

// holdsCommand reports whether a line shows a command to copy: an action's
// "$ command" line, or a kafka-runbook command line such as triage's
// "Next: kafka-runbook run broker-failure -b ...".
func holdsCommand(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " "), "$ ") || strings.Contains(line, "kafka-runbook ")
}

func wrapLine(line string, width int, indent string) string {
	body := strings.TrimLeft(line, " ")
	lead := line[:len(line)-len(body)]
	next := lead + indent
	var b strings.Builder
	b.WriteString(lead)
	used := displayWidth(lead)
	fresh := true // nothing but the prefix on the current line yet
	for _, word := range strings.Fields(body) {
		w := displayWidth(word)
		if !fresh && used+1+w > width {
			b.WriteByte('\n')
			b.WriteString(next)
			used, fresh = displayWidth(next), true
		}
		if !fresh {
			b.WriteByte(' ')
			used++
		}
		b.WriteString(word)
		used += w
		fresh = false
	}
	return b.String()
}

// Wrap folds prose for o: to the terminal's width when the output is a
// terminal of known width in the table format, and not at all otherwise,
// so that piped output, Markdown and golden files never change with the
// width of whoever ran the command.
func (o Options) Wrap(s, indent string) string {
	return Wrap(s, o.proseWidth(), indent)
}

// proseWidth is the width prose is folded to, 0 for none.
func (o Options) proseWidth() int {
	if !o.Terminal || o.Width <= 0 || (o.Format != FormatTable && o.Format != "") {
		return 0
	}
	return o.Width
}
