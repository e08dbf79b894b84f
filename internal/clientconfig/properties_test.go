package clientconfig

import (
	"errors"
	"strings"
	"testing"
)

func TestParseProperties(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"equals", "a=b", map[string]string{"a": "b"}},
		{"colon with blanks", "a : b", map[string]string{"a": "b"}},
		{"blank separator", "a   b c", map[string]string{"a": "b c"}},
		{"blank then equals", "a \t= b", map[string]string{"a": "b"}},
		{"only first separator counts", "a==b", map[string]string{"a": "=b"}},
		{"key only", "alone", map[string]string{"alone": ""}},
		{"trailing blanks kept", "a=b  ", map[string]string{"a": "b  "}},
		{"leading blanks dropped", "   a=b", map[string]string{"a": "b"}},
		{"comments", "# c\n! c\n  # indented\na=b", map[string]string{"a": "b"}},
		{"comment not continued", "# c \\\na=b", map[string]string{"a": "b"}},
		{"hash inside value", "a=b#c", map[string]string{"a": "b#c"}},
		{"continuation", "a=one \\\n    two", map[string]string{"a": "one two"}},
		{"continuation keeps hash", "a=x\\\n#y", map[string]string{"a": "x#y"}},
		{"even backslashes", "a=b\\\\\nc=d", map[string]string{"a": `b\`, "c": "d"}},
		{"escapes", `a=t\tn\nr\rf\f`, map[string]string{"a": "t\tn\nr\rf\f"}},
		{"escaped separators in key", `k\=x\:y\ z=v`, map[string]string{"k=x:y z": "v"}},
		{"unicode escape", `a=caf\u00e9`, map[string]string{"a": "café"}},
		{"surrogate pair", `a=\uD83D\uDE00`, map[string]string{"a": "😀"}},
		{"other escape is literal", `a=\q\"`, map[string]string{"a": `q"`}},
		{"crlf and cr", "a=1\r\nb=2\rc=3", map[string]string{"a": "1", "b": "2", "c": "3"}},
		{"last wins", "a=1\na=2", map[string]string{"a": "2"}},
		{"trailing backslash at EOF", `a=b\`, map[string]string{"a": "b"}},
		{"blank lines", "\n  \n\t\na=b\n", map[string]string{"a": "b"}},
		{"latin1 fallback", "a=caf\xe9", map[string]string{"a": "café"}},
		{"utf8", "a=café", map[string]string{"a": "café"}},
		{"jaas over lines", "sasl.jaas.config=x required \\\n  username=\"u\" \\\n  password=\"p\";",
			map[string]string{"sasl.jaas.config": `x required username="u" password="p";`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseProperties(strings.NewReader(tc.in), "t.properties")
			if err != nil {
				t.Fatalf("ParseProperties: %v", err)
			}
			got := p.Map()
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%q = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestParsePropertiesLines(t *testing.T) {
	in := "# header\n\na=1\nb=two \\\n  lines\nc=3\na=4\n"
	p, err := ParseProperties(strings.NewReader(in), "f")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := p.Get("b"); !ok || e.Line != 4 {
		t.Errorf("Get(b) = %+v, %v", e, ok)
	}
	if _, ok := p.Get("missing"); ok {
		t.Error("Get(missing) found something")
	}
	want := []Property{{"a", "4", 7}, {"b", "two lines", 4}, {"c", "3", 6}}
	got := p.All()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParsePropertiesErrors(t *testing.T) {
	cases := []struct {
		name, in  string
		line      int
		wantInErr string
	}{
		{"short unicode", "a=1\nb=\\u12", 2, `\uXXXX`},
		{"bad hex in value", "x=1\n\ny=ab\\uZZZZcd", 3, `value of "y"`},
		{"bad escape in key", "\\u00g0=v", 1, "key"},
		{"binary", "\xfe\xed\xfe\xed\x00\x00", 0, "binary"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProperties(strings.NewReader(tc.in), "client.properties")
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *ConfigError", err)
			}
			if ce.Source != "client.properties" || ce.Line != tc.line {
				t.Errorf("at %s:%d, want client.properties:%d", ce.Source, ce.Line, tc.line)
			}
			if !strings.Contains(err.Error(), tc.wantInErr) || !strings.Contains(err.Error(), "client.properties") {
				t.Errorf("error %q should mention %q and the file", err, tc.wantInErr)
			}
			if strings.Contains(err.Error(), "ab") && tc.name == "bad hex in value" {
				t.Errorf("error %q echoes the value", err)
			}
		})
	}
}
