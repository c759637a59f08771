package qexpr

import "github.com/ruleatlas/ruleatlas/normalize/rule"

// LowerLogical lowers an `and` or `or` with cond for each operand.
func LowerLogical(e *Logical, cond func(Expr) rule.Expr) rule.Expr {
	xs := make([]rule.Expr, len(e.X))
	for i, x := range e.X {
		xs[i] = cond(x)
	}
	if e.Op == "and" {
		return rule.And(xs)
	}
	return rule.Or(xs)
}

// HasField reports whether e reads a field: a field, or a call, arithmetic
// or negation with one inside, as hasField (the language's own test, which
// looks into its own wrappers too) says of the parts.
func HasField(e Expr, hasField func(Expr) bool) bool {
	switch e := e.(type) {
	case *Field:
		return true
	case *Call:
		for _, a := range e.Args {
			if hasField(a) {
				return true
			}
		}
	case *Arith:
		return hasField(e.L) || hasField(e.R)
	case *Neg:
		return hasField(e.X)
	}
	return false
}

// Literals returns the texts literal gives of every expression, or false
// when one is not a literal.
func Literals(es []Expr, literal func(Expr) (string, bool)) ([]string, bool) {
	out := make([]string, len(es))
	for i, e := range es {
		v, ok := literal(e)
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// Skip makes a Skipped node naming the clause: "lang: why: text", the
// text cut to 120 bytes.
func Skip(lang, why, text string) rule.Skipped {
	if len(text) > 120 {
		text = text[:117] + "..."
	}
	return rule.Skipped{Reason: lang + ": " + why + ": " + text}
}
