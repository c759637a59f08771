package eql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// CategoryField is the field an event category compares (`process where …`
// is `event.category eq process`).
const CategoryField = "event.category"

// Categories returns the event categories the query reads, in order of
// first appearance and without duplicates: the category of an event query,
// or of every sub-query of a sequence or sample (including missing-event
// `![ … ]` steps, excluding the `until` query). "any" is included as written.
func (q *Query) Categories() []string {
	var out []string
	add := func(e *EventQuery) {
		for _, c := range out {
			if c == e.Category {
				return
			}
		}
		out = append(out, e.Category)
	}
	if q.Event != nil {
		add(q.Event)
	}
	for _, s := range q.Steps {
		add(s.Query)
	}
	return out
}

// Lower turns q into the boolean tree of its detection logic (SPEC §4).
// See the package documentation for the rules.
func Lower(q *Query) rule.Expr {
	out := rule.And{}
	if q.Event != nil {
		out = append(out, lowerEvent(q.Event))
	}
	for _, s := range q.Steps {
		e := lowerEvent(s.Query)
		if s.Missing {
			e = rule.Not{X: e}
		}
		out = append(out, e)
	}
	for _, p := range q.Pipes {
		if p.Name == "filter" || p.Name == "where" {
			for _, a := range p.Args {
				out = append(out, lowerCond(a))
			}
		}
	}
	return out
}

func lowerEvent(e *EventQuery) rule.Expr {
	and := make(rule.And, 0, 2)
	if !strings.EqualFold(e.Category, "any") {
		and = append(and, rule.Cmp{FieldRaw: CategoryField, Op: rule.OpEq, Value: e.Category})
	}
	return append(and, lowerCond(e.Cond))
}

// skip makes a Skipped node naming the clause.
func skip(why string, e Expr) rule.Skipped { return qexpr.Skip("eql", why, ExprString(e)) }

func lowerCond(e Expr) rule.Expr {
	switch e := e.(type) {
	case *qexpr.Logical:
		return qexpr.LowerLogical(e, lowerCond)
	case *qexpr.Not:
		return rule.Not{X: lowerCond(e.X)}
	case *qexpr.Compare:
		return lowerCompare(e)
	case *Match:
		return lowerMatch(e)
	case *qexpr.In:
		name, ok := subject(e.L)
		if !ok {
			return skip("in on a computed value", e)
		}
		vals, ok := literals(e.Values)
		if !ok {
			return skip("in with non-literal values", e)
		}
		x := withRole(rule.AnyOf(name, rule.OpIn, vals), e.L)
		if e.Not {
			return rule.Not{X: x}
		}
		return x
	case *qexpr.Call:
		return lowerCall(e)
	case *qexpr.Field:
		return rule.Cmp{FieldRaw: e.Name, Op: rule.OpEq, Value: "true"}
	case *qexpr.Literal:
		if e.Kind == qexpr.LitBool && e.Value == "true" {
			return rule.And{} // `any where true`: no condition
		}
	case *Lineage:
		return skip("lineage ("+e.Relation+" of) is not supported", e)
	}
	return skip("unsupported condition", e)
}

// subject returns the field a predicate tests: a field, or the canonical
// text of a computed value that reads a field (`length(f) > 200` is
// `length(f) gt 200`).
func subject(e Expr) (string, bool) {
	if f, ok := e.(*qexpr.Field); ok {
		return f.Name, true
	}
	if hasField(e) {
		return ExprString(e), true
	}
	return "", false
}

// operand returns the value a predicate compares with: the text of a
// literal, or the canonical text of any other expression (another field,
// `substring(user.name, 0, -1)`), so a comparison between two fields is
// kept as `a eq b`. ok is false for null.
func operand(e Expr) (string, bool) {
	if v, ok := literal(e); ok {
		return v, true
	}
	if l, ok := e.(*qexpr.Literal); ok && l.Kind == qexpr.LitNull {
		return "", false
	}
	return ExprString(e), true
}

// hasField reports whether e reads a field.
func hasField(e Expr) bool { return qexpr.HasField(e, hasField) }

// literal returns the text of a string, number or boolean literal.
func literal(e Expr) (string, bool) {
	l, ok := e.(*qexpr.Literal)
	if !ok || l.Kind == qexpr.LitNull {
		return "", false
	}
	return l.Value, true
}

func literals(es []Expr) ([]string, bool) { return qexpr.Literals(es, literal) }

var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

var cmpOps = map[string]rule.Op{"==": rule.OpEq, "!=": rule.OpEq, "<": rule.OpLt, "<=": rule.OpLte, ">": rule.OpGt, ">=": rule.OpGte}

