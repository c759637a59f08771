package eql

import (
	"fmt"
	"strings"
)

// maxDepth bounds the nesting of expressions and sub-queries so hostile
// input cannot exhaust the stack.
const maxDepth = 200

// Parse parses an EQL query. Errors are *rule.SyntaxError values with a
// 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
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

func (p *parser) expectKw(kw string) error {
	if t := p.peek(); !isKw(t, kw) {
		return p.errorf(t, "expected %q, found %s", kw, describe(t))
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

// query = ( sequence | sample | eventQuery ) { pipe } EOF .
func (p *parser) query() (*Query, error) {
	q := &Query{}
	var err error
	switch t := p.peek(); {
	case isKw(t, "sequence") && !isPunct(p.peekAt(1), "("):
		p.advance()
		q.Kind = KindSequence
		err = p.joined(q, true)
	case isKw(t, "sample") && !isPunct(p.peekAt(1), "("):
		p.advance()
		q.Kind = KindSample
		err = p.joined(q, false)
	default:
		q.Kind = KindEvent
		q.Event, err = p.eventQuery()
	}
	if err != nil {
		return nil, err
	}
	for isPunct(p.peek(), "|") {
		p.advance()
		pp, err := p.pipe()
		if err != nil {
			return nil, err
		}
		q.Pipes = append(q.Pipes, pp)
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t, "unexpected %s", describe(t))
	}
	return q, nil
}

// joined parses the rest of a sequence or sample:
//
//	header { step } [ "until" step ]
//	header = { "by" exprList | "with" "maxspan" "=" duration }
func (p *parser) joined(q *Query, sequence bool) error {
	for {
		t := p.peek()
		if isKw(t, "by") && q.By == nil {
			p.advance()
			by, err := p.exprList()
			if err != nil {
				return err
			}
			q.By = by
			continue
		}
		if isKw(t, "with") && q.MaxSpan == "" && isKw(p.peekAt(1), "maxspan") {
			p.advance()
			p.advance()
			if err := p.expectPunct("="); err != nil {
				return err
			}
			d := p.peek()
			if d.kind != tNumber {
				return p.errorf(d, "expected a duration after maxspan=, found %s", describe(d))
			}
			p.advance()
			q.MaxSpan = d.val
			continue
		}
		break
	}
	for {
		t := p.peek()
		if !isPunct(t, "[") && !(isPunct(t, "!") && isPunct(p.peekAt(1), "[")) {
			break
		}
		s, err := p.step()
		if err != nil {
			return err
		}
		q.Steps = append(q.Steps, s)
	}
	if len(q.Steps) == 0 {
		t := p.peek()
		return p.errorf(t, "expected a [ sub-query ], found %s", describe(t))
	}
	if sequence && isKw(p.peek(), "until") {
		p.advance()
		s, err := p.step()
		if err != nil {
			return err
		}
		q.Until = s
	}
	return nil
}

// step = [ "!" ] "[" eventQuery "]" [ "by" exprList ] [ "with" "runs" "=" number ] .
func (p *parser) step() (*Step, error) {
	s := &Step{}
	if isPunct(p.peek(), "!") {
		p.advance()
		s.Missing = true
	}
	if err := p.expectPunct("["); err != nil {
		return nil, err
	}
	eq, err := p.eventQuery()
	if err != nil {
		return nil, err
	}
	s.Query = eq
	if err := p.expectPunct("]"); err != nil {
		return nil, err
	}
	if isKw(p.peek(), "by") {
		p.advance()
		if s.By, err = p.exprList(); err != nil {
			return nil, err
		}
	}
	if isKw(p.peek(), "with") && isKw(p.peekAt(1), "runs") {
		p.advance()
		p.advance()
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		n := p.peek()
		if n.kind != tNumber {
			return nil, p.errorf(n, "expected a number after runs=, found %s", describe(n))
		}
		p.advance()
		s.Runs = n.val
	}
	return s, nil
}

// eventQuery = category "where" expr .
// category   = name | `quoted` | string .
func (p *parser) eventQuery() (*EventQuery, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.peek()
	if t.kind != tIdent && t.kind != tQuoted && t.kind != tString || isKw(t, "where") {
		return nil, p.errorf(t, "expected an event category, found %s", describe(t))
	}
	p.advance()
	if err := p.expectKw("where"); err != nil {
		return nil, err
	}
	cond, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &EventQuery{Category: t.val, Cond: cond}, nil
}

// pipe = name [ expr { "," expr } ] .
func (p *parser) pipe() (*Pipe, error) {
	t := p.peek()
	if t.kind != tIdent {
		return nil, p.errorf(t, "expected a pipe name, found %s", describe(t))
	}
	p.advance()
	pp := &Pipe{Name: strings.ToLower(t.val)}
	if n := p.peek(); n.kind == tEOF || isPunct(n, "|") {
		return pp, nil
	}
	args, err := p.exprList()
	if err != nil {
		return nil, err
	}
	pp.Args = args
	return pp, nil
}

// exprList = expr { "," expr } .
func (p *parser) exprList() ([]Expr, error) {
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

// expr = orExpr ; orExpr = andExpr { "or" andExpr } .
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
	if isKw(p.peek(), "not") {
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
	return p.predicate()
}

// predicate = sum [ cmpOp sum
//
//	| ":" values | ( "like" | "regex" ) [ "~" ] values
//	| [ "not" ] "in" [ "~" ] "(" exprList ")" ] .
//
// values = "(" exprList ")" | sum .
func (p *parser) predicate() (Expr, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tPunct:
		switch t.val {
		case "==", "!=", "<", "<=", ">", ">=":
			p.advance()
			r, err := p.sum()
			if err != nil {
				return nil, err
			}
			return &Compare{Op: t.val, L: l, R: r}, nil
		case ":":
			p.advance()
			return p.match(":", false, l)
		}
	case isKw(t, "like"), isKw(t, "regex"):
		p.advance()
		ins := p.tilde()
		return p.match(strings.ToLower(t.val), ins, l)
	case isKw(t, "in"):
		p.advance()
		return p.in(l, false)
	case isKw(t, "not") && isKw(p.peekAt(1), "in"):
		p.advance()
		p.advance()
		return p.in(l, true)
	}
	return l, nil
}

// tilde consumes a `~` directly after the previous token.
func (p *parser) tilde() bool {
	if t := p.peek(); isPunct(t, "~") && !t.space {
		p.advance()
		return true
	}
	return false
}

func (p *parser) match(op string, ins bool, l Expr) (Expr, error) {
	m := &Match{Op: op, Insensitive: ins, L: l}
	if isPunct(p.peek(), "(") {
		vals, err := p.parenList()
		if err != nil {
			return nil, err
		}
		m.Values, m.List = vals, true
		return m, nil
	}
	v, err := p.sum()
	if err != nil {
		return nil, err
	}
	m.Values = []Expr{v}
	return m, nil
}

func (p *parser) in(l Expr, not bool) (Expr, error) {
	in := &In{L: l, Not: not, Insensitive: p.tilde()}
	vals, err := p.parenList()
	if err != nil {
		return nil, err
	}
	in.Values = vals
	return in, nil
}

// parenList = "(" exprList ")" .
func (p *parser) parenList() ([]Expr, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	vals, err := p.exprList()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return vals, nil
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

// unary = "-" unary | primary .
func (p *parser) unary() (Expr, error) {
	if !isPunct(p.peek(), "-") {
		return p.primary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.advance()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	if lit, ok := x.(*Literal); ok && lit.Kind == LitNumber {
		if strings.HasPrefix(lit.Value, "-") {
			return &Literal{Kind: LitNumber, Value: lit.Value[1:]}, nil
		}
		return &Literal{Kind: LitNumber, Value: "-" + lit.Value}, nil
	}
	return &Neg{X: x}, nil
}

// keywords cannot be bare field names.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "like": true, "regex": true,
	"where": true, "by": true, "with": true, "until": true, "sequence": true, "sample": true,
	"true": true, "false": true, "null": true,
}

// primary = "(" expr ")" | string | number | "true" | "false" | "null"
//
//	| name [ "~" ] "(" [ exprList ] ")" | [ "?" ] field
//	| ( "descendant" | "child" | "event" ) "of" "[" eventQuery "]" .
func (p *parser) primary() (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.advance()
		return &Literal{Kind: LitString, Value: t.val}, nil
	case tNumber:
		p.advance()
		return &Literal{Kind: LitNumber, Value: t.val}, nil
	case tQuoted:
		p.advance()
		return &Field{Name: t.val}, nil
	case tQuestion:
		p.advance()
		n := p.peek()
		if n.kind != tIdent && n.kind != tQuoted || n.kind == tIdent && keywords[strings.ToLower(n.val)] {
			return nil, p.errorf(n, "expected a field name after ?, found %s", describe(n))
		}
		p.advance()
		return &Field{Name: n.val, Optional: true}, nil
	case tPunct:
		if t.val == "(" {
			p.advance()
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			return x, nil
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
		case "descendant", "child", "event":
			if isKw(p.peekAt(1), "of") {
				return p.lineage(low)
			}
		}
		if keywords[low] {
			return nil, p.errorf(t, "unexpected keyword %q", t.val)
		}
		n := p.peekAt(1)
		if isPunct(n, "(") || isPunct(n, "~") && !n.space && isPunct(p.peekAt(2), "(") {
			return p.call()
		}
		p.advance()
		return &Field{Name: t.val}, nil
	}
	return nil, p.errorf(t, "expected a value or field, found %s", describe(t))
}

// call = name [ "~" ] "(" [ exprList ] ")" .
func (p *parser) call() (Expr, error) {
	name := p.advance()
	c := &Call{Name: name.val, Insensitive: p.tilde()}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	if isPunct(p.peek(), ")") {
		p.advance()
		return c, nil
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	args, err := p.exprList()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	c.Args = args
	return c, nil
}

func (p *parser) lineage(rel string) (Expr, error) {
	p.advance()
	p.advance()
	if err := p.expectPunct("["); err != nil {
		return nil, err
	}
	eq, err := p.eventQuery()
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct("]"); err != nil {
		return nil, err
	}
	return &Lineage{Relation: rel, Query: eq}, nil
}
