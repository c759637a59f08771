package pyrule

// Helper results split: the rest of the code run once per value a
// repository function returns.

// helperAssign binds `x = f(event)`, f a repository function whose result
// is no single field or literal, once per value f returns: the rest of
// the code runs under the conditions that lead to each `return v` with x
// bound to v (as compareReturns does for a comparison), so a helper that
// returns one of several fields or a tuple of them (`_, role =
// extract(event)`) reads exactly. ok is false when f cannot be inlined
// here (too deep, recursive): x then stands for the call.
func (l *lowerer) helperAssign(s *Assign, sc *scope, next func(*scope) cond) (cond, bool) {
	call, isCall := s.Value.(*Call)
	if !isCall {
		return nil, false
	}
	return l.splitCall(call, sc, func(v binding) cond {
		return next(bindTarget(sc, s.Target, v))
	})
}

// splitArgs inlines f(…, g(event), …), an argument a call whose result
// helperAssign would split, once per value that call returns.
func (l *lowerer) splitArgs(f *FuncDef, owner *modCtx, call *Call, sc *scope) (cond, bool) {
	for i, a := range call.Args {
		inner, isCall := a.(*Call)
		if !isCall {
			continue
		}
		c, ok := l.splitCall(inner, sc, func(v binding) cond {
			slot := ExprString(a) + "#arg"
			args := append(append([]Expr{}, call.Args[:i]...), &Name{Pos: pos(a), ID: slot})
			args = append(args, call.Args[i+1:]...)
			return l.inline(f, owner, &Call{Pos: call.Pos, Fn: call.Fn, Args: args, Kwargs: call.Kwargs}, sc.bind(slot, v))
		})
		if ok {
			return c, true
		}
	}
	return nil, false
}

// splitCall runs a call of a repository function whose result is no
// single field or literal, and gives k each value it returns (under the
// conditions that lead to it); ok is false when the call is no such call
// or cannot be inlined here.
func (l *lowerer) splitCall(call *Call, sc *scope, k func(binding) cond) (cond, bool) {
	// The cheap test first: most calls (event.get, str methods, builtins)
	// are no repository function, and the tests below inline one.
	hcall, f, owner, csc, ok := l.helperCall(call, sc)
	if !ok || l.callDepth >= maxCallDepth {
		return nil, false
	}
	if f, ok := l.field(call, sc); ok && f != "" {
		return nil, false
	}
	if _, ok := l.lits(call, sc); ok {
		return nil, false
	}
	if v, vsc, ok := l.callValue(call, sc); ok {
		if _, isLit := l.lits(v, vsc); isLit {
			return nil, false // event-independent: read where it is used
		}
	}
	call = hcall
	for _, g := range l.inlining {
		if g == f {
			return nil, false
		}
	}
	enter := func() { l.callDepth++; l.inlining = append(l.inlining, f) }
	leave := func() { l.callDepth--; l.inlining = l.inlining[:len(l.inlining)-1] }
	var ret func(v Expr, vsc *scope) cond
	ret = func(v Expr, vsc *scope) cond {
		if ie, ok := v.(*IfExp); ok { // return a if c else b
			return branch(l.cond(ie.Cond, vsc), ret(ie.Body, vsc), ret(ie.Else, vsc))
		}
		leave() // the rest of the caller runs outside f
		defer enter()
		return k(binding{expr: v, sc: vsc})
	}
	none := func(s2 *scope) cond { return ret(&Const{Pos: call.Pos, Value: "None"}, s2) }
	if l.splitRetries >= maxSplitRetries {
		return nil, false
	}
	steps := l.steps
	enter()
	c := l.exec(f.Body, bindArgs(f, call, owner.top, csc), konts{rest: none, brk: none, cont: none, ret: ret})
	leave()
	if l.tooComplex {
		// the rest run once per return value is more work than the bound:
		// give the work back and let x stand for the call (bounded retries)
		l.splitRetries++
		l.tooComplex, l.steps = false, steps
		return nil, false
	}
	return c, true
}

// maxSplitRetries bounds how often helperAssign gives its work back.
const maxSplitRetries = 4
