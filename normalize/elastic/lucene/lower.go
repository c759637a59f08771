package lucene

import (
	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/cidr"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Lower turns the query into the common boolean tree of predicates. An
// empty query gives an empty conjunction.
func Lower(q *Query) rule.Expr {
	if q == nil || q.Root == nil {
		return rule.And{}
	}
	return lower(q.Root, false)
}

// lower lowers n; inList is true for the terms of an or-group on one field.
func lower(n Node, inList bool) rule.Expr {
	switch n := n.(type) {
	case Or:
		return lowerOr(n)
	case And:
		out := make(rule.And, len(n))
		for i, x := range n {
			out[i] = lower(x, false)
		}
		return out
	case Not:
		return rule.Not{X: lower(n.X, false)}
	case Must:
		return lower(n.X, false)
	case Group:
		return lower(n.X, inList)
	case Exists:
		return rule.Cmp{FieldRaw: n.Field, Op: rule.OpIsNotNull}
	case Range:
		return lowerRange(n)
	case Term:
		return lowerTerm(n, inList)
	}
	return rule.Skipped{Reason: "unknown Lucene node"}
}

// lowerOr applies Lucene's boolean clause semantics: required and
// prohibited clauses must hold; the optional ones matter only when there is
// no required clause.
func lowerOr(n Or) rule.Expr {
	var must rule.And
	var should rule.Or
	hasMust := false
	sameField := oneField(n)
	for _, x := range n {
		switch x := x.(type) {
		case Must:
			hasMust = true
			must = append(must, lower(x.X, false))
		case Not:
			must = append(must, rule.Not{X: lower(x.X, false)})
		default:
			should = append(should, lower(x, sameField))
		}
	}
	if len(must) == 0 {
		return should
	}
	if !hasMust && len(should) > 0 {
		must = append(must, should)
	}
	return must
}

// oneField reports whether every clause of n is a term on the same field.
func oneField(n Or) bool {
	f := ""
	for _, x := range n {
		t, ok := x.(Term)
		if !ok || t.Field == "" || (f != "" && t.Field != f) {
			return false
		}
		f = t.Field
	}
	return f != ""
}

func lowerTerm(t Term, inList bool) rule.Expr {
	f := t.Field
	if f == "" {
		if t.Value.Regex {
			return rule.Cmp{FieldRaw: rule.KeywordsField, Op: rule.OpRegex, Value: t.Value.Literal()}
		}
		return rule.Cmp{FieldRaw: rule.KeywordsField, Op: rule.OpMatch, Value: t.Value.Literal()}
	}
	if t.Value.Regex {
		return rule.Cmp{FieldRaw: f, Op: rule.OpRegex, Value: t.Value.Literal()}
	}
	op, v := rule.Pattern(t.Value.Pattern)
	if op == rule.OpEq && inList {
		op = rule.OpIn
	}
	return rule.Cmp{FieldRaw: f, Op: cidr.Op(op, v), Value: v}
}

func lowerRange(r Range) rule.Expr {
	var out rule.And
	if r.Lo != "*" {
		op := rule.OpGt
		if r.IncLo {
			op = rule.OpGte
		}
		out = append(out, rule.Cmp{FieldRaw: r.Field, Op: op, Value: unescapePattern(r.Lo)})
	}
	if r.Hi != "*" {
		op := rule.OpLt
		if r.IncHi {
			op = rule.OpLte
		}
		out = append(out, rule.Cmp{FieldRaw: r.Field, Op: op, Value: unescapePattern(r.Hi)})
	}
	switch len(out) {
	case 0:
		return rule.Cmp{FieldRaw: r.Field, Op: rule.OpIsNotNull}
	case 1:
		return out[0]
	}
	return out
}
