package kql

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
	return lower(q.Root, "")
}

// rangeOps maps KQL range operators onto rule operators.
var rangeOps = map[string]rule.Op{"<": rule.OpLt, "<=": rule.OpLte, ">": rule.OpGt, ">=": rule.OpGte}

func lower(n Node, prefix string) rule.Expr {
	switch n := n.(type) {
	case Or:
		out := make(rule.Or, len(n))
		for i, x := range n {
			out[i] = lower(x, prefix)
		}
		return out
	case And:
		out := make(rule.And, len(n))
		for i, x := range n {
			out[i] = lower(x, prefix)
		}
		return out
	case Not:
		return rule.Not{X: lower(n.X, prefix)}
	case Field:
		return lowerValue(prefix+n.Field, n.Value, false)
	case Range:
		return rule.Cmp{FieldRaw: prefix + n.Field, Op: rangeOps[n.Op], Value: n.Value.Literal()}
	case Exists:
		return rule.Cmp{FieldRaw: prefix + n.Field, Op: rule.OpIsNotNull}
	case Nested:
		return lower(n.Query, prefix+n.Field+".")
	case Text:
		return rule.Cmp{FieldRaw: rule.KeywordsField, Op: rule.OpMatch, Value: n.Value.Literal()}
	case *Value:
		return rule.Cmp{FieldRaw: rule.KeywordsField, Op: rule.OpMatch, Value: n.Literal()}
	}
	return rule.Skipped{Reason: "unknown KQL node"}
}

// lowerValue lowers the value list of field f. inOr is true for the direct
// members of an or-list, whose plain values become `in` predicates.
func lowerValue(f string, n Node, inOr bool) rule.Expr {
	switch n := n.(type) {
	case *Value:
		if !n.Quoted && n.Pattern == "*" {
			return rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull}
		}
		op, v := rule.Pattern(n.Pattern)
		if op == rule.OpEq && inOr {
			op = rule.OpIn
		}
		return rule.Cmp{FieldRaw: f, Op: cidr.Op(op, v), Value: v}
	case Or:
		out := make(rule.Or, len(n))
		for i, x := range n {
			out[i] = lowerValue(f, x, true)
		}
		return out
	case And:
		out := make(rule.And, len(n))
		for i, x := range n {
			out[i] = lowerValue(f, x, false)
		}
		return out
	case Not:
		return rule.Not{X: lowerValue(f, n.X, false)}
	}
	return rule.Skipped{Reason: "unknown KQL value"}
}
