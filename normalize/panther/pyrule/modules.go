package pyrule

import (
	"fmt"
	"strings"
)

// Module is one parsed Python module of the repository a rule can import.
type Module struct {
	Name  string // the import name, e.g. panther_aws_helpers
	Path  string // the repository-relative path, named in messages
	Query *Query
}

// Resolver finds an imported module by its import name; it returns nil
// when the repository has no such module (the standard library, a
// package, a module missing from the repository).
type Resolver func(name string) *Module

// Options are the repository context of a lowering.
type Options struct {
	// Path is the repository-relative path of the rule's own file.
	Path string
	// Resolve finds imported modules; nil resolves none.
	Resolve Resolver
	// UDM resolves event.udm("name") through the data models of the
	// rule's log types; nil leaves udm names as fields.
	UDM UDMResolver
}

// modCtx is a module as the lowerer sees it: its constants, functions and imports.
type modCtx struct {
	name, path string
	consts     map[string]Expr
	funcs      map[string]*FuncDef
	imports    map[string]importRef
	classes    map[string]int  // class name → line of its definition
	top        *scope          // the scope of module-level code (no locals)
	mutated    map[string]bool // names the module's code changes in place (see mutatedNames); nil until asked
	body       []Stmt
}

// isMutated reports whether the module's code changes name in place
// (computed on first use: most rules never ask).
func (m *modCtx) isMutated(name string) bool {
	if m.mutated == nil {
		m.mutated = map[string]bool{}
		mutatedNames(m.body, m.mutated, 0)
	}
	return m.mutated[name]
}

// importRef is what an imported name stands for: a whole module (name
// "") or one name from it.
type importRef struct{ mod, name string }

func newModCtx(name, path string, q *Query) *modCtx {
	m := &modCtx{name: name, path: path, consts: map[string]Expr{}, funcs: map[string]*FuncDef{}, classes: map[string]int{},
		imports: map[string]importRef{}}
	m.top = &scope{mod: m}
	m.body = q.Body
	for _, s := range q.Body {
		switch s := s.(type) {
		case *Assign:
			if n, ok := s.Target.(*Name); ok {
				m.consts[n.ID] = s.Value
			}
		case *FuncDef:
			m.funcs[s.Name] = s
		case *OpaqueStmt:
			if s.Kind == "class_definition" && s.Name != "" {
				m.classes[s.Name] = s.Line
			}
		case *Import:
			for i, n := range s.Names {
				orig := n
				if i < len(s.Orig) {
					orig = s.Orig[i]
				}
				switch {
				case n == "*":
				case s.From == "":
					if strings.HasPrefix(orig, n+".") {
						m.imports[n] = importRef{mod: n} // import a.b binds a
					} else {
						m.imports[n] = importRef{mod: orig}
					}
				default:
					m.imports[n] = importRef{mod: s.From, name: orig}
				}
			}
		}
	}
	return m
}

// where names a line of module m: "line N" in the rule's own file, "PATH line N" elsewhere.
func (m *modCtx) where(line int) string {
	if m == nil || m.path == "" {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s line %d", m.path, line)
}

// module returns the context of an imported module, parsed once per
// lowering; nil when the repository does not have it.
func (l *lowerer) module(name string) *modCtx {
	if m, ok := l.mods[name]; ok {
		return m
	}
	var m *modCtx
	if l.opts.Resolve != nil {
		if mod := l.opts.Resolve(strings.TrimPrefix(name, ".")); mod != nil && mod.Query != nil {
			m = newModCtx(mod.Name, mod.Path, mod.Query)
		}
	}
	l.mods[name] = m
	return m
}

// modOf is the module whose code a scope belongs to.
func (l *lowerer) modOf(sc *scope) *modCtx {
	if sc != nil && sc.mod != nil {
		return sc.mod
	}
	return l.root
}

// global resolves a module-level name of m: a constant, or a name
// imported from another module of the repository (followed through
// re-exports). fn is set for a function.
func (l *lowerer) global(m *modCtx, id string, depth int) (e Expr, fn *FuncDef, owner *modCtx, ok bool) {
	if m == nil || depth > maxImportChain {
		return nil, nil, nil, false
	}
	if x, found := m.consts[id]; found {
		return x, nil, m, true
	}
	if f, found := m.funcs[id]; found {
		return nil, f, m, true
	}
	ref, found := m.imports[id]
	if !found || ref.name == "" {
		return nil, nil, nil, false
	}
	tm := l.module(ref.mod)
	if tm == nil {
		return nil, nil, nil, false
	}
	return l.global(tm, ref.name, depth+1)
}

// moduleAlias returns the module a bare name imported as a module stands for.
func (l *lowerer) moduleAlias(e Expr, sc *scope) *modCtx {
	n, ok := e.(*Name)
	if !ok {
		return nil
	}
	if _, local := sc.lookup(n.ID); local {
		return nil
	}
	m := l.modOf(sc)
	ref, found := m.imports[n.ID]
	if !found {
		return nil
	}
	if ref.name == "" {
		return l.module(ref.mod)
	}
	// from pkg import mod: a submodule is not modelled
	return nil
}

// qualified resolves `alias.NAME` where alias is an imported module of
// the repository: the name as a module-level name of that module.
func (l *lowerer) qualified(e Expr, sc *scope) (Expr, *FuncDef, *modCtx, bool) {
	a, ok := e.(*Attr)
	if !ok {
		return nil, nil, nil, false
	}
	tm := l.moduleAlias(a.X, sc)
	if tm == nil {
		return nil, nil, nil, false
	}
	return l.global(tm, a.Name, 0)
}

// importedFrom explains where an unresolvable imported name comes from.
func (l *lowerer) importedFrom(m *modCtx, id string) (string, bool) {
	ref, ok := m.imports[id]
	if !ok {
		return "", false
	}
	mod := ref.mod
	if tm := l.module(mod); tm != nil {
		return fmt.Sprintf("%s (%s)", mod, tm.path), true
	}
	if l.opts.Resolve == nil {
		return mod, true // no repository to look in
	}
	return fmt.Sprintf("%s, a module outside the repository", mod), true
}

// classOf finds the class a name of module m stands for: defined in m or
// imported from a repository module that defines it.
func (l *lowerer) classOf(m *modCtx, id string) (where string, ok bool) {
	for d := 0; m != nil && d <= maxImportChain; d++ {
		if line, ok := m.classes[id]; ok {
			return m.where(line), true
		}
		ref, ok := m.imports[id]
		if !ok || ref.name == "" {
			return "", false
		}
		m, id = l.module(ref.mod), ref.name
	}
	return "", false
}
