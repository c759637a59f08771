package rule

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxLogicLines bounds the outline Logic writes: a Kusto query whose let
// bindings are inlined many times could otherwise grow without end.
const MaxLogicLines = 400

// Logic renders e as an indented outline of its and/or/not structure, one
// node a line, two spaces a level: "all of" (and), "any of" (or), "not", each
// comparison in the form the rule wrote it once decoded (field, operator,
// quoted value; "not" before a negated operator such as `!=`), and
// "(skipped: reason)" for a clause the parser could not read. A chain of
// ands (or of ors) is one node, as it means the same. Past MaxLogicLines
// lines the outline ends with a line saying how many were left out.
func Logic(e Expr) string {
	if e == nil {
		return ""
	}
	w := &logicWriter{}
	w.node(e, 0)
	if w.dropped > 0 {
		fmt.Fprintf(&w.b, "… %d more lines\n", w.dropped)
	}
	return strings.TrimSuffix(w.b.String(), "\n")
}

type logicWriter struct {
	b       strings.Builder
	lines   int
	dropped int
}

func (w *logicWriter) line(depth int, s string) {
	if w.lines >= MaxLogicLines {
		w.dropped++
		return
	}
	w.lines++
	w.b.WriteString(strings.Repeat("  ", depth))
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w *logicWriter) node(e Expr, depth int) {
	switch e := e.(type) {
	case And:
		w.group("all of", e, depth, func(x Expr) ([]Expr, bool) { a, ok := x.(And); return a, ok })
	case Or:
		w.group("any of", e, depth, func(x Expr) ([]Expr, bool) { o, ok := x.(Or); return o, ok })
	case Not:
		w.line(depth, "not")
		w.node(e.X, depth+1)
	case Cmp:
		w.line(depth, CmpText(Predicate(e)))
	case Skipped:
		w.line(depth, "(skipped: "+e.Reason+")")
	}
}

// group writes an and or an or node; same reports whether a child is of the
// same kind, whose operands are then written in its place.
func (w *logicWriter) group(label string, xs []Expr, depth int, same func(Expr) ([]Expr, bool)) {
	var flat []Expr
	var collect func([]Expr)
	collect = func(xs []Expr) {
		for _, x := range xs {
			if inner, ok := same(x); ok {
				collect(inner)
				continue
			}
			flat = append(flat, x)
		}
	}
	collect(xs)
	switch len(flat) {
	case 0:
		return
	case 1:
		w.node(flat[0], depth)
		return
	}
	w.line(depth, label)
	for _, x := range flat {
		w.node(x, depth+1)
	}
}

// CmpText is one comparison as the rule wrote it once decoded: the raw field,
// "not" before a negated operator, the operator and the quoted value (no
// value for is_null and is_not_null). The value is quoted with Go's rules, so
// leading and trailing spaces and control characters are visible.
func CmpText(p Predicate) string {
	op := p.OpRaw
	if op == "" {
		op = p.Op
	}
	v := p.ValueRaw
	if p.OpRaw == "" {
		v = p.Value
	}
	s := p.FieldRaw + " "
	if p.Negated {
		s += "not "
	}
	s += string(op)
	if op != OpIsNull && op != OpIsNotNull || v != "" {
		s += " " + strconv.Quote(v)
	}
	return s
}
