package pyrule

import "strings"

// Literal values: what an expression evaluates to when it does not depend
// on the event (a data-model method's `return None` standing for a udm
// value, `x or {}` over it, a read from the empty dict that gives).

// litExpr resolves e to a literal display (a string, number, True, False,
// None or a collection display), following names, udm names being
// expanded, and `and` / `or` over literals with Python's value rules (or
// gives the first truthy operand, else the last).
func (l *lowerer) litExpr(e Expr, sc *scope) (Expr, *scope, bool) {
	if !l.enter() {
		return nil, nil, false
	}
	defer l.leave()
	if n, isName := e.(*Name); isName {
		if l.modOf(sc).isMutated(n.ID) {
			return nil, nil, false // `x = {}` then `x[k] = v`: not the display
		}
		if v, vsc, ok := l.resolveName(n.ID, sc); ok {
			return l.litExpr(v, vsc)
		}
		return nil, nil, false
	}
	e, sc = l.deref(e, sc)
	switch x := e.(type) {
	case *Str, *Num, *Const, *Coll:
		return e, sc, true
	case *BoolOp:
		for i, operand := range x.Xs {
			v, vsc, ok := l.litExpr(operand, sc)
			if !ok {
				return nil, nil, false
			}
			truthy, ok := litTruth(v)
			if !ok {
				return nil, nil, false
			}
			if i == len(x.Xs)-1 || truthy == (x.Op == "or") {
				return v, vsc, true
			}
		}
	case *Call:
		if v, vsc, ok := l.readOfLiteral(x, sc); ok {
			return l.litExpr(v, vsc)
		}
	}
	return nil, nil, false
}

// litTruth is Python's truthiness of a literal display.
func litTruth(e Expr) (bool, bool) {
	switch x := e.(type) {
	case *Str:
		return x.Value != "", true
	case *Num:
		return strings.Trim(x.Text, "-0.") != "", true
	case *Const:
		return x.Value == "True", true
	case *Coll:
		return len(x.Elts) > 0, true
	}
	return false, false
}

// readOfLiteral evaluates a read from a literal that holds nothing:
// `{}.get(k[, d])` and `deep_get(X, k…, default=d)` / `deep_walk(…)` with
// X None or an empty dict give d (None when absent), as Python and the
// repository's deep_get do.
func (l *lowerer) readOfLiteral(c *Call, sc *scope) (Expr, *scope, bool) {
	none := &Const{Pos: c.Pos, Value: "None"}
	switch fn := c.Fn.(type) {
	case *Attr:
		if fn.Name != "get" || len(c.Args) < 1 || len(c.Args) > 2 {
			return nil, nil, false
		}
		base, bsc, ok := l.litExpr(fn.X, sc)
		d, isColl := base.(*Coll)
		if !ok || !isColl || d.Kind != "dict" {
			return nil, nil, false
		}
		if len(d.Elts) > 0 { // {"value": x}.get("error", ""): a literal key
			k, ok := l.lits(c.Args[0], sc)
			if !ok || len(k) != 1 {
				return nil, nil, false
			}
			for i, dk := range d.Elts {
				kv, ok := l.lits(dk, bsc)
				if !ok || len(kv) != 1 || isCollection(dk, l, bsc) {
					return nil, nil, false
				}
				if kv[0] == k[0] {
					return d.Values[i], bsc, true
				}
			}
		}
		if len(c.Args) == 2 {
			return c.Args[1], sc, true
		}
		return none, nil, true
	case *Name:
		if (fn.ID != "deep_get" && fn.ID != "deep_walk") || len(c.Args) < 2 || l.isShadowed(fn.ID, sc) {
			return nil, nil, false
		}
		base, _, ok := l.litExpr(c.Args[0], sc)
		if !ok {
			return nil, nil, false
		}
		switch b := base.(type) {
		case *Const:
			if b.Value != "None" {
				return nil, nil, false
			}
		case *Coll:
			if b.Kind != "dict" || len(b.Elts) > 0 {
				return nil, nil, false
			}
		default:
			return nil, nil, false
		}
		for _, k := range c.Kwargs {
			if k.Name == "default" {
				return k.Value, sc, true
			}
		}
		return none, nil, true
	}
	return nil, nil, false
}

// mutators are the methods that change a list, dict or set in place.
var mutators = map[string]bool{"append": true, "extend": true, "insert": true, "update": true,
	"add": true, "setdefault": true, "pop": true, "remove": true, "discard": true, "clear": true,
	"popitem": true, "sort": true, "reverse": true}

