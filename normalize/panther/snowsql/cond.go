package snowsql

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// cmpOps maps a comparison to its operator and negation.
var cmpOps = map[string]struct {
	op  rule.Op
	neg bool
}{
	"=": {rule.OpEq, false}, "==": {rule.OpEq, false}, "<>": {rule.OpEq, true}, "!=": {rule.OpEq, true},
	"<": {rule.OpLt, false}, "<=": {rule.OpLte, false}, ">": {rule.OpGt, false}, ">=": {rule.OpGte, false},
}

// flipped is the comparison with its sides swapped (`5 < x` is `x > 5`).
var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "==": "==", "<>": "<>", "!=": "!="}

// cond lowers a condition. computed marks every predicate computed (HAVING
// and QUALIFY). nil means no condition (or the time window only).
func (l *lowerer) cond(n *pg_query.Node, sc *scope, computed bool, depth int) rule.Expr {
	if n == nil {
		return nil
	}
	if depth > maxDepth {
		return rule.Skipped{Reason: l.file + ": condition nested too deeply"}
	}
	switch {
	case n.GetBoolExpr() != nil:
		be := n.GetBoolExpr()
		var kids []rule.Expr
		for _, a := range be.GetArgs() {
			kids = append(kids, l.cond(a, sc, computed, depth+1))
		}
		switch be.GetBoolop() {
		case pg_query.BoolExprType_AND_EXPR:
			return simplify(rule.And(kids))
		case pg_query.BoolExprType_OR_EXPR:
			for i, k := range kids {
				kids[i] = orTrue(k)
			}
			return rule.Or(kids)
		default:
			if len(kids) == 1 && kids[0] != nil {
				return rule.Not{X: kids[0]}
			}
			return nil
		}
	case n.GetAExpr() != nil:
		return l.aexpr(n.GetAExpr(), sc, computed, depth)
	case n.GetNullTest() != nil:
		nt := n.GetNullTest()
		op := rule.OpIsNull
		if nt.GetNulltesttype() == pg_query.NullTestType_IS_NOT_NULL {
			op = rule.OpIsNotNull
		}
		return l.cmp(nt.GetArg(), sc, computed, op, "", false, int(nt.GetLocation()))
	case n.GetBooleanTest() != nil:
		bt := n.GetBooleanTest()
		v, neg := "true", false
		switch bt.GetBooltesttype() {
		case pg_query.BoolTestType_IS_FALSE:
			v = "false"
		case pg_query.BoolTestType_IS_NOT_TRUE:
			neg = true
		case pg_query.BoolTestType_IS_NOT_FALSE:
			v, neg = "false", true
		case pg_query.BoolTestType_IS_UNKNOWN, pg_query.BoolTestType_IS_NOT_UNKNOWN:
			op := rule.OpIsNull
			if bt.GetBooltesttype() == pg_query.BoolTestType_IS_NOT_UNKNOWN {
				op = rule.OpIsNotNull
			}
			return l.cmp(bt.GetArg(), sc, computed, op, "", false, int(bt.GetLocation()))
		}
		return l.cmp(bt.GetArg(), sc, computed, rule.OpEq, v, neg, int(bt.GetLocation()))
	case n.GetFuncCall() != nil:
		return l.funcCond(n.GetFuncCall(), sc, computed, depth)
	case n.GetColumnRef() != nil || n.GetTypeCast() != nil && n.GetTypeCast().GetArg().GetAConst() == nil:
		return l.cmp(n, sc, computed, rule.OpEq, "true", false, location(n))
	case n.GetSubLink() != nil:
		return rule.Skipped{Reason: l.at(int(n.GetSubLink().GetLocation()), "a condition on a subquery (IN/EXISTS (SELECT …)) is not analysed")}
	}
	if v, _, ok := constOf(n); ok {
		if strings.EqualFold(v, "true") {
			return nil
		}
		return rule.Skipped{Reason: l.at(location(n), "the constant condition %s", v)}
	}
	if n.GetAExpr() == nil && isPathNode(n) {
		return l.cmp(n, sc, computed, rule.OpEq, "true", false, location(n))
	}
	return rule.Skipped{Reason: l.at(location(n), "the condition %s is not a field test", render(n))}
}

func isPathNode(n *pg_query.Node) bool {
	return n.GetAExpr() != nil && isPathOp(n.GetAExpr())
}

