package views

import (
	"strconv"

	"github.com/kafka-runbook/kafka-runbook/internal/render"

	"github.com/kafka-runbook/kafka-runbook/internal/words"
)

// Cell formatting shared by the views' tables.

// maybe renders a tri-state: "?" when unknown.
func maybe(b *bool) string {
	if b == nil {
		return "?"
	}
	return words.YesNo(*b)
}

func itoa(n int) string { return strconv.Itoa(n) }

// nonNil keeps JSON arrays from being null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// dropped sets when a column is left out of a table too wide for the
// terminal (render.Column.Drop: higher goes first).
func dropped(c render.Column, order int) render.Column {
	c.Drop = order
	return c
}
