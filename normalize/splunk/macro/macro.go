// Package macro loads Splunk search macro definitions (security_content
// `macros/*.yml`) and expands backtick macro references in SPL text the way
// Splunk does before it parses a search.
//
// A reference is `name` or `name(arg1, arg2)`. A definition taking arguments
// is found under the key `name(N)`, N being the number of arguments, and its
// `$arg$` placeholders are replaced by the arguments as written before the
// result is expanded again. Expansion is textual, like Splunk's: a reference
// inside a double-quoted string is left alone.
//
// Limits keep hostile input finite: nesting deeper than MaxDepth, a cycle
// (a macro reached again while it is being expanded), more than MaxRefs
// references in one expansion or an output over MaxOutput bytes stop the
// expansion of the macro concerned and leave a note.
//
// Comments (```text```) are removed.
//
// Filter macros: security_content appends a `<detection>_filter` macro to
// every search for local tuning; its shipped definition is `search *` or
// empty, and the generated definitions are often absent from the repository.
// A `*_filter` macro that is absent, empty or `search *` expands to nothing
// and is counted apart, not as missing. Any other missing macro expands to
// nothing and leaves a note.
package macro

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/yamlfast"
)

// Limits of one expansion.
const (
	MaxDepth  = 20      // nested macro levels
	MaxRefs   = 10000   // references expanded in one call of Expand
	MaxOutput = 1 << 20 // bytes of expanded text
)

// Def is one macro definition.
type Def struct {
	Name       string   // the macro name without the `(N)` suffix
	Args       []string // argument names, in order
	Definition string
	Path       string // the file it came from, when loaded from disk
	// Source names the Splunk app or add-on that defines a built-in macro
	// (see Builtins); "" for a definition read from a repository.
	Source string
}

// Key is the name Splunk looks the definition up by: `name`, or `name(N)`
// for a macro of N arguments.
func (d Def) Key() string { return key(d.Name, len(d.Args)) }

func key(name string, argc int) string {
	if argc == 0 {
		return name
	}
	return name + "(" + strconv.Itoa(argc) + ")"
}

// Set is a collection of macro definitions. It is read-only once built, so
// Expand may be called from several goroutines at once.
type Set struct {
	defs map[string]Def
}

// NewSet returns a Set holding defs; a later definition of the same key
// replaces an earlier one.
func NewSet(defs ...Def) *Set {
	s := &Set{defs: make(map[string]Def, len(defs))}
	for _, d := range defs {
		s.defs[d.Key()] = d
	}
	return s
}

// Len returns the number of definitions.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.defs)
}

// Lookup returns the definition of name taking argc arguments.
func (s *Set) Lookup(name string, argc int) (Def, bool) {
	if s == nil {
		return Def{}, false
	}
	d, ok := s.defs[key(name, argc)]
	return d, ok
}

// Keys returns the definition keys, sorted.
func (s *Set) Keys() []string {
	out := make([]string, 0, s.Len())
	if s != nil {
		for k := range s.defs {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// ParseDef decodes one macro YAML file: `name`, `definition` and the
// argument names under `arguments` (security_content) or `args` (a list or a
// comma-separated string, as in macros.conf). A name written `name(N)` has
// the suffix removed; N must then match the argument count.
func ParseDef(data []byte) (Def, error) {
	var raw struct {
		Name       string    `yaml:"name"`
		Definition string    `yaml:"definition"`
		Arguments  yaml.Node `yaml:"arguments"`
		Args       yaml.Node `yaml:"args"`
	}
	if err := yamlfast.Unmarshal(data, &raw); err != nil {
		return Def{}, fmt.Errorf("invalid macro YAML: %w", err)
	}
	d := Def{Name: strings.TrimSpace(raw.Name), Definition: raw.Definition}
	if d.Name == "" {
		return Def{}, errors.New("macro has no name")
	}
	args := argNames(&raw.Arguments)
	if len(args) == 0 {
		args = argNames(&raw.Args)
	}
	d.Args = args
	if i := strings.IndexByte(d.Name, '('); i > 0 && strings.HasSuffix(d.Name, ")") {
		n, err := strconv.Atoi(strings.TrimSpace(d.Name[i+1 : len(d.Name)-1]))
		if err != nil {
			return Def{}, fmt.Errorf("macro name %q: bad argument count", d.Name)
		}
		if n != len(args) {
			return Def{}, fmt.Errorf("macro name %q declares %d arguments but lists %d", d.Name, n, len(args))
		}
		d.Name = strings.TrimSpace(d.Name[:i])
	}
	return d, nil
}

func argNames(n *yaml.Node) []string {
	var out []string
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode && strings.TrimSpace(c.Value) != "" {
				out = append(out, strings.TrimSpace(c.Value))
			}
		}
	case yaml.ScalarNode:
		for _, a := range strings.Split(n.Value, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

// LoadDir reads every *.yml / *.yaml file directly in dir. Files that cannot
// be decoded are listed in notes and skipped; a missing or unreadable dir is
// an error.
func LoadDir(dir string) (s *Set, notes []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading macros: %w", err)
	}
	var defs []Def
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")) {
			continue
		}
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		d, err := ParseDef(data)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		d.Path = p
		defs = append(defs, d)
	}
	return NewSet(defs...), notes, nil
}

// LoadFS is LoadDir over an fs.FS folder.
func LoadFS(fsys fs.FS, dir string) (*Set, []string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading macros: %w", err)
	}
	var defs []Def
	var notes []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")) {
			continue
		}
		p := dir + "/" + name
		data, err := fs.ReadFile(fsys, p)
		if err == nil {
			var d Def
			if d, err = ParseDef(data); err == nil {
				d.Path = p
				defs = append(defs, d)
				continue
			}
		}
		notes = append(notes, fmt.Sprintf("%s: %v", p, err))
	}
	return NewSet(defs...), notes, nil
}

