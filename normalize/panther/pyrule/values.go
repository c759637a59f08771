package pyrule

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Values: literals, names, field reads and the reasons a value is beyond the analysis.

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
//
// A collection display bound to a name the module's code changes in place
// (`found = []` … `found.append(x)`) does not resolve: the display is not
// the value the name holds later.
func (l *lowerer) resolveName(id string, sc *scope) (Expr, *scope, bool) {
	if b, ok := sc.lookup(id); ok {
		if _, isColl := b.expr.(*Coll); isColl && l.modOf(sc).isMutated(id) {
			return nil, nil, false
		}
		return b.expr, b.sc, true
	}
	if e, _, owner, ok := l.global(l.modOf(sc), id, 0); ok && e != nil {
		if _, isColl := e.(*Coll); isColl && owner.isMutated(id) {
			return nil, nil, false
		}
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
	if m.isMutated(id) {
		if _, bound := sc.lookup(id); bound || m.consts[id] != nil {
			return fmt.Sprintf("unsupported expression `%s`: a collection the code changes in place (append, x[k] = v, …) (%s)", id, m.where(p.Line))
		}
	}
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
	case *BoolOp:
		if v, vsc, ok := l.litExpr(e, sc); ok { // `None or {}`
			return l.lits(v, vsc)
		}
	case *Call:
		if v, vsc, ok := l.readOfLiteral(e, sc); ok { // `{}.get("k", d)`
			return l.lits(v, vsc)
		}
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
			case "lower", "upper", "strip", "lstrip", "rstrip":
				if vs, ok := l.lits(fn.X, sc); ok && len(vs) == 1 && vs[0].kind == 's' && len(e.Args) == 0 {
					return []lit{{s: strMethod(fn.Name, vs[0].s), kind: 's'}}, true
				}
			}
		}
	case *Comp:
		// {x.lower() for x in NAMES}: the values of the iterated collection,
		// lowered
		if e.Cond == nil && isVarOrLookThrough(e.Elt, e.Var) {
			vs, ok := l.lits(e.Iter, sc)
			if !ok {
				return nil, false
			}
			out := make([]lit, len(vs))
			for i, v := range vs {
				if _, isName := e.Elt.(*Name); v.kind != 's' && !isName {
					return nil, false // None.lower() raises
				}
				out[i] = v
				if v.kind == 's' {
					if out[i].s, ok = applyMethods(e.Elt, v.s); !ok {
						return nil, false
					}
				}
			}
			return out, true
		}
	}
	return nil, false
}

// strMethod applies a str method that takes no argument.
func strMethod(name, s string) string {
	switch name {
	case "lower":
		return strings.ToLower(s)
	case "upper":
		return strings.ToUpper(s)
	case "strip":
		return strings.Trim(s, pyWhitespace)
	case "lstrip":
		return strings.TrimLeft(s, pyWhitespace)
	case "rstrip":
		return strings.TrimRight(s, pyWhitespace)
	}
	return s
}

// pyWhitespace is what str.strip() removes (ASCII whitespace and the
// separators Python counts; enough for the constants rules hold).
const pyWhitespace = " \t\n\r\v\f\x1c\x1d\x1e\x1f\u0085\u00a0\u2028\u2029\u3000"

// applyMethods applies the look-through chain of e (`x.strip().lower()`,
// innermost first) to s; ok is false for a method strMethod does not
// compute exactly (casefold, title) or one called with arguments.
func applyMethods(e Expr, s string) (string, bool) {
	var chain []string
	for d := 0; d < 10; d++ {
		c, ok := e.(*Call)
		if !ok {
			break
		}
		a := c.Fn.(*Attr) // isVarOrLookThrough checked the shape
		if len(c.Args) != 0 {
			return "", false
		}
		switch a.Name {
		case "lower", "upper", "strip", "lstrip", "rstrip":
		default:
			return "", false
		}
		chain = append(chain, a.Name)
		e = a.X
	}
	for i := len(chain) - 1; i >= 0; i-- {
		s = strMethod(chain[i], s)
	}
	return s, true
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
