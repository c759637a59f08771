package esql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"
	"github.com/ruleatlas/ruleatlas/normalize/elastic/kql"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Indices returns the index patterns of the FROM command, as written.
func (q *Query) Indices() []string { return q.From }

// Lower turns q into the boolean tree of its detection logic (SPEC §4):
// the conjunction of every where clause of the pipeline, with fields
// resolved through eval and rename aliases. See the package documentation.
func Lower(q *Query) rule.Expr {
	l := &lowerer{alias: map[string]string{}, computed: map[string]bool{}}
	out := rule.And{}
	for _, c := range q.Commands {
		switch c := c.(type) {
		case *Where:
			out = append(out, l.cond(c.Cond))
		case *Eval:
			for _, a := range c.Assigns {
				l.assign(a)
			}
		case *Stats:
			for _, a := range c.Aggs {
				name := a.Name
				if name == "" {
					name = ExprString(a.X) // the column ES|QL names after the expression
				}
				delete(l.alias, name)
				l.computed[name] = true
			}
			for _, a := range c.By {
				if a.Name == "" {
					if _, isField := l.field(a.X); !isField {
						l.computed[ExprString(a.X)] = true // `by bucket(@timestamp, 1 hour)`
					}
				}
				l.assign(a)
			}
		case *Rename:
			for _, p := range c.Pairs {
				l.alias[p.New] = l.resolve(p.Old)
				delete(l.alias, p.Old)
				delete(l.computed, p.New)
			}
		case *Generic:
			// Commands that create columns from text (dissect, grok,
			// enrich, completion, …) make new names, which are kept as is.
			if len(c.Toks) > 0 && c.Name != "keep" && c.Name != "drop" && c.Name != "sort" && c.Name != "limit" {
				for _, t := range c.Toks {
					switch {
					case t.Kind == tIdent || t.Kind == tQuoted:
						delete(l.alias, t.Val)
					case t.Kind == tString && (c.Name == "grok" || c.Name == "dissect"):
						for _, n := range patternKeys(t.Val, c.Name == "grok") {
							delete(l.alias, n)
							l.computed[n] = true
						}
					}
				}
			}
		}
	}
	return out
}

// patternKeys returns the column names a dissect pattern (`%{name}`,
// `%{+name}`, `%{name->}`) or grok pattern (`%{WORD:name}`,
// `%{NUMBER:name:int}`) creates.
func patternKeys(pat string, grok bool) []string {
	var out []string
	for {
		i := strings.Index(pat, "%{")
		if i < 0 {
			return out
		}
		pat = pat[i+2:]
		j := strings.IndexByte(pat, '}')
		if j < 0 {
			return out
		}
		key := pat[:j]
		pat = pat[j+1:]
		if grok {
			parts := strings.Split(key, ":")
			if len(parts) < 2 {
				continue
			}
			key = parts[1]
		} else {
			key = strings.TrimSuffix(strings.TrimLeft(key, "+?*&"), "->")
		}
		if key != "" {
			out = append(out, key)
		}
	}
}

// lowerer holds the alias map while a pipeline is lowered.
type lowerer struct {
	// alias maps a column made by eval, rename or a stats grouping to the
	// field it is a simple rename or case-folding of.
	alias map[string]string
	// computed holds the columns the query computes: stats aggregations,
	// evals that are not aliases, columns made by dissect and grok.
	computed map[string]bool
}

// role is the role of a predicate on the tested expression e: computed
// for a column the query computes (directly or through an alias) and for
// a computed value (`length(f)`), else event (left empty).
func (l *lowerer) role(e Expr) rule.Role {
	if f, ok := l.field(e); ok && !l.computed[f] {
		return ""
	}
	return rule.RoleComputed
}

// anyOf is rule.AnyOf with the role of the tested expression e.
func (l *lowerer) anyOf(e Expr, name string, op rule.Op, vals []string) rule.Expr {
	x := rule.AnyOf(name, op, vals)
	role := l.role(e)
	if role == "" {
		return x
	}
	if or, ok := x.(rule.Or); ok {
		for i := range or {
			c := or[i].(rule.Cmp)
			c.Role = role
			or[i] = c
		}
		return or
	}
	c := x.(rule.Cmp)
	c.Role = role
	return c
}

