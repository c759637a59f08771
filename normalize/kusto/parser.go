package kusto

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxDepth bounds the nesting of expressions and sub-queries.
const maxDepth = 200

// Parse parses a Kusto query. Errors are *rule.SyntaxError with a 1-based
// line and column relative to src.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

type parser struct {
	toks    []Token
	i       int
	depth   int
	subNest int // sub-query groups around these tokens (see subQueries)
}

// maxSubNest bounds how deep subQueries looks into nested groups.
const maxSubNest = 8

// bail is panicked with a *rule.SyntaxError and recovered in query.
type bail struct{ err *rule.SyntaxError }

func (p *parser) query() (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			q, err = nil, b.err
		}
	}()
	q = &Query{}
	q.Stmts, q.Body = p.stmts(TokEOF, "")
	if t := p.tok(); t.Kind != TokEOF {
		p.failf(t, "unexpected %s", describe(t))
	}
	return q, nil
}

func (p *parser) tok() Token { return p.toks[p.i] }

func (p *parser) peek(n int) Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() Token {
	t := p.toks[p.i]
	if t.Kind != TokEOF {
		p.i++
	}
	return t
}

func (p *parser) failf(t Token, format string, args ...any) {
	panic(bail{rule.Errorf(t.Line, t.Col, format, args...)})
}

func describe(t Token) string {
	switch t.Kind {
	case TokEOF:
		return "end of query"
	case TokString:
		return "string " + quote(t.Text)
	case TokNumber, TokTyped:
		return "literal " + t.Text
	case TokIdent:
		return "\"" + t.Text + "\""
	}
	return "\"" + t.Text + "\""
}

func pos(t Token) Pos { return Pos{t.Line, t.Col} }

func (p *parser) is(text string) bool {
	t := p.toks[p.i]
	return t.Kind == TokPunct && t.Text == text
}

func (p *parser) isWord(w string) bool {
	t := p.toks[p.i]
	return t.Kind == TokIdent && strings.EqualFold(t.Text, w)
}

func (p *parser) expect(text string) Token {
	t := p.tok()
	if t.Kind != TokPunct || t.Text != text {
		p.failf(t, "expected %q, found %s", text, describe(t))
	}
	return p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failf(p.tok(), "nesting too deep")
	}
}

func (p *parser) leave() { p.depth-- }

// stmts parses statements separated by ";" until the end token (EOF or the
// closing "}"), returning them and the last expression statement's value.
func (p *parser) stmts(end Kind, endText string) ([]Stmt, Expr) {
	var out []Stmt
	var body Expr
	atEnd := func() bool {
		t := p.tok()
		return t.Kind == TokEOF || end == TokPunct && t.Kind == TokPunct && t.Text == endText
	}
	for !atEnd() {
		if p.is(";") {
			p.next()
			continue
		}
		t := p.tok()
		switch {
		case p.isWord("let"):
			out = append(out, p.let())
		case p.isWord("set") || p.isWord("declare") || p.isWord("alias") || p.isWord("pattern") ||
			p.isWord("restrict"):
			out = append(out, &RawStmt{Pos: pos(t), Toks: p.rawUntil(true)})
		default:
			x := p.pipeline()
			out = append(out, &ExprStmt{Pos: pos(t), X: x})
			body = x
		}
		if !atEnd() {
			if !p.is(";") {
				t := p.tok()
				p.failf(t, "expected \";\" or \"|\", found %s", describe(t))
			}
			p.next()
		}
	}
	return out, body
}

// let parses `let Name = value`.
func (p *parser) let() *Let {
	kw := p.next()
	name := p.tok()
	if name.Kind != TokIdent {
		p.failf(name, "expected a name after let, found %s", describe(name))
	}
	p.next()
	p.expect("=")
	l := &Let{Pos: pos(kw), Name: name.Text}
	if p.funcAhead() {
		l.Fn = p.function()
	} else {
		l.Value = p.pipeline()
	}
	return l
}

