// Package words holds the wording every report shares: counts with their
// nouns, id lists, empty cells, samples of long lists. One spelling of each,
// so the same thing reads the same in triage, runbooks, describe, evidence
// and drills. It imports nothing of this module, so any package may use it.
package words

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Plural is a count with its noun: "1 partition", "3 partitions".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// OrDash is s, or "-" when s is empty: a table cell is never blank.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Capitalize upper-cases the first letter of an ASCII sentence.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// YesNo is "yes" or "no".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// JoinIDs renders broker ids joined by sep: ", " in prose ("brokers 1, 2"),
// "," for replica sets as kafka-topics.sh prints them ("1,2,3"). An empty
// list is "".
func JoinIDs(ids []int32, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return strings.Join(parts, sep)
}

// Sample names up to max of names and counts the rest:
// "a, b, c and 4 more".
func Sample(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

// Ago is how long before now (both ms since the epoch) t was, to a tenth
// of a second: "1.5s ago"; unknown when either is negative.
func Ago(t, now int64, unknown string) string {
	if t < 0 || now < 0 {
		return unknown
	}
	return (time.Duration(now-t) * time.Millisecond).Round(100*time.Millisecond).String() + " ago"
}
