package kusto

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// pred lowers a where predicate. It returns nil for clauses that carry no
// detection logic (time windows, membership in a sub-query's result).
func (l *lowerer) pred(x Expr, e *env) rule.Expr {
	if !l.step() {
		return nil
	}
	switch x := x.(type) {
	case *Paren:
		if isTabular(x.X) {
			l.sub(x.X, e)
			return nil
		}
		return l.pred(x.X, e)
	case *Binary:
		switch x.Op {
		case "and", "or":
			a, b := l.pred(x.L, e), l.pred(x.R, e)
			switch {
			case a == nil:
				return b
			case b == nil:
				return a
			case x.Op == "and":
				return rule.And{a, b}
			}
			return rule.Or{a, b}
		}
		return l.cmp(x, e)
	case *Between:
		return l.between(x, e)
	case *Call:
		return l.predCall(x, e)
	case *Ident, *Member, *Index:
		if f, ok := l.field(x, e); ok {
			return rule.Cmp{FieldRaw: f, Op: rule.OpEq, Value: "true"}
		}
		if id, ok := x.(*Ident); ok {
			if b := e.lookup(id.Name); b != nil {
				if b.let != nil && b.let.Value != nil && !l.isActive(b.let) {
					l.active = append(l.active, b.let)
					defer func() { l.active = l.active[:len(l.active)-1] }()
					return l.pred(b.let.Value, b.parent)
				}
				if b.val != nil {
					return l.pred(b.val, b.venv)
				}
			}
			if isKeywordValue(id.Name) {
				return nil
			}
		}
	}
	return rule.Skipped{Reason: "where clause not understood: " + l.text(x)}
}

// text prints x for a reason or note, within a budget of printed
// characters per lowering, so hostile queries cannot make lowering slow.
func (l *lowerer) text(x Expr) string {
	if l.printed > maxPrinted {
		return "(expression)"
	}
	s := ExprString(x)
	l.printed += len(s)
	return clip(s)
}

// maxPrinted bounds the characters printed for reasons and notes.
const maxPrinted = 1 << 16

// clip shortens s for a reason text.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// privateRanges are the ranges ipv4_is_private() tests (RFC 1918).
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}