// baseName is the name at the root of a target (`x`, `x[k]`, `x.a`), or "".
func baseName(e Expr) string {
	for d := 0; d < 50; d++ {
		switch x := e.(type) {
		case *Name:
			return x.ID
		case *Subscript:
			e = x.X
		case *Attr:
			e = x.X
		default:
			return ""
		}
	}
	return ""
}

// mutatedNames lists the names a module's code changes in place anywhere
// (`x[k] = v`, `x.append(v)`, `x += …`): a display bound to such a name is
// not the value the name holds later.
func mutatedNames(stmts []Stmt, out map[string]bool, depth int) {
	if depth > 100 {
		return
	}
	for _, s := range stmts {
		switch s := s.(type) {
		case *Assign:
			if _, plain := s.Target.(*Name); !plain {
				if n := baseName(s.Target); n != "" {
					out[n] = true
				}
			}
		case *ExprStmt:
			if c, ok := s.X.(*Call); ok {
				if a, ok := c.Fn.(*Attr); ok && mutators[a.Name] {
					if n := baseName(a.X); n != "" {
						out[n] = true
					}
				}
			}
		case *OpaqueStmt:
			if s.Kind == "augmented_assignment" && s.Name != "" {
				out[s.Name] = true
			}
		case *FuncDef:
			mutatedNames(s.Body, out, depth+1)
		case *If:
			mutatedNames(s.Body, out, depth+1)
			mutatedNames(s.Else, out, depth+1)
		case *For:
			mutatedNames(s.Body, out, depth+1)
		case *Block:
			mutatedNames(s.Body, out, depth+1)
		}
	}
}

// strMethods are the str methods a rule calls on a value; on None each
// raises AttributeError.
var strMethods = map[string]bool{"lower": true, "upper": true, "strip": true, "lstrip": true,
	"rstrip": true, "casefold": true, "title": true, "split": true, "rsplit": true, "replace": true,
	"startswith": true, "endswith": true, "find": true, "count": true, "encode": true}

// raisesOnNone reports whether e calls a str method on a value that is
// None (a data model's `return None` standing for the udm value): Python
// raises there, so the rule does not match on that path.
func (l *lowerer) raisesOnNone(e Expr, sc *scope) bool {
	for d := 0; d < 20; d++ {
		e, sc = l.deref(e, sc)
		switch x := e.(type) {
		case *Call:
			a, ok := x.Fn.(*Attr)
			if !ok || !strMethods[a.Name] {
				return false
			}
			if v, _, ok := l.litExpr(a.X, sc); ok {
				c, isConst := v.(*Const)
				return isConst && c.Value == "None"
			}
			e = a.X
		case *Subscript:
			e = x.X
		default:
			return false
		}
	}
	return false
}

// isBool reports whether e (through local names) always evaluates to True
// or False: a comparison, a not, bool()/any()/all()/isinstance(), or
// and/or over such.
func (l *lowerer) isBool(e Expr, sc *scope, depth int) bool {
	if depth > 20 {
		return false
	}
	if n, ok := e.(*Name); ok {
		b, bound := sc.lookup(n.ID)
		return bound && l.isBool(b.expr, b.sc, depth+1)
	}
	switch x := e.(type) {
	case *Compare, *Not:
		return true
	case *Const:
		return x.Value != "None"
	case *BoolOp:
		for _, o := range x.Xs {
			if !l.isBool(o, sc, depth+1) {
				return false
			}
		}
		return true
	case *Call:
		if fn, ok := x.Fn.(*Name); ok && !l.isShadowed(fn.ID, sc) {
			switch fn.ID {
			case "bool", "any", "all", "isinstance":
				return true
			}
		}
	}
	return false
}

// boolCompare lowers `b is True`, `b == False`, `b is not True`, … with b
// a boolean expression: b's condition or its negation.
func (l *lowerer) boolCompare(left Expr, op string, right Expr, sc *scope) (cond, bool) {
	if op != "is" && op != "is not" && op != "==" && op != "!=" {
		return nil, false
	}
	c, ok := right.(*Const)
	if !ok || c.Value == "None" || !l.isBool(left, sc, 0) {
		return nil, false
	}
	want := (c.Value == "True") == (op == "is" || op == "==")
	if want {
		return l.cond(left, sc), true
	}
	return not(l.cond(left, sc)), true
}
