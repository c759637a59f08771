package pyrule

// Loops: unrolled over literal collections and constant dicts, or the body
// once over event data.

func (l *lowerer) forLoop(s *For, sc *scope, next func(*scope) cond, k konts) cond {
	if v, _, ok := l.litExpr(s.Iter, sc); ok {
		if c, isConst := v.(*Const); isConst && c.Value == "None" {
			return cFalse // iterating None raises TypeError
		}
	}
	if c, ok := l.keyedLoop(s, sc, next, k); ok {
		return c
	}
	if pair, ok := s.Target.(*Coll); ok && len(pair.Elts) == 2 {
		kn, ok1 := pair.Elts[0].(*Name)
		vn, ok2 := pair.Elts[1].(*Name)
		if items, ok := l.dictItems(s.Iter, sc); ok && ok1 && ok2 {
			// `for k, v in D.items():` over a constant dict: unrolled per item
			var run func(i int, sc2 *scope) cond
			run = func(i int, sc2 *scope) cond {
				if i == len(items) {
					return next(sc2)
				}
				cont := memo(func(sc3 *scope) cond { return run(i+1, sc3) })
				return l.exec(s.Body, sc2.bind(kn.ID, items[i][0]).bind(vn.ID, items[i][1]),
					konts{rest: cont, brk: next, cont: cont, ret: k.ret})
			}
			return run(0, sc)
		}
	}
	v, isName := s.Target.(*Name)
	if isName {
		if vals, ok := l.elems(s.Iter, sc); ok && len(vals) <= maxUnroll {
			// unroll: body(v1); body(v2); …; then the rest
			var run func(i int, sc2 *scope) cond
			run = func(i int, sc2 *scope) cond {
				if i == len(vals) {
					return next(sc2)
				}
				cont := memo(func(sc3 *scope) cond { return run(i+1, sc3) })
				return l.exec(s.Body, sc2.bind(v.ID, vals[i]),
					konts{rest: cont, brk: next, cont: cont, ret: k.ret})
			}
			return run(0, sc)
		}
	}
	// a loop over event data (or anything else): the body once, with the
	// loop variable standing for an element of the iterated value
	iter, isc := l.listOrSingle(s.Iter, sc)
	sc2 := bindTarget(sc, s.Target, binding{expr: iter, sc: isc})
	return l.exec(s.Body, sc2, konts{rest: next, brk: next, cont: next, ret: k.ret})
}

// keyedLoop runs `for x in D.get(k):` (directly or through a name) once
// per key of D, the loop over D[key] under k == key; a missing key gives
// the default, and iterating None raises.
func (l *lowerer) keyedLoop(s *For, sc *scope, next func(*scope) cond, k konts) (cond, bool) {
	lk, ok := l.keyedLookup(s.Iter, sc)
	if !ok {
		return nil, false
	}
	slot := ExprString(s.Iter) + "#iter"
	return l.byKey(lk, func(v binding, _ bool) cond {
		loop := &For{Pos: s.Pos, Target: s.Target, Iter: &Name{Pos: s.Pos, ID: slot}, Body: s.Body}
		return l.forLoop(loop, sc.bind(slot, v), next, k)
	}), true
}

// dictItems resolves `D.items()` over a constant dict to its key/value
// pairs, for `for k, v in D.items():` to unroll.
func (l *lowerer) dictItems(e Expr, sc *scope) ([][2]binding, bool) {
	c, ok := e.(*Call)
	if !ok || len(c.Args) != 0 {
		return nil, false
	}
	a, ok := c.Fn.(*Attr)
	if !ok || a.Name != "items" {
		return nil, false
	}
	d, dsc, ok := l.constDict(a.X, sc)
	if !ok || len(d.Elts) > maxUnroll {
		return nil, false
	}
	out := make([][2]binding, len(d.Elts))
	for i := range d.Elts {
		out[i] = [2]binding{{expr: d.Elts[i], sc: dsc}, {expr: d.Values[i], sc: dsc}}
	}
	return out, true
}

// listOrSingle reads the iterated `x if isinstance(x, list) else [x]` (or
// the branches the other way round), x an event field, as x: iterating
// gives x's elements or x itself, which is what a predicate on the field
// x states.
func (l *lowerer) listOrSingle(e Expr, sc *scope) (Expr, *scope) {
	x, xsc := l.deref(e, sc)
	ie, ok := x.(*IfExp)
	if !ok {
		return e, sc
	}
	for _, pair := range [][2]Expr{{ie.Body, ie.Else}, {ie.Else, ie.Body}} {
		one, ok := pair[1].(*Coll)
		if !ok || one.Kind != "list" || len(one.Elts) != 1 {
			continue
		}
		f, ok1 := l.field(pair[0], xsc)
		g, ok2 := l.field(one.Elts[0], xsc)
		if ok1 && ok2 && f != "" && f == g {
			return pair[0], xsc
		}
	}
	return e, sc
}

// elems resolves an iterable to its elements, each with the scope to
// evaluate it in: a literal collection, a name bound to one, a
// concatenation, or a comprehension over one (`[re.compile(p) for p in
// PATTERNS]` gives one re.compile call per pattern).
func (l *lowerer) elems(e Expr, sc *scope) ([]binding, bool) {
	if !l.enter() {
		return nil, false
	}
	defer l.leave()
	switch e := e.(type) {
	case *Coll:
		if e.Kind == "dict" {
			break
		}
		out := make([]binding, len(e.Elts))
		for i, x := range e.Elts {
			out[i] = binding{expr: x, sc: sc}
		}
		return out, true
	case *Name:
		if x, xsc, ok := l.resolveName(e.ID, sc); ok {
			return l.elems(x, xsc)
		}
		return nil, false
	case *Attr:
		if x, _, owner, ok := l.qualified(e, sc); ok && x != nil {
			return l.elems(x, owner.top)
		}
	case *BinOp:
		if e.Op == "+" || e.Op == "|" {
			a, ok1 := l.elems(e.L, sc)
			b, ok2 := l.elems(e.R, sc)
			if ok1 && ok2 {
				return append(a, b...), true
			}
		}
		return nil, false
	case *Comp:
		if e.Cond != nil {
			return nil, false
		}
		inner, ok := l.elems(e.Iter, sc)
		if !ok || len(inner) > maxUnroll {
			return nil, false
		}
		out := make([]binding, len(inner))
		for i, b := range inner {
			out[i] = binding{expr: e.Elt, sc: sc.bind(e.Var, b)}
		}
		return out, true
	case *Call:
		if fn, ok := e.Fn.(*Name); ok && len(e.Args) == 1 {
			switch fn.ID {
			case "set", "frozenset", "list", "tuple", "sorted":
				return l.elems(e.Args[0], sc)
			}
		}
		if v, vsc, ok := l.callValue(e, sc); ok { // a helper's event-independent result
			return l.elems(v, vsc)
		}
	}
	vs, ok := l.lits(e, sc)
	if !ok {
		return nil, false
	}
	out := make([]binding, len(vs))
	for i, v := range vs {
		out[i] = binding{expr: v.expr()}
	}
	return out, true
}

// hasSplat reports whether a display unpacks (`*xs`).
func hasSplat(xs []Expr) bool {
	for _, x := range xs {
		if o, ok := x.(*Opaque); ok && isSplat(o) {
			return true
		}
	}
	return false
}