func (l *lowerer) predCall(c *Call, e *env) rule.Expr {
	name := strings.ToLower(callName(c))
	arg := func(i int) Expr {
		if i < len(c.Args) {
			return c.Args[i]
		}
		return nil
	}
	unary := func(op rule.Op) rule.Expr {
		if f, ok := l.field(arg(0), e); ok && len(c.Args) == 1 {
			return rule.Cmp{FieldRaw: f, Op: op}
		}
		return nil
	}
	var out rule.Expr
	switch name {
	case "not":
		if len(c.Args) == 1 {
			if p := l.pred(c.Args[0], e); p != nil {
				return rule.Not{X: p}
			}
			return nil
		}
	case "isempty", "isnull":
		out = unary(rule.OpIsNull)
	case "isnotempty", "isnotnull", "notempty", "notnull": // notempty and notnull are aliases
		out = unary(rule.OpIsNotNull)
	case "ipv4_is_private", "ipv6_is_private":
		if f, ok := l.field(arg(0), e); ok && len(c.Args) == 1 {
			if name == "ipv6_is_private" {
				return anyOf(f, rule.OpCIDR, []string{"fc00::/7"}, false)
			}
			return anyOf(f, rule.OpCIDR, privateRanges, false)
		}
	case "ipv4_is_in_range", "ipv4_is_match", "ipv6_is_match", "ipv4_is_in_any_range", "ipv6_is_in_range",
		"ipv6_is_in_any_range", "has_any_ipv4", "has_any_ipv4_prefix", "has_ipv4", "has_ipv4_prefix":
		if len(c.Args) < 2 {
			break
		}
		f, ok := l.field(arg(0), e)
		if !ok {
			f, ok = l.field(arg(1), e)
			if !ok {
				break
			}
			c = &Call{Fun: c.Fun, Args: append([]Expr{c.Args[1], c.Args[0]}, c.Args[2:]...)}
		}
		var vals []string
		for _, a := range c.Args[1:] {
			vs, cls := l.values(a, e)
			if cls == valSub {
				return nil
			}
			vals = append(vals, vs...)
		}
		if (name == "ipv4_is_match" || name == "ipv6_is_match") && len(vals) == 2 {
			vals = []string{vals[0] + "/" + vals[1]}
		}
		if len(vals) == 0 {
			break
		}
		op := rule.OpCIDR
		if strings.HasPrefix(name, "has_") {
			op = rule.OpContains
		}
		if op == rule.OpCIDR && (name == "ipv4_is_match" || name == "ipv6_is_match") && !strings.Contains(vals[0], "/") {
			op = rule.OpEq
		}
		return anyOf(f, op, vals, false)
	default:
		if b := e.lookup(callName(c)); b != nil && b.let != nil && b.let.Fn != nil {
			// a let-bound predicate function: lower its body with the arguments bound
			if l.calls < maxCalls && !l.isActive(b.let) && b.let.Fn.Body != nil && !isTabular(b.let.Fn.Body) {
				fe := b.parent
				for i, prm := range b.let.Fn.Params {
					var v Expr = prm.Default
					if i < len(c.Args) {
						v = c.Args[i]
					}
					fe = &env{name: prm.Name, val: v, venv: e, parent: fe}
				}
				fe = l.stmts(b.let.Fn.Stmts, fe)
				l.calls++
				l.active = append(l.active, b.let)
				p := l.pred(b.let.Fn.Body, fe)
				l.active = l.active[:len(l.active)-1]
				l.calls--
				return p
			}
		}
	}
	if out != nil {
		return out
	}
	return rule.Skipped{Reason: "where function not understood: " + l.text(c)}
}

// lookThrough lists conversions that leave the field they wrap.
var lookThrough = map[string]bool{
	"tolower": true, "toupper": true, "tostring": true, "todynamic": true, "parse_json": true,
	"toint": true, "tolong": true, "toreal": true, "todouble": true, "tobool": true, "toboolean": true,
	"todecimal": true, "trim": false, "tohex": false, "string": true, "tostring_cs": true, "toguid": true,
}

// field names the column an operand refers to, as the vendor wrote it,
// with dynamic member access dotted: Properties.foo, parse_json(x).y,
// AdditionalFields["z"] → AdditionalFields.z.
func (l *lowerer) field(x Expr, e *env) (string, bool) {
	switch x := x.(type) {
	case *Ident:
		if isKeywordValue(x.Name) {
			return "", false
		}
		if b := e.lookup(x.Name); b != nil {
			if b.val != nil {
				// a parameter naming a column: column_ifexists-style helpers
				return l.field(b.val, b.venv)
			}
			return "", false
		}
		if x.Name == "$left" || x.Name == "$right" {
			return "", false
		}
		return x.Name, true
	case *Member:
		if id, ok := x.X.(*Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			return x.Name, true
		}
		if f, ok := l.field(x.X, e); ok {
			return f + "." + x.Name, true
		}
	case *Index:
		f, ok := l.field(x.X, e)
		if !ok {
			return "", false
		}
		if lit, ok := x.I.(*Lit); ok {
			if lit.Kind == TokString {
				return f + "." + lit.Value, true
			}
			return f + "[" + lit.Value + "]", true
		}
		if u, ok := x.I.(*Unary); ok {
			if lit, ok := u.X.(*Lit); ok {
				return f + "[" + u.Op + lit.Value + "]", true
			}
		}
	case *Paren:
		return l.field(x.X, e)
	case *Star:
		return rule.KeywordsField, true
	case *Call:
		n := strings.ToLower(callName(x))
		switch {
		case lookThrough[n] && len(x.Args) >= 1:
			return l.field(x.Args[0], e)
		case (n == "column_ifexists" || n == "columnifexists") && len(x.Args) == 2:
			if vs, cls := l.values(x.Args[0], e); cls == valConst && len(vs) == 1 {
				return vs[0], true
			}
		}
	}
	return "", false
}

