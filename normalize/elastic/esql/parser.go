package esql

import (
	"fmt"
	"strings"
)

// maxDepth bounds the nesting of expressions so hostile input cannot
// exhaust the stack.
const maxDepth = 200

// Parse parses an ES|QL query. Errors are *rule.SyntaxError values with a
// 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	return p.query()
}

// parser is a recursive-descent parser over the token slice.
type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// isKw reports whether t is the keyword kw (case-insensitive, never a
// backtick-quoted name).
func isKw(t token, kw string) bool { return t.kind == tIdent && strings.EqualFold(t.val, kw) }

func isPunct(t token, s string) bool { return t.kind == tPunct && t.val == s }

func (p *parser) errorf(t token, format string, args ...any) error {
	return errAt(p.src, t.pos, format, args...)
}

// describe names a token for error messages.
func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string"
	case tNumber:
		return "number " + t.val
	case tQuoted:
		return "`" + t.val + "`"
	}
	return fmt.Sprintf("%q", t.val)
}

func (p *parser) expectPunct(s string) error {
	if t := p.peek(); !isPunct(t, s) {
		return p.errorf(t, "expected %q, found %s", s, describe(t))
	}
	p.advance()
	return nil
}

func (p *parser) enter() error {
	if p.depth++; p.depth > maxDepth {
		return p.errorf(p.peek(), "query nested too deeply")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// atEnd reports whether the current command ends here.
func (p *parser) atEnd() bool {
	t := p.peek()
	return t.kind == tEOF || isPunct(t, "|")
}

// query = source { "|" command } EOF .
func (p *parser) query() (*Query, error) {
	q := &Query{}
	t := p.peek()
	if t.kind != tIdent {
		return nil, p.errorf(t, "expected a source command such as FROM, found %s", describe(t))
	}
	p.advance()
	q.Source = strings.ToLower(t.val)
	if q.Source == "from" {
		if err := p.from(q); err != nil {
			return nil, err
		}
	} else {
		toks, err := p.rest()
		if err != nil {
			return nil, err
		}
		q.SourceArgs = toks
	}
	for {
		t := p.peek()
		if t.kind == tEOF {
			return q, nil
		}
		if !isPunct(t, "|") {
			return nil, p.errorf(t, "expected | or end of query, found %s", describe(t))
		}
		p.advance()
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		q.Commands = append(q.Commands, c)
	}
}

// from = pattern { "," pattern } [ "metadata" name { "," name } ] .
func (p *parser) from(q *Query) error {
	for {
		t := p.peek()
		if t.kind != tPattern {
			return p.errorf(t, "expected an index pattern, found %s", describe(t))
		}
		p.advance()
		q.From = append(q.From, t.val)
		if !isPunct(p.peek(), ",") {
			break
		}
		p.advance()
	}
	if !isKw(p.peek(), "metadata") {
		return nil
	}
	p.advance()
	for {
		t := p.peek()
		if t.kind != tIdent && t.kind != tQuoted {
			return p.errorf(t, "expected a metadata field, found %s", describe(t))
		}
		p.advance()
		q.Metadata = append(q.Metadata, t.val)
		if !isPunct(p.peek(), ",") {
			return nil
		}
		p.advance()
	}
}

// command = "where" expr | "eval" assigns | [ "inline" ] "stats" stats
//
//	| "rename" renames | name { token } .
func (p *parser) command() (Command, error) {
	t := p.peek()
	if t.kind != tIdent {
		return nil, p.errorf(t, "expected a command name, found %s", describe(t))
	}
	p.advance()
	switch name := strings.ToLower(t.val); {
	case name == "where":
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &Where{Cond: x}, p.endCommand()
	case name == "eval":
		as, err := p.assigns(false)
		if err != nil {
			return nil, err
		}
		return &Eval{Assigns: as}, p.endCommand()
	case name == "stats" || name == "inline" && isKw(p.peek(), "stats") || name == "inlinestats":
		if name == "inline" {
			p.advance()
		}
		s, err := p.stats()
		if err != nil {
			return nil, err
		}
		s.Inline = name != "stats"
		return s, p.endCommand()
	case name == "rename":
		r, err := p.rename()
		if err != nil {
			return nil, err
		}
		return r, p.endCommand()
	default:
		toks, err := p.rest()
		if err != nil {
			return nil, err
		}
		return &Generic{Name: name, Toks: toks}, nil
	}
}

func (p *parser) endCommand() error {
	if t := p.peek(); !p.atEnd() {
		return p.errorf(t, "unexpected %s", describe(t))
	}
	return nil
}

// rest collects the tokens up to the next "|" outside brackets.
func (p *parser) rest() ([]token, error) {
	var toks []token
	depth := 0
	for {
		t := p.peek()
		if t.kind == tEOF || depth == 0 && isPunct(t, "|") {
			return toks, nil
		}
		if t.kind == tPunct {
			switch t.val {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth > 0 {
					depth--
				}
			}
		}
		toks = append(toks, p.advance())
	}
}

// assigns = assign { "," assign } ; assign = [ name "=" ] expr [ "where" expr ] .
// The where filter is allowed only in stats aggregations.
func (p *parser) assigns(filter bool) ([]*Assign, error) {
	var out []*Assign
	for {
		a := &Assign{}
		if t := p.peek(); (t.kind == tIdent || t.kind == tQuoted) && isPunct(p.peekAt(1), "=") {
			p.advance()
			p.advance()
			a.Name = t.val
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		a.X = x
		if filter && isKw(p.peek(), "where") {
			p.advance()
			if a.Filter, err = p.expr(); err != nil {
				return nil, err
			}
		}
		out = append(out, a)
		if !isPunct(p.peek(), ",") {
			return out, nil
		}
		p.advance()
	}
}

// stats = [ assigns ] [ "by" assigns ] .
func (p *parser) stats() (*Stats, error) {
	s := &Stats{}
	var err error
	if !p.atEnd() && !isKw(p.peek(), "by") {
		if s.Aggs, err = p.assigns(true); err != nil {
			return nil, err
		}
	}
	if isKw(p.peek(), "by") {
		p.advance()
		if s.By, err = p.assigns(false); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// rename = pair { "," pair } ; pair = name "as" name | name "=" name .
func (p *parser) rename() (*Rename, error) {
	r := &Rename{}
	for {
		a := p.peek()
		if a.kind != tIdent && a.kind != tQuoted {
			return nil, p.errorf(a, "expected a column name, found %s", describe(a))
		}
		p.advance()
		sep := p.peek()
		if !isKw(sep, "as") && !isPunct(sep, "=") {
			return nil, p.errorf(sep, `expected "as" or "=", found %s`, describe(sep))
		}
		p.advance()
		b := p.peek()
		if b.kind != tIdent && b.kind != tQuoted {
			return nil, p.errorf(b, "expected a column name, found %s", describe(b))
		}
		p.advance()
		if isPunct(sep, "=") {
			r.Pairs = append(r.Pairs, RenamePair{Old: b.val, New: a.val})
		} else {
			r.Pairs = append(r.Pairs, RenamePair{Old: a.val, New: b.val})
		}
		if !isPunct(p.peek(), ",") {
			return r, nil
		}
		p.advance()
	}
}

// expr = andExpr { "or" andExpr } .
func (p *parser) expr() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.logical("or", p.andExpr)
}

// andExpr = notExpr { "and" notExpr } .
func (p *parser) andExpr() (Expr, error) { return p.logical("and", p.notExpr) }

func (p *parser) logical(op string, next func() (Expr, error)) (Expr, error) {
	x, err := next()
	if err != nil {
		return nil, err
	}
	if !isKw(p.peek(), op) {
		return x, nil
	}
	l := &Logical{Op: op, X: []Expr{x}}
	for isKw(p.peek(), op) {
		p.advance()
		y, err := next()
		if err != nil {
			return nil, err
		}
		l.X = append(l.X, y)
	}
	return l, nil
}

// notExpr = "not" notExpr | predicate .
func (p *parser) notExpr() (Expr, error) {
	if !isKw(p.peek(), "not") {
		return p.predicate()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.advance()
	x, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	return &Not{X: x}, nil
}

// predicate = sum [ cmpOp sum | ":" sum
//
//	| [ "not" ] ( "like" | "rlike" ) patterns
//	| [ "not" ] "in" "(" exprList ")"
//	| "is" [ "not" ] "null" ] .
//
// patterns = "(" exprList ")" | sum .
func (p *parser) predicate() (Expr, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind == tPunct {
		switch t.val {
		case "==", "!=", "<", "<=", ">", ">=", "=~":
			p.advance()
			r, err := p.sum()
			if err != nil {
				return nil, err
			}
			return &Compare{Op: t.val, L: l, R: r}, nil
		case ":":
			p.advance()
			r, err := p.sum()
			if err != nil {
				return nil, err
			}
			return &MatchOp{L: l, R: r}, nil
		}
		return l, nil
	}
	not := false
	if isKw(t, "not") {
		if n := p.peekAt(1); isKw(n, "like") || isKw(n, "rlike") || isKw(n, "in") {
			not = true
			p.advance()
			t = p.peek()
		}
	}
	switch {
	case isKw(t, "like"), isKw(t, "rlike"):
		p.advance()
		lk := &Like{Op: strings.ToLower(t.val), Not: not, L: l}
		if isPunct(p.peek(), "(") {
			if lk.Patterns, err = p.parenList(); err != nil {
				return nil, err
			}
			lk.List = true
			return lk, nil
		}
		v, err := p.sum()
		if err != nil {
			return nil, err
		}
		lk.Patterns = []Expr{v}
		return lk, nil
	case isKw(t, "in"):
		p.advance()
		vals, err := p.parenList()
		if err != nil {
			return nil, err
		}
		return &In{L: l, Not: not, Values: vals}, nil
	case isKw(t, "is"):
		p.advance()
		n := isKw(p.peek(), "not")
		if n {
			p.advance()
		}
		if t := p.peek(); !isKw(t, "null") {
			return nil, p.errorf(t, `expected "null", found %s`, describe(t))
		}
		p.advance()
		return &IsNull{L: l, Not: n}, nil
	}
	return l, nil
}

// parenList = "(" exprList ")" .
func (p *parser) parenList() ([]Expr, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	vals, err := p.exprList(")")
	if err != nil {
		return nil, err
	}
	return vals, p.expectPunct(")")
}

// exprList = expr { "," expr } (possibly empty before close).
func (p *parser) exprList(close string) ([]Expr, error) {
	if isPunct(p.peek(), close) {
		return nil, nil
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	var out []Expr
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if !isPunct(p.peek(), ",") {
			return out, nil
		}
		p.advance()
	}
}

// sum = product { ( "+" | "-" ) product } .
func (p *parser) sum() (Expr, error) {
	l, err := p.product()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); isPunct(t, "+") || isPunct(t, "-"); t = p.peek() {
		p.advance()
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		l = &Arith{Op: t.val, L: l, R: r}
	}
	return l, nil
}

// product = unary { ( "*" | "/" | "%" ) unary } .
func (p *parser) product() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); isPunct(t, "*") || isPunct(t, "/") || isPunct(t, "%"); t = p.peek() {
		p.advance()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &Arith{Op: t.val, L: l, R: r}
	}
	return l, nil
}

// unary = ( "-" | "+" ) unary | cast .
func (p *parser) unary() (Expr, error) {
	t := p.peek()
	if !isPunct(t, "-") && !isPunct(t, "+") {
		return p.cast()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.advance()
	x, err := p.unary()
	if err != nil || t.val == "+" {
		return x, err
	}
	if lit, ok := x.(*Literal); ok && (lit.Kind == LitNumber || lit.Kind == LitInterval) {
		if strings.HasPrefix(lit.Value, "-") {
			return &Literal{Kind: lit.Kind, Value: lit.Value[1:]}, nil
		}
		return &Literal{Kind: lit.Kind, Value: "-" + lit.Value}, nil
	}
	return &Neg{X: x}, nil
}

// cast = primary { "::" name } .
func (p *parser) cast() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for isPunct(p.peek(), "::") {
		p.advance()
		t := p.peek()
		if t.kind != tIdent {
			return nil, p.errorf(t, "expected a type name after ::, found %s", describe(t))
		}
		p.advance()
		x = &Cast{X: x, Type: strings.ToLower(t.val)}
	}
	return x, nil
}

// keywords cannot be bare field names.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "like": true, "rlike": true, "is": true,
	"null": true, "true": true, "false": true, "by": true, "where": true, "as": true,
	"metadata": true, "on": true, "with": true,
}

// timeUnits are the units of interval literals such as `1 hour`.
var timeUnits = map[string]bool{
	"millisecond": true, "milliseconds": true, "ms": true,
	"second": true, "seconds": true, "sec": true, "s": true,
	"minute": true, "minutes": true, "min": true, "m": true,
	"hour": true, "hours": true, "h": true,
	"day": true, "days": true, "d": true,
	"week": true, "weeks": true, "w": true,
	"month": true, "months": true, "mo": true,
	"quarter": true, "quarters": true, "q": true,
	"year": true, "years": true, "yr": true, "y": true,
}

// primary = "(" expr ")" | string | number [ timeUnit ] | "true" | "false"
//
//	| "null" | "?" [ name ] | "[" exprList "]" | "{" map "}"
//	| name "(" [ "*" | exprList ] ")" | name .
func (p *parser) primary() (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.advance()
		return &Literal{Kind: LitString, Value: t.val}, nil
	case tNumber:
		p.advance()
		if u := p.peek(); u.kind == tIdent && timeUnits[strings.ToLower(u.val)] {
			p.advance()
			return &Literal{Kind: LitInterval, Value: t.val + " " + strings.ToLower(u.val)}, nil
		}
		return &Literal{Kind: LitNumber, Value: t.val}, nil
	case tQuoted:
		p.advance()
		return &Field{Name: t.val}, nil
	case tPunct:
		switch t.val {
		case "(":
			p.advance()
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			return x, p.expectPunct(")")
		case "[":
			p.advance()
			xs, err := p.exprList("]")
			if err != nil {
				return nil, err
			}
			return &Array{X: xs}, p.expectPunct("]")
		case "{":
			return p.mapLit()
		case "?":
			p.advance()
			if n := p.peek(); (n.kind == tIdent || n.kind == tNumber) && !n.space {
				p.advance()
				return &Literal{Kind: LitParam, Value: "?" + n.val}, nil
			}
			return &Literal{Kind: LitParam, Value: "?"}, nil
		}
	case tIdent:
		low := strings.ToLower(t.val)
		switch low {
		case "true", "false":
			p.advance()
			return &Literal{Kind: LitBool, Value: low}, nil
		case "null":
			p.advance()
			return &Literal{Kind: LitNull, Value: "null"}, nil
		}
		if keywords[low] {
			return nil, p.errorf(t, "unexpected keyword %q", t.val)
		}
		p.advance()
		if isPunct(p.peek(), "(") {
			return p.call(t.val)
		}
		return &Field{Name: t.val}, nil
	}
	return nil, p.errorf(t, "expected a value or field, found %s", describe(t))
}

// call = name "(" [ "*" | exprList ] ")" .
func (p *parser) call(name string) (Expr, error) {
	p.advance()
	c := &Call{Name: name}
	if isPunct(p.peek(), "*") && isPunct(p.peekAt(1), ")") {
		p.advance()
		p.advance()
		c.Args = []Expr{&Star{}}
		return c, nil
	}
	args, err := p.exprList(")")
	if err != nil {
		return nil, err
	}
	c.Args = args
	return c, p.expectPunct(")")
}

// map = "{" [ string ":" expr { "," string ":" expr } ] "}" .
func (p *parser) mapLit() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.advance()
	m := &Map{}
	for !isPunct(p.peek(), "}") {
		k := p.peek()
		if k.kind != tString {
			return nil, p.errorf(k, "expected a string key, found %s", describe(k))
		}
		p.advance()
		if err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		m.Keys = append(m.Keys, k.val)
		m.Vals = append(m.Vals, v)
		if !isPunct(p.peek(), ",") {
			break
		}
		p.advance()
	}
	return m, p.expectPunct("}")
}
