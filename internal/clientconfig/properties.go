package clientconfig

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxPropertiesSize bounds what ParseProperties reads: client configs are a
// few KiB, so anything larger is the wrong file and should fail fast.
const maxPropertiesSize = 4 << 20

// Property is one effective key=value from a properties file.
type Property struct {
	Key   string
	Value string
	// Line is the 1-based line the entry starts on, for error messages.
	Line int
}

// Properties is a parsed Java .properties file. When a key repeats, the last
// occurrence wins, as in java.util.Properties.
type Properties struct {
	// Name is the file name used in error messages.
	Name    string
	entries []Property
	index   map[string]int
}

// Get returns the entry for key.
func (p *Properties) Get(key string) (Property, bool) {
	if p == nil {
		return Property{}, false
	}
	i, ok := p.index[key]
	if !ok {
		return Property{}, false
	}
	return p.entries[i], true
}

// All returns the effective entries in file order.
func (p *Properties) All() []Property {
	if p == nil {
		return nil
	}
	return append([]Property(nil), p.entries...)
}

// Map returns the effective entries as a map.
func (p *Properties) Map() map[string]string {
	m := make(map[string]string, len(p.All()))
	for _, e := range p.All() {
		m[e.Key] = e.Value
	}
	return m
}

func (p *Properties) set(key, value string, line int) {
	if i, ok := p.index[key]; ok {
		p.entries[i] = Property{Key: key, Value: value, Line: line}
		return
	}
	p.index[key] = len(p.entries)
	p.entries = append(p.entries, Property{Key: key, Value: value, Line: line})
}

// ParseProperties reads a Java .properties file with the rules of
// java.util.Properties.load, so a file that works with kafka-topics.sh
// --command-config works here:
//
//   - lines starting (after blanks) with '#' or '!' are comments;
//   - a key ends at the first unescaped '=', ':' or blank, and blanks around
//     the separator are skipped ("key=value", "key: value", "key value");
//   - trailing blanks of a value are kept (Load trims them like Kafka does);
//   - a line ending in an odd number of backslashes continues on the next
//     line, whose leading blanks are dropped;
//   - escapes \t \n \r \f \uXXXX are decoded and any other escaped character
//     stands for itself ("\=" "\:" "\ " "\\").
//
// Java reads these files as ISO-8859-1; we read UTF-8 (what editors write
// today) and fall back to ISO-8859-1 only when the file is not valid UTF-8.
// Errors are *ConfigError naming name and the line, never the value.
func ParseProperties(r io.Reader, name string) (*Properties, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPropertiesSize+1))
	if err != nil {
		return nil, &ConfigError{Source: name, Problem: "cannot read properties", Err: err}
	}
	if len(data) > maxPropertiesSize {
		return nil, &ConfigError{Source: name, Problem: "file is larger than 4 MiB",
			Hint: "expected a small Kafka client properties file"}
	}
	// A keystore passed as --command-config is a plausible slip mid-incident;
	// Java would silently parse garbage, we say what happened.
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &ConfigError{Source: name, Problem: "file is binary, not a properties file",
			Hint: "--command-config takes Kafka client properties; keystores go in ssl.*.location"}
	}
	text := string(data)
	if !utf8.ValidString(text) {
		text = latin1(data)
	}
	p := &Properties{Name: name, index: map[string]int{}}
	for _, ll := range logicalLines(text) {
		key, value, err := splitKeyValue(ll.text)
		if err != nil {
			return nil, &ConfigError{Source: name, Line: ll.line, Problem: err.Error()}
		}
		p.set(key, value, ll.line)
	}
	return p, nil
}

// logicalLine is one entry after comments are dropped and continuations
// joined; escapes are still raw.
type logicalLine struct {
	text string
	line int
}

// logicalLines splits text into logical lines. It accepts \n, \r\n and \r.
func logicalLines(text string) []logicalLine {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	natural := strings.Split(text, "\n")
	var out []logicalLine
	for i := 0; i < len(natural); i++ {
		start := i + 1
		s := trimLeadingBlanks(natural[i])
		if s == "" || s[0] == '#' || s[0] == '!' {
			// Comment lines never continue, even when they end in '\'.
			continue
		}
		var b strings.Builder
		for {
			cont := endsInOddBackslashes(s)
			if cont {
				s = s[:len(s)-1]
			}
			b.WriteString(s)
			if !cont || i+1 >= len(natural) {
				break
			}
			i++
			s = trimLeadingBlanks(natural[i])
		}
		out = append(out, logicalLine{text: b.String(), line: start})
	}
	return out
}

// splitKeyValue splits a logical line and decodes escapes, the way
// java.util.Properties.load does.
func splitKeyValue(line string) (key, value string, err error) {
	keyLen, valueStart := len(line), len(line)
	hasSep, escaped := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !escaped && (c == '=' || c == ':') {
			keyLen, valueStart, hasSep = i, i+1, true
			break
		}
		if !escaped && isBlank(c) {
			keyLen, valueStart = i, i+1
			break
		}
		escaped = c == '\\' && !escaped
	}
	for valueStart < len(line) {
		c := line[valueStart]
		if isBlank(c) {
			valueStart++
			continue
		}
		if !hasSep && (c == '=' || c == ':') {
			hasSep = true
			valueStart++
			continue
		}
		break
	}
	if key, err = unescape(line[:keyLen]); err != nil {
		return "", "", fmt.Errorf("key: %w", err)
	}
	if value, err = unescape(line[valueStart:]); err != nil {
		// Name the key, not the value: the value may be a password.
		return "", "", fmt.Errorf("value of %q: %w", key, err)
	}
	return key, value, nil
}

// unescape decodes Java properties escapes. UTF-16 surrogate pairs written
// as two \u escapes are joined into one character.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	pendingHigh := rune(-1)
	flush := func() {
		if pendingHigh >= 0 {
			b.WriteRune(utf8.RuneError)
			pendingHigh = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			// A lone trailing backslash is dropped, as Java does at EOF.
			if c != '\\' {
				flush()
				b.WriteByte(c)
			}
			continue
		}
		i++
		if s[i] != 'u' {
			flush()
			b.WriteRune(simpleEscape(s[i]))
			continue
		}
		r, ok := hex4(s[i+1:])
		if !ok {
			return "", fmt.Errorf(`malformed \uXXXX escape (want exactly 4 hex digits)`)
		}
		i += 4
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00:
			flush()
			pendingHigh = r
		case utf16.IsSurrogate(r) && pendingHigh >= 0:
			b.WriteRune(utf16.DecodeRune(pendingHigh, r))
			pendingHigh = -1
		default:
			flush()
			b.WriteRune(r)
		}
	}
	flush()
	return b.String(), nil
}

func simpleEscape(c byte) rune {
	switch c {
	case 't':
		return '\t'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 'f':
		return '\f'
	}
	return rune(c)
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// isBlank is Java's properties whitespace: space, tab and form feed.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimLeadingBlanks(s string) string {
	i := 0
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	return s[i:]
}

func endsInOddBackslashes(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// latin1 decodes ISO-8859-1, where every byte is the code point of the same value.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