// cmpOps maps Kusto comparison operators to predicate operators; neg marks
// the negated forms.
var cmpOps = map[string]struct {
	op   rule.Op
	neg  bool
	list bool // the right side is a list: one predicate per value
	all  bool // has_all: every value must match
}{
	"==": {op: rule.OpEq}, "=~": {op: rule.OpEq}, "!=": {op: rule.OpEq, neg: true},
	"!~": {op: rule.OpEq, neg: true}, "<>": {op: rule.OpEq, neg: true},
	"<": {op: rule.OpLt}, "<=": {op: rule.OpLte}, ">": {op: rule.OpGt}, ">=": {op: rule.OpGte},
	"has": {op: rule.OpContains}, "has_cs": {op: rule.OpContains}, "contains": {op: rule.OpContains},
	"contains_cs": {op: rule.OpContains}, "!has": {op: rule.OpContains, neg: true},
	"!has_cs": {op: rule.OpContains, neg: true}, "!contains": {op: rule.OpContains, neg: true},
	"!contains_cs": {op: rule.OpContains, neg: true}, "notcontains": {op: rule.OpContains, neg: true},
	"notcontains_cs": {op: rule.OpContains, neg: true},
	"hasprefix":      {op: rule.OpStartsWith}, "hasprefix_cs": {op: rule.OpStartsWith},
	"startswith": {op: rule.OpStartsWith}, "startswith_cs": {op: rule.OpStartsWith},
	"!hasprefix": {op: rule.OpStartsWith, neg: true}, "!startswith": {op: rule.OpStartsWith, neg: true},
	"!startswith_cs": {op: rule.OpStartsWith, neg: true},
	"hassuffix":      {op: rule.OpEndsWith}, "hassuffix_cs": {op: rule.OpEndsWith},
	"endswith": {op: rule.OpEndsWith}, "endswith_cs": {op: rule.OpEndsWith},
	"!hassuffix": {op: rule.OpEndsWith, neg: true}, "!endswith": {op: rule.OpEndsWith, neg: true},
	"!endswith_cs":  {op: rule.OpEndsWith, neg: true},
	"matches regex": {op: rule.OpRegex},
	"in":            {op: rule.OpIn, list: true}, "in~": {op: rule.OpIn, list: true},
	"!in": {op: rule.OpIn, neg: true, list: true}, "!in~": {op: rule.OpIn, neg: true, list: true},
	"has_any": {op: rule.OpContains, list: true}, "has_all": {op: rule.OpContains, list: true, all: true},
	"!has_any": {op: rule.OpContains, neg: true, list: true},
}

// flip mirrors a comparison when the operands are swapped (5 < x).
var flip = map[rule.Op]rule.Op{rule.OpLt: rule.OpGt, rule.OpLte: rule.OpGte, rule.OpGt: rule.OpLt, rule.OpGte: rule.OpLte}

// isTimeField reports fields that hold the event time: filters on them are
// time windows.
func isTimeField(f string) bool {
	return f == "TimeGenerated" || f == "timestamp" || f == "Timestamp" || f == "EventTime"
}

