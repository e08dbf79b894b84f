package findings

import (
	"slices"
	"testing"
)

// TestHygieneCodesSuggestCommandsWithARisk: every hygiene code comes with at least one
// command, each labelled with one of the three risks, so audit and explain never print a
// fix without saying what it can break.
func TestHygieneCodesSuggestCommandsWithARisk(t *testing.T) {
	for _, e := range hygieneCatalogue {
		if len(e.Commands) == 0 {
			t.Errorf("%s suggests no command", e.Code)
		}
		for _, c := range e.Commands {
			if c.Title == "" || c.Command == "" || !slices.Contains([]string{RiskSafe, RiskCaution, RiskDangerous}, c.Risk) {
				t.Errorf("%s: incomplete command %+v", e.Code, c)
			}
			if c.Risk != RiskSafe && c.Consequence == "" {
				t.Errorf("%s: %q changes the cluster but says no consequence", e.Code, c.Command)
			}
		}
		if _, ok := Lookup(e.Code); !ok {
			t.Errorf("%s is not in the catalogue", e.Code)
		}
	}
}
