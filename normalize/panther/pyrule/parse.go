package pyrule

import (
	"strings"
	"sync"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// MaxSource bounds the size of a Python file Parse accepts.
const MaxSource = 1 << 20

// Nesting bounds of the conversion: statements nested deeper than
// maxStmtDepth become `pass`, expressions deeper than maxDepth become
// Opaque. maxStmtDepth also keeps printed indentation far below the
// 255-column limit of the grammar's indentation scanner.
const (
	maxStmtDepth = 40
	maxDepth     = 100
)

var (
	language = sitter.NewLanguage(python.Language())
	parsers  = sync.Pool{New: func() any {
		p := sitter.NewParser()
		if err := p.SetLanguage(language); err != nil {
			panic("pyrule: tree-sitter-python grammar rejected: " + err.Error())
		}
		return p
	}}
)

// Parse parses a Python source file with tree-sitter-python and converts it
// to the package's own AST. A file with syntax errors is rejected with a
// *rule.SyntaxError naming the first error's line and column.
func Parse(src string) (*Query, error) {
	if len(src) > MaxSource {
		return nil, rule.Errorf(0, 0, "Python file larger than %d bytes", MaxSource)
	}
	p := parsers.Get().(*sitter.Parser)
	defer parsers.Put(p)
	b := []byte(src)
	tree := p.Parse(b, nil)
	if tree == nil {
		return nil, rule.Errorf(0, 0, "Python parser gave no tree")
	}
	defer tree.Close()
	root := tree.RootNode()
	if root.HasError() {
		return nil, firstError(root, b)
	}
	if err := keywordAsName(root, b); err != nil {
		return nil, err
	}
	if err := misplacedStar(root, b); err != nil {
		return nil, err
	}
	c := converter{src: b}
	q := &Query{Body: c.block(root, 0)}
	if c.err != nil {
		return nil, c.err
	}
	return q, nil
}

// firstError finds the first ERROR or MISSING node under n.
func firstError(n *sitter.Node, src []byte) error {
	for depth := 0; depth < 10000; depth++ {
		if n.IsError() || n.IsMissing() {
			break
		}
		var next *sitter.Node
		for i := uint(0); i < n.ChildCount(); i++ {
			c := n.Child(i)
			if c != nil && (c.IsError() || c.IsMissing() || c.HasError()) {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	p := n.StartPosition()
	msg := "invalid Python syntax"
	if n.IsMissing() {
		msg = "invalid Python syntax: missing " + kind(n)
	} else if t := n.Utf8Text(src); t != "" {
		msg = "invalid Python syntax near " + quoteSnippet(t)
	}
	return rule.Errorf(int(p.Row)+1, int(p.Column)+1, "%s", msg)
}

// kindNames are the grammar's node kinds by symbol: Node.Kind copies the
// name out of C on every call, kind looks it up.
var kindNames = func() []string {
	names := make([]string, language.NodeKindCount())
	for i := range names {
		names[i] = language.NodeKindForId(uint16(i))
	}
	return names
}()

// kind is n.Kind() without the copy.
func kind(n *sitter.Node) string {
	if id := int(n.KindId()); id < len(kindNames) {
		return kindNames[id]
	}
	return n.Kind()
}

// identifierID is the grammar's symbol for identifier nodes.
var identifierID = language.IdForNodeKind("identifier", true)

// keywords are the reserved words of Python 3, none of which may be a name.
var keywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true,
	"def": true, "del": true, "elif": true, "else": true, "except": true, "finally": true,
	"for": true, "from": true, "global": true, "if": true, "import": true, "in": true,
	"is": true, "lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true,
	"raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// keywordAsName rejects a tree that uses a reserved word as a name.
// tree-sitter reads a keyword that cannot start anything in the current
// parser state as an identifier (`def f(e):with` parses as a function
// returning the variable with), which CPython rejects; the canonical
// printer would then put the word where it is a keyword again.
//
// Walking every node costs about a third of the parse in cgo calls, so the
// source is scanned for words spelled like keywords instead and only the
// node at each such word is looked at (inside a string or comment it is
// not an identifier).
func keywordAsName(root *sitter.Node, src []byte) error {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !isWordChar(c) {
			continue
		}
		j := i + 1
		for j < len(src) && isWordChar(src[j]) {
			j++
		}
		w := src[i:j]
		i = j
		if len(w) < 2 || len(w) > 8 || !keywords[string(w)] {
			continue
		}
		n := root.DescendantForByteRange(uint(j-len(w)), uint(j))
		if n != nil && n.KindId() == identifierID && int(n.StartByte()) == j-len(w) && int(n.EndByte()) == j {
			p := n.StartPosition()
			return rule.Errorf(int(p.Row)+1, int(p.Column)+1, "invalid Python syntax: keyword `%s` used as a name", w)
		}
	}
	return nil
}

// starParents are the nodes a starred expression may stand in: displays,
// bare tuples, call arguments, subscripts (a[*b]) and annotations (*Ts);
// `**` only in dictionaries and call arguments.
var starParents = map[string]bool{"list": true, "set": true, "tuple": true, "expression_list": true,
	"argument_list": true, "subscript": true, "type": true}

// misplacedStar rejects a starred expression where CPython does not allow
// one ("can't use starred expression here"): `return *a`, `x = *a`,
// `if *a:`, `[*a for a in b]`. tree-sitter accepts them, and there is no
// value the printer could write in their place. Only the `*` characters of
// the source are looked at.
func misplacedStar(root *sitter.Node, src []byte) error {
	for i := 0; i < len(src); i++ {
		if src[i] != '*' {
			continue
		}
		n := root.DescendantForByteRange(uint(i), uint(i+1))
		if n == nil || int(n.StartByte()) != i {
			continue // inside a string or comment
		}
		start := i
		if int(n.EndByte()) == i+2 {
			i++ // a ** token
		}
		par := n.Parent()
		if par == nil || int(par.StartByte()) != start {
			continue
		}
		k := kind(par)
		if k != "list_splat" && k != "dictionary_splat" {
			continue
		}
		gp := par.Parent()
		if gp == nil {
			continue
		}
		g := kind(gp)
		if (g == "tuple" || g == "expression_list") && !hasComma(gp) {
			// tree-sitter reads `(*a)` as a tuple; without a comma it
			// is a parenthesized starred expression, which is invalid
			g = "parenthesized_expression"
		}
		if k == "list_splat" && starParents[g] || k == "dictionary_splat" && (g == "dictionary" || g == "argument_list") {
			continue
		}
		p := par.StartPosition()
		return rule.Errorf(int(p.Row)+1, int(p.Column)+1, "invalid Python syntax: starred expression %s not allowed here", quoteSnippet(par.Utf8Text(src)))
	}
	return nil
}

// hasComma reports whether one of n's own tokens is a comma.
func hasComma(n *sitter.Node) bool {
	for i := uint(0); i < n.ChildCount(); i++ {
		if ch := n.Child(i); ch != nil && kind(ch) == "," {
			return true
		}
	}
	return false
}

// isWordChar reports whether c can be part of a Python name or number.
func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func quoteSnippet(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "`" + s + "`"
}

// converter turns tree-sitter nodes into the AST.
type converter struct {
	src  []byte
	hard int   // recursion depth including parentheses (which do not count in depth)
	err  error // the first invalid construct tree-sitter accepted, if any
}

// fail records a syntax error at n unless one is recorded already.
func (c *converter) fail(n *sitter.Node, format string, args ...any) {
	if c.err == nil {
		p := n.StartPosition()
		c.err = rule.Errorf(int(p.Row)+1, int(p.Column)+1, format, args...)
	}
}

func (c *converter) pos(n *sitter.Node) Pos {
	p := n.StartPosition()
	return Pos{Line: int(p.Row) + 1, Col: int(p.Column) + 1}
}

func (c *converter) text(n *sitter.Node) string { return n.Utf8Text(c.src) }

// named returns the named children of n that are not comments or other extras.
func named(n *sitter.Node) []*sitter.Node {
	cnt := n.NamedChildCount()
	out := make([]*sitter.Node, 0, cnt)
	for i := uint(0); i < cnt; i++ {
		ch := n.NamedChild(i)
		if ch == nil || ch.IsExtra() || ch.KindId() == commentID {
			continue
		}
		out = append(out, ch)
	}
	return out
}

// commentID is the grammar's comment symbol (comparing ids spares the
// string Kind allocates for every child).
var commentID = language.IdForNodeKind("comment", true)

// block converts the statements of a module or block node.
func (c *converter) block(n *sitter.Node, depth int) []Stmt {
	if n == nil {
		return nil
	}
	var out []Stmt
	for _, ch := range named(n) {
		out = append(out, c.stmt(ch, depth+1)...)
	}
	return out
}

func (c *converter) stmt(n *sitter.Node, depth int) []Stmt {
	p := c.pos(n)
	if depth > maxStmtDepth {
		return []Stmt{&OpaqueStmt{Pos: p, Kind: "too_deep"}}
	}
	switch kind(n) {
	case "import_statement":
		imp := &Import{Pos: p}
		for _, ch := range named(n) {
			imp.Names = append(imp.Names, importName(c, ch, false))
			imp.Orig = append(imp.Orig, importOrig(c, ch))
		}
		return []Stmt{imp}
	case "import_from_statement":
		imp := &Import{Pos: p, From: "."}
		for i := uint(0); i < n.ChildCount(); i++ {
			ch := n.Child(i)
			if ch == nil || !ch.IsNamed() {
				continue
			}
			switch n.FieldNameForChild(uint32(i)) {
			case "module_name":
				imp.From = c.text(ch)
			case "name":
				imp.Names = append(imp.Names, importName(c, ch, true))
				imp.Orig = append(imp.Orig, importOrig(c, ch))
			default:
				if kind(ch) == "wildcard_import" {
					imp.Names = append(imp.Names, "*")
					imp.Orig = append(imp.Orig, "*")
				}
			}
		}
		return []Stmt{imp}
	case "future_import_statement":
		return []Stmt{&OpaqueStmt{Pos: p, Kind: "pass"}}
	case "decorated_definition":
		if d := n.ChildByFieldName("definition"); d != nil {
			return c.stmt(d, depth)
		}
	case "class_definition":
		st := &OpaqueStmt{Pos: p, Kind: "class_definition"}
		if nm := n.ChildByFieldName("name"); nm != nil {
			st.Name = c.text(nm)
		}
		return []Stmt{st}
	case "function_definition":
		f := &FuncDef{Pos: p}
		if nm := n.ChildByFieldName("name"); nm != nil {
			f.Name = c.text(nm)
		}
		if ps := n.ChildByFieldName("parameters"); ps != nil {
			defaults, simple := map[string]Expr{}, true
			for _, prm := range named(ps) {
				switch kind(prm) {
				case "identifier":
					f.Params = append(f.Params, c.text(prm))
				case "typed_parameter":
					if id := firstOfKind(prm, "identifier"); id != nil {
						f.Params = append(f.Params, c.text(id))
					} else {
						simple = false // *args: int, **kw: int
					}
				case "default_parameter", "typed_default_parameter":
					if nm := prm.ChildByFieldName("name"); nm != nil && kind(nm) == "identifier" {
						f.Params = append(f.Params, c.text(nm))
						if v := prm.ChildByFieldName("value"); v != nil {
							defaults[c.text(nm)] = c.expr(v, depth)
						}
					}
				default:
					simple = false
				}
			}
			if simple && len(defaults) > 0 {
				f.Defaults = defaults
			}
		}
		f.Body = c.block(n.ChildByFieldName("body"), depth)
		return []Stmt{f}
	case "expression_statement":
		kids := named(n)
		if len(kids) != 1 {
			return []Stmt{&OpaqueStmt{Pos: p, Kind: "expression_statement"}}
		}
		k := kids[0]
		switch kind(k) {
		case "assignment":
			return c.assign(k, depth)
		case "augmented_assignment":
			// the name whose value changes (`x += …`, `x[k] += …`), for mutatedNames
			return []Stmt{&OpaqueStmt{Pos: p, Kind: kind(k), Name: baseName(c.expr(k.ChildByFieldName("left"), 0))}}
		case "yield":
			return []Stmt{&OpaqueStmt{Pos: p, Kind: kind(k)}}
		}
		return []Stmt{&ExprStmt{Pos: p, X: c.expr(k, 0)}}
	case "if_statement":
		return []Stmt{c.ifStmt(n, depth)}
	case "for_statement":
		target := c.expr(n.ChildByFieldName("left"), 0)
		if !assignable(target) {
			target = &Name{Pos: p, ID: "_"}
		}
		return []Stmt{&For{Pos: p, Target: target,
			Iter: c.expr(n.ChildByFieldName("right"), 0), Body: c.block(n.ChildByFieldName("body"), depth)}}
	case "try_statement":
		return []Stmt{&Block{Pos: p, Kind: "try", Body: c.block(n.ChildByFieldName("body"), depth)}}
	case "with_statement":
		return []Stmt{&Block{Pos: p, Kind: "with", Body: c.block(n.ChildByFieldName("body"), depth)}}
	case "return_statement":
		r := &Return{Pos: p}
		if kids := named(n); len(kids) == 1 {
			r.Value = c.expr(kids[0], 0)
		}
		return []Stmt{r}
	}
	return []Stmt{&OpaqueStmt{Pos: p, Kind: kind(n)}}
}

func firstOfKind(n *sitter.Node, want string) *sitter.Node {
	for _, ch := range named(n) {
		if kind(ch) == want {
			return ch
		}
	}
	return nil
}

// importName is the name an import binds: the alias, the last dotted
// component for from-imports, the first one for plain imports.
func importName(c *converter, n *sitter.Node, from bool) string {
	if kind(n) == "aliased_import" {
		if a := n.ChildByFieldName("alias"); a != nil {
			return c.text(a)
		}
	}
	t := c.text(n)
	if from {
		return t[strings.LastIndexByte(t, '.')+1:]
	}
	if i := strings.IndexByte(t, '.'); i >= 0 {
		return t[:i]
	}
	return t
}

// importOrig returns an imported name as written, without its alias.
func importOrig(c *converter, n *sitter.Node) string {
	if kind(n) == "aliased_import" {
		if a := n.ChildByFieldName("name"); a != nil {
			return c.text(a)
		}
	}
	return c.text(n)
}

func (c *converter) assign(n *sitter.Node, depth int) []Stmt {
	p := c.pos(n)
	var targets []Expr
	cur := n
	for d := 0; cur != nil && kind(cur) == "assignment" && d < maxDepth; d++ {
		left := cur.ChildByFieldName("left")
		if left == nil {
			break
		}
		targets = append(targets, c.expr(left, 0))
		right := cur.ChildByFieldName("right")
		if right == nil {
			return []Stmt{&OpaqueStmt{Pos: p, Kind: "annotation"}}
		}
		cur = right
	}
	if cur == nil || kind(cur) == "assignment" {
		return []Stmt{&OpaqueStmt{Pos: p, Kind: "assignment"}}
	}
	var value Expr
	if kind(cur) == "yield" {
		value = &Opaque{Pos: c.pos(cur), Kind: "yield", Text: c.text(cur)}
	} else {
		value = c.expr(cur, 0)
	}
	for _, t := range targets {
		if !assignable(t) {
			return []Stmt{&OpaqueStmt{Pos: p, Kind: "assignment"}}
		}
	}
	out := make([]Stmt, len(targets))
	for i, t := range targets {
		out[i] = &Assign{Pos: p, Target: t, Value: value}
	}
	return out
}

// assignable reports whether an expression can be an assignment or loop target.
func assignable(t Expr) bool {
	switch t := t.(type) {
	case *Name, *Attr, *Subscript:
		return true
	case *Coll:
		if t.Kind != "tuple" && t.Kind != "list" {
			return false
		}
		for _, e := range t.Elts {
			if o, ok := e.(*Opaque); ok && isSplat(o) {
				continue
			}
			if !assignable(e) {
				return false
			}
		}
		return true
	}
	return false
}

func (c *converter) ifStmt(n *sitter.Node, depth int) *If {
	s := &If{Pos: c.pos(n), Cond: c.expr(n.ChildByFieldName("condition"), 0),
		Body: c.block(n.ChildByFieldName("consequence"), depth)}
	// elif and else clauses are the "alternative" children, in order;
	// nest them as If statements in Else.
	var alts []*sitter.Node
	for i := uint(0); i < n.ChildCount(); i++ {
		ch := n.Child(i)
		if ch != nil && (kind(ch) == "elif_clause" || kind(ch) == "else_clause") {
			alts = append(alts, ch)
		}
	}
	tail := &s.Else
	for _, a := range alts {
		if kind(a) == "else_clause" {
			*tail = c.block(a.ChildByFieldName("body"), depth)
			break
		}
		elif := &If{Pos: c.pos(a), Cond: c.expr(a.ChildByFieldName("condition"), 0),
			Body: c.block(a.ChildByFieldName("consequence"), depth)}
		*tail = []Stmt{elif}
		tail = &elif.Else
	}
	return s
}

func (c *converter) opaque(n *sitter.Node) *Opaque {
	return &Opaque{Pos: c.pos(n), Kind: kind(n), Text: c.text(n)}
}

func (c *converter) expr(n *sitter.Node, depth int) Expr {
	if n == nil {
		return &Opaque{Kind: "missing"}
	}
	p := c.pos(n)
	if depth > maxDepth || c.hard > 10*maxDepth {
		return &Opaque{Pos: p, Kind: "too_deep", Text: "..."}
	}
	depth++
	c.hard++
	defer func() { c.hard-- }()
	switch kind(n) {
	case "identifier":
		return &Name{Pos: p, ID: c.text(n)}
	case "augmented_assignment":
		// tree-sitter takes `a = b += 1` as a chain ending in an augmented
		// assignment; CPython rejects it, and it is no value to print.
		if op := n.ChildByFieldName("operator"); op != nil {
			c.fail(n, "invalid Python syntax: augmented assignment `%s` is not an expression", c.text(op))
		} else {
			c.fail(n, "invalid Python syntax: augmented assignment is not an expression")
		}
		return c.opaque(n)
	case "true":
		return &Const{Pos: p, Value: "True"}
	case "false":
		return &Const{Pos: p, Value: "False"}
	case "none":
		return &Const{Pos: p, Value: "None"}
	case "integer", "float":
		return &Num{Pos: p, Text: c.text(n)}
	case "unary_operator":
		arg := n.ChildByFieldName("argument")
		op := n.ChildByFieldName("operator")
		if arg != nil && op != nil && c.text(op) == "-" && (kind(arg) == "integer" || kind(arg) == "float") {
			return &Num{Pos: p, Text: "-" + c.text(arg)}
		}
	case "string":
		if v, ok := decodeString(c.text(n)); ok {
			return &Str{Pos: p, Value: v}
		}
	case "concatenated_string":
		var b strings.Builder
		ok := true
		for _, part := range named(n) {
			v, good := decodeString(c.text(part))
			if !good || kind(part) != "string" {
				ok = false
				break
			}
			b.WriteString(v)
		}
		if ok {
			return &Str{Pos: p, Value: b.String()}
		}
	case "attribute":
		obj, attr := n.ChildByFieldName("object"), n.ChildByFieldName("attribute")
		if obj != nil && attr != nil {
			return &Attr{Pos: p, X: c.expr(obj, depth), Name: c.text(attr)}
		}
	case "call":
		fn, args := n.ChildByFieldName("function"), n.ChildByFieldName("arguments")
		if fn == nil || args == nil {
			break
		}
		call := &Call{Pos: p, Fn: c.expr(fn, depth)}
		if kind(args) == "generator_expression" {
			call.Args = []Expr{c.expr(args, depth)}
			return call
		}
		for _, a := range named(args) {
			switch kind(a) {
			case "keyword_argument":
				nm, v := a.ChildByFieldName("name"), a.ChildByFieldName("value")
				if nm != nil && v != nil {
					call.Kwargs = append(call.Kwargs, Kwarg{Name: c.text(nm), Value: c.expr(v, depth)})
				}
			case "list_splat", "dictionary_splat", "parenthesized_list_splat":
				// kept as written: Lower reads `*name` over a literal tuple
				// (deep_get(*path)); bindArgs binds no parameter from the first one on
				call.Args = append(call.Args, c.opaque(a))
			default:
				call.Args = append(call.Args, c.expr(a, depth))
			}
		}
		return call
	case "subscript":
		val := n.ChildByFieldName("value")
		if val == nil {
			break
		}
		var idx []*sitter.Node
		for i := uint(0); i < n.ChildCount(); i++ {
			if n.FieldNameForChild(uint32(i)) == "subscript" {
				idx = append(idx, n.Child(i))
			}
		}
		s := &Subscript{Pos: p, X: c.expr(val, depth)}
		switch {
		case len(idx) == 1:
			s.Index = c.expr(idx[0], depth)
		case len(idx) > 1:
			t := &Coll{Pos: c.pos(idx[0]), Kind: "tuple"}
			for _, x := range idx {
				t.Elts = append(t.Elts, c.expr(x, depth))
			}
			s.Index = t
		default:
			return c.opaque(n)
		}
		return s
	case "list", "tuple", "set", "expression_list", "pattern_list", "tuple_pattern", "list_pattern":
		kind := kind(n)
		switch kind {
		case "expression_list", "pattern_list", "tuple_pattern":
			kind = "tuple"
		case "list_pattern":
			kind = "list"
		}
		col := &Coll{Pos: p, Kind: kind, Elts: []Expr{}}
		for _, e := range named(n) {
			col.Elts = append(col.Elts, c.expr(e, depth))
		}
		return col
	case "dictionary":
		col := &Coll{Pos: p, Kind: "dict", Elts: []Expr{}, Values: []Expr{}}
		for _, e := range named(n) {
			if kind(e) != "pair" {
				continue
			}
			k, v := e.ChildByFieldName("key"), e.ChildByFieldName("value")
			if k != nil && v != nil {
				col.Elts = append(col.Elts, c.expr(k, depth))
				col.Values = append(col.Values, c.expr(v, depth))
			}
		}
		return col
	case "parenthesized_expression":
		if kids := named(n); len(kids) == 1 {
			return c.expr(kids[0], depth-1) // parentheses do not count
		}
	case "list_comprehension", "set_comprehension", "generator_expression":
		return c.comp(n, depth)
	case "named_expression":
		name, value := n.ChildByFieldName("name"), n.ChildByFieldName("value")
		if name != nil && value != nil && kind(name) == "identifier" {
			return &NamedExpr{Pos: p, Name: c.text(name), X: c.expr(value, depth)}
		}
	case "conditional_expression":
		if kids := named(n); len(kids) == 3 {
			return &IfExp{Pos: p, Body: c.expr(kids[0], depth), Cond: c.expr(kids[1], depth), Else: c.expr(kids[2], depth)}
		}
	case "boolean_operator":
		l, r, op := n.ChildByFieldName("left"), n.ChildByFieldName("right"), n.ChildByFieldName("operator")
		if l == nil || r == nil || op == nil {
			break
		}
		b := &BoolOp{Pos: p, Op: c.text(op)}
		for _, side := range []*sitter.Node{l, r} {
			x := c.expr(side, depth)
			if inner, ok := x.(*BoolOp); ok && inner.Op == b.Op && kind(side) == "boolean_operator" {
				b.Xs = append(b.Xs, inner.Xs...)
			} else {
				b.Xs = append(b.Xs, x)
			}
		}
		return b
	case "binary_operator":
		l, r, op := n.ChildByFieldName("left"), n.ChildByFieldName("right"), n.ChildByFieldName("operator")
		if l != nil && r != nil && op != nil {
			return &BinOp{Pos: p, Op: c.text(op), L: c.expr(l, depth), R: c.expr(r, depth)}
		}
	case "not_operator":
		if a := n.ChildByFieldName("argument"); a != nil {
			return &Not{Pos: p, X: c.expr(a, depth)}
		}
	case "comparison_operator":
		cmp := &Compare{Pos: p}
		first := true
		for i := uint(0); i < n.ChildCount(); i++ {
			ch := n.Child(i)
			if ch == nil || ch.IsExtra() || kind(ch) == "comment" {
				continue
			}
			if ch.IsNamed() {
				if first {
					cmp.Left = c.expr(ch, depth)
					first = false
				} else {
					cmp.Right = append(cmp.Right, c.expr(ch, depth))
				}
				continue
			}
			op := strings.Join(strings.Fields(c.text(ch)), " ")
			if op == "<>" {
				op = "!="
			}
			cmp.Ops = append(cmp.Ops, op)
		}
		if cmp.Left != nil && len(cmp.Ops) == len(cmp.Right) && len(cmp.Ops) > 0 {
			return cmp
		}
	}
	return c.opaque(n)
}

func (c *converter) comp(n *sitter.Node, depth int) Expr {
	display := map[string]string{"list_comprehension": "list", "set_comprehension": "set",
		"generator_expression": "gen"}[kind(n)]
	body := n.ChildByFieldName("body")
	var fors, ifs []*sitter.Node
	for _, ch := range named(n) {
		switch kind(ch) {
		case "for_in_clause":
			fors = append(fors, ch)
		case "if_clause":
			ifs = append(ifs, ch)
		}
	}
	if body == nil || len(fors) != 1 || len(ifs) > 1 {
		return c.opaque(n)
	}
	left, right := fors[0].ChildByFieldName("left"), fors[0].ChildByFieldName("right")
	if left == nil || right == nil || kind(left) != "identifier" {
		return c.opaque(n)
	}
	cp := &Comp{Pos: c.pos(n), Kind: display, Elt: c.expr(body, depth), Var: c.text(left), Iter: c.expr(right, depth)}
	if len(ifs) == 1 {
		if kids := named(ifs[0]); len(kids) == 1 {
			cp.Cond = c.expr(kids[0], depth)
		} else {
			return c.opaque(n)
		}
	}
	return cp
}
