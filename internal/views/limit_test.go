package views

import "testing"

// TestListTitleSaysWhatItCounts: a long list's title counts the rows shown,
// the matches and the whole, each for what it is ("Partitions (65 of 65)"
// above 50 rows read as if every match were listed).
func TestListTitleSaysWhatItCounts(t *testing.T) {
	for _, tt := range []struct {
		shown, matched, total int
		want                  string
	}{
		{65, 65, 65, "Partitions (65)"},
		{5, 5, 65, "Partitions (5 of 65 match)"},
		{50, 65, 65, "Partitions (50 shown of 65)"},
		{50, 60, 65, "Partitions (50 shown of 60 matching, 65 in all)"},
		{0, 0, 10, "Partitions (0 of 10 match)"},
	} {
		if got := listTitle("Partitions", tt.shown, tt.matched, tt.total); got != tt.want {
			t.Errorf("listTitle(%d, %d, %d) = %q, want %q", tt.shown, tt.matched, tt.total, got, tt.want)
		}
	}
}
