package pyrule

import (
	"fmt"
	"strings"
	"unicode"

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
		if !truth && !partTruth && !negative(c) {
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
	var (
		done bool
		last *scope
		res  cond
	)
	return func(sc *scope) cond {
		if done && sc == last {
			return res
		}
		res, last, done = f(sc), sc, true
		return res
	}
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
		for _, e := range t.Elts {
			sc = bindTarget(sc, e, binding{expr: &Opaque{Pos: pos(e), Kind: "unpacked", Text: ExprString(b.expr)}})
		}
	}
	return sc
}

func (l *lowerer) forLoop(s *For, sc *scope, next func(*scope) cond, k konts) cond {
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
	sc2 := bindTarget(sc, s.Target, binding{expr: s.Iter, sc: sc})
	return l.exec(s.Body, sc2, konts{rest: next, brk: next, cont: next, ret: k.ret})
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

// ---- values ----

// lit is a literal value: a string, a number, a boolean or None.
type lit struct {
	s    string
	kind byte // 's' string, 'n' number, 'b' bool, '0' None
}

func (v lit) expr() Expr {
	switch v.kind {
	case 'n':
		return &Num{Text: v.s}
	case 'b':
		if v.s == "true" {
			return &Const{Value: "True"}
		}
		return &Const{Value: "False"}
	case '0':
		return &Const{Value: "None"}
	}
	return &Str{Value: v.s}
}

func (l *lowerer) enter() bool {
	l.evalDepth++
	return l.evalDepth <= maxEvalDepth && l.step()
}

func (l *lowerer) leave() { l.evalDepth-- }

// resolveName returns the expression a name stands for: a local binding,
// a module-level constant of the module the scope's code belongs to, or
// a constant imported from another module of the repository.
func (l *lowerer) resolveName(id string, sc *scope) (Expr, *scope, bool) {
	if b, ok := sc.lookup(id); ok {
		return b.expr, b.sc, true
	}
	if e, _, owner, ok := l.global(l.modOf(sc), id, 0); ok && e != nil {
		return e, owner.top, true
	}
	return nil, nil, false
}

// isGlobal reports whether a name resolves to a module-level constant (not a local).
func (l *lowerer) isGlobal(id string, sc *scope) bool {
	if _, local := sc.lookup(id); local {
		return false
	}
	e, _, _, ok := l.global(l.modOf(sc), id, 0)
	return ok && e != nil
}

// unresolved explains why a name has no value.
func (l *lowerer) unresolved(id string, p Pos, sc *scope) string {
	m := l.modOf(sc)
	if from, ok := l.importedFrom(m, id); ok {
		return fmt.Sprintf("%s imported from %s cannot be resolved (%s)", id, from, m.where(p.Line))
	}
	return fmt.Sprintf("name %s cannot be resolved (%s)", id, m.where(p.Line))
}

// field resolves an expression that reads an event field to its dotted path.
func (l *lowerer) field(e Expr, sc *scope) (string, bool) {
	if !l.enter() {
		return "", false
	}
	defer l.leave()
	switch e := e.(type) {
	case eventRef:
		return "", true
	case *Name:
		if l.isGlobal(e.ID, sc) {
			return "", false // module constants are not event fields
		}
		if x, xsc, ok := l.resolveName(e.ID, sc); ok {
			return l.field(x, xsc)
		}
	case *BoolOp:
		// `event.get("a") or ""`: the field with a literal fallback
		if e.Op == "or" && len(e.Xs) > 1 {
			if f, ok := l.field(e.Xs[0], sc); ok {
				for _, x := range e.Xs[1:] {
					if _, lit := l.lits(x, sc); !lit {
						return "", false
					}
				}
				return f, true
			}
		}
	case *Subscript:
		base, ok := l.field(e.X, sc)
		if !ok {
			return "", false
		}
		switch idx := e.Index.(type) {
		case *Num:
			return base, true
		case *Opaque:
			if idx.Kind == "slice" {
				return base, true
			}
		}
		if vs, ok := l.lits(e.Index, sc); ok && len(vs) == 1 && vs[0].kind == 's' {
			return join(base, vs[0].s), true
		}
	case *Call:
		if f, ok := l.callField(e, sc); ok {
			return f, true
		}
		return l.helperField(e, sc)
	case *IfExp:
		// `x.get("a") if x else None`: the field, with a literal fallback
		bf, bok := l.field(e.Body, sc)
		ef, eok := l.field(e.Else, sc)
		_, blit := l.lits(e.Body, sc)
		_, elit := l.lits(e.Else, sc)
		switch {
		case bok && bf != "" && (elit || (eok && ef == bf)):
			return bf, true
		case eok && ef != "" && blit:
			return ef, true
		}
	}
	return "", false
}

// lookThrough are methods whose result is a transformed copy of the field value.
var lookThrough = map[string]bool{"lower": true, "upper": true, "strip": true, "lstrip": true,
	"rstrip": true, "casefold": true, "title": true}

func (l *lowerer) callField(e *Call, sc *scope) (string, bool) {
	switch fn := e.Fn.(type) {
	case *Attr:
		if lookThrough[fn.Name] {
			return l.field(fn.X, sc)
		}
		if fn.Name == "loads" && len(e.Args) == 1 {
			if m, ok := fn.X.(*Name); ok && m.ID == "json" {
				return l.field(e.Args[0], sc) // the parsed JSON's keys read as subfields
			}
		}
		switch fn.Name {
		case "get":
			if len(e.Args) >= 1 {
				if base, ok := l.field(fn.X, sc); ok {
					if k, ok := l.str(e.Args[0], sc); ok {
						return join(base, k), true
					}
				}
			}
		case "deep_get", "deep_walk":
			if base, ok := l.field(fn.X, sc); ok {
				return l.path(base, e.Args, sc)
			}
		case "udm":
			if _, ok := l.field(fn.X, sc); ok && len(e.Args) >= 1 {
				name, ok := l.str(e.Args[0], sc)
				if !ok {
					return "", false
				}
				if sub := l.udmSub[name]; sub != nil {
					if sub.expr == nil {
						return name, true // no data model maps it: the udm name itself
					}
					return l.field(sub.expr, sub.sc)
				}
				return name, true
			}
		}
	case *Name:
		if len(e.Args) == 1 && fn.ID == "loads" && l.importedName(fn.ID, sc) == "json.loads" {
			return l.field(e.Args[0], sc) // the parsed JSON's keys read as subfields
		}
		switch fn.ID {
		case "str", "int", "float":
			if len(e.Args) == 1 {
				return l.field(e.Args[0], sc)
			}
		case "deep_get", "deep_walk":
			if len(e.Args) >= 1 {
				if base, ok := l.field(e.Args[0], sc); ok {
					return l.path(base, e.Args[1:], sc)
				}
			}
		}
	}
	return "", false
}

func (l *lowerer) path(base string, args []Expr, sc *scope) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	for _, a := range args {
		if keys, ok := l.splatKeys(a, sc); ok { // deep_get(*path) over a literal tuple
			for _, k := range keys {
				base = join(base, k)
			}
			continue
		}
		k, ok := l.str(a, sc)
		if !ok {
			return "", false
		}
		base = join(base, k)
	}
	return base, true
}

