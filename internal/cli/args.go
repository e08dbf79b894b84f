package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kafka-runbook/kafka-runbook/internal/exitcode"
)

// oneOf is the Args of a command that takes exactly one name from a list
// (a runbook, a view, a code): without it the error lists the choices,
// instead of cobra's "accepts 1 arg(s), received 0", and exits 3.
// choices is called only then, after the flags are parsed (so a runbook
// list can follow --runbook-dir).
func oneOf(noun string, choices func() []string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 1:
			return nil
		case len(args) == 0:
			return exitcode.Usagef(fmt.Sprintf("e.g. '%s %s'", cmd.CommandPath(), firstOr(choices(), noun)),
				"%s needs a %s: one of %s", cmd.CommandPath(), noun, strings.Join(choices(), ", "))
		}
		return exitcode.Usagef(fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath()),
			"%s takes one %s, got %d: %s", cmd.CommandPath(), noun, len(args), strings.Join(args, " "))
	}
}

func firstOr(list []string, otherwise string) string {
	if len(list) == 0 {
		return otherwise
	}
	return list[0]
}

// closest returns the choice nearest to s by edit distance when it is
// close enough to be a typo (at most a third of its length, and at most
// 3 edits), "" otherwise. Comparison ignores case.
func closest(s string, choices []string) string {
	best, bestDist := "", 0
	for _, c := range choices {
		d := editDistance(strings.ToUpper(s), strings.ToUpper(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > min(3, max(1, len(s)/3)) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// flagError is the root's flag error: one line, exit 3, and a hint. A
// duration given without a unit (--timeout 5) gets the value with one
// ("use --timeout 5s"); Go durations need a unit, and 5 seconds is what
// people mean.
func flagError(cmd *cobra.Command, err error) error {
	hint := fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath())
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) && bad.GetFlag() != nil && bad.GetFlag().Value.Type() == "duration" {
		hint = durationHint(bad.GetFlag().Name, bad.GetValue())
	}
	return exitcode.Usage(err, hint)
}

// durationHint suggests a duration flag's value with a unit.
func durationHint(flag, value string) string {
	example := "10s"
	if _, err := time.ParseDuration(value + "s"); err == nil {
		example = value + "s"
	}
	return fmt.Sprintf("durations need a unit: use --%s %s (units: ms, s, m, h)", flag, example)
}
