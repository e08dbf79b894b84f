package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestJSONMatchesEncoder holds the streamed indentation to what
// json.Encoder with SetIndent writes, byte for byte, on random documents:
// nesting, empty objects and arrays, strings with quotes, backslashes,
// escapes, HTML and non-ASCII, numbers, nulls.
func TestJSONMatchesEncoder(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	strs := []string{"", "a", `"quoted"`, `back\slash`, `\"`, "<b>&amp;</b>", "line\nbreak\ttab", "日本語 🙂", "{[,:]}", "\u2028", "\x00\x1f"}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rnd.IntN(9); {
		case depth > 4 || k < 3:
			switch rnd.IntN(5) {
			case 0:
				return strs[rnd.IntN(len(strs))]
			case 1:
				return rnd.IntN(2000) - 1000
			case 2:
				return rnd.Float64() * 1e6
			case 3:
				return rnd.IntN(2) == 0
			}
			return nil
		case k < 6:
			n := rnd.IntN(4)
			a := make([]any, n)
			for i := range a {
				a[i] = value(depth + 1)
			}
			return a
		default:
			m := map[string]any{}
			for i := range rnd.IntN(4) {
				m[fmt.Sprint(strs[rnd.IntN(len(strs))], i)] = value(depth + 1)
			}
			return m
		}
	}
	for i := range 3000 {
		v := value(0)
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if err := JSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("document %d differs:\n--- got\n%s\n--- want\n%s", i, got.String(), want.String())
		}
	}
}