// lookThrough lists the functions whose result is "the same field" for
// predicate purposes: case folding, trimming and type conversions.
var lookThrough = map[string]bool{
	"to_lower": true, "to_upper": true, "trim": true, "ltrim": true, "rtrim": true,
	"to_string": true, "to_str": true, "to_ip": true, "mv_dedupe": true,
	"to_double": true, "to_dbl": true, "to_long": true, "to_integer": true, "to_int": true,
	"to_unsigned_long": true, "to_ul": true, "to_ulong": true, "to_boolean": true, "to_bool": true,
	"to_datetime": true, "to_dt": true, "to_version": true, "to_keyword": true,
	"url_decode": true,
}

// resolve returns the field a column name stands for.
func (l *lowerer) resolve(name string) string {
	if f, ok := l.alias[name]; ok {
		return f
	}
	return name
}

// assign records `name = expr`: a simple rename or look-through call of a
// field makes name an alias of that field; anything else makes it a column
// of its own.
func (l *lowerer) assign(a *Assign) {
	if a.Name == "" {
		return
	}
	if f, ok := l.field(a.X); ok {
		l.alias[a.Name] = f
		if f != a.Name {
			delete(l.computed, a.Name)
		}
		return
	}
	delete(l.alias, a.Name)
	l.computed[a.Name] = true
}

// field returns the resolved field of a field reference, possibly wrapped
// in look-through functions.
func (l *lowerer) field(e Expr) (string, bool) {
	for {
		switch x := e.(type) {
		case *qexpr.Field:
			return l.resolve(x.Name), true
		case *Cast:
			e = x.X
			continue
		case *qexpr.Call:
			if lookThrough[strings.ToLower(x.Name)] && len(x.Args) == 1 {
				e = x.Args[0]
				continue
			}
		}
		return "", false
	}
}

// subject returns the field a predicate tests: a (looked-through) field,
// or the canonical text of a computed value that reads at least one field
// (`length(process.command_line)`, `date_diff("seconds", a, b)`), with
// aliases left as written.
func (l *lowerer) subject(e Expr) (string, bool) {
	if f, ok := l.field(e); ok {
		return f, true
	}
	if hasField(e) {
		return ExprString(e), true
	}
	return "", false
}

// operand returns the value a predicate compares with: the text of a
// constant, or the canonical text of any other expression (another field,
// `now() - 1 hour`), so a comparison between two columns is kept as
// `a lt b`. ok is false for null and query parameters.
func (l *lowerer) operand(e Expr) (string, bool) {
	if v, ok := literal(e); ok {
		return v, true
	}
	if lit, ok := e.(*qexpr.Literal); ok && (lit.Kind == qexpr.LitNull || lit.Kind == qexpr.LitParam) {
		return "", false
	}
	if f, ok := l.field(e); ok {
		if _, plain := e.(*qexpr.Field); plain {
			return f, true
		}
	}
	return ExprString(e), true
}

// hasField reports whether e reads a field.
func hasField(e Expr) bool {
	if c, ok := e.(*Cast); ok {
		return hasField(c.X)
	}
	return qexpr.HasField(e, hasField)
}

// skip makes a Skipped node naming the clause.
func skip(why string, e Expr) rule.Skipped { return qexpr.Skip("esql", why, ExprString(e)) }

// literal returns the text of a string, number, boolean or interval
// literal.
func literal(e Expr) (string, bool) {
	if c, ok := e.(*Cast); ok {
		e = c.X
	}
	lit, ok := e.(*qexpr.Literal)
	if !ok || lit.Kind == qexpr.LitNull || lit.Kind == qexpr.LitParam {
		return "", false
	}
	return lit.Value, true
}

func literals(es []Expr) ([]string, bool) { return qexpr.Literals(es, literal) }