// funcAhead reports whether a function definition starts here:
// `(` `)` `{`, `(` Ident `:`, or `view` `(`.
func (p *parser) funcAhead() bool {
	if p.isWord("view") && p.peek(1).Text == "(" {
		return true
	}
	if !p.is("(") {
		return false
	}
	a, b := p.peek(1), p.peek(2)
	return a.Kind == TokPunct && a.Text == ")" && b.Kind == TokPunct && b.Text == "{" ||
		a.Kind == TokIdent && b.Kind == TokPunct && b.Text == ":"
}

func (p *parser) function() *Func {
	f := &Func{}
	if p.isWord("view") {
		p.next()
		f.View = true
	}
	p.expect("(")
	for !p.is(")") {
		name := p.tok()
		if name.Kind != TokIdent {
			p.failf(name, "expected a parameter name, found %s", describe(name))
		}
		p.next()
		p.expect(":")
		prm := Param{Name: name.Text}
		if p.is("(") {
			prm.Type = toksString(p.balanced())
		} else {
			ty := p.tok()
			if ty.Kind != TokIdent {
				p.failf(ty, "expected a parameter type, found %s", describe(ty))
			}
			p.next()
			prm.Type = ty.Text
		}
		if p.is("=") {
			p.next()
			prm.Default = p.expr()
		}
		f.Params = append(f.Params, prm)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(")")
	p.expect("{")
	p.enter()
	f.Stmts, f.Body = p.stmts(TokPunct, "}")
	p.leave()
	p.expect("}")
	return f
}

// balanced consumes a parenthesized, bracketed or braced group and returns
// its tokens including the delimiters.
func (p *parser) balanced() []Token {
	start := p.i
	depth := 0
	for {
		t := p.tok()
		if t.Kind == TokEOF {
			p.failf(t, "unbalanced %q: missing closing bracket", p.toks[start].Text)
		}
		p.next()
		if t.Kind == TokPunct {
			switch t.Text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth == 0 {
			return p.toks[start:p.i]
		}
	}
}

// rawUntil consumes balanced tokens up to the next top-level "|" (unless
// stmt), ";" or closing bracket.
func (p *parser) rawUntil(stmt bool) []Token {
	start := p.i
	for {
		t := p.tok()
		if t.Kind == TokEOF {
			break
		}
		if t.Kind == TokPunct {
			switch t.Text {
			case ";", ")", "]", "}":
				return p.toks[start:p.i]
			case "|":
				if !stmt {
					return p.toks[start:p.i]
				}
			case "(", "[", "{":
				p.balanced()
				continue
			}
		}
		p.next()
	}
	return p.toks[start:p.i]
}

// pipeline parses `Source { "|" Operator }`.
func (p *parser) pipeline() Expr {
	p.enter()
	defer p.leave()
	t := p.tok()
	var src Expr
	switch {
	case p.isWord("union"):
		src = p.union()
	case p.isWord("print") || p.isWord("range") || p.isWord("search") || p.isWord("find") ||
		p.isWord("evaluate") || p.isWord("externaldata") && p.peek(1).Text != "(":
		src = &RawExpr{Pos: pos(t), Toks: p.rawUntil(false)}
	case p.is("|"):
		// a pipe with an implicit source, as in mv-apply bodies
	default:
		src = p.expr()
	}
	if !p.is("|") {
		if src == nil {
			p.failf(t, "expected an expression, found %s", describe(t))
		}
		return src
	}
	pp := &Pipe{Pos: pos(t), Source: src}
	for p.is("|") {
		p.next()
		pp.Ops = append(pp.Ops, p.operator())
	}
	return pp
}

func (p *parser) union() *Union {
	kw := p.next()
	u := &Union{Pos: pos(kw)}
	u.Params = p.params()
	for {
		t := p.tok()
		switch {
		case t.Kind == TokPunct && t.Text == "*":
			p.next()
			u.Tables = append(u.Tables, &Star{Pos: pos(t)})
		default:
			x := p.postfix()
			// wildcard table names: union Security*
			if p.is("*") && p.tok().Off == p.toks[p.i-1].End {
				if id, ok := x.(*Ident); ok {
					p.next()
					x = &Ident{Pos: id.Pos, Name: id.Name + "*"}
				}
			}
			u.Tables = append(u.Tables, x)
		}
		if p.is("(") {
			// A missing comma between parenthesized sub-queries is read as
			// if it were there, and recorded: Microsoft's parser rejects it.
			u.MissingComma = append(u.MissingComma, pos(p.toks[p.i-1]))
			continue
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	return u
}

// params parses `name=value` pairs (kind=inner, isfuzzy=true,
// hint.strategy=shuffle) that precede an operator's operands.
func (p *parser) params() []*Named {
	var out []*Named
	for {
		t := p.tok()
		if t.Kind != TokIdent {
			return out
		}
		n := 1
		name := t.Text
		for p.peek(n).Text == "." && p.peek(n).Kind == TokPunct && p.peek(n+1).Kind == TokIdent {
			name += "." + p.peek(n+1).Text
			n += 2
		}
		if a := p.peek(n); a.Kind != TokPunct || a.Text != "=" {
			return out
		}
		for range n + 1 {
			p.next()
		}
		v := p.tok()
		var val Expr
		switch v.Kind {
		case TokIdent:
			p.next()
			val = &Ident{Pos: pos(v), Name: v.Text}
		case TokString, TokNumber, TokTyped:
			p.next()
			val = &Lit{Pos: pos(v), Kind: v.Kind, Value: v.Text}
		default:
			p.failf(v, "expected a value for %s, found %s", name, describe(v))
		}
		out = append(out, &Named{Pos: pos(t), Name: name, Value: val})
	}
}

// operator parses one tabular operator after "|".
func (p *parser) operator() Operator {
	t := p.tok()
	if t.Kind != TokIdent {
		p.failf(t, "expected a tabular operator after \"|\", found %s", describe(t))
	}
	name := strings.ToLower(t.Text)
	switch name {
	case "where", "filter":
		p.next()
		return &Where{Pos: pos(t), Kw: name, Pred: p.expr()}
	case "join", "lookup":
		p.next()
		j := &Join{Pos: pos(t), Kw: name}
		j.Params = p.params()
		j.Right = p.postfix()
		if p.isWord("on") || p.isWord("where") {
			j.On = p.rawUntil(false)
		}
		return j
	case "union":
		return &UnionOp{Pos: pos(t), U: p.union()}
	}
	p.next()
	g := &Generic{Pos: pos(t), Name: name, Toks: p.rawUntil(false)}
	g.Subs = p.subQueries(name, g.Toks, 0)
	return g
}

// subQueries finds the sub-queries among a Generic operator's tokens: the
// body of mv-apply … on ( … ) and the top-level group of partition, which
// read the operator's rows, and any parenthesized group with a top-level
// "|" (toscalar(T | where …), materialize(…)). Groups that are neither are
// searched for nested ones, at most maxSubNest groups deep counting the
// sub-queries around, so the search stays linear in the tokens.
func (p *parser) subQueries(name string, toks []Token, nest int) []SubQuery {
	var out []SubQuery
	if p.subNest+nest > maxSubNest {
		return nil
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Kind != TokPunct || t.Text != "(" {
			continue
		}
		end := closing(toks, i)
		if end < 0 {
			break // unbalanced: rawUntil only returns balanced groups
		}
		inner := toks[i+1 : end]
		implicit := name == "mv-apply" && i > 0 && toks[i-1].Kind == TokIdent && strings.EqualFold(toks[i-1].Text, "on") ||
			name == "partition" && len(inner) > 0 && isOperatorWord(inner[0])
		switch {
		case implicit || hasTopLevelPipe(inner):
			out = append(out, p.subParse(t, toks[end], inner, implicit))
		default:
			out = append(out, p.subQueries("", inner, nest+1)...)
		}
		i = end
	}
	return out
}

// closing returns the index of the ")" that closes the "(" at toks[i], or -1.
func closing(toks []Token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		if toks[j].Kind != TokPunct {
			continue
		}
		switch toks[j].Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// hasTopLevelPipe reports whether toks hold a "|" outside brackets: in
// Kusto that makes a parenthesized group a tabular pipeline.
func hasTopLevelPipe(toks []Token) bool {
	depth := 0
	for _, t := range toks {
		if t.Kind != TokPunct {
			continue
		}
		switch t.Text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case "|":
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// implicitOps are the operators a sub-query body with an implicit source
// (mv-apply … on ( where … )) may start with.
var implicitOps = map[string]bool{"where": true, "filter": true, "extend": true, "project": true, "summarize": true,
	"top": true, "take": true, "limit": true, "order": true, "sort": true, "distinct": true, "mv-expand": true,
	"mv-apply": true, "parse": true, "project-away": true, "project-rename": true, "project-keep": true,
	"count": true, "as": true, "sample": true, "serialize": true, "make-series": true}

func isOperatorWord(t Token) bool {
	return t.Kind == TokIdent && implicitOps[strings.ToLower(t.Text)]
}

// subParse parses the tokens of a sub-query group opened by open and
// closed by close. An implicit body is a pipeline whose source is the
// operator's rows: it starts with "|" or with an operator. A body that does
// not parse is returned with its error; the query around it stays valid.
func (p *parser) subParse(open, close Token, inner []Token, implicit bool) (sq SubQuery) {
	sq = SubQuery{Pos: pos(open), Implicit: implicit}
	toks := make([]Token, len(inner)+1)
	copy(toks, inner)
	toks[len(inner)] = Token{Kind: TokEOF, Line: close.Line, Col: close.Col, Off: close.Off, End: close.Off}
	sp := &parser{toks: toks, depth: p.depth, subNest: p.subNest + 1}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			sq.Q, sq.Err = nil, b.err
		}
	}()
	sp.enter()
	var q Expr
	if implicit && !sp.is("|") {
		pp := &Pipe{Pos: pos(sp.tok())}
		pp.Ops = append(pp.Ops, sp.operator())
		for sp.is("|") {
			sp.next()
			pp.Ops = append(pp.Ops, sp.operator())
		}
		q = pp
	} else {
		q = sp.pipeline()
	}
	if t := sp.tok(); t.Kind != TokEOF {
		sp.failf(t, "unexpected %s in sub-query", describe(t))
	}
	sq.Q = q
	return sq
}

// Operator precedence levels, lowest first.
const (
	precOr = iota + 1
	precAnd
	precCmp
	precAdd
	precMul
)

// stringOps are the word operators of comparison precedence.
var stringOps = map[string]bool{
	"has": true, "has_cs": true, "hasprefix": true, "hasprefix_cs": true, "hassuffix": true,
	"hassuffix_cs": true, "contains": true, "contains_cs": true, "startswith": true,
	"startswith_cs": true, "endswith": true, "endswith_cs": true, "matches": true, "in": true,
	"has_any": true, "has_all": true, "between": true, "like": true, "notlike": true,
	"notcontains": true, "notcontains_cs": true, "notbetween": true,
}

// binop returns the operator at the current token, its precedence and the
// number of tokens it spans; prec 0 means no binary operator.
func (p *parser) binop() (op string, prec, n int) {
	t := p.tok()
	switch t.Kind {
	case TokIdent:
		w := strings.ToLower(t.Text)
		switch {
		case w == "or":
			return "or", precOr, 1
		case w == "and":
			return "and", precAnd, 1
		case w == "matches":
			if r := p.peek(1); r.Kind == TokIdent && strings.EqualFold(r.Text, "regex") {
				return "matches regex", precCmp, 2
			}
			return "", 0, 0
		case w == "in":
			if r := p.peek(1); r.Kind == TokPunct && r.Text == "~" && r.Off == t.End {
				return "in~", precCmp, 2
			}
			return "in", precCmp, 1
		case stringOps[w]:
			return w, precCmp, 1
		}
	case TokPunct:
		switch t.Text {
		case "==", "!=", "=~", "!~", "<>", "<", "<=", ">", ">=":
			return t.Text, precCmp, 1
		case "+", "-":
			return t.Text, precAdd, 1
		case "*", "/", "%":
			return t.Text, precMul, 1
		case "!":
			r := p.peek(1)
			if r.Kind == TokIdent && r.Off == t.End && stringOps[strings.ToLower(r.Text)] {
				w := "!" + strings.ToLower(r.Text)
				if w == "!in" {
					if r2 := p.peek(2); r2.Kind == TokPunct && r2.Text == "~" && r2.Off == r.End {
						return "!in~", precCmp, 3
					}
				}
				return w, precCmp, 2
			}
		}
	}
	return "", 0, 0
}

// expr parses a scalar expression by precedence climbing.
func (p *parser) expr() Expr { return p.binary(precOr) }

func (p *parser) binary(min int) Expr {
	p.enter()
	defer p.leave()
	l := p.unary()
	for {
		op, prec, n := p.binop()
		if prec < min || prec == 0 {
			return l
		}
		t := p.tok()
		for range n {
			p.next()
		}
		switch op {
		case "between", "!between", "notbetween":
			l = p.between(t, l, op != "between")
			continue
		case "in", "in~", "!in", "!in~", "has_any", "has_all":
			l = &Binary{Pos: pos(t), Op: op, L: l, R: p.list()}
			continue
		}
		next := prec + 1
		r := p.binary(next)
		l = &Binary{Pos: pos(t), Op: op, L: l, R: r}
	}
}

func (p *parser) between(t Token, x Expr, neg bool) Expr {
	p.expect("(")
	lo := p.binary(precAdd)
	p.expect("..")
	hi := p.binary(precAdd)
	p.expect(")")
	return &Between{Pos: pos(t), Neg: neg, X: x, Lo: lo, Hi: hi}
}

// list parses the parenthesized right side of in / has_any.
func (p *parser) list() *List {
	t := p.expect("(")
	l := &List{Pos: pos(t)}
	for !p.is(")") {
		l.Elems = append(l.Elems, p.pipeline())
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(")")
	return l
}

func (p *parser) unary() Expr {
	t := p.tok()
	if t.Kind == TokPunct && (t.Text == "-" || t.Text == "+") {
		p.next()
		p.enter()
		defer p.leave()
		return &Unary{Pos: pos(t), Op: t.Text, X: p.unary()}
	}
	return p.postfix()
}

// postfix parses a primary followed by member access, indexing and calls.
func (p *parser) postfix() Expr {
	x := p.primary(false)
	for {
		t := p.tok()
		switch {
		case t.Kind == TokPunct && t.Text == ".":
			p.next()
			n := p.tok()
			switch {
			case n.Kind == TokIdent:
				p.next()
				x = &Member{Pos: pos(t), X: x, Name: n.Text}
			case n.Kind == TokPunct && n.Text == "[":
				p.next()
				s := p.tok()
				if s.Kind != TokString {
					p.failf(s, "expected a quoted name after \".[\", found %s", describe(s))
				}
				p.next()
				p.expect("]")
				x = &Member{Pos: pos(t), X: x, Name: s.Text}
			default:
				p.failf(n, "expected a name after \".\", found %s", describe(n))
			}
		case t.Kind == TokPunct && t.Text == "[":
			p.next()
			i := p.expr()
			p.expect("]")
			x = &Index{Pos: pos(t), X: x, I: i}
		case t.Kind == TokPunct && t.Text == "(":
			switch x.(type) {
			case *Ident, *Member:
			default:
				return x
			}
			x = p.call(x)
		default:
			return x
		}
	}
}

// call parses the arguments of a call to fun.
func (p *parser) call(fun Expr) Expr {
	p.expect("(")
	c := &Call{Pos: fun.exprPos(), Fun: fun}
	json := false
	if id, ok := fun.(*Ident); ok {
		switch strings.ToLower(id.Name) {
		case "dynamic":
			json = true
		case "datatable":
			return p.datatable(c.Pos)
		}
	}
	p.enter()
	defer p.leave()
	for !p.is(")") {
		var a Expr
		switch {
		case json:
			a = p.primary(true)
		case p.tok().Kind == TokIdent && p.peek(1).Kind == TokPunct && p.peek(1).Text == "=":
			n := p.next()
			p.next()
			a = &Named{Pos: pos(n), Name: n.Text, Value: p.pipeline()}
		default:
			a = p.pipeline()
		}
		c.Args = append(c.Args, a)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(")")
	return c
}

// datatable parses `datatable(schema)[values]` after its "(".
func (p *parser) datatable(at Pos) Expr {
	p.i-- // back to "("
	d := &DataTable{Pos: at, Schema: p.balanced()}
	p.expect("[")
	for !p.is("]") {
		d.Values = append(d.Values, p.expr())
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect("]")
	return d
}

// primary parses an operand. In json mode (inside dynamic()), `[` always
// starts an array.
func (p *parser) primary(json bool) Expr {
	t := p.tok()
	switch t.Kind {
	case TokIdent:
		p.next()
		if strings.EqualFold(t.Text, "externaldata") && p.is("(") {
			return p.externaldata(t)
		}
		return &Ident{Pos: pos(t), Name: t.Text}
	case TokString:
		p.next()
		v := t.Text
		for p.tok().Kind == TokString { // adjacent literals concatenate
			v += p.next().Text
		}
		return &Lit{Pos: pos(t), Kind: TokString, Value: v}
	case TokNumber, TokTyped:
		p.next()
		return &Lit{Pos: pos(t), Kind: t.Kind, Value: t.Text}
	case TokPunct:
		switch t.Text {
		case "(":
			p.next()
			p.enter()
			defer p.leave()
			x := p.pipeline()
			if p.is(",") {
				l := &List{Pos: pos(t), Elems: []Expr{x}}
				for p.is(",") {
					p.next()
					l.Elems = append(l.Elems, p.pipeline())
				}
				p.expect(")")
				return l
			}
			p.expect(")")
			return &Paren{Pos: pos(t), X: x}
		case "[":
			if !json && p.peek(1).Kind == TokString {
				// ['name']: a bracketed name (adjacent strings concatenate)
				n := 1
				for p.peek(n).Kind == TokString {
					n++
				}
				if r := p.peek(n); r.Kind == TokPunct && r.Text == "]" {
					p.next()
					var name strings.Builder
					for range n - 1 {
						name.WriteString(p.next().Text)
					}
					p.next()
					return &Ident{Pos: pos(t), Name: name.String()}
				}
			}
			p.next()
			p.enter()
			defer p.leave()
			a := &Array{Pos: pos(t)}
			for !p.is("]") {
				a.Elems = append(a.Elems, p.jsonOrExpr(json))
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect("]")
			return a
		case "{":
			p.next()
			p.enter()
			defer p.leave()
			b := &Bag{Pos: pos(t)}
			for !p.is("}") {
				k := p.tok()
				if k.Kind != TokString && k.Kind != TokIdent {
					p.failf(k, "expected a property name, found %s", describe(k))
				}
				p.next()
				p.expect(":")
				b.Keys = append(b.Keys, k.Text)
				b.Vals = append(b.Vals, p.jsonOrExpr(json))
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect("}")
			return b
		case "*":
			p.next()
			return &Star{Pos: pos(t)}
		case "-", "+":
			if json {
				p.next()
				return &Unary{Pos: pos(t), Op: t.Text, X: p.primary(true)}
			}
		}
	}
	p.failf(t, "expected an expression, found %s", describe(t))
	return nil
}

func (p *parser) jsonOrExpr(json bool) Expr {
	if json {
		return p.primary(true)
	}
	return p.expr()
}

// externaldata parses `externaldata(schema)[urls] [with(options)]` after
// its name, keeping it raw.
func (p *parser) externaldata(name Token) Expr {
	start := p.i - 1
	p.balanced()
	if p.is("[") {
		p.balanced()
	}
	if p.isWord("with") && p.peek(1).Text == "(" {
		p.next()
		p.balanced()
	}
	return &RawExpr{Pos: pos(name), Toks: p.toks[start:p.i]}
}
