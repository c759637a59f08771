package pyrule

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// flipped is the comparison with its operands swapped (membership has none).
var flipped = map[string]string{"==": "==", "!=": "!=", "is": "is", "is not": "is not",
	"<": ">", "<=": ">=", ">": "<", ">=": "<="}

// isEvent reports whether e stands for the event itself.
func (l *lowerer) isEvent(e Expr, sc *scope) bool {
	f, ok := l.field(e, sc)
	return ok && f == ""
}

// fold evaluates a comparison between two literal operands (a module
// constant compared with a data-model method's return value, `X is not
// None` on a constant) to True or False.
func (l *lowerer) fold(left Expr, op string, right Expr, sc *scope) (cond, bool) {
	a, ok1 := l.lits(left, sc)
	b, ok2 := l.lits(right, sc)
	if !ok1 || !ok2 {
		return nil, false
	}
	switch op {
	case "==", "!=", "is", "is not":
		if isCollection(left, l, sc) || isCollection(right, l, sc) || len(a) != 1 || len(b) != 1 {
			return nil, false
		}
		eq := a[0] == b[0]
		return boolConst(eq == (op == "==" || op == "is")), true
	case "in", "not in":
		if len(a) != 1 {
			return nil, false
		}
		if r, _, ok := l.litExpr(right, sc); ok {
			if s, isStr := r.(*Str); isStr { // a substring of a literal string
				if a[0].kind != 's' {
					return nil, false // TypeError
				}
				return boolConst(strings.Contains(s.Value, a[0].s) == (op == "in")), true
			}
		}
		if _, isStr := right.(*Str); isStr {
			return nil, false
		}
		in := false
		for _, v := range b {
			in = in || v == a[0]
		}
		return boolConst(in == (op == "in")), true
	}
	return nil, false
}

// isCollection reports whether e resolves to a collection display.
func isCollection(e Expr, l *lowerer, sc *scope) bool {
	for d := 0; d < 10; d++ {
		switch x := e.(type) {
		case *Coll, *Comp:
			return true
		case *Name:
			v, vsc, ok := l.resolveName(x.ID, sc)
			if !ok {
				return false
			}
			e, sc = v, vsc
		default:
			return false
		}
	}
	return false
}

// dictLookup inverts `D.get(field) == value` and `D[field] == value`
// (also != and in) over a constant dict D: the field is one of the keys
// whose value matches.
func (l *lowerer) dictLookup(lookup Expr, op string, other Expr, sc *scope) (cond, bool) {
	osc := sc
	lookup, sc = l.deref(lookup, sc)
	var dictExpr, keyExpr Expr
	switch x := lookup.(type) {
	case *Call:
		a, ok := x.Fn.(*Attr)
		if !ok || a.Name != "get" || len(x.Args) < 1 {
			return nil, false
		}
		dictExpr, keyExpr = a.X, x.Args[0]
	case *Subscript:
		dictExpr, keyExpr = x.X, x.Index
	default:
		return nil, false
	}
	d, dsc, ok := l.constDict(dictExpr, sc)
	if !ok {
		return nil, false
	}
	f, ok := l.field(keyExpr, sc)
	if !ok || f == "" {
		return nil, false
	}
	want, ok := l.lits(other, osc)
	if !ok {
		return nil, false
	}
	var keys []lit
	for i, k := range d.Elts {
		kv, ok1 := l.lits(k, dsc)
		vv, ok2 := l.lits(d.Values[i], dsc)
		if !ok1 || !ok2 || len(kv) != 1 || len(vv) != 1 {
			return nil, false
		}
		match := false
		for _, w := range want {
			match = match || w == vv[0]
		}
		if op == "==" || op == "is" || op == "in" {
			if len(want) != 1 && op != "in" {
				return nil, false
			}
		}
		if match {
			keys = append(keys, kv[0])
		}
	}
	var c cond
	switch op {
	case "==", "is", "in":
		c = anyOf(f, rule.OpIn, keys)
	case "!=", "is not", "not in":
		c = not(anyOf(f, rule.OpIn, keys))
	default:
		return nil, false
	}
	return c, true
}

