package pyrule

import (
	"fmt"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Limits that keep extraction linear-ish and bounded on any input.
const (
	maxSteps     = 20000 // statement executions and condition builds per rule
	maxCallDepth = 6     // nested calls of module-level functions inlined
	maxEvalDepth = 60    // nested name/expression resolutions
	maxUnroll    = 256   // values a for loop over a literal collection is unrolled for
	// maxImportChain bounds re-exports followed (from a import x, where a imports x from b, …)
	maxImportChain = 8
)

// GlobalHelperModules are the panther-analysis global helper modules; a
// name imported from them that cannot be resolved is reported as such.
var GlobalHelperModules = []string{"panther_base_helpers", "panther_default", "panther_oss_helpers"}

// Lower extracts the detection logic of `def rule(event)` as a boolean
// tree of predicates on event fields. Anything it cannot turn into
// predicates (unresolvable helpers, unsupported expressions) becomes
// rule.Skipped with a reason naming the line, so the rule is partial.
func Lower(q *Query) rule.Expr {
	return LowerFunc(q, "rule")
}

// LowerFunc is Lower for the module-level function name.
func LowerFunc(q *Query, name string) rule.Expr {
	return LowerWith(q, name, Options{})
}

// LowerWith is LowerFunc with the repository context: imported modules
// resolve through opts.Resolve and udm names through opts.UDM.
func LowerWith(q *Query, name string, opts Options) rule.Expr {
	f := q.Func(name)
	if f == nil {
		return rule.Skipped{Reason: fmt.Sprintf("no %s(event) function", name)}
	}
	l := newLowerer(q, opts)
	sc := l.root.top
	if len(f.Params) > 0 {
		sc = sc.bind(f.Params[0], binding{expr: eventRef{}})
	}
	c := l.exec(f.Body, sc, konts{rest: retFalse, brk: retFalse, cont: retFalse})
	if l.tooComplex {
		return rule.Skipped{Reason: fmt.Sprintf("%s() is too complex to analyse (line %d)", name, f.Line)}
	}
	if c == cFalse {
		return rule.Skipped{Reason: fmt.Sprintf("no path of %s() returns True that could be analysed (line %d)", name, f.Line)}
	}
	return toExpr(c)
}

func retFalse(*scope) cond { return cFalse }

// ---- the condition algebra ----

// cond is a boolean condition under construction: cTrue, cFalse, cAnd,
// cOr, cNot or a leaf (rule.Cmp or rule.Skipped).
type cond interface{}

type boolConst bool

var (
	cTrue  cond = boolConst(true)
	cFalse cond = boolConst(false)
)

type (
	cAnd []cond
	cOr  []cond
	cNot struct{ x cond }
)

func and(xs ...cond) cond {
	var out cAnd
	for _, x := range xs {
		switch x := x.(type) {
		case boolConst:
			if !x {
				return cFalse
			}
		case cAnd:
			out = append(out, x...)
		default:
			out = append(out, x)
		}
	}
	switch len(out) {
	case 0:
		return cTrue
	case 1:
		return out[0]
	}
	return out
}

func or(xs ...cond) cond {
	var out cOr
	for _, x := range xs {
		switch x := x.(type) {
		case boolConst:
			if x {
				return cTrue
			}
		case cOr:
			out = append(out, x...)
		default:
			out = append(out, x)
		}
	}
	switch len(out) {
	case 0:
		return cFalse
	case 1:
		return out[0]
	}
	return out
}

// negative reports whether x is a negated comparison or a negation.
func negative(x cond) bool {
	switch x := x.(type) {
	case rule.Cmp:
		return x.Negated || x.Op == rule.OpIsNull
	case truthTest:
		return !x.truthy
	case splitTruth:
		return !x.truthy
	case lenCmp:
		return !x.truthy
	case cNot:
		return true
	}
	return false
}

// not negates x, cancelling double negations: a guard on a negated test
// (`if x != "y": return False`) is a requirement, not an exclusion.
func not(x cond) cond {
	switch x := x.(type) {
	case boolConst:
		return boolConst(!x)
	case cNot:
		return x.x
	case rule.Skipped:
		return x
	case truthTest:
		x.truthy = !x.truthy
		return x
	case splitTruth:
		x.truthy = !x.truthy
		return x
	case lenCmp:
		x.truthy = !x.truthy
		return x
	case rule.Cmp:
		switch {
		case x.Op == rule.OpIsNull && !x.Negated:
			x.Op = rule.OpIsNotNull
		case x.Op == rule.OpIsNotNull && !x.Negated:
			x.Op = rule.OpIsNull
		default:
			x.Negated = !x.Negated
		}
		return x
	case cAnd:
		if allNegative(x) {
			out := make([]cond, len(x))
			for i, c := range x {
				out[i] = not(c)
			}
			return or(out...)
		}
	case cOr:
		if allNegative(x) {
			out := make([]cond, len(x))
			for i, c := range x {
				out[i] = not(c)
			}
			return and(out...)
		}
	}
	return cNot{x}
}

// allNegative reports whether every one of xs negates without a Not:
// negative tests, and truthiness tests (which flip to falsiness).
func allNegative(xs []cond) bool {
	for _, c := range xs {
		_, truth := c.(truthTest)
		_, partTruth := c.(splitTruth)
		_, length := c.(lenCmp)
		if !truth && !partTruth && !length && !negative(c) {
			return false
		}
	}
	return true
}

func toExpr(c cond) rule.Expr {
	switch c := c.(type) {
	case boolConst:
		return rule.And{}
	case cAnd:
		out := make(rule.And, len(c))
		for i, x := range c {
			out[i] = toExpr(x)
		}
		return out
	case cOr:
		out := make(rule.Or, len(c))
		for i, x := range c {
			out[i] = toExpr(x)
		}
		return out
	case cNot:
		return rule.Not{X: toExpr(c.x)}
	case rule.Cmp:
		return c
	case rule.Skipped:
		return c
	case truthTest:
		return c.expr()
	case splitTruth:
		return c.expr()
	case lenCmp:
		return c.expr()
	}
	return rule.Skipped{Reason: "internal: unknown condition"}
}

// ---- scopes ----

// eventRef stands for the event parameter of rule().
type eventRef struct{}

func (eventRef) exprNode() {}

// binding is a name's value: an expression and the scope it is evaluated in.
type binding struct {
	expr Expr
	sc   *scope
}

// scope is a persistent (immutable, linked) map of local names, and
// the module whose code runs in it (nil: the rule's own module).
type scope struct {
	name string
	b    binding
	next *scope
	mod  *modCtx
}

func (s *scope) bind(name string, b binding) *scope {
	var m *modCtx
	if s != nil {
		m = s.mod
	}
	return &scope{name: name, b: b, next: s, mod: m}
}

func (s *scope) lookup(name string) (binding, bool) {
	for ; s != nil; s = s.next {
		if s.name == name {
			return s.b, true
		}
	}
	return binding{}, false
}

// ---- the lowerer ----

type lowerer struct {
	root       *modCtx            // the rule's own module
	mods       map[string]*modCtx // imported modules by import name (nil: not in the repository)
	opts       Options
	udmSub     map[string]*binding // udm names being expanded → the value they stand for
	inlining   []*FuncDef          // the functions being inlined, outermost first
	steps      int
	tooComplex bool
	callDepth  int
	evalDepth  int
	retSeq     int // names the slots compareReturns binds return values to
	// splitRetries counts the helper results helperAssign gave up on
	splitRetries int
}

func newLowerer(q *Query, opts Options) *lowerer {
	return &lowerer{root: newModCtx("", "", q), mods: map[string]*modCtx{}, opts: opts,
		udmSub: map[string]*binding{}}
}

func (l *lowerer) step() bool {
	l.steps++
	if l.steps > maxSteps {
		l.tooComplex = true
		return false
	}
	return true
}

// konts are the continuations of a statement list: what happens when it
// falls through (rest), breaks out of or continues the enclosing loop.
type konts struct {
	rest, brk, cont func(*scope) cond
	// ret, when set, gives the condition of a return statement from its
	// value (a data-model method inverted); nil means the value's truthiness
	ret func(Expr, *scope) cond
}

// memo wraps a continuation so that calling it again with the same scope
// reuses the result (both branches of a guard fall through unchanged).
func memo(f func(*scope) cond) func(*scope) cond {
	m := &memoCont{f: f} // one allocation for the state, not one per variable
	return m.call
}

// memoCont is memo's state: the last scope f was called with and its result.
type memoCont struct {
	f    func(*scope) cond
	done bool
	last *scope
	res  cond
}

func (m *memoCont) call(sc *scope) cond {
	if m.done && sc == m.last {
		return m.res
	}
	m.res, m.last, m.done = m.f(sc), sc, true
	return m.res
}

// exec returns the condition under which the statements return a truthy value.
func (l *lowerer) exec(stmts []Stmt, sc *scope, k konts) cond {
	if len(stmts) == 0 {
		return k.rest(sc)
	}
	if !l.step() {
		return cFalse
	}
	s, tail := stmts[0], stmts[1:]
	next := memo(func(sc2 *scope) cond { return l.exec(tail, sc2, k) })
	switch s := s.(type) {
	case *Return:
		if k.ret != nil {
			if s.Value == nil {
				return k.ret(&Const{Pos: s.Pos, Value: "None"}, sc)
			}
			return k.ret(s.Value, sc)
		}
		if s.Value == nil {
			return cFalse
		}
		return l.cond(s.Value, sc)
	case *Assign:
		if c, ok := l.keyedAssign(s, sc, next); ok {
			return c
		}
		if c, ok := l.helperAssign(s, sc, next); ok {
			return c
		}
		return next(bindTarget(sc, s.Target, binding{expr: s.Value, sc: sc}))
	case *If:
		sc = bindWalrus(s.Cond, sc)
		if !jumps(s.Body) && !jumps(s.Else) && !rebinds(sc, s.Body) && !rebinds(sc, s.Else) {
			return next(weakBind(sc, s.Body, weakBind(sc, s.Else, sc)))
		}
		c := l.cond(s.Cond, sc)
		inner := konts{rest: next, brk: k.brk, cont: k.cont, ret: k.ret}
		b := l.exec(s.Body, sc, inner)
		e := l.exec(s.Else, sc, inner)
		return branch(c, b, e)
	case *For:
		return l.forLoop(s, sc, next, k)
	case *Block:
		return l.exec(s.Body, sc, konts{rest: next, brk: k.brk, cont: k.cont, ret: k.ret})
	case *OpaqueStmt:
		switch s.Kind {
		case "break_statement":
			return k.brk(sc)
		case "continue_statement":
			return k.cont(sc)
		case "raise_statement":
			return cFalse
		case "while_statement", "match_statement":
			return and(rule.Skipped{Reason: fmt.Sprintf("%s not analysed (%s)",
				strings.TrimSuffix(s.Kind, "_statement"), l.modOf(sc).where(s.Line))}, next(sc))
		}
	}
	return next(sc)
}

// branch combines `if c: <b> else: <e>`.
func branch(c, b, e cond) cond {
	switch {
	case b == cTrue:
		return or(c, e)
	case b == cFalse:
		return and(not(c), e)
	case e == cFalse:
		return and(c, b)
	case e == cTrue:
		return or(not(c), b)
	}
	return or(and(c, b), and(not(c), e))
}

// jumps reports whether stmts can leave the normal flow (return, break, continue, raise).
func jumps(stmts []Stmt) bool {
	for _, s := range stmts {
		switch s := s.(type) {
		case *Return:
			return true
		case *If:
			if jumps(s.Body) || jumps(s.Else) {
				return true
			}
		case *For:
			if jumps(s.Body) {
				return true
			}
		case *Block:
			if jumps(s.Body) {
				return true
			}
		case *OpaqueStmt:
			switch s.Kind {
			case "break_statement", "continue_statement", "raise_statement":
				return true
			}
		}
	}
	return false
}

// weakBind binds the names assigned in stmts that are not bound yet in
// sc (a conditional assignment keeps an existing value).
func weakBind(sc *scope, stmts []Stmt, into *scope) *scope {
	for _, s := range stmts {
		switch s := s.(type) {
		case *Assign:
			if n, ok := s.Target.(*Name); ok {
				if _, bound := sc.lookup(n.ID); !bound {
					if _, done := into.lookup(n.ID); !done {
						into = into.bind(n.ID, binding{expr: s.Value, sc: sc})
					}
				}
			}
		case *If:
			into = weakBind(sc, s.Else, weakBind(sc, s.Body, into))
		case *Block:
			into = weakBind(sc, s.Body, into)
		}
	}
	return into
}

// rebinds reports whether stmts assign a name sc already binds: such a
// conditional assignment must be followed on both paths (weakBind would
// keep the old value and lose the assigned one).
func rebinds(sc *scope, stmts []Stmt) bool {
	for _, s := range stmts {
		switch s := s.(type) {
		case *Assign:
			if n, ok := s.Target.(*Name); ok {
				if _, bound := sc.lookup(n.ID); bound {
					return true
				}
			}
		case *If:
			if rebinds(sc, s.Body) || rebinds(sc, s.Else) {
				return true
			}
		case *Block:
			if rebinds(sc, s.Body) {
				return true
			}
		}
	}
	return false
}

// bindTarget binds the names of an assignment target; tuple targets bind
// their names to an unknown value.
func bindTarget(sc *scope, target Expr, b binding) *scope {
	switch t := target.(type) {
	case *Name:
		return sc.bind(t.ID, b)
	case *Coll:
		if v, ok := b.expr.(*Coll); ok && (v.Kind == "tuple" || v.Kind == "list") && len(v.Elts) == len(t.Elts) && !hasSplat(v.Elts) {
			for i, e := range t.Elts { // a, b = x, y
				sc = bindTarget(sc, e, binding{expr: v.Elts[i], sc: b.sc})
			}
			return sc
		}
		for _, e := range t.Elts {
			sc = bindTarget(sc, e, binding{expr: &Opaque{Pos: pos(e), Kind: "unpacked", Text: ExprString(b.expr)}})
		}
	}
	return sc
}
