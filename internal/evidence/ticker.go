package evidence

import (
	"fmt"
	"io"
)

// writeTicker prints a poll's events, one line each, folding a kind with
// more than fold events into one line: a broker loss on a large cluster
// shrinks thousands of ISRs at once, and the terminal must stay readable.
// Write errors are ignored: a closed terminal must not stop the recording.
func writeTicker(w io.Writer, evs []Event, fold int) {
	counts := map[Kind]int{}
	for _, e := range evs {
		counts[e.Kind]++
	}
	printed := map[Kind]int{}
	for _, e := range evs {
		n := printed[e.Kind]
		printed[e.Kind]++
		switch {
		case n < fold || counts[e.Kind] == fold+1:
			fmt.Fprintln(w, TickerLine(e))
		case n == fold:
			fmt.Fprintf(w, "%s %-4s ... and %d more %s events (all in %s)\n",
				e.Time.UTC().Format(TimeFormat), sevTag(e.Severity), counts[e.Kind]-fold, e.Kind, EventsFile)
		}
	}
}
