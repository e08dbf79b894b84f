package render

import "testing"

// TestMarkdownEscapesOnlyWhatMarkdownActsOn: arrows and comparisons read
// as typed in the raw report ("3 -> 1", not "3 -&gt; 1"); what would end a
// cell, format text, open an HTML tag or start a blockquote is escaped.
func TestMarkdownEscapesOnlyWhatMarkdownActsOn(t *testing.T) {
	for in, want := range map[string]string{
		"leader moved 3 -> 1 (epoch 4 -> 5)": "leader moved 3 -> 1 (epoch 4 -> 5)",
		"lag < 10 and > 5":                   "lag < 10 and > 5",
		"a | b":                              `a \| b`,
		"<script>alert(1)</script>":          `\<script>alert(1)\</script>`,
		"> quoted":                           `\> quoted`,
		"*bold* `code`":                      "\\*bold\\* \\`code\\`",
		"__consumer_offsets":                 "__consumer_offsets",
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