// location is a node's offset in the bridged text, or -1.
func location(n *pg_query.Node) int {
	switch {
	case n == nil:
		return -1
	case n.GetAExpr() != nil:
		return int(n.GetAExpr().GetLocation())
	case n.GetColumnRef() != nil:
		return int(n.GetColumnRef().GetLocation())
	case n.GetFuncCall() != nil:
		return int(n.GetFuncCall().GetLocation())
	case n.GetTypeCast() != nil:
		return int(n.GetTypeCast().GetLocation())
	case n.GetAConst() != nil:
		return int(n.GetAConst().GetLocation())
	case n.GetBoolExpr() != nil:
		return int(n.GetBoolExpr().GetLocation())
	case n.GetAIndirection() != nil:
		return location(n.GetAIndirection().GetArg())
	}
	return -1
}

// cmp builds one field test of the expression field.
func (l *lowerer) cmp(field *pg_query.Node, sc *scope, computed bool, op rule.Op, val string, neg bool, loc int) rule.Expr {
	r := l.refOf(field, sc, 0)
	c := rule.Cmp{FieldRaw: r.raw, Field: r.field, Op: op, Value: val, Negated: neg}
	if r.computed || computed {
		c.Role, c.Field = rule.RoleComputed, ""
	}
	if c.Field == c.FieldRaw {
		c.Field = ""
	}
	return c
}