func (l *lowerer) cond(e Expr) rule.Expr {
	switch e := e.(type) {
	case *qexpr.Logical:
		return qexpr.LowerLogical(e, l.cond)
	case *qexpr.Not:
		return rule.Not{X: l.cond(e.X)}
	case *qexpr.Compare:
		return l.compare(e)
	case *Like:
		return l.like(e)
	case *qexpr.In:
		if lit, ok := e.L.(*qexpr.Literal); ok && lit.Kind == qexpr.LitBool && !e.Not {
			// `true in (starts_with(a, "x"), …)`: any of the conditions.
			or := make(rule.Or, len(e.Values))
			for i, v := range e.Values {
				or[i] = l.cond(v)
				if lit.Value == "false" {
					or[i] = rule.Not{X: or[i]}
				}
			}
			return or
		}
		name, ok := l.subject(e.L)
		if !ok {
			return skip("in on a computed value", e)
		}
		vals, ok := literals(e.Values)
		if !ok {
			return skip("in with non-literal values", e)
		}
		x := l.anyOf(e.L, name, rule.OpIn, vals)
		if e.Not {
			return rule.Not{X: x}
		}
		return x
	case *IsNull:
		name, ok := l.subject(e.L)
		if !ok {
			return skip("is null on a computed value", e)
		}
		if e.Not {
			return rule.Cmp{FieldRaw: name, Op: rule.OpIsNotNull, Role: l.role(e.L)}
		}
		return rule.Cmp{FieldRaw: name, Op: rule.OpIsNull, Role: l.role(e.L)}
	case *MatchOp:
		name, ok := l.subject(e.L)
		v, lit := literal(e.R)
		if !ok || !lit {
			return skip("match on a computed value", e)
		}
		return rule.Cmp{FieldRaw: name, Op: rule.OpMatch, Value: v, Role: l.role(e.L)}
	case *qexpr.Call:
		return l.call(e)
	case *qexpr.Field:
		return rule.Cmp{FieldRaw: l.resolve(e.Name), Op: rule.OpEq, Value: "true", Role: l.role(e)}
	case *qexpr.Literal:
		if e.Kind == qexpr.LitBool && e.Value == "true" {
			return rule.And{}
		}
	}
	return skip("unsupported condition", e)
}

var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "=~": "=~"}

var cmpOps = map[string]rule.Op{"==": rule.OpEq, "=~": rule.OpEq, "!=": rule.OpEq,
	"<": rule.OpLt, "<=": rule.OpLte, ">": rule.OpGt, ">=": rule.OpGte}

func (l *lowerer) compare(e *qexpr.Compare) rule.Expr {
	left, right, op := e.L, e.R, e.Op
	if _, ok := literal(left); ok {
		left, right, op = right, left, flipped[op]
	}
	if lit, ok := right.(*qexpr.Literal); ok && lit.Kind == qexpr.LitNull {
		// `f == null` is never true in ES|QL; read it as the author meant.
		if name, ok := l.subject(left); ok && (op == "==" || op == "!=") {
			if op == "==" {
				return rule.Cmp{FieldRaw: name, Op: rule.OpIsNull, Role: l.role(left)}
			}
			return rule.Cmp{FieldRaw: name, Op: rule.OpIsNotNull, Role: l.role(left)}
		}
		return skip("comparison with null", e)
	}
	if !hasField(left) && hasField(right) {
		left, right, op = right, left, flipped[op]
	}
	v, ok := l.operand(right)
	if !ok {
		return skip("comparison with a query parameter", e)
	}
	if c, isCall := left.(*qexpr.Call); isCall {
		// `locate(f, "x") > 0` is f contains x.
		if strings.EqualFold(c.Name, "locate") && len(c.Args) == 2 {
			name, ok1 := l.subject(c.Args[0])
			sub, ok2 := literal(c.Args[1])
			if ok1 && ok2 {
				x := rule.Cmp{FieldRaw: name, Op: rule.OpContains, Value: sub, Role: l.role(c.Args[0])}
				switch {
				case op == ">" && v == "0", op == ">=" && v == "1", op == "!=" && v == "0":
					return x
				case op == "==" && v == "0", op == "<" && v == "1", op == "<=" && v == "0":
					return rule.Not{X: x}
				}
			}
		}
		// `starts_with(f, "x") == false` and the like.
		if lit, isLit := right.(*qexpr.Literal); isLit && lit.Kind == qexpr.LitBool && (op == "==" || op == "!=") && boolFuncs[strings.ToLower(c.Name)] {
			x := l.call(c)
			if (op == "==") != (v == "true") {
				return rule.Not{X: x}
			}
			return x
		}
	}
	name, ok := l.subject(left)
	if !ok {
		return skip("comparison of a computed value", e)
	}
	return rule.Cmp{FieldRaw: name, Op: cmpOps[op], Value: v, Negated: op == "!=", Role: l.role(left)}
}