// constDict resolves e to a dict display and the scope of its values.
func (l *lowerer) constDict(e Expr, sc *scope) (*Coll, *scope, bool) {
	for d := 0; d < 10; d++ {
		switch x := e.(type) {
		case *Coll:
			return x, sc, x.Kind == "dict"
		case *Name:
			v, vsc, ok := l.resolveName(x.ID, sc)
			if !ok {
				return nil, nil, false
			}
			e, sc = v, vsc
		case *Attr:
			v, _, owner, ok := l.qualified(x, sc)
			if !ok || v == nil {
				return nil, nil, false
			}
			e, sc = v, owner.top
		case *BoolOp, *Call:
			v, vsc, ok := l.litExpr(x, sc) // `x or {}` with x None
			if !ok {
				return nil, nil, false
			}
			e, sc = v, vsc
		default:
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// helperField resolves a call of a function of the repository that
// returns an event field (`def actor_user(event): return
// event.deep_get("a", "b")`): every return names the same field and the
// body ends in a return. A helper that returns a literal on some path (`if
// not x: return None`) is no field: its comparisons and truthiness are
// read per return value (compareReturns, helperAssign, inline).
func (l *lowerer) helperField(call *Call, sc *scope) (string, bool) {
	var f *FuncDef
	var owner *modCtx
	switch fn := call.Fn.(type) {
	case *Name:
		if _, local := sc.lookup(fn.ID); local {
			return "", false
		}
		_, f, owner, _ = l.global(l.modOf(sc), fn.ID, 0)
	case *Attr:
		_, f, owner, _ = l.qualified(fn, sc)
	}
	if f == nil || l.callDepth >= maxCallDepth {
		return "", false
	}
	for _, g := range l.inlining {
		if g == f {
			return "", false
		}
	}
	l.callDepth++
	l.inlining = append(l.inlining, f)
	defer func() { l.callDepth--; l.inlining = l.inlining[:len(l.inlining)-1] }()
	fsc := owner.top
	for i, p := range f.Params {
		if i < len(call.Args) {
			fsc = fsc.bind(p, binding{expr: call.Args[i], sc: sc})
		}
	}
	field, found, ok := "", false, true
	var walk func(stmts []Stmt, s *scope) *scope
	walk = func(stmts []Stmt, s *scope) *scope {
		for _, st := range stmts {
			if !ok {
				return s
			}
			switch st := st.(type) {
			case *Assign:
				s = bindTarget(s, st.Target, binding{expr: st.Value, sc: s})
			case *Return:
				if st.Value == nil {
					continue
				}
				if fv, isField := l.field(st.Value, s); isField && fv != "" {
					if found && fv != field {
						ok = false
					}
					field, found = fv, true
				} else {
					ok = false // a literal on another path: f(e) is not the field there
				}
			case *If:
				walk(st.Body, s)
				walk(st.Else, s)
			case *Block:
				s = walk(st.Body, s)
			case *For:
				ok = false
			}
		}
		return s
	}
	walk(f.Body, fsc)
	if len(f.Body) == 0 {
		return "", false
	}
	if _, last := f.Body[len(f.Body)-1].(*Return); !last {
		return "", false // falling off the end returns None
	}
	return field, ok && found
}

// deref follows local names and udm names being expanded to the
// expression they stand for.
func (l *lowerer) deref(e Expr, sc *scope) (Expr, *scope) {
	for d := 0; d < 10; d++ {
		switch x := e.(type) {
		case *Name:
			b, ok := sc.lookup(x.ID)
			if !ok {
				return e, sc
			}
			e, sc = b.expr, b.sc
		case *Call:
			name, ok := l.udmName(x, sc)
			if !ok {
				return e, sc
			}
			sub := l.udmSub[name]
			if sub == nil || sub.expr == nil {
				return e, sc
			}
			e, sc = sub.expr, sub.sc
		default:
			return e, sc
		}
	}
	return e, sc
}

// isLookup reports whether e is `D.get(field)` or `D[field]` over a constant dict.
func (l *lowerer) isLookup(e Expr, sc *scope) bool {
	e, sc = l.deref(e, sc)
	var dictExpr Expr
	switch x := e.(type) {
	case *Call:
		if a, ok := x.Fn.(*Attr); ok && a.Name == "get" {
			dictExpr = a.X
		}
	case *Subscript:
		dictExpr = x.X
	}
	if dictExpr == nil {
		return false
	}
	_, _, ok := l.constDict(dictExpr, sc)
	return ok
}

// dictValue resolves `D[key]` over a constant dict D and a literal key.
func (l *lowerer) dictValue(dict, key Expr, sc *scope) (Expr, *scope, bool) {
	d, dsc, ok := l.constDict(dict, sc)
	if !ok {
		return nil, nil, false
	}
	k, ok := l.lits(key, sc)
	if !ok || len(k) != 1 {
		return nil, nil, false
	}
	for i, dk := range d.Elts {
		if kv, ok := l.lits(dk, dsc); ok && len(kv) == 1 && kv[0] == k[0] {
			return d.Values[i], dsc, true
		}
	}
	return nil, nil, false
}

// lookThroughCall returns x of `x.lower()` (and the other lookThrough
// methods) called without arguments.
func lookThroughCall(e Expr) (Expr, bool) {
	c, ok := e.(*Call)
	if !ok || len(c.Args) != 0 || len(c.Kwargs) != 0 {
		return nil, false
	}
	a, ok := c.Fn.(*Attr)
	if !ok || !lookThrough[a.Name] {
		return nil, false
	}
	return a.X, true
}

// importedName returns "module.name" for a name imported with `from module import name`.
func (l *lowerer) importedName(id string, sc *scope) string {
	if _, local := sc.lookup(id); local {
		return ""
	}
	ref, ok := l.modOf(sc).imports[id]
	if !ok || ref.name == "" {
		return ""
	}
	return ref.mod + "." + ref.name
}

// lastPart recognises `field.split(sep)[-1]` and `field.rsplit(sep, …)[-1]`
// (the last part of a path or dotted name).
func (l *lowerer) lastPart(e Expr, sc *scope) (field, sep string, ok bool) {
	e, sc = l.deref(e, sc)
	if x, ok := lookThroughCall(e); ok { // parts[-1].lower(), as a field's .lower()
		return l.lastPart(x, sc)
	}
	sub, ok := e.(*Subscript)
	if !ok {
		return "", "", false
	}
	if n, isNum := sub.Index.(*Num); !isNum || n.Text != "-1" {
		return "", "", false
	}
	call, ok := sub.X.(*Call)
	if !ok || len(call.Args) < 1 {
		return "", "", false
	}
	a, ok := call.Fn.(*Attr)
	if !ok || (a.Name != "split" && a.Name != "rsplit") {
		return "", "", false
	}
	sep, ok = l.str(call.Args[0], sc)
	if !ok || sep == "" {
		return "", "", false
	}
	field, ok = l.field(a.X, sc)
	return field, sep, ok && field != ""
}

// lastPartTest lowers `field.split(sep)[-1] == v` (and !=, in, not in
// over literals): the field is v, or ends with sep followed by v.
func (l *lowerer) lastPartTest(e Expr, op string, other Expr, sc *scope) (cond, bool) {
	f, sep, ok := l.lastPart(e, sc)
	if !ok {
		return nil, false
	}
	vs, ok := l.lits(other, sc)
	if !ok {
		return nil, false
	}
	switch op {
	case "==", "!=":
		if len(vs) != 1 || isCollection(other, l, sc) {
			return nil, false
		}
	case "in", "not in":
		if _, isStr := other.(*Str); isStr {
			return nil, false
		}
	default:
		return nil, false
	}
	var xs []cond
	for _, v := range vs {
		if v.kind == '0' || strings.Contains(v.s, sep) {
			continue // the last part is never None and never holds the separator
		}
		xs = append(xs, rule.Cmp{FieldRaw: f, Op: rule.OpEq, Value: v.s},
			rule.Cmp{FieldRaw: f, Op: rule.OpEndsWith, Value: sep + v.s})
	}
	c := or(xs...)
	if op == "!=" || op == "not in" {
		c = not(c)
	}
	return c, true
}

// foldAffix folds `"literal".startswith(t)` / `.endswith(t)` over literal
// strings (a data-model method's literal return value, a constant).
func (l *lowerer) foldAffix(x Expr, op rule.Op, arg Expr, sc *scope) (cond, bool) {
	xsc := sc
	if lit, lsc, ok := l.udmLiteralExpr(x, sc); ok {
		x, xsc = lit, lsc
	}
	recv, ok := l.lits(x, xsc)
	if !ok || len(recv) != 1 || isCollection(x, l, xsc) {
		return nil, false
	}
	if recv[0].kind != 's' {
		return cFalse, true // None.startswith(…) raises: the rule does not match
	}
	vs, ok := l.lits(arg, sc)
	if !ok || len(vs) == 0 {
		return nil, false
	}
	for _, v := range vs {
		if v.kind != 's' {
			return nil, false // Python raises TypeError
		}
		if op == rule.OpStartsWith && strings.HasPrefix(recv[0].s, v.s) ||
			op == rule.OpEndsWith && strings.HasSuffix(recv[0].s, v.s) {
			return cTrue, true
		}
	}
	return cFalse, true
}

// udmLiteralExpr is udmLiteral for an expression: a udm call, a local
// name bound to one, or `udm or "default"` (the first truthy operand, else
// the last, when every operand is a literal).
func (l *lowerer) udmLiteralExpr(e Expr, sc *scope) (Expr, *scope, bool) {
	e, sc = l.derefNames(e, sc)
	switch x := e.(type) {
	case *Call:
		return l.udmLiteral(x, sc)
	case *BoolOp:
		if x.Op != "or" || len(x.Xs) == 0 {
			return nil, nil, false
		}
		for i, y := range x.Xs {
			v, vsc, ok := l.udmLiteralExpr(y, sc)
			if !ok {
				if _, isLit := l.lits(y, sc); !isLit || isCollection(y, l, sc) {
					return nil, nil, false
				}
				v, vsc = y, sc
			}
			if c := l.cond(v, vsc); c == cTrue || i == len(x.Xs)-1 {
				return v, vsc, true
			} else if c != cFalse {
				return nil, nil, false
			}
		}
	}
	return nil, nil, false
}

// derefNames follows local names to the expression they are bound to.
func (l *lowerer) derefNames(e Expr, sc *scope) (Expr, *scope) {
	for d := 0; d < 10; d++ {
		n, ok := e.(*Name)
		if !ok {
			return e, sc
		}
		b, ok := sc.lookup(n.ID)
		if !ok || b.expr == nil {
			return e, sc
		}
		e, sc = b.expr, b.sc
	}
	return e, sc
}

// isinstanceLiteral folds `isinstance(literal, T)` and `isinstance(literal,
// (T1, T2))` over the builtin type names.
func isinstanceLiteral(x, types Expr) (cond, bool) {
	var typ string
	switch v := x.(type) {
	case *Str:
		typ = "str"
	case *Num:
		typ = "int"
		if strings.ContainsAny(v.Text, ".eE") && !strings.HasPrefix(strings.ToLower(v.Text), "0x") {
			typ = "float"
		}
	case *Const:
		typ = map[string]string{"True": "bool", "False": "bool", "None": "NoneType"}[v.Value]
	case *Coll:
		typ = v.Kind
	default:
		return nil, false
	}
	names := []Expr{types}
	if c, ok := types.(*Coll); ok && c.Kind == "tuple" {
		names = c.Elts
	}
	known := map[string]bool{"str": true, "int": true, "float": true, "bool": true, "list": true,
		"tuple": true, "set": true, "dict": true}
	for _, n := range names {
		id, ok := n.(*Name)
		if !ok || !known[id.ID] {
			return nil, false
		}
		if id.ID == typ || id.ID == "int" && typ == "bool" { // bool is a subclass of int
			return cTrue, true
		}
	}
	return cFalse, true
}

// resolved follows names, local or module-level (constants of imported
// modules too), to the expression they are bound to.
func (l *lowerer) resolved(e Expr, sc *scope) Expr {
	for d := 0; d < 10; d++ {
		n, ok := e.(*Name)
		if !ok {
			return e
		}
		x, xsc, ok := l.resolveName(n.ID, sc)
		if !ok {
			return e
		}
		e, sc = x, xsc
	}
	return e
}