// isTime reports whether an expression is Panther's event time.
func (l *lowerer) isTime(n *pg_query.Node, sc *scope) bool {
	r := l.refOf(n, sc, 0)
	name := strings.ToLower(r.field)
	if r.computed {
		name = strings.ToLower(r.raw)
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return timeFields[name]
}

func (l *lowerer) aexpr(e *pg_query.A_Expr, sc *scope, computed bool, depth int) rule.Expr {
	loc := int(e.GetLocation())
	op := opName(e)
	lhs, rhs := e.GetLexpr(), e.GetRexpr()
	switch e.GetKind() {
	case pg_query.A_Expr_Kind_AEXPR_OP:
		if c, ok := cmpOps[op]; ok {
			if x := l.overlapTest(lhs, rhs, sc, computed, loc); x != nil && c.op == rule.OpEq {
				if c.neg { // ARRAY_INTERSECTION(a, […]) != []: they overlap
					return x
				}
				return rule.Not{X: x}
			}
			lv, _, lconst := constOf(lhs)
			rv, rnull, rconst := constOf(rhs)
			switch {
			case lconst && rconst:
				return nil // a constant comparison (1 = 1) tests no field
			case lconst:
				f := cmpOps[flipped[op]]
				if l.isTime(rhs, sc) {
					return l.cmp(rhs, sc, computed, f.op, lv, f.neg, loc)
				}
				return l.cmp(rhs, sc, computed, f.op, lv, f.neg, loc)
			case rconst && rnull:
				return l.cmp(lhs, sc, computed, rule.OpIsNull, "", c.neg, loc)
			case rconst:
				return l.cmp(lhs, sc, computed, c.op, rv, c.neg, loc)
			}
			if vals, ok := constList(rhs); ok && (rhs.GetAArrayExpr() != nil || rhs.GetFuncCall() != nil) {
				return l.cmp(lhs, sc, computed, c.op, arrayText(vals), c.neg, loc) // a whole array
			}
			if l.isTime(lhs, sc) || l.isTime(rhs, sc) {
				return nil // the schedule's time window (see the package doc)
			}
			return rule.Skipped{Reason: l.at(loc, "compares %s with %s, not with a literal", render(lhs), render(rhs))}
		}
		switch op {
		case "~", "~*", "!~", "!~*":
			v, _, ok := constOf(rhs)
			if !ok {
				return rule.Skipped{Reason: l.at(loc, "a regular expression that is not a literal")}
			}
			c := l.cmp(lhs, sc, computed, rule.OpRegex, anchored(v, strings.HasSuffix(op, "*")), strings.HasPrefix(op, "!"), loc).(rule.Cmp)
			c.OpRaw, c.ValueRaw = rule.OpRegex, v
			return c
		}
	case pg_query.A_Expr_Kind_AEXPR_IN:
		vals, ok := constList(rhs)
		if !ok {
			return rule.Skipped{Reason: l.at(loc, "an IN list that is not all literals")}
		}
		return l.anyOf(lhs, sc, computed, rule.OpIn, vals, op == "<>", loc)
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		v, _, ok := constOf(rhs)
		if !ok {
			return rule.Skipped{Reason: l.at(loc, "a LIKE pattern that is not a literal")}
		}
		return l.like(lhs, sc, computed, v, strings.HasPrefix(op, "!"), loc)
	case pg_query.A_Expr_Kind_AEXPR_OP_ANY:
		vals, ok := constList(rhs)
		if !ok {
			return rule.Skipped{Reason: l.at(loc, "%s ANY over values that are not all literals", op)}
		}
		switch op {
		case "=":
			return l.anyOf(lhs, sc, computed, rule.OpIn, vals, false, loc)
		case "~~", "~~*":
			var or rule.Or
			for _, v := range vals {
				or = append(or, l.like(lhs, sc, computed, v, false, loc))
			}
			return or
		}
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		if l.isTime(lhs, sc) {
			return nil
		}
		vals, ok := constList(rhs)
		if !ok || len(vals) != 2 {
			return rule.Skipped{Reason: l.at(loc, "BETWEEN bounds that are not literals")}
		}
		var x rule.Expr = rule.And{l.cmp(lhs, sc, computed, rule.OpGte, vals[0], false, loc), l.cmp(lhs, sc, computed, rule.OpLte, vals[1], false, loc)}
		if e.GetKind() == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN {
			x = rule.Not{X: x}
		}
		return x
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		v, isNull, ok := constOf(rhs)
		if !ok {
			return rule.Skipped{Reason: l.at(loc, "IS DISTINCT FROM a value that is not a literal")}
		}
		neg := e.GetKind() == pg_query.A_Expr_Kind_AEXPR_DISTINCT
		if isNull {
			return l.cmp(lhs, sc, computed, rule.OpIsNull, "", neg, loc)
		}
		return l.cmp(lhs, sc, computed, rule.OpEq, v, neg, loc)
	}
	return rule.Skipped{Reason: l.at(loc, "the operator %s is not analysed", strings.TrimSpace(op+" "+kindWord(e.GetKind())))}
}

func kindWord(k pg_query.A_Expr_Kind) string {
	if k == pg_query.A_Expr_Kind_AEXPR_OP {
		return ""
	}
	return strings.TrimPrefix(k.String(), "AEXPR_")
}

// anchored turns a Snowflake RLIKE pattern, which must match the whole
// value, into a regular expression that says so.
func anchored(p string, fold bool) string {
	s := "^(?:" + p + ")$"
	if fold {
		s = "(?i)" + s
	}
	return s
}

func (l *lowerer) anyOf(field *pg_query.Node, sc *scope, computed bool, op rule.Op, vals []string, neg bool, loc int) rule.Expr {
	or := rule.Or{}
	for _, v := range vals {
		or = append(or, l.cmp(field, sc, computed, op, v, false, loc))
	}
	var x rule.Expr = or
	if len(or) == 1 {
		x = or[0]
	}
	if neg {
		return rule.Not{X: x}
	}
	return x
}

// constList reads the literals of an IN list, an ARRAY[…] or a row.
func constList(n *pg_query.Node) ([]string, bool) {
	var items []*pg_query.Node
	switch {
	case n.GetList() != nil:
		items = n.GetList().GetItems()
	case n.GetAArrayExpr() != nil:
		items = n.GetAArrayExpr().GetElements()
	case n.GetRowExpr() != nil:
		items = n.GetRowExpr().GetArgs()
	case n.GetTypeCast() != nil:
		return constList(n.GetTypeCast().GetArg())
	case n.GetFuncCall() != nil && funcName(n.GetFuncCall()) == "array_construct":
		items = n.GetFuncCall().GetArgs()
	default:
		if v, _, ok := constOf(n); ok {
			return []string{v}, true
		}
		return nil, false
	}
	var out []string
	for _, it := range items {
		v, _, ok := constOf(it)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, len(out) > 0
}

// like lowers a LIKE pattern: `%` is any run, `_` one character, a
// backslash escapes the next character; rule.Pattern then gives eq,
// contains, startswith, endswith or wildcard.
func (l *lowerer) like(field *pg_query.Node, sc *scope, computed bool, pat string, neg bool, loc int) rule.Expr {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '\\':
			if i+1 < len(pat) {
				i++
				writeLiteral(&b, pat[i])
			}
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		default:
			writeLiteral(&b, c)
		}
	}
	op, v := rule.Pattern(b.String())
	c := l.cmp(field, sc, computed, op, v, neg, loc).(rule.Cmp)
	if op == rule.OpWildcard || op == rule.OpIsNotNull {
		c.OpRaw, c.ValueRaw = op, pat
	}
	return c
}