func lowerCompare(e *qexpr.Compare) rule.Expr {
	l, r, op := e.L, e.R, e.Op
	if _, ok := l.(*qexpr.Literal); ok || !hasField(l) && hasField(r) {
		l, r, op = r, l, flipped[op]
	}
	lit, isLit := r.(*qexpr.Literal)
	// `startsWith(f, "x") == false` and the like.
	if c, isCall := l.(*qexpr.Call); isCall && isLit && lit.Kind == qexpr.LitBool && (op == "==" || op == "!=") {
		if _, known := stringFuncs[strings.ToLower(c.Name)]; known || strings.EqualFold(c.Name, "wildcard") {
			x := lowerCall(c)
			if (op == "==") != (lit.Value == "true") {
				return rule.Not{X: x}
			}
			return x
		}
	}
	name, ok := subject(l)
	if !ok {
		return skip("comparison without a field", e)
	}
	if isLit && lit.Kind == qexpr.LitNull {
		switch op {
		case "==":
			return rule.Cmp{FieldRaw: name, Op: rule.OpIsNull, Role: role(l)}
		case "!=":
			return rule.Cmp{FieldRaw: name, Op: rule.OpIsNotNull, Role: role(l)}
		}
		return skip("ordering comparison with null", e)
	}
	v, _ := operand(r)
	return rule.Cmp{FieldRaw: name, Op: cmpOps[op], Value: v, Negated: op == "!=", Role: role(l)}
}

// lowerMatch lowers `:`, like and regex: wildcard values are classified
// by rule.Pattern; plain values of a list are `in`.
func lowerMatch(e *Match) rule.Expr {
	name, ok := subject(e.L)
	if !ok {
		return skip(e.Op+" on a computed value", e)
	}
	if e.Op == "regex" {
		vals, ok := literals(e.Values)
		if !ok {
			return skip("regex with non-literal values", e)
		}
		return withRole(rule.AnyOf(name, rule.OpRegex, vals), e.L)
	}
	return withRole(patterns(name, e.Values, e), e.L)
}

// patterns lowers wildcard patterns (EQL `*` and `?`, no escapes) into one
// classified predicate each.
func patterns(name string, vals []Expr, orig Expr) rule.Expr {
	or := make(rule.Or, 0, len(vals))
	for _, v := range vals {
		l, ok := v.(*qexpr.Literal)
		if !ok || l.Kind == qexpr.LitNull {
			return skip("pattern is not a literal", orig)
		}
		op, val := rule.OpEq, l.Value
		if l.Kind == qexpr.LitString {
			op, val = rule.Pattern(escapeWild(l.Value))
		}
		if op == rule.OpEq && len(vals) > 1 {
			op = rule.OpIn
		}
		or = append(or, rule.Cmp{FieldRaw: name, Op: op, Value: val})
	}
	if len(or) == 1 {
		return or[0]
	}
	return or
}

// escapeWild converts an EQL wildcard pattern, where a backslash is always
// literal, to the escape convention of rule.Pattern: a backslash that comes
// before `*`, `?` or another backslash is doubled.
func escapeWild(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// stringFuncs maps EQL string predicate functions to operators.
var stringFuncs = map[string]rule.Op{
	"startswith":     rule.OpStartsWith,
	"endswith":       rule.OpEndsWith,
	"stringcontains": rule.OpContains,
	"cidrmatch":      rule.OpCIDR,
}

func lowerCall(c *qexpr.Call) rule.Expr {
	name := strings.ToLower(c.Name)
	op, known := stringFuncs[name]
	if !known && name != "wildcard" {
		return skip("function "+c.Name+" is not a predicate", c)
	}
	if len(c.Args) < 2 {
		return skip("too few arguments", c)
	}
	field, ok := subject(c.Args[0])
	if !ok {
		return skip(c.Name+" on a computed value", c)
	}
	if name == "wildcard" {
		return withRole(patterns(field, c.Args[1:], c), c.Args[0])
	}
	vals := make([]string, 0, len(c.Args)-1)
	for _, a := range c.Args[1:] {
		v, ok := operand(a)
		if !ok {
			return skip(c.Name+" with null", c)
		}
		vals = append(vals, v)
	}
	return withRole(rule.AnyOf(field, op, vals), c.Args[0])
}

// role is the role of a predicate on the tested expression e: computed
// for a computed value (`length(f)`), else event (left empty).
func role(e Expr) rule.Role {
	if _, ok := e.(*qexpr.Field); ok {
		return ""
	}
	return rule.RoleComputed
}

// withRole sets the role of the tested expression e on the predicates of
// x, a Cmp or an Or of them.
func withRole(x rule.Expr, e Expr) rule.Expr {
	r := role(e)
	if r == "" {
		return x
	}
	switch x := x.(type) {
	case rule.Cmp:
		x.Role = r
		return x
	case rule.Or:
		for i, c := range x {
			if c, ok := c.(rule.Cmp); ok {
				c.Role = r
				x[i] = c
			}
		}
	}
	return x
}
