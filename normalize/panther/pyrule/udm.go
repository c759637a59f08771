package pyrule

import (
	"fmt"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// UDMAlt is what a udm name means for one log type, from the data model
// that covers it: a field path, or a method of the data model's Python
// module.
type UDMAlt struct {
	LogType string
	Path    string  // dotted field path, when the mapping has a Path
	Method  string  // function name, when the mapping has a Method
	Module  *Module // the data model's Python module (for a Method)
	Where   string  // the data model file, for messages
}

// UDMResolver returns the alternatives of a udm name over the rule's log
// types; none when no data model maps it.
type UDMResolver func(name string) []UDMAlt

// udmName returns the name of an `event.udm("name")` call.
func (l *lowerer) udmName(c *Call, sc *scope) (string, bool) {
	a, ok := c.Fn.(*Attr)
	if !ok || a.Name != "udm" || len(c.Args) < 1 {
		return "", false
	}
	if f, ok := l.field(a.X, sc); !ok || f != "" {
		return "", false
	}
	return l.str(c.Args[0], sc)
}

// udmIn finds a udm name, not being expanded yet, read by the operands of
// an atomic test (a comparison or a call), looking through local names.
func (l *lowerer) udmIn(e Expr, sc *scope, depth int) (string, bool) {
	if l.opts.UDM == nil || depth > 8 {
		return "", false
	}
	switch e := e.(type) {
	case *Call:
		if name, ok := l.udmName(e, sc); ok {
			if _, busy := l.udmSub[name]; !busy {
				return name, true
			}
			return "", false
		}
		if a, ok := e.Fn.(*Attr); ok {
			if name, ok := l.udmIn(a.X, sc, depth+1); ok {
				return name, true
			}
		}
		for _, x := range e.Args {
			if name, ok := l.udmIn(x, sc, depth+1); ok {
				return name, true
			}
		}
	case *Compare:
		if name, ok := l.udmIn(e.Left, sc, depth+1); ok {
			return name, true
		}
		for _, x := range e.Right {
			if name, ok := l.udmIn(x, sc, depth+1); ok {
				return name, true
			}
		}
	case *Subscript:
		return l.udmIn(e.X, sc, depth+1)
	case *BoolOp:
		if e.Op == "or" && len(e.Xs) > 0 { // event.udm("x") or ""
			return l.udmIn(e.Xs[0], sc, depth+1)
		}
	case *Name:
		if b, ok := sc.lookup(e.ID); ok {
			return l.udmIn(b.expr, b.sc, depth+1)
		}
	}
	return "", false
}

// expandUDM lowers the test e, which reads udm name, once per log type
// the data models map the name for, and ORs the results: a Path reads
// that field; a Method is run with each of its return values standing
// for the udm value (so `if x in (…): return MFA_DISABLED` becomes
// "x in (…)" where the test compares with MFA_DISABLED).
func (l *lowerer) expandUDM(name string, e Expr, sc *scope) cond {
	alts := l.opts.UDM(name)
	defer delete(l.udmSub, name)
	if len(alts) == 0 {
		l.udmSub[name] = &binding{} // the udm name itself
		return l.cond(e, sc)
	}
	var xs []cond
	for _, alt := range alts {
		switch {
		case alt.Path != "":
			l.udmSub[name] = &binding{expr: pathExpr(alt.Path)}
			xs = append(xs, l.cond(e, sc))
		case alt.Method != "" && alt.Module != nil && alt.Module.Query != nil:
			xs = append(xs, l.invert(name, alt, e, sc))
		case alt.Method != "":
			xs = append(xs, rule.Skipped{Reason: fmt.Sprintf("udm %s for %s: the Python file of method %s is missing or does not parse (%s)",
				name, alt.LogType, alt.Method, alt.Where)})
		default:
			xs = append(xs, rule.Skipped{Reason: fmt.Sprintf("udm %s for %s has neither Path nor Method (%s)",
				name, alt.LogType, alt.Where)})
		}
	}
	return or(xs...)
}

// invert runs the data-model method of alt: each return statement's value
// stands for the udm value in e, under the conditions that lead to it.
func (l *lowerer) invert(name string, alt UDMAlt, e Expr, sc *scope) cond {
	owner := l.module(alt.Module.Name)
	if owner == nil {
		owner = newModCtx(alt.Module.Name, alt.Module.Path, alt.Module.Query)
		l.mods[alt.Module.Name] = owner
	}
	f := owner.funcs[alt.Method]
	if f == nil { // a method the data model imports (`from panther_aws_helpers import get_actor_user`)
		if _, fn, fnOwner, ok := l.global(owner, alt.Method, 0); ok && fn != nil {
			f, owner = fn, fnOwner
		}
	}
	if f == nil {
		return rule.Skipped{Reason: fmt.Sprintf("udm %s for %s: method %s not found in %s", name, alt.LogType,
			alt.Method, alt.Module.Path)}
	}
	if l.callDepth >= maxCallDepth {
		return rule.Skipped{Reason: fmt.Sprintf("udm %s: calls nested deeper than %d at %s()", name, maxCallDepth, f.Name)}
	}
	l.callDepth++
	defer func() { l.callDepth-- }()
	fsc := owner.top
	if len(f.Params) > 0 {
		fsc = fsc.bind(f.Params[0], binding{expr: eventRef{}})
	}
	var ret func(v Expr, vsc *scope) cond
	ret = func(v Expr, vsc *scope) cond {
		if ie, ok := v.(*IfExp); ok { // return a if c else b
			return branch(l.cond(ie.Cond, vsc), ret(ie.Body, vsc), ret(ie.Else, vsc))
		}
		if _, isField := l.field(v, vsc); !isField {
			if _, isLit := l.lits(v, vsc); !isLit && !l.isLookup(v, vsc) && !l.isLastPart(v, vsc) && !l.isSplitIndex(v, vsc) && !l.isHelperCall(v, vsc) {
				return rule.Skipped{Reason: fmt.Sprintf("udm %s for %s: %s() returns `%s` (%s), beyond the analysis",
					name, alt.LogType, f.Name, snippet(ExprString(v)), l.modOf(vsc).where(pos(v).Line))}
			}
		}
		prev := l.udmSub[name]
		l.udmSub[name] = &binding{expr: v, sc: vsc}
		defer func() { l.udmSub[name] = prev }()
		return l.cond(e, sc)
	}
	none := func(s2 *scope) cond { return ret(&Const{Value: "None"}, s2) }
	c := l.exec(f.Body, fsc, konts{rest: none, brk: none, cont: none, ret: ret})
	return c
}

// pathExpr is the field read a data-model Path stands for.
func pathExpr(p string) Expr {
	var args []Expr
	for _, k := range strings.Split(p, ".") {
		if k != "" {
			args = append(args, &Str{Value: k})
		}
	}
	return &Call{Fn: &Attr{X: eventRef{}, Name: "deep_get"}, Args: args}
}

func (l *lowerer) isLastPart(e Expr, sc *scope) bool {
	_, _, ok := l.lastPart(e, sc)
	return ok
}

func (l *lowerer) isSplitIndex(e Expr, sc *scope) bool {
	_, _, ok := l.splitIndex(e, sc)
	return ok
}

// udmLiteral returns the literal a udm name being expanded stands for
// (a data-model method's `return None`, `return ""`, …).
func (l *lowerer) udmLiteral(c *Call, sc *scope) (Expr, *scope, bool) {
	name, ok := l.udmName(c, sc)
	if !ok {
		return nil, nil, false
	}
	sub := l.udmSub[name]
	if sub == nil || sub.expr == nil {
		return nil, nil, false
	}
	switch sub.expr.(type) {
	case *Const, *Str, *Num, *Coll:
		return sub.expr, sub.sc, true
	}
	return nil, nil, false
}
