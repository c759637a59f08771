package pipeline

import (
	"cmp"
	"slices"
	"sync"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Problems collects per-file problems; it is safe for concurrent use.
type Problems struct {
	mu    sync.Mutex
	items []tables.Problem
}

// Add records one problem.
func (ps *Problems) Add(p tables.Problem) {
	ps.mu.Lock()
	ps.items = append(ps.items, p)
	ps.mu.Unlock()
}

// Sorted returns the problems sorted by root, path, line, column and message.
func (ps *Problems) Sorted() []tables.Problem {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	out := slices.Clone(ps.items)
	slices.SortStableFunc(out, func(a, b tables.Problem) int {
		return cmp.Or(cmp.Compare(a.Root, b.Root), cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Msg, b.Msg))
	})
	return out
}

// Len returns the number of problems.
func (ps *Problems) Len() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.items)
}