func (l *lowerer) cmp(x *Binary, e *env) rule.Expr {
	spec, ok := cmpOps[x.Op]
	if !ok {
		return rule.Skipped{Reason: "where clause not understood: " + l.text(x)}
	}
	if p, ok := l.boolCmp(x, e); ok {
		return p
	}
	op := spec.op
	expr := false // f is the text of an expression the query computes
	f, fok := l.field(x.L, e)
	vals, cls := l.values(x.R, e)
	var lv []string
	lc := -1
	leftValues := func() ([]string, int) {
		if lc < 0 {
			lv, lc = l.values(x.L, e)
		}
		return lv, lc
	}
	if !fok && !spec.list {
		// a constant on the left: 5 < x
		if f2, ok2 := l.field(x.R, e); ok2 {
			if v2, c2 := leftValues(); c2 == valConst || c2 == valTime || c2 == valNone {
				f, fok, vals, cls = f2, true, v2, c2
				if o, ok := flip[op]; ok {
					op = o
				}
			}
		}
	}
	if !fok && (cls == valConst || cls == valNone && spec.list) {
		// a computed value tested against constants: strlen(x) > 50
		f, fok = l.computed(x.L, e)
		expr = fok
	}
	if !fok && !spec.list {
		if v2, c2 := leftValues(); c2 == valConst {
			if f2, ok2 := l.computed(x.R, e); ok2 {
				f, fok, vals, cls, expr = f2, true, v2, c2, true
				if o, ok := flip[op]; ok {
					op = o
				}
			}
		}
	}
	switch {
	case cls == valTime || fok && isTimeField(f):
		return nil
	case cls == valSub || cls == valNone && spec.list:
		if fok {
			l.keptOut(x.L.exprPos(), "a test against a sub-query's or run-time value: "+l.text(x))
		}
		return nil
	case !fok:
		if _, c := leftValues(); c == valConst || c == valNone || c == valTime || c == valSub {
			return nil // constants only: a switch of the query (EnableFilter == false)
		}
		l.notef(x.L.exprPos(), "comparison of computed values kept out of predicates: %s", l.text(x))
		return nil
	case cls == valField:
		l.notef(x.L.exprPos(), "comparison of two columns kept out of predicates: %s", l.text(x))
		return nil
	case cls == valNone:
		if op == rule.OpEq {
			if spec.neg {
				return rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull}
			}
			return rule.Cmp{FieldRaw: f, Op: rule.OpIsNull}
		}
		return nil
	}
	if spec.all {
		var and rule.And
		for _, v := range vals {
			and = append(and, rule.Cmp{FieldRaw: f, Op: op, Value: v, Negated: spec.neg})
		}
		return computedIf(andOf(and), expr)
	}
	return computedIf(anyOf(f, op, vals, spec.neg), expr)
}

// boolCmp lowers `pred(x) == true/false` (ipv4_is_private(ip) == false).
func (l *lowerer) boolCmp(x *Binary, e *env) (rule.Expr, bool) {
	if x.Op != "==" && x.Op != "!=" && x.Op != "=~" && x.Op != "!~" {
		return nil, false
	}
	side, lit := x.L, x.R
	if _, ok := side.(*Ident); ok {
		side, lit = x.R, x.L
	}
	id, ok := lit.(*Ident)
	if !ok {
		return nil, false
	}
	v := strings.ToLower(id.Name)
	if v != "true" && v != "false" || e.lookup(id.Name) != nil {
		return nil, false
	}
	c, ok := side.(*Call)
	if !ok || !isPredFunc(strings.ToLower(callName(c))) {
		return nil, false
	}
	p := l.predCall(c, e)
	if p == nil {
		return nil, true
	}
	if (v == "false") != (x.Op == "!=" || x.Op == "!~") {
		return rule.Not{X: p}, true
	}
	return p, true
}

func isPredFunc(n string) bool {
	switch n {
	case "not", "isempty", "isnotempty", "isnull", "isnotnull", "notempty", "notnull":
		return true
	}
	return strings.HasPrefix(n, "ipv4_is_") || strings.HasPrefix(n, "ipv6_is_") || strings.HasPrefix(n, "has_any_ipv") ||
		strings.HasPrefix(n, "has_ipv")
}

// computed returns the canonical text of an operand that computes a value
// from columns (strlen(x), array_length(s), a - b): such a value tested
// against a constant becomes a predicate on that text.
func (l *lowerer) computed(x Expr, e *env) (string, bool) {
	switch x.(type) {
	case *Call, *Binary, *Paren, *Index, *Member:
	default:
		return "", false
	}
	if !l.refersToColumn(x, e, 0) {
		return "", false
	}
	return l.text(x), true
}