// IsFilterName reports whether name is a security_content tuning macro
// (`<detection>_filter`).
func IsFilterName(name string) bool { return strings.HasSuffix(name, "_filter") }

// isEmptyFilter reports whether a definition does nothing: empty or
// `search *`.
func isEmptyFilter(def string) bool {
	f := strings.Fields(def)
	switch len(f) {
	case 0:
		return true
	case 2:
		return strings.EqualFold(f[0], "search") && f[1] == "*"
	}
	return false
}

// parseRef splits the text between two backticks into a name and its
// arguments. Arguments are separated by top-level commas (outside double
// quotes and parentheses) and kept as written, trimmed.
func parseRef(ref string) (name string, args []string, ok bool) {
	ref = strings.TrimSpace(ref)
	i := strings.IndexByte(ref, '(')
	if i < 0 {
		return ref, nil, ref != ""
	}
	if !strings.HasSuffix(ref, ")") {
		return "", nil, false
	}
	name = strings.TrimSpace(ref[:i])
	body := ref[i+1 : len(ref)-1]
	if strings.TrimSpace(body) == "" {
		return name, nil, name != ""
	}
	depth, start, inQ := 0, 0, false
	for j := 0; j < len(body); j++ {
		c := body[j]
		switch {
		case inQ && c == '\\':
			j++
		case c == '"':
			inQ = !inQ
		case inQ:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			args = append(args, strings.TrimSpace(body[start:j]))
			start = j + 1
		}
	}
	args = append(args, strings.TrimSpace(body[start:]))
	return name, args, name != ""
}