// like lowers like (wildcard patterns, classified by rule.Pattern; ES|QL
// escapes `\*`, `\?` and `\\` are already its convention) and rlike
// (regex_match).
func (l *lowerer) like(e *Like) rule.Expr {
	name, ok := l.subject(e.L)
	if !ok {
		return skip(e.Op+" on a computed value", e)
	}
	vals, ok := literals(e.Patterns)
	if !ok {
		return skip(e.Op+" with a non-literal pattern", e)
	}
	var x rule.Expr
	if e.Op == "rlike" {
		x = l.anyOf(e.L, name, rule.OpRegex, vals)
	} else {
		or := make(rule.Or, len(vals))
		for i, v := range vals {
			op, val := rule.Pattern(v)
			if op == rule.OpEq && len(vals) > 1 {
				op = rule.OpIn
			}
			or[i] = rule.Cmp{FieldRaw: name, Op: op, Value: val, Role: l.role(e.L)}
		}
		x = or
		if len(or) == 1 {
			x = or[0]
		}
	}
	if e.Not {
		return rule.Not{X: x}
	}
	return x
}

// boolFuncs are the predicate functions call lowers.
var boolFuncs = map[string]bool{
	"starts_with": true, "ends_with": true, "cidr_match": true, "match": true,
	"match_phrase": true, "kql": true, "mv_contains": true, "contains": true,
}

func (l *lowerer) call(c *qexpr.Call) rule.Expr {
	name := strings.ToLower(c.Name)
	if name == "kql" {
		return lowerKQL(c)
	}
	var op rule.Op
	switch name {
	case "starts_with":
		op = rule.OpStartsWith
	case "ends_with":
		op = rule.OpEndsWith
	case "contains":
		op = rule.OpContains
	case "cidr_match":
		op = rule.OpCIDR
	case "match", "match_phrase":
		op = rule.OpMatch
	case "mv_contains":
		op = rule.OpEq
	default:
		return skip("function "+c.Name+" is not a predicate", c)
	}
	if len(c.Args) < 2 {
		return skip("too few arguments", c)
	}
	field, ok := l.subject(c.Args[0])
	if !ok {
		return skip(c.Name+" on a computed value", c)
	}
	args := c.Args[1:]
	if op == rule.OpMatch {
		args = args[:1] // the rest are options
	}
	vals, ok := literals(args)
	if !ok {
		return skip(c.Name+" against a field or computed value", c)
	}
	return l.anyOf(c.Args[0], field, op, vals)
}

// lowerKQL lowers `KQL("…")` with the KQL parser.
func lowerKQL(c *qexpr.Call) rule.Expr {
	if len(c.Args) < 1 {
		return skip("KQL without a query", c)
	}
	lit, ok := c.Args[0].(*qexpr.Literal)
	if !ok || lit.Kind != qexpr.LitString {
		return skip("KQL with a non-literal query", c)
	}
	q, err := kql.Parse(lit.Value)
	if err != nil {
		return rule.Skipped{Reason: "esql: KQL query: " + err.Error()}
	}
	return kql.Lower(q)
}