// refersToColumn reports whether x mentions a name that is not bound.
func (l *lowerer) refersToColumn(x Expr, e *env, depth int) bool {
	if depth > 50 {
		return false
	}
	switch x := x.(type) {
	case *Ident:
		return !isKeywordValue(x.Name) && e.lookup(x.Name) == nil
	case *Call:
		for _, a := range x.Args {
			if l.refersToColumn(a, e, depth+1) {
				return true
			}
		}
	case *Binary:
		return l.refersToColumn(x.L, e, depth+1) || l.refersToColumn(x.R, e, depth+1)
	case *Paren:
		return l.refersToColumn(x.X, e, depth+1)
	case *Index:
		return l.refersToColumn(x.X, e, depth+1)
	case *Member:
		return l.refersToColumn(x.X, e, depth+1)
	case *Unary:
		return l.refersToColumn(x.X, e, depth+1)
	case *Named:
		return l.refersToColumn(x.Value, e, depth+1)
	}
	return false
}

// notef records a note on a comparison kept out of the predicates.
func (l *lowerer) notef(p Pos, format string, args ...any) {
	msg := rule.Errorf(p.Line, p.Col, format, args...)
	if len(l.notes) < 20 {
		l.notes = append(l.notes, msg.Error())
	}
	l.keptOut(p, msg.Msg)
}

// keptOut records the first comparison of the query that gives no
// predicate (columns compared, membership in a sub-query's result): a
// query whose logic gives no predicate at all is partial, naming it.
func (l *lowerer) keptOut(p Pos, what string) {
	if l.firstKeptOut == nil {
		l.firstKeptOut = rule.Errorf(p.Line, p.Col,
			"no field/value predicate: the query's comparisons give none (the first: %s)", what)
	}
}

// anyOf is one predicate per value (SPEC §4), joined by or; negated
// predicates (x !in (a, b)) are joined by and, so each stays a top-level
// conjunct.
func anyOf(f string, op rule.Op, vals []string, neg bool) rule.Expr {
	if !neg {
		return rule.AnyOf(f, op, vals)
	}
	and := make(rule.And, len(vals))
	for i, v := range vals {
		and[i] = rule.Cmp{FieldRaw: f, Op: op, Value: v, Negated: true}
	}
	return andOf(and)
}

func (l *lowerer) between(x *Between, e *env) rule.Expr {
	f, ok := l.field(x.X, e)
	expr := false
	if !ok {
		f, ok = l.computed(x.X, e)
		expr = ok
	}
	if !ok {
		if _, c := l.values(x.X, e); c == valSub || c == valConst {
			return nil // a sub-query's result or a constant tested against a range
		}
		return rule.Skipped{Reason: "where clause not understood: " + l.text(x)}
	}
	lo, c1 := l.values(x.Lo, e)
	hi, c2 := l.values(x.Hi, e)
	if c1 == valTime || c2 == valTime || isTimeField(f) {
		return nil
	}
	if c1 == valSub || c2 == valSub {
		return nil
	}
	if c1 != valConst || c2 != valConst || len(lo) != 1 || len(hi) != 1 {
		l.notef(x.X.exprPos(), "range between columns kept out of predicates: %s", l.text(x))
		return nil
	}
	and := computedIf(rule.And{rule.Cmp{FieldRaw: f, Op: rule.OpGte, Value: lo[0]}, rule.Cmp{FieldRaw: f, Op: rule.OpLte, Value: hi[0]}}, expr)
	if x.Neg {
		return rule.Not{X: and}
	}
	return and
}

// allComputed marks every column computed (see withRoles).
var allComputed = &cols{all: true}

// computedIf gives the predicates of p role computed when expr is set: their
// field is the text of an expression the query computes (strlen(x) > 50).
func computedIf(p rule.Expr, expr bool) rule.Expr {
	if !expr {
		return p
	}
	return withRoles(p, allComputed)
}
