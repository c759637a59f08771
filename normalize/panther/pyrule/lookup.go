package pyrule

import "github.com/ruleatlas/ruleatlas/normalize/rule"

// Lookups in constant dicts keyed by an event field, and loops over a
// constant dict's items.

// keyLookup is `D[f]`, `D.get(f)` or `D.get(f, d)` over a constant dict D
// whose key f is read from the event (a field, or anything `f == k`
// lowers for, as a split part).
type keyLookup struct {
	dict   *Coll
	dsc    *scope  // the scope of the dict's keys and values
	isKey  []cond  // per key of D: the condition that f equals it
	def    binding // the value when f is none of the keys (None when .get has no default)
	raises bool    // D[f]: a missing key raises KeyError, so that path does not match
}

// keyedLookup recognises a keyLookup (names followed).
func (l *lowerer) keyedLookup(e Expr, sc *scope) (keyLookup, bool) {
	e, sc = l.deref(e, sc)
	var lk keyLookup
	var dictExpr, keyExpr Expr
	switch x := e.(type) {
	case *Call:
		a, ok := x.Fn.(*Attr)
		if !ok || a.Name != "get" || len(x.Args) < 1 || len(x.Args) > 2 {
			return lk, false
		}
		dictExpr, keyExpr = a.X, x.Args[0]
		lk.def = binding{expr: &Const{Pos: x.Pos, Value: "None"}}
		if len(x.Args) == 2 {
			lk.def = binding{expr: x.Args[1], sc: sc}
		}
	case *Subscript:
		dictExpr, keyExpr, lk.raises = x.X, x.Index, true
	default:
		return lk, false
	}
	d, dsc, ok := l.constDict(dictExpr, sc)
	if !ok || len(d.Elts) == 0 || len(d.Elts) > maxUnroll {
		return lk, false
	}
	if _, isLit := l.lits(keyExpr, sc); isLit {
		return lk, false // a literal key: dictValue reads it
	}
	for _, k := range d.Elts {
		kv, ok := l.lits(k, dsc)
		if !ok || len(kv) != 1 || isCollection(k, l, dsc) {
			return lk, false // keys must be plain literals
		}
		c := l.compare(keyExpr, "==", kv[0].expr(), sc, keyExpr)
		if hasSkipped(c) {
			return lk, false
		}
		lk.isKey = append(lk.isKey, c)
	}
	lk.dict, lk.dsc = d, dsc
	return lk, true
}

// byKey splits on the lookup's key: for each key k of D, `f eq k` and
// body(D[k]); when f is none of the keys, body(default), or nothing for
// D[f], which raises.
func (l *lowerer) byKey(lk keyLookup, body func(v binding, missing bool) cond) cond {
	alts := make([]cond, 0, len(lk.dict.Elts)+1)
	none := make([]cond, 0, len(lk.dict.Elts)+1)
	for i := range lk.dict.Elts {
		alts = append(alts, and(lk.isKey[i], body(binding{expr: lk.dict.Values[i], sc: lk.dsc}, false)))
		none = append(none, not(lk.isKey[i]))
	}
	if !lk.raises {
		alts = append(alts, and(append(none, body(lk.def, true))...))
	}
	return or(alts...)
}

// keyedCompare lowers a comparison one of whose operands is a keyLookup
// (`name in SENSITIVE_APIS[source]`) by splitting on the key. A missing
// key with no default in a membership test (`x in D.get(f)`, None)
// raises TypeError: that alternative does not match.
func (l *lowerer) keyedCompare(left Expr, op string, right Expr, sc *scope, whole Expr) (cond, bool) {
	for side, e := range []Expr{left, right} {
		lk, ok := l.keyedLookup(e, sc)
		if !ok {
			continue
		}
		slot := ExprString(e)
		return l.byKey(lk, func(v binding, missing bool) cond {
			if missing && (op == "in" || op == "not in") {
				if vs, ok := l.lits(v.expr, v.sc); ok && len(vs) == 1 && vs[0].kind == '0' {
					return cFalse
				}
			}
			vsc := sc.bind(slot, v)
			name := &Name{Pos: pos(e), ID: slot}
			if side == 0 {
				return l.compare(name, op, right, vsc, whole)
			}
			return l.compare(left, op, name, vsc, whole)
		}), true
	}
	return nil, false
}