// overlapTest reads `ARRAY_INTERSECTION(a, […]) = []` (either side):
// the overlap of a with the literals, or nil when it is not that shape.
func (l *lowerer) overlapTest(lhs, rhs *pg_query.Node, sc *scope, computed bool, loc int) rule.Expr {
	if isEmptyArray(lhs) {
		lhs, rhs = rhs, lhs
	}
	fc := lhs.GetFuncCall()
	if !isEmptyArray(rhs) || fc == nil || funcName(fc) != "array_intersection" || len(fc.GetArgs()) != 2 {
		return nil
	}
	return l.overlap(fc.GetArgs()[0], fc.GetArgs()[1], sc, computed, loc)
}

// arrayText writes an array of literals as JSON.
func arrayText(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func isEmptyArray(n *pg_query.Node) bool {
	if a := n.GetAArrayExpr(); a != nil {
		return len(a.GetElements()) == 0
	}
	fc := n.GetFuncCall()
	return fc != nil && funcName(fc) == "array_construct" && len(fc.GetArgs()) == 0
}

// overlap is "the array a holds one of the literals of b" (or b of a): an
// OR of `a contains v`; nil when neither side is a literal list.
func (l *lowerer) overlap(a, b *pg_query.Node, sc *scope, computed bool, loc int) rule.Expr {
	vals, ok := constList(b)
	if !ok || b.GetColumnRef() != nil {
		if vals, ok = constList(a); !ok || a.GetColumnRef() != nil {
			return nil
		}
		a = b
	}
	var or rule.Or
	for _, v := range vals {
		or = append(or, l.cmp(a, sc, computed, rule.OpContains, v, false, loc))
	}
	return or
}

func writeLiteral(b *strings.Builder, c byte) {
	if c == '*' || c == '?' || c == '\\' {
		b.WriteByte('\\')
	}
	b.WriteByte(c)
}

// funcCond lowers a function used as a condition.
func (l *lowerer) funcCond(fc *pg_query.FuncCall, sc *scope, computed bool, depth int) rule.Expr {
	loc := int(fc.GetLocation())
	args := fc.GetArgs()
	name := funcName(fc)
	switch {
	case strings.HasPrefix(name, "p_occurs_"):
		return nil // the schedule's time window
	case name == "array_contains" && len(args) == 2:
		if vals, ok := constList(args[1]); ok && args[1].GetAArrayExpr() != nil {
			return l.anyOf(args[0], sc, computed, rule.OpIn, vals, false, loc)
		}
		if v, _, ok := constOf(args[0]); ok {
			return l.cmp(args[1], sc, computed, rule.OpContains, v, false, loc)
		}
		return rule.Skipped{Reason: l.at(loc, "ARRAY_CONTAINS(%s, %s) compares two columns", render(args[0]), render(args[1]))}
	case name == "arrays_overlap" && len(args) == 2:
		if x := l.overlap(args[0], args[1], sc, computed, loc); x != nil {
			return x
		}
		return rule.Skipped{Reason: l.at(loc, "ARRAYS_OVERLAP(%s, %s) compares two columns", render(args[0]), render(args[1]))}
	case (name == "rlike" || name == "regexp_like") && len(args) >= 2:
		v, _, ok := constOf(args[1])
		if !ok {
			return rule.Skipped{Reason: l.at(loc, "a regular expression that is not a literal")}
		}
		fold := false
		if len(args) > 2 {
			if p, _, ok := constOf(args[2]); ok && strings.Contains(p, "i") {
				fold = true
			}
		}
		c := l.cmp(args[0], sc, computed, rule.OpRegex, anchored(v, fold), false, loc).(rule.Cmp)
		c.OpRaw, c.ValueRaw = rule.OpRegex, v
		return c
	case (name == "contains" || name == "startswith" || name == "endswith") && len(args) == 2:
		v, _, ok := constOf(args[1])
		if !ok {
			return rule.Skipped{Reason: l.at(loc, "%s with a value that is not a literal", strings.ToUpper(name))}
		}
		return l.cmp(args[0], sc, computed, rule.Op(name), v, false, loc)
	}
	return rule.Skipped{Reason: l.at(loc, "the function condition %s is not analysed", render(&pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: fc}}))}
}
