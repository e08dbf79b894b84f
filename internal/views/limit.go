package views

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
)

// Long lists are summarised before they are enumerated, and enumerated worst
// first up to a limit, so that 40,000 under-replicated partitions read as a
// few lines of counts per broker and per topic followed by the partitions
// that matter most, not as a flood. The limit applies to table and Markdown
// output only: JSON always has every row.

// DefaultLimit is how many rows a long list shows when Filter.Limit is 0.
const DefaultLimit = 50

// summariseAbove is the length beyond which a list is preceded by its
// summary tables; shorter lists are read whole at a glance.
const summariseAbove = 20

// rowLimit is the number of rows a long list may show.
func (f Filter) rowLimit() int {
	switch {
	case f.Limit < 0:
		return math.MaxInt
	case f.Limit == 0:
		return DefaultLimit
	}
	return f.Limit
}

// listTitle is a long list's title with its counts: how many rows are
// shown, of how many match the filter, of how many there are. "Partitions
// (65 of 65)" above 50 rows counted the matches as if they were the rows;
// every count now says what it counts.
func listTitle(noun string, shown, matched, total int) string {
	switch {
	case shown == matched && matched == total:
		return fmt.Sprintf("%s (%d)", noun, total)
	case shown == matched:
		return fmt.Sprintf("%s (%d of %d match)", noun, matched, total)
	case matched == total:
		return fmt.Sprintf("%s (%d shown of %d)", noun, shown, total)
	}
	return fmt.Sprintf("%s (%d shown of %d matching, %d in all)", noun, shown, matched, total)
}

// limitNote says how much of a list is shown and how to see the rest, or ""
// when all of it is.
func limitNote(shown, total int, noun, order string) string {
	if shown >= total {
		return ""
	}
	return fmt.Sprintf("showing %d of %d %s, %s: --limit N or --all for more, --output json for all", shown, total, noun, order)
}

// topK returns the k items that sort first by less, in order; ties keep
// their order in items. It costs O(n log k), which matters when a few rows
// of a 250,000-row list are shown.
func topK[T any](items []T, k int, compare func(a, b T) int) []T {
	if k <= 0 {
		return []T{}
	}
	h := &worstHeap[T]{compare: compare}
	if k >= len(items) {
		// Everything is shown: sort it all. A stable sort is O(n log² n);
		// the input index breaks ties instead.
		h.items = make([]indexed[T], len(items))
		for i, it := range items {
			h.items[i] = indexed[T]{it, i}
		}
	} else {
		for i, it := range items {
			e := indexed[T]{it, i}
			if h.Len() < k {
				heap.Push(h, e)
				continue
			}
			if h.before(e, h.items[0]) {
				h.items[0] = e
				heap.Fix(h, 0)
			}
		}
	}
	slices.SortFunc(h.items, func(a, b indexed[T]) int {
		return cmp.Or(compare(a.v, b.v), cmp.Compare(a.i, b.i))
	})
	out := make([]T, len(h.items))
	for i, e := range h.items {
		out[i] = e.v
	}
	return out
}

type indexed[T any] struct {
	v T
	i int
}

// worstHeap keeps the k best items seen with the worst of them on top, so
// that a better item replaces it.
type worstHeap[T any] struct {
	items   []indexed[T]
	compare func(a, b T) int
}

// before reports whether a sorts before b, ties broken by input order.
func (h *worstHeap[T]) before(a, b indexed[T]) bool {
	if c := h.compare(a.v, b.v); c != 0 {
		return c < 0
	}
	return a.i < b.i
}

func (h *worstHeap[T]) Len() int           { return len(h.items) }
func (h *worstHeap[T]) Less(i, j int) bool { return h.before(h.items[j], h.items[i]) }
func (h *worstHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *worstHeap[T]) Push(x any)         { h.items = append(h.items, x.(indexed[T])) }
func (h *worstHeap[T]) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}

// rowsShown is how many rows a list may show given a view's limit; a view
// value not made by its builder (limit 0) shows DefaultLimit.
func rowsShown(limit int) int {
	if limit <= 0 {
		return DefaultLimit
	}
	return limit
}
