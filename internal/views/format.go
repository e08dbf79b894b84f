package views

import (
	"strconv"
	"strings"
)

// Cell formatting shared by the views' tables.

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// maybe renders a tri-state: "?" when unknown.
func maybe(b *bool) string {
	if b == nil {
		return "?"
	}
	return yesNo(*b)
}

// idList renders broker ids as "1,2,3", the way kafka-topics.sh prints
// replica sets; an empty list is an empty cell.
func idList(ids []int32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(int(id))
	}
	return strings.Join(parts, ",")
}

func itoa(n int) string { return strconv.Itoa(n) }

// nonNil keeps JSON arrays from being null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