// splatKeys reads `*name` (an argument unpacking a name bound to a literal
// tuple or list of strings) as those strings.
func (l *lowerer) splatKeys(a Expr, sc *scope) ([]string, bool) {
	o, ok := a.(*Opaque)
	if !ok || o.Kind != "list_splat" || !strings.HasPrefix(o.Text, "*") {
		return nil, false
	}
	id := strings.TrimSpace(o.Text[1:])
	for _, c := range id {
		if c != '_' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return nil, false // not a plain name
		}
	}
	elems, ok := l.elems(&Name{Pos: o.Pos, ID: id}, sc)
	if !ok || len(elems) == 0 {
		return nil, false
	}
	keys := make([]string, len(elems))
	for i, b := range elems {
		k, ok := l.str(b.expr, b.sc)
		if !ok {
			return nil, false
		}
		keys[i] = k
	}
	return keys, true
}

func join(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// str resolves an expression to a single string literal.
func (l *lowerer) str(e Expr, sc *scope) (string, bool) {
	vs, ok := l.lits(e, sc)
	if !ok || len(vs) != 1 || vs[0].kind != 's' {
		return "", false
	}
	return vs[0].s, true
}

// lits resolves an expression to literal values: a literal, a collection
// of literals (dict keys for a dict), a name bound to one, or a union.
func (l *lowerer) lits(e Expr, sc *scope) ([]lit, bool) {
	if !l.enter() {
		return nil, false
	}
	defer l.leave()
	switch e := e.(type) {
	case *Str:
		return []lit{{s: e.Value, kind: 's'}}, true
	case *Num:
		return []lit{{s: e.Text, kind: 'n'}}, true
	case *Const:
		switch e.Value {
		case "True":
			return []lit{{s: "true", kind: 'b'}}, true
		case "False":
			return []lit{{s: "false", kind: 'b'}}, true
		}
		return []lit{{kind: '0'}}, true
	case *Coll:
		var out []lit
		for _, x := range e.Elts {
			vs, ok := l.lits(x, sc)
			if !ok {
				return nil, false
			}
			out = append(out, vs...)
		}
		return out, true
	case *Name:
		if x, xsc, ok := l.resolveName(e.ID, sc); ok {
			return l.lits(x, xsc)
		}
	case *Attr:
		if x, _, owner, ok := l.qualified(e, sc); ok && x != nil {
			return l.lits(x, owner.top)
		}
	case *IfExp:
		a, ok1 := l.lits(e.Body, sc)
		b, ok2 := l.lits(e.Else, sc)
		if ok1 && ok2 {
			return append(a, b...), true
		}
	case *Subscript:
		if v, vsc, ok := l.dictValue(e.X, e.Index, sc); ok {
			return l.lits(v, vsc)
		}
	case *BinOp:
		if e.Op == "+" || e.Op == "|" {
			a, ok1 := l.lits(e.L, sc)
			b, ok2 := l.lits(e.R, sc)
			if ok1 && ok2 {
				if len(a) == 1 && len(b) == 1 && a[0].kind == 's' && b[0].kind == 's' && e.Op == "+" {
					return []lit{{s: a[0].s + b[0].s, kind: 's'}}, true // string concatenation
				}
				return append(a, b...), true
			}
		}
	case *Call:
		switch fn := e.Fn.(type) {
		case *Name:
			switch fn.ID {
			case "set", "frozenset", "list", "tuple", "sorted":
				if len(e.Args) == 0 {
					return nil, true
				}
				if len(e.Args) == 1 {
					return l.lits(e.Args[0], sc)
				}
			}
		case *Attr:
			switch fn.Name {
			case "union":
				out, ok := l.lits(fn.X, sc)
				for _, a := range e.Args {
					vs, ok2 := l.lits(a, sc)
					ok = ok && ok2
					out = append(out, vs...)
				}
				if ok {
					return out, true
				}
			case "keys":
				return l.lits(fn.X, sc)
			case "get":
				if len(e.Args) >= 1 {
					if v, vsc, ok := l.dictValue(fn.X, e.Args[0], sc); ok {
						return l.lits(v, vsc)
					}
				}
			case "udm":
				if name, ok := l.udmName(e, sc); ok {
					if sub := l.udmSub[name]; sub != nil && sub.expr != nil {
						return l.lits(sub.expr, sub.sc)
					}
				}
			case "lower", "upper", "strip":
				if vs, ok := l.lits(fn.X, sc); ok && len(vs) == 1 && vs[0].kind == 's' {
					return vs, true
				}
			}
		}
	case *Comp:
		// {x.lower() for x in NAMES}: the values of the iterated collection
		if e.Cond == nil && isVarOrLookThrough(e.Elt, e.Var) {
			return l.lits(e.Iter, sc)
		}
	}
	return nil, false
}

func isVarOrLookThrough(e Expr, v string) bool {
	for d := 0; d < 10; d++ {
		switch x := e.(type) {
		case *Name:
			return x.ID == v
		case *Call:
			a, ok := x.Fn.(*Attr)
			if !ok || !lookThrough[a.Name] {
				return false
			}
			e = a.X
		default:
			return false
		}
	}
	return false
}

// why explains why an expression could not be turned into predicates.
func (l *lowerer) why(e Expr, sc *scope, what string) rule.Skipped {
	p := pos(e)
	// name the first unresolvable name or helper call, the usual cause
	if n := l.firstUnresolved(e, sc, 0); n != "" {
		return rule.Skipped{Reason: n}
	}
	return rule.Skipped{Reason: fmt.Sprintf("%s `%s` (%s)", what, snippet(ExprString(e)), l.modOf(sc).where(p.Line))}
}

func (l *lowerer) firstUnresolved(e Expr, sc *scope, depth int) string {
	if depth > 20 {
		return ""
	}
	switch e := e.(type) {
	case *Name:
		if _, _, ok := l.resolveName(e.ID, sc); !ok {
			if _, builtin := builtins[e.ID]; !builtin {
				if _, fn, _, _ := l.global(l.modOf(sc), e.ID, 0); fn == nil && l.moduleAlias(e, sc) == nil {
					return l.unresolved(e.ID, e.Pos, sc)
				}
			}
		}
	case *Call:
		m := l.modOf(sc)
		if n, ok := e.Fn.(*Name); ok {
			if _, fn, _, _ := l.global(m, n.ID, 0); fn == nil {
				if _, builtin := builtins[n.ID]; !builtin {
					if def, isClass := l.classOf(m, n.ID); isClass {
						return fmt.Sprintf("call to class %s defined at %s: objects of the repository's classes "+
							"(lookup-table enrichment) are beyond the analysis (%s)", n.ID, def, m.where(e.Line))
					}
					if pyBuiltins[n.ID] {
						return fmt.Sprintf("call to Python builtin %s(), beyond the analysis (%s)", n.ID, m.where(e.Line))
					}
					if from, imp := l.importedFrom(m, n.ID); imp {
						return fmt.Sprintf("call to %s imported from %s (%s)", n.ID, from, m.where(e.Line))
					}
					return fmt.Sprintf("call to unresolved function %s (%s)", n.ID, m.where(e.Line))
				}
			}
		}
		if a, ok := e.Fn.(*Attr); ok {
			if alias, isName := a.X.(*Name); isName {
				if from, imp := l.importedFrom(m, alias.ID); imp {
					if _, fn, _, _ := l.qualified(a, sc); fn == nil {
						return fmt.Sprintf("call to %s.%s from %s (%s)", alias.ID, a.Name, from, m.where(e.Line))
					}
				}
			}
		}
		for _, a := range e.Args {
			if s := l.firstUnresolved(a, sc, depth+1); s != "" {
				return s
			}
		}
		return l.firstUnresolved(e.Fn, sc, depth+1)
	case *Attr:
		return l.firstUnresolved(e.X, sc, depth+1)
	case *Compare:
		if s := l.firstUnresolved(e.Left, sc, depth+1); s != "" {
			return s
		}
		for _, r := range e.Right {
			if s := l.firstUnresolved(r, sc, depth+1); s != "" {
				return s
			}
		}
	case *Subscript:
		return l.firstUnresolved(e.X, sc, depth+1)
	}
	return ""
}

var builtins = map[string]bool{"str": true, "int": true, "float": true, "bool": true, "len": true,
	"any": true, "all": true, "set": true, "frozenset": true, "list": true, "tuple": true, "dict": true,
	"isinstance": true, "sorted": true, "min": true, "max": true, "sum": true, "abs": true,
	"True": true, "False": true, "None": true, "print": true, "range": true, "enumerate": true,
	"zip": true, "map": true, "filter": true, "getattr": true, "hasattr": true, "type": true,
	"deep_get": true, "deep_walk": true}

// pyBuiltins are Python builtins Lower does not read (those it does are in builtins).
var pyBuiltins = map[string]bool{"next": true, "iter": true, "reversed": true, "round": true,
	"hash": true, "id": true, "ord": true, "chr": true, "divmod": true, "pow": true}

func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// ---- conditions ----

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
		return l.callCond(e, sc)
	case *Coll:
		return boolConst(len(e.Elts) > 0)
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
	// an operand that is a data-model method's literal result (`udm or ""`)
	// compares as that literal
	if _, isName := left.(*Name); isName {
		if v, vsc, ok := l.udmLiteralExpr(left, sc); ok {
			left, sc = &Name{Pos: pos(left), ID: ExprString(left)}, sc.bind(ExprString(left), binding{expr: v, sc: vsc})
		}
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
		if c, ok := l.dictLookup(left, op, right, sc); ok {
			return c
		}
		if c, ok := l.dictLookup(right, flipped[op], left, sc); ok {
			return c
		}
		if c, ok := l.lastPartTest(left, op, right, sc); ok {
			return c
		}
		if c, ok := l.lastPartTest(right, flipped[op], left, sc); ok {
			return c
		}
		if c, ok := l.matchIsNone(left, op, right, sc); ok {
			return c
		}
		if c, ok := l.matchIsNone(right, flipped[op], left, sc); ok {
			return c
		}
		if c, ok := l.splitTest(left, op, right, sc); ok {
			return c
		}
		if c, ok := l.splitTest(right, flipped[op], left, sc); ok {
			return c
		}
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