// substitute replaces each `$name$` of d's arguments in d.Definition.
func substitute(d Def, args []string) string {
	s := d.Definition
	if len(d.Args) == 0 || !strings.Contains(s, "$") {
		return s
	}
	pairs := make([]string, 0, 2*len(d.Args))
	for i, a := range d.Args {
		pairs = append(pairs, "$"+a+"$", args[i])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Status says what became of one macro reference.
type Status int

// Reference outcomes.
const (
	Expanded      Status = iota // found and expanded
	FilterEmpty                 // a *_filter macro, absent, empty or `search *`: nothing
	Missing                     // not defined: dropped, with a note
	Malformed                   // not a valid reference: dropped, with a note
	Cycle                       // reached again while expanding itself: dropped
	LimitExceeded               // depth, reference count or output limit: dropped
)

var statusNames = [...]string{"expanded", "filter_empty", "missing", "malformed", "cycle", "limit"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Ref is one macro reference met during an expansion (top-level or nested).
type Ref struct {
	Name   string
	Argc   int
	Depth  int // 0 for a reference in the source text
	Status Status
	Source string // the app of a built-in definition that expanded it, else ""
}

// seg maps a run of the output back to the source: text copied from the
// source maps byte for byte; text produced by a macro maps to the start of
// the top-level reference that produced it.
type seg struct {
	out, src int
	copied   bool
	macro    string
}

// Expansion is the result of expanding one text.
type Expansion struct {
	Text  string
	Refs  []Ref
	Notes []string // distinct problems: missing macros, cycles, limits
	// Truncated is set when MaxOutput or MaxRefs stopped the expansion.
	Truncated bool

	segs []seg
}

// Origin maps a byte offset of Text back to the source text: the offset it
// was copied from, or the offset of the top-level macro reference whose
// expansion produced it, together with that macro's name.
func (e *Expansion) Origin(off int) (src int, macro string) {
	i := sort.Search(len(e.segs), func(i int) bool { return e.segs[i].out > off }) - 1
	if i < 0 {
		return off, ""
	}
	s := e.segs[i]
	if s.copied {
		return s.src + off - s.out, ""
	}
	return s.src, s.macro
}

// Count returns how many references had status st.
func (e *Expansion) Count(st Status) int {
	n := 0
	for _, r := range e.Refs {
		if r.Status == st {
			n++
		}
	}
	return n
}

type expander struct {
	set   *Set
	out   bytes.Buffer
	exp   *Expansion
	stack []string
	refs  int
	noted map[string]bool
}

// Expand replaces every macro reference in src by its definition,
// recursively. It never fails: problems become notes and the reference is
// dropped.
func (s *Set) Expand(src string) *Expansion {
	e := &Expansion{}
	if !strings.Contains(src, "`") {
		e.Text = src
		e.segs = []seg{{out: 0, src: 0, copied: true}}
		return e
	}
	x := &expander{set: s, exp: e}
	x.out.Grow(len(src) + len(src)/2)
	x.expand(src, 0, 0, "")
	e.Text = x.out.String()
	return e
}

func (x *expander) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if x.noted == nil {
		x.noted = map[string]bool{}
	}
	if !x.noted[n] {
		x.noted[n] = true
		x.exp.Notes = append(x.exp.Notes, n)
	}
}

// emit appends text; at depth 0 it maps to src offset at, else to the
// top-level reference at origin.
func (x *expander) emit(text string, depth, at int, macro string) {
	if text == "" {
		return
	}
	if x.out.Len()+len(text) > MaxOutput {
		if !x.exp.Truncated {
			x.exp.Truncated = true
			x.note("macro expansion exceeds %d bytes", MaxOutput)
		}
		return
	}
	s := seg{out: x.out.Len(), src: at, copied: depth == 0, macro: macro}
	if n := len(x.exp.segs); n > 0 {
		last := x.exp.segs[n-1]
		if last.copied == s.copied && last.macro == s.macro &&
			(s.copied && last.src+s.out-last.out == s.src || !s.copied && last.src == s.src) {
			x.out.WriteString(text) // extends the last segment
			return
		}
	}
	x.exp.segs = append(x.exp.segs, s)
	x.out.WriteString(text)
}

// expand copies text to the output, expanding references. depth is the
// nesting level; at depth > 0, origin and top name the top-level reference.
func (x *expander) expand(text string, depth, origin int, top string) {
	lit := 0 // start of pending literal text
	flush := func(end int) {
		if end > lit {
			at := origin
			if depth == 0 {
				at = lit
			}
			x.emit(text[lit:end], depth, at, top)
		}
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++ // an escaped character, e.g. \" outside a string
		case '"':
			// Skip a quoted string: references inside are not expanded.
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '`':
			if strings.HasPrefix(text[i:], "```") {
				// A comment: ```text```, dropped.
				j := strings.Index(text[i+3:], "```")
				if j < 0 {
					i = len(text)
					continue
				}
				flush(i)
				i += j + 5
				lit = i + 1
				continue
			}
			j := strings.IndexByte(text[i+1:], '`')
			if j < 0 {
				// Unterminated: leave it for the parser to report.
				i = len(text)
				continue
			}
			flush(i)
			refText := text[i+1 : i+1+j]
			at, name := origin, top
			if depth == 0 {
				at = i
			}
			x.reference(refText, depth, at, name)
			i += j + 1
			lit = i + 1
		}
	}
	if lit < len(text) {
		flush(len(text))
	}
}

func (x *expander) reference(refText string, depth, origin int, top string) {
	name, args, ok := parseRef(refText)
	if !ok {
		x.exp.Refs = append(x.exp.Refs, Ref{Name: refText, Depth: depth, Status: Malformed})
		x.note("malformed macro reference `%s` dropped", clip(refText))
		return
	}
	r := Ref{Name: name, Argc: len(args), Depth: depth}
	if depth == 0 {
		top = name
	}
	d, found := x.set.Lookup(name, len(args))
	switch {
	case IsFilterName(name) && (!found || isEmptyFilter(d.Definition)):
		r.Status = FilterEmpty
	case !found:
		r.Status = Missing
		x.note("macro `%s` not found", key(name, len(args)))
	case depth >= MaxDepth:
		r.Status = LimitExceeded
		x.note("macro `%s` nested deeper than %d levels", d.Key(), MaxDepth)
	case x.refs >= MaxRefs:
		r.Status = LimitExceeded
		x.exp.Truncated = true
		x.note("more than %d macro references", MaxRefs)
	case inStack(x.stack, d.Key()):
		r.Status = Cycle
		x.note("macro `%s` refers to itself", d.Key())
	default:
		r.Status, r.Source = Expanded, d.Source
	}
	x.exp.Refs = append(x.exp.Refs, r)
	if r.Status != Expanded {
		return
	}
	x.refs++
	x.stack = append(x.stack, d.Key())
	x.expand(substitute(d, args), depth+1, origin, top)
	x.stack = x.stack[:len(x.stack)-1]
}

func inStack(stack []string, k string) bool {
	for _, s := range stack {
		if s == k {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
