package pyrule

import (
	"fmt"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// helperCall resolves e (through local names) to a call of a function of
// the rule's file or of a repository module.
func (l *lowerer) helperCall(e Expr, sc *scope) (*Call, *FuncDef, *modCtx, *scope, bool) {
	e, sc = l.deref(e, sc)
	call, ok := e.(*Call)
	if !ok {
		return nil, nil, nil, nil, false
	}
	var f *FuncDef
	var owner *modCtx
	switch fn := call.Fn.(type) {
	case *Name:
		if _, local := sc.lookup(fn.ID); local {
			return nil, nil, nil, nil, false
		}
		_, f, owner, _ = l.global(l.modOf(sc), fn.ID, 0)
	case *Attr:
		_, f, owner, _ = l.qualified(fn, sc)
	}
	if f == nil || owner == nil || f.Name == "deep_get" || f.Name == "deep_walk" {
		return nil, nil, nil, nil, false // field reads, known by name (see field)
	}
	return call, f, owner, sc, true
}

// compareReturns lowers a one-operator comparison one of whose operands
// calls a repository function: the function is run, and the comparison is
// evaluated for each value it returns, under the conditions that lead to
// that return (as for a data-model method), so
//
//	def severity(e):
//	    if e.get("level") == "high": return "HIGH"
//	    return "DEFAULT"
//	... severity(event) != "DEFAULT"
//
// becomes `level eq high`. A return value the comparison cannot read is
// skipped with its own reason; falling off the end returns None.
func (l *lowerer) compareReturns(cmp *Compare, sc *scope) (cond, bool) {
	if len(cmp.Ops) != 1 {
		return nil, false
	}
	operands := []Expr{cmp.Left, cmp.Right[0]}
	for side, x := range operands {
		if f, ok := l.field(x, sc); ok && f != "" {
			continue // deep_get(event, …) and helpers that return one field read as that field
		}
		call, f, owner, csc, ok := l.helperCall(x, sc)
		if !ok {
			continue
		}
		at := l.modOf(csc).where(call.Line)
		if l.callDepth >= maxCallDepth {
			return rule.Skipped{Reason: fmt.Sprintf("calls nested deeper than %d at %s() defined at %s (called at %s)",
				maxCallDepth, f.Name, owner.where(f.Line), at)}, true
		}
		for _, g := range l.inlining {
			if g == f {
				return rule.Skipped{Reason: fmt.Sprintf("recursive call of %s() defined at %s (called at %s)",
					f.Name, owner.where(f.Line), at)}, true
			}
		}
		l.callDepth++
		l.inlining = append(l.inlining, f)
		fsc := bindArgs(f, call, owner.top, csc)
		// the slot the return value is bound to prints as the call in reasons;
		// a call text already bound (f(e) == f(e)) gets a number
		slot := ExprString(x)
		_, isName := x.(*Name) // a local bound to the call: rebinding it to the value is exact
		if _, taken := sc.lookup(slot); taken && !isName {
			l.retSeq++
			slot = fmt.Sprintf("%s#%d", slot, l.retSeq)
		}
		var ret func(v Expr, vsc *scope) cond
		ret = func(v Expr, vsc *scope) cond {
			if ie, ok := v.(*IfExp); ok { // return a if c else b
				return branch(l.cond(ie.Cond, vsc), ret(ie.Body, vsc), ret(ie.Else, vsc))
			}
			ops := []Expr{cmp.Left, cmp.Right[0]}
			ops[side] = &Name{Pos: pos(x), ID: slot}
			return l.cond(&Compare{Pos: cmp.Pos, Left: ops[0], Ops: cmp.Ops, Right: ops[1:]},
				sc.bind(slot, binding{expr: v, sc: vsc}))
		}
		none := func(s2 *scope) cond { return ret(&Const{Value: "None"}, s2) }
		c := l.exec(f.Body, fsc, konts{rest: none, brk: none, cont: none, ret: ret})
		l.callDepth--
		l.inlining = l.inlining[:len(l.inlining)-1]
		return c, true
	}
	return nil, false
}

// bindArgs binds the parameters of f to the arguments of call (evaluated
// in csc), in the scope top of f's module; a parameter left out is bound
// to its default value, read in top.
func bindArgs(f *FuncDef, call *Call, top, csc *scope) *scope {
	fsc := top
	for i, p := range f.Params {
		var arg Expr
		if i < len(call.Args) {
			arg = call.Args[i]
		}
		if splatBefore(call.Args, i) {
			break // the parameters from an unpacked argument on are unknown
		}
		for _, kw := range call.Kwargs {
			if kw.Name == p {
				arg = kw.Value
			}
		}
		switch d, hasDefault := f.Defaults[p]; {
		case arg != nil:
			fsc = fsc.bind(p, binding{expr: arg, sc: csc})
		case hasDefault: // evaluated where the function is defined
			fsc = fsc.bind(p, binding{expr: d, sc: top})
		}
	}
	return fsc
}

func (l *lowerer) isHelperCall(e Expr, sc *scope) bool {
	_, _, _, _, ok := l.helperCall(e, sc)
	return ok
}

// orValue lowers a comparison whose operand is an `a or b or …` value
// (Python's or gives the first truthy operand, else the last):
//
//	(a or b) op v   →   (a truthy and a op v) or (a falsy and b op v)
//
// ok is false when the operand is no such expression or reads as one field
// or part (`event.get("x") or ""`, `parts[k] or ""`, looked through there).
func (l *lowerer) orValue(left Expr, op string, right Expr, sc *scope, whole Expr, swapped bool) (cond, bool) {
	if f, ok := l.field(left, sc); ok && f != "" {
		return nil, false
	}
	if _, _, ok := l.splitIndex(left, sc); ok {
		return nil, false // `parts[k] or ""` is parts[k]
	}
	x, xsc := l.derefNames(left, sc)
	b, ok := x.(*BoolOp)
	if !ok || b.Op != "or" || len(b.Xs) < 2 {
		return nil, false
	}
	var alts []cond
	var earlier []cond // the falsiness of the operands before
	for i, operand := range b.Xs {
		slot := ExprString(operand)
		osc := sc.bind(slot, binding{expr: operand, sc: xsc})
		name := &Name{Pos: pos(operand), ID: slot}
		var c cond
		if swapped {
			c = l.compare(right, op, name, osc, whole)
		} else {
			c = l.compare(name, op, right, osc, whole)
		}
		parts := append(append([]cond{}, earlier...), c)
		if i < len(b.Xs)-1 {
			truthy := l.cond(operand, xsc)
			parts = append(parts, truthy)
			earlier = append(earlier, not(truthy))
		}
		alts = append(alts, and(parts...))
	}
	return or(alts...), true
}

// callValue evaluates a call of a repository function whose result does
// not depend on the event: the body is followed while every condition on
// the way folds to True or False (`if isinstance(groups, str): return
// [groups]` with a literal argument), up to the first return. ok is false
// as soon as a condition depends on the event or a statement is not an
// assignment, an if or a return.
func (l *lowerer) callValue(call *Call, sc *scope) (Expr, *scope, bool) {
	_, f, owner, csc, ok := l.helperCall(call, sc)
	if !ok || l.callDepth >= maxCallDepth {
		return nil, nil, false
	}
	for _, g := range l.inlining {
		if g == f {
			return nil, nil, false
		}
	}
	l.callDepth++
	l.inlining = append(l.inlining, f)
	defer func() { l.callDepth--; l.inlining = l.inlining[:len(l.inlining)-1] }()
	var run func(stmts []Stmt, s *scope) (Expr, *scope, bool, bool) // value, scope, returned, ok
	run = func(stmts []Stmt, s *scope) (Expr, *scope, bool, bool) {
		for _, st := range stmts {
			if !l.step() {
				return nil, nil, false, false
			}
			switch st := st.(type) {
			case *Assign:
				s = bindTarget(s, st.Target, binding{expr: st.Value, sc: s})
			case *Return:
				if st.Value == nil {
					return &Const{Value: "None"}, s, true, true
				}
				return st.Value, s, true, true
			case *If:
				branch := st.Else
				switch l.cond(st.Cond, s) {
				case cTrue:
					branch = st.Body
				case cFalse:
				default:
					return nil, nil, false, false
				}
				v, vs, returned, ok := run(branch, s)
				if !ok || returned {
					return v, vs, returned, ok
				}
				if jumps(branch) || rebinds(s, branch) {
					return nil, nil, false, false
				}
			case *FuncDef:
			case *ExprStmt:
				if _, doc := st.X.(*Str); !doc {
					return nil, nil, false, false // a call with effects
				}
			case *OpaqueStmt:
				if st.Kind != "pass_statement" {
					return nil, nil, false, false
				}
			default:
				return nil, nil, false, false
			}
		}
		return nil, s, false, true
	}
	v, vsc, returned, ok := run(f.Body, bindArgs(f, call, owner.top, csc))
	if !ok {
		return nil, nil, false
	}
	if !returned {
		return &Const{Value: "None"}, nil, true
	}
	return v, vsc, true
}

// splatBefore reports whether one of args[:i+1] unpacks (`*xs`, `**kw`).
func splatBefore(args []Expr, i int) bool {
	for j := 0; j <= i && j < len(args); j++ {
		if o, ok := args[j].(*Opaque); ok && strings.HasSuffix(o.Kind, "splat") {
			return true
		}
	}
	return false
}