// keyedAssign binds `x = D.get(f, d)` / `x = D[f]` for the rest of the
// code once per key (the rest runs under `f eq k` with x bound to D[k]).
// A .get without a default is left to the uses of x (dictLookup for a
// comparison, keyedLoop for a loop).
func (l *lowerer) keyedAssign(s *Assign, sc *scope, next func(*scope) cond) (cond, bool) {
	if _, isName := s.Target.(*Name); !isName {
		return nil, false
	}
	if c, ok := s.Value.(*Call); ok && len(c.Args) < 2 {
		return nil, false // comparisons read x == v over D compactly (dictLookup)
	}
	lk, ok := l.keyedLookup(s.Value, sc)
	if !ok {
		return nil, false
	}
	return l.byKey(lk, func(v binding, _ bool) cond {
		return next(bindTarget(sc, s.Target, v))
	}), true
}

// hasSkipped reports whether c contains a clause beyond the analysis.
func hasSkipped(c cond) bool {
	switch c := c.(type) {
	case rule.Skipped:
		return true
	case cAnd:
		for _, x := range c {
			if hasSkipped(x) {
				return true
			}
		}
	case cOr:
		for _, x := range c {
			if hasSkipped(x) {
				return true
			}
		}
	case cNot:
		return hasSkipped(c.x)
	}
	return false
}

// tupleIn lowers `(a, b) in PAIRS`, PAIRS a constant collection of tuple
// displays of the same length: one alternative per tuple, each
// `a == x and b == y` (not in: the negation).
func (l *lowerer) tupleIn(left Expr, op string, right Expr, sc *scope, whole Expr) (cond, bool) {
	if op != "in" && op != "not in" {
		return nil, false
	}
	t, ok := left.(*Coll)
	if !ok || t.Kind != "tuple" || len(t.Elts) == 0 || hasSplat(t.Elts) {
		return nil, false
	}
	vals, ok := l.elems(right, sc)
	if !ok || len(vals) > maxUnroll {
		return nil, false
	}
	alts := make([]cond, 0, len(vals))
	for _, v := range vals {
		vt, ok := v.expr.(*Coll)
		if !ok || (vt.Kind != "tuple" && vt.Kind != "list") || len(vt.Elts) != len(t.Elts) || hasSplat(vt.Elts) {
			return nil, false
		}
		if vt.Kind == "list" {
			alts = append(alts, cFalse) // a tuple never equals a list
			continue
		}
		parts := make([]cond, len(t.Elts))
		for i, x := range t.Elts {
			slot := ExprString(vt.Elts[i]) + "#tuple"
			vsc := sc.bind(slot, binding{expr: vt.Elts[i], sc: v.sc})
			parts[i] = l.compare(x, "==", &Name{Pos: pos(vt.Elts[i]), ID: slot}, vsc, whole)
		}
		alts = append(alts, and(parts...))
	}
	if op == "not in" {
		return not(or(alts...)), true
	}
	return or(alts...), true
}

// inDisplay lowers `x in [a, b]` over a list, tuple or set display whose
// elements are not all literals (`"*" in [state.get("Action")]`): x == a
// or x == b (not in: the negation), as Python's membership test compares.
func (l *lowerer) inDisplay(left Expr, op string, right Expr, sc *scope, whole Expr) (cond, bool) {
	if op != "in" && op != "not in" {
		return nil, false
	}
	if _, ok := l.lits(right, sc); ok {
		return nil, false // literal collections: one `in` predicate per value
	}
	r, rsc := l.deref(right, sc)
	d, ok := r.(*Coll)
	if !ok || d.Kind == "dict" || len(d.Elts) == 0 || len(d.Elts) > maxUnroll || hasSplat(d.Elts) {
		return nil, false
	}
	alts := make([]cond, len(d.Elts))
	for i, x := range d.Elts {
		slot := ExprString(x) + "#elt"
		alts[i] = l.compare(left, "==", &Name{Pos: pos(x), ID: slot}, sc.bind(slot, binding{expr: x, sc: rsc}), whole)
	}
	if op == "not in" {
		return not(or(alts...)), true
	}
	return or(alts...), true
}
