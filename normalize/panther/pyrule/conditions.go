package pyrule

import (
	"fmt"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Conditions: tests, calls, any/all, helper inlining and comparisons.

// cond returns the condition under which e is truthy.
func (l *lowerer) cond(e Expr, sc *scope) cond {
	if !l.enter() {
		return rule.Skipped{Reason: fmt.Sprintf("expression nested too deeply (%s)", l.modOf(sc).where(pos(e).Line))}
	}
	defer l.leave()
	if ref, k, ok := l.splitIndex(e, sc); ok {
		return splitTruth{ref: ref, k: k, truthy: true}
	}
	switch e := e.(type) {
	case *Const:
		if e.Value == "True" {
			return cTrue
		}
		return cFalse
	case *Str:
		return boolConst(e.Value != "")
	case *Num:
		return boolConst(strings.Trim(e.Text, "-0.") != "")
	case *BoolOp:
		xs := make([]cond, len(e.Xs))
		for i, x := range e.Xs {
			xs[i] = l.cond(x, sc)
		}
		if e.Op == "and" {
			return and(xs...)
		}
		return or(xs...)
	case *Not:
		return not(l.cond(e.X, sc))
	case *Compare:
		if name, ok := l.udmIn(e, sc, 0); ok {
			return l.expandUDM(name, e, sc)
		}
		if c, ok := l.compareReturns(e, sc); ok {
			return c
		}
		var xs []cond
		left := e.Left
		for i, op := range e.Ops {
			xs = append(xs, l.compare(left, op, e.Right[i], sc, e))
			left = e.Right[i]
		}
		return and(xs...)
	case *Name:
		if x, xsc, ok := l.resolveName(e.ID, sc); ok {
			return l.cond(x, xsc)
		}
		return rule.Skipped{Reason: l.unresolved(e.ID, e.Pos, sc)}
	case eventRef:
		return cTrue
	case *Call:
		if name, ok := l.udmIn(e, sc, 0); ok {
			return l.expandUDM(name, e, sc)
		}
		if x, xsc, ok := l.udmLiteral(e, sc); ok { // a data-model method returned a literal
			return l.cond(x, xsc)
		}
		if x, xsc, ok := l.readOfLiteral(e, sc); ok { // `{}.get("k")`
			return l.cond(x, xsc)
		}
		return l.callCond(e, sc)
	case *Coll:
		return boolConst(len(e.Elts) > 0)
	case *Comp:
		// [x for x in C if p(x)] is truthy when some element passes the
		// filter (a generator object is always truthy)
		if e.Kind == "gen" {
			return cTrue
		}
		if vs, ok := l.elems(e.Iter, sc); ok && len(vs) <= maxUnroll {
			xs := make([]cond, len(vs))
			for i, v := range vs {
				xs[i] = cTrue
				if e.Cond != nil {
					xs[i] = l.cond(e.Cond, sc.bind(e.Var, v))
				}
			}
			return or(xs...)
		}
	case *Attr:
		if x, _, owner, ok := l.qualified(e, sc); ok && x != nil {
			return l.cond(x, owner.top)
		}
	case *IfExp:
		return branch(l.cond(e.Cond, sc), l.cond(e.Body, sc), l.cond(e.Else, sc))
	case *NamedExpr: // its truth is the value's; the binding matters only to an if (see exec)
		return l.cond(e.X, sc)
	}
	if f, ok := l.field(e, sc); ok && f != "" {
		return truthTest{field: f, truthy: true}
	}
	return l.why(e, sc, "unsupported expression")
}

func (l *lowerer) callCond(e *Call, sc *scope) cond {
	if f, ok := l.field(e, sc); ok && f != "" {
		return truthTest{field: f, truthy: true}
	}
	switch fn := e.Fn.(type) {
	case *Name:
		switch fn.ID {
		case "any", "all":
			if len(e.Args) == 1 {
				return l.anyAll(fn.ID, e.Args[0], sc)
			}
		case "bool":
			if len(e.Args) == 1 {
				return l.cond(e.Args[0], sc)
			}
		case "fnmatch":
			// fnmatch(field, pattern): a shell-style wildcard match
			if len(e.Args) == 2 && l.importedName(fn.ID, sc) == "fnmatch.fnmatch" {
				if f, ok := l.field(e.Args[0], sc); ok && f != "" {
					if vs, ok := l.lits(e.Args[1], sc); ok && len(vs) > 0 {
						return anyOf(f, rule.OpWildcard, vs)
					}
				}
			}
		case "isinstance":
			if len(e.Args) == 2 {
				if f, ok := l.field(e.Args[0], sc); ok && f != "" {
					return rule.Cmp{FieldRaw: f, Op: rule.OpIsNotNull}
				}
				// the type of another value: a literal folds, else name what the value is
				x, xsc := l.derefNames(e.Args[0], sc)
				if c, ok := isinstanceLiteral(l.resolved(x, xsc), e.Args[1]); ok {
					return c
				}
				return l.why(x, xsc, "isinstance() of a value beyond the analysis:")
			}
		}
		if _, ok := sc.lookup(fn.ID); !ok {
			if _, f, owner, ok := l.global(l.modOf(sc), fn.ID, 0); ok && f != nil {
				return l.inline(f, owner, e, sc)
			}
		}
	case *Attr:
		if _, f, owner, ok := l.qualified(fn, sc); ok && f != nil {
			return l.inline(f, owner, e, sc)
		}
		switch fn.Name {
		case "startswith", "endswith":
			op := rule.OpStartsWith
			if fn.Name == "endswith" {
				op = rule.OpEndsWith
			}
			if len(e.Args) >= 1 {
				if f, ok := l.field(fn.X, sc); ok {
					if vs, ok := l.lits(e.Args[0], sc); ok && len(vs) > 0 {
						return anyOf(f, op, vs)
					}
				}
				if c, ok := l.foldAffix(fn.X, op, e.Args[0], sc); ok {
					return c
				}
				if c, ok := l.splitAffix(fn.X, op, e.Args[0], sc); ok {
					return c
				}
			}
		case "match", "search", "fullmatch":
			if c, ok := l.regexCall(e, sc); ok {
				return c
			}
		}
	}
	return l.why(e, sc, "unsupported call")
}

// anyAll handles any([...]) / all([...]) and their generator forms.
func (l *lowerer) anyAll(kind string, arg Expr, sc *scope) cond {
	combine := or
	if kind == "all" {
		combine = and
	}
	switch a := arg.(type) {
	case *Coll:
		xs := make([]cond, len(a.Elts))
		for i, x := range a.Elts {
			xs[i] = l.cond(x, sc)
		}
		return combine(xs...)
	case *Comp:
		elem := func(sc2 *scope) cond {
			c := l.cond(a.Elt, sc2)
			if a.Cond == nil {
				return c
			}
			f := l.cond(a.Cond, sc2)
			if kind == "all" {
				return or(not(f), c)
			}
			return and(f, c)
		}
		if vs, ok := l.elems(a.Iter, sc); ok && len(vs) <= maxUnroll {
			xs := make([]cond, len(vs))
			for i, v := range vs {
				xs[i] = elem(sc.bind(a.Var, v))
			}
			return combine(xs...)
		}
		if _, ok := l.field(a.Iter, sc); ok {
			return elem(sc.bind(a.Var, binding{expr: a.Iter, sc: sc}))
		}
	}
	return l.why(arg, sc, kind+"() over an unresolvable collection")
}

// inline evaluates a call of a module-level function f of module owner
// (the rule's own file or a helper module of the repository).
func (l *lowerer) inline(f *FuncDef, owner *modCtx, call *Call, sc *scope) cond {
	at := l.modOf(sc).where(call.Line)
	if l.callDepth >= maxCallDepth {
		return rule.Skipped{Reason: fmt.Sprintf("calls nested deeper than %d at %s() defined at %s (called at %s)",
			maxCallDepth, f.Name, owner.where(f.Line), at)}
	}
	for _, g := range l.inlining {
		if g == f {
			return rule.Skipped{Reason: fmt.Sprintf("recursive call of %s() defined at %s (called at %s)",
				f.Name, owner.where(f.Line), at)}
		}
	}
	if c, ok := l.splitArgs(f, owner, call, sc); ok {
		return c
	}
	l.callDepth++
	l.inlining = append(l.inlining, f)
	defer func() { l.callDepth--; l.inlining = l.inlining[:len(l.inlining)-1] }()
	fsc := bindArgs(f, call, owner.top, sc)
	return l.exec(f.Body, fsc, konts{rest: retFalse, brk: retFalse, cont: retFalse})
}

func anyOf(f string, op rule.Op, vs []lit) cond {
	xs := make([]cond, 0, len(vs))
	for _, v := range vs {
		if v.kind == '0' {
			xs = append(xs, rule.Cmp{FieldRaw: f, Op: rule.OpIsNull})
			continue
		}
		xs = append(xs, rule.Cmp{FieldRaw: f, Op: op, Value: v.s})
	}
	return or(xs...)
}

// compare lowers one comparison `left op right`.
func (l *lowerer) compare(left Expr, op string, right Expr, sc *scope, whole Expr) cond {
	if l.raisesOnNone(left, sc) || l.raisesOnNone(right, sc) {
		return cFalse // None.lower() raises: the rule does not match
	}
	if op == "in" || op == "not in" {
		if v, _, ok := l.litExpr(right, sc); ok {
			if c, isConst := v.(*Const); isConst && c.Value == "None" {
				return cFalse // x in None raises TypeError
			}
		}
	}
	// an operand that is a data-model method's literal result (`udm or ""`)
	// compares as that literal
	if _, isName := left.(*Name); isName {
		if v, vsc, ok := l.udmLiteralExpr(left, sc); ok {
			left, sc = &Name{Pos: pos(left), ID: ExprString(left)}, sc.bind(ExprString(left), binding{expr: v, sc: vsc})
		}
	}
	if c, ok := l.boolCompare(left, op, right, sc); ok {
		return c
	}
	if c, ok := l.boolCompare(right, op, left, sc); ok {
		return c
	}
	if c, ok := l.orValue(left, op, right, sc, whole, false); ok {
		return c
	}
	if c, ok := l.orValue(right, op, left, sc, whole, true); ok {
		return c
	}
	if c, ok := l.lenTest(left, op, right, sc); ok {
		return c
	}
	if c, ok := l.lenTest(right, flipped[op], left, sc); ok {
		return c
	}
	lf, lok := l.field(left, sc)
	rf, rok := l.field(right, sc)
	lok, rok = lok && lf != "", rok && rf != ""
	if !lok && !rok {
		if c, ok := l.fold(left, op, right, sc); ok {
			return c
		}
		// Comparisons neither side of which is a plain field, each test
		// tried with the operand on the left, then (the operator flipped)
		// on the right.
		for _, test := range [...]func(*lowerer, Expr, string, Expr, *scope) (cond, bool){
			(*lowerer).dictLookup, (*lowerer).lastPartTest, (*lowerer).matchIsNone, (*lowerer).splitTest,
		} {
			if c, ok := test(l, left, op, right, sc); ok {
				return c
			}
			if c, ok := test(l, right, flipped[op], left, sc); ok {
				return c
			}
		}
	}
	if c, ok := l.keyedCompare(left, op, right, sc, whole); ok {
		return c
	}
	if c, ok := l.tupleIn(left, op, right, sc, whole); ok {
		return c
	}
	if c, ok := l.splitMember(left, op, right, sc); ok {
		return c
	}
	if c, ok := l.inDisplay(left, op, right, sc, whole); ok {
		return c
	}
	if op == "in" || op == "not in" {
		// "key" in event: the event has the field
		if _, isEvent := right.(eventRef); isEvent || (!rok && l.isEvent(right, sc)) {
			if k, ok := l.str(left, sc); ok {
				c := cond(rule.Cmp{FieldRaw: k, Op: rule.OpIsNotNull})
				if op == "not in" {
					c = not(c)
				}
				return c
			}
		}
	}
	switch op {
	case "in", "not in":
		var c cond
		switch {
		case lok && !rok:
			vs, ok := l.lits(right, sc)
			if !ok {
				break
			}
			if _, isStr := right.(*Str); isStr {
				break // field in "literal": a substring-of test
			}
			c = anyOf(lf, rule.OpIn, vs)
		case rok && !lok:
			vs, ok := l.lits(left, sc)
			if ok && len(vs) == 1 && vs[0].kind == 's' {
				c = rule.Cmp{FieldRaw: rf, Op: rule.OpContains, Value: vs[0].s}
			}
		}
		if c == nil {
			return l.why(whole, sc, "unsupported membership test")
		}
		if op == "not in" {
			return not(c)
		}
		return c
	case "==", "!=", "is", "is not":
		var c cond
		switch {
		case lok && rok:
			c = rule.Cmp{FieldRaw: lf, Op: rule.OpEq, Value: "fieldref:" + rf}
		case lok || rok:
			f, other := lf, right
			if rok {
				f, other = rf, left
			}
			vs, ok := l.lits(other, sc)
			if !ok || len(vs) != 1 {
				break
			}
			if c2, isColl := other.(*Coll); isColl && len(c2.Elts) != 1 {
				break
			}
			if vs[0].kind == '0' {
				c = rule.Cmp{FieldRaw: f, Op: rule.OpIsNull}
			} else {
				c = rule.Cmp{FieldRaw: f, Op: rule.OpEq, Value: vs[0].s}
			}
		}
		if c == nil {
			return l.why(whole, sc, "unsupported comparison")
		}
		if op == "!=" || op == "is not" {
			return not(c)
		}
		return c
	case "<", "<=", ">", ">=":
		ops := map[string]rule.Op{"<": rule.OpLt, "<=": rule.OpLte, ">": rule.OpGt, ">=": rule.OpGte}
		flip := map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}
		f, other := lf, right
		if !lok && rok {
			f, other, op = rf, left, flip[op]
		}
		if lok != rok {
			if vs, ok := l.lits(other, sc); ok && len(vs) == 1 && vs[0].kind != '0' {
				return rule.Cmp{FieldRaw: f, Op: ops[op], Value: vs[0].s}
			}
		}
		return l.why(whole, sc, "unsupported comparison")
	}
	return l.why(whole, sc, "unsupported comparison")
}

// bindWalrus binds the names of the assignment expressions of an if
// condition that Python always evaluates: the condition itself, under
// `not`, the first operand of `and`/`or` and the left of a comparison
// (`if not (x := e.get("a")):` binds x for the rest of the function).
func bindWalrus(e Expr, sc *scope) *scope {
	for d := 0; d < 10; d++ {
		switch x := e.(type) {
		case *NamedExpr:
			sc = bindWalrus(x.X, sc)
			return sc.bind(x.Name, binding{expr: x.X, sc: sc})
		case *Not:
			e = x.X
		case *BoolOp:
			if len(x.Xs) == 0 {
				return sc
			}
			e = x.Xs[0]
		case *Compare:
			e = x.Left
		default:
			return sc
		}
	}
	return sc
}
