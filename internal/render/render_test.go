package render

import (
	"bytes"
	"encoding/json"
	"github.com/kafka-runbook/kafka-runbook/internal/testkit"
	"strings"
	"testing"
)

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) { t.Helper(); testkit.Golden(t, name, got) }

func sample() []Table {
	return []Table{{
		Title: "Brokers",
		Columns: []Column{
			{Name: "id", Align: AlignRight}, {Name: "address"}, {Name: "lag", Align: AlignRight},
			{Name: "error", Wrap: true},
		},
		Rows: [][]string{
			{"1", "kafka-1:9092", "12", ""},
			{"3", "", "1234567", "dial tcp 10.0.0.3:9092: connect: connection refused by the peer after three attempts"},
			{"2", "odd|name*`x`", "?", "line one\nline two\x1b[31m"},
		},
		Footer:   []string{"", "total", "1234579", ""},
		Notes:    []string{"3 brokers"},
		Warnings: []string{"cannot read log dirs of broker 3"},
	}, {
		Title:   "Bootstrap",
		Columns: []Column{{Name: "address"}},
		Empty:   "every bootstrap address answered",
	}}
}

func TestRenderGolden(t *testing.T) {
	cases := []struct {
		file string
		opts Options
	}{
		{"sample-plain.txt", Options{Format: FormatTable}},
		{"sample-boxed.txt", Options{Format: FormatTable, Terminal: true}},
		{"sample-boxed-narrow.txt", Options{Format: FormatTable, Terminal: true, Width: 60}},
		{"sample.md", Options{Format: FormatMarkdown}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, c.opts, sample()...); err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, b.Bytes())
		})
	}
}

func TestRenderPlainHasNoBoxOrTrailingBlanks(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, Options{Format: FormatTable}, sample()...); err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(b.String()) {
		if strings.ContainsAny(line, "│─┌+\x1b") {
			t.Errorf("box drawing or escape in piped output: %q", line)
		}
		if strings.TrimRight(line, " \n") != strings.TrimSuffix(line, "\n") {
			t.Errorf("trailing blank: %q", line)
		}
	}
}

func TestRenderBoxedFitsNarrowTerminal(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, Options{Format: FormatTable, Terminal: true, Width: 60}, sample()[0]); err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(b.String()) {
		if !strings.HasPrefix(line, "┌") && !strings.HasPrefix(line, "│") && !strings.HasPrefix(line, "├") && !strings.HasPrefix(line, "└") {
			continue
		}
		if n := len([]rune(strings.TrimSuffix(line, "\n"))); n > 60 {
			t.Errorf("line is %d columns wide, terminal has 60: %q", n, line)
		}
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	for _, f := range []Format{FormatTable, FormatMarkdown} {
		var a, b bytes.Buffer
		if err := Render(&a, Options{Format: f}, sample()...); err != nil {
			t.Fatal(err)
		}
		if err := Render(&b, Options{Format: f}, sample()...); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%s output differs between runs", f)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	bad := Table{Title: "t", Columns: []Column{{Name: "a"}, {Name: "b"}}, Rows: [][]string{{"1"}}}
	cases := []struct {
		name  string
		opts  Options
		table Table
		want  string
	}{
		{"short row", Options{Format: FormatTable}, bad, "row 0 has 1 cells, want 2"},
		{"no columns", Options{Format: FormatTable}, Table{Title: "t"}, "no columns"},
		{"json", Options{Format: FormatJSON}, sample()[0], "render.JSON"},
		{"unknown", Options{Format: "xml"}, sample()[0], `unknown format "xml"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Render(&bytes.Buffer{}, c.opts, c.table)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want error containing %q", err, c.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": FormatTable, "JSON": FormatJSON, " markdown ": FormatMarkdown} {
		got, err := ParseFormat(in)
		if err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseFormat("yaml")
	if err == nil || !strings.Contains(err.Error(), "table, json, markdown") {
		t.Errorf("ParseFormat(yaml) error %v should list the choices", err)
	}
}

type fakeView struct {
	Name  string   `json:"name"`
	Items []string `json:"items"`
}

func (fakeView) Tables() []Table {
	return []Table{{Title: "fake", Columns: []Column{{Name: "a"}}, Rows: [][]string{{"x"}}}}
}

func TestViewJSON(t *testing.T) {
	var b bytes.Buffer
	if err := View(&b, Options{Format: FormatJSON}, fakeView{Name: "<b>", Items: []string{}}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"name\": \"<b>\",\n  \"items\": []\n}\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if !json.Valid(b.Bytes()) {
		t.Error("invalid JSON")
	}
	b.Reset()
	if err := View(&b, Options{Format: FormatTable}, fakeView{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "fake\nA\nx\n" {
		t.Errorf("table view: %q", b.String())
	}
}

func TestHumanize(t *testing.T) {
	cases := []struct{ got, want string }{
		{Bytes(-1), "?"}, {Bytes(0), "0 B"}, {Bytes(1023), "1023 B"}, {Bytes(1024), "1.0 KiB"},
		{Bytes(1536 << 20), "1.5 GiB"}, {Bytes(5 << 40), "5.0 TiB"},
		{Millis(-1), "?"}, {Millis(0), "0ms"}, {Millis(604_800_000), "7d"}, {Millis(90_000), "1m30s"},
		{Millis(3_600_001), "1h1ms"}, {Percent(1, 3), "33.3%"}, {Percent(1, 0), "?"}, {Percent(-1, 5), "?"},
		{Int(int32(-1)), "?"}, {Int(int64(42)), "42"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}
