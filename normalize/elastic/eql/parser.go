package eql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
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
	p := &parser{Stream: qtok.Stream{Src: src, Toks: toks}}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

// parser is a recursive-descent parser over the token slice.
type parser struct {
	qtok.Stream
	depth int
}

func (p *parser) expectKw(kw string) error {
	if t := p.Peek(); !qtok.IsKw(t, kw) {
		return p.Errorf(t, "expected %q, found %s", kw, qtok.Describe(t))
	}
	p.Advance()
	return nil
}

func (p *parser) enter() error {
	if p.depth++; p.depth > maxDepth {
		return p.Errorf(p.Peek(), "query nested too deeply")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// query = ( sequence | sample | eventQuery ) { pipe } EOF .
func (p *parser) query() (*Query, error) {
	q := &Query{}
	var err error
	switch t := p.Peek(); {
	case qtok.IsKw(t, "sequence") && !qtok.IsPunct(p.PeekAt(1), "("):
		p.Advance()
		q.Kind = KindSequence
		err = p.joined(q, true)
	case qtok.IsKw(t, "sample") && !qtok.IsPunct(p.PeekAt(1), "("):
		p.Advance()
		q.Kind = KindSample
		err = p.joined(q, false)
	default:
		q.Kind = KindEvent
		q.Event, err = p.eventQuery()
	}
	if err != nil {
		return nil, err
	}
	for qtok.IsPunct(p.Peek(), "|") {
		p.Advance()
		pp, err := p.pipe()
		if err != nil {
			return nil, err
		}
		q.Pipes = append(q.Pipes, pp)
	}
	if t := p.Peek(); t.Kind != tEOF {
		return nil, p.Errorf(t, "unexpected %s", qtok.Describe(t))
	}
	return q, nil
}

// joined parses the rest of a sequence or sample:
//
//	header { step } [ "until" step ]
//	header = { "by" exprList | "with" "maxspan" "=" duration }
func (p *parser) joined(q *Query, sequence bool) error {
	for {
		t := p.Peek()
		if qtok.IsKw(t, "by") && q.By == nil {
			p.Advance()
			by, err := p.exprList()
			if err != nil {
				return err
			}
			q.By = by
			continue
		}
		if qtok.IsKw(t, "with") && q.MaxSpan == "" && qtok.IsKw(p.PeekAt(1), "maxspan") {
			p.Advance()
			p.Advance()
			if err := p.ExpectPunct("="); err != nil {
				return err
			}
			d := p.Peek()
			if d.Kind != tNumber {
				return p.Errorf(d, "expected a duration after maxspan=, found %s", qtok.Describe(d))
			}
			p.Advance()
			q.MaxSpan = d.Val
			continue
		}
		break
	}
	for {
		t := p.Peek()
		if !qtok.IsPunct(t, "[") && !(qtok.IsPunct(t, "!") && qtok.IsPunct(p.PeekAt(1), "[")) {
			break
		}
		s, err := p.step()
		if err != nil {
			return err
		}
		q.Steps = append(q.Steps, s)
	}
	if len(q.Steps) == 0 {
		t := p.Peek()
		return p.Errorf(t, "expected a [ sub-query ], found %s", qtok.Describe(t))
	}
	if sequence && qtok.IsKw(p.Peek(), "until") {
		p.Advance()
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
	if qtok.IsPunct(p.Peek(), "!") {
		p.Advance()
		s.Missing = true
	}
	if err := p.ExpectPunct("["); err != nil {
		return nil, err
	}
	eq, err := p.eventQuery()
	if err != nil {
		return nil, err
	}
	s.Query = eq
	if err := p.ExpectPunct("]"); err != nil {
		return nil, err
	}
	if qtok.IsKw(p.Peek(), "by") {
		p.Advance()
		if s.By, err = p.exprList(); err != nil {
			return nil, err
		}
	}
	if qtok.IsKw(p.Peek(), "with") && qtok.IsKw(p.PeekAt(1), "runs") {
		p.Advance()
		p.Advance()
		if err := p.ExpectPunct("="); err != nil {
			return nil, err
		}
		n := p.Peek()
		if n.Kind != tNumber {
			return nil, p.Errorf(n, "expected a number after runs=, found %s", qtok.Describe(n))
		}
		p.Advance()
		s.Runs = n.Val
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
	t := p.Peek()
	if t.Kind != tIdent && t.Kind != tQuoted && t.Kind != tString || qtok.IsKw(t, "where") {
		return nil, p.Errorf(t, "expected an event category, found %s", qtok.Describe(t))
	}
	p.Advance()
	if err := p.expectKw("where"); err != nil {
		return nil, err
	}
	cond, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &EventQuery{Category: t.Val, Cond: cond}, nil
}

// pipe = name [ expr { "," expr } ] .
func (p *parser) pipe() (*Pipe, error) {
	t := p.Peek()
	if t.Kind != tIdent {
		return nil, p.Errorf(t, "expected a pipe name, found %s", qtok.Describe(t))
	}
	p.Advance()
	pp := &Pipe{Name: strings.ToLower(t.Val)}
	if n := p.Peek(); n.Kind == tEOF || qtok.IsPunct(n, "|") {
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
		if !qtok.IsPunct(p.Peek(), ",") {
			return out, nil
		}
		p.Advance()
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
	if !qtok.IsKw(p.Peek(), op) {
		return x, nil
	}
	l := &Logical{Op: op, X: []Expr{x}}
	for qtok.IsKw(p.Peek(), op) {
		p.Advance()
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
	if qtok.IsKw(p.Peek(), "not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.Advance()
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
	t := p.Peek()
	switch {
	case t.Kind == tPunct:
		switch t.Val {
		case "==", "!=", "<", "<=", ">", ">=":
			p.Advance()
			r, err := p.sum()
			if err != nil {
				return nil, err
			}
			return &Compare{Op: t.Val, L: l, R: r}, nil
		case ":":
			p.Advance()
			return p.match(":", false, l)
		}
	case qtok.IsKw(t, "like"), qtok.IsKw(t, "regex"):
		p.Advance()
		ins := p.tilde()
		return p.match(strings.ToLower(t.Val), ins, l)
	case qtok.IsKw(t, "in"):
		p.Advance()
		return p.in(l, false)
	case qtok.IsKw(t, "not") && qtok.IsKw(p.PeekAt(1), "in"):
		p.Advance()
		p.Advance()
		return p.in(l, true)
	}
	return l, nil
}

// tilde consumes a `~` directly after the previous token.
func (p *parser) tilde() bool {
	if t := p.Peek(); qtok.IsPunct(t, "~") && !t.Space {
		p.Advance()
		return true
	}
	return false
}

func (p *parser) match(op string, ins bool, l Expr) (Expr, error) {
	m := &Match{Op: op, Insensitive: ins, L: l}
	if qtok.IsPunct(p.Peek(), "(") {
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
	if err := p.ExpectPunct("("); err != nil {
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
	if err := p.ExpectPunct(")"); err != nil {
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
	for t := p.Peek(); qtok.IsPunct(t, "+") || qtok.IsPunct(t, "-"); t = p.Peek() {
		p.Advance()
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		l = &Arith{Op: t.Val, L: l, R: r}
	}
	return l, nil
}

// product = unary { ( "*" | "/" | "%" ) unary } .
func (p *parser) product() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.Peek(); qtok.IsPunct(t, "*") || qtok.IsPunct(t, "/") || qtok.IsPunct(t, "%"); t = p.Peek() {
		p.Advance()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &Arith{Op: t.Val, L: l, R: r}
	}
	return l, nil
}

// unary = "-" unary | primary .
func (p *parser) unary() (Expr, error) {
	if !qtok.IsPunct(p.Peek(), "-") {
		return p.primary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.Advance()
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
	t := p.Peek()
	switch t.Kind {
	case tString:
		p.Advance()
		return &Literal{Kind: LitString, Value: t.Val}, nil
	case tNumber:
		p.Advance()
		return &Literal{Kind: LitNumber, Value: t.Val}, nil
	case tQuoted:
		p.Advance()
		return &Field{Name: t.Val}, nil
	case tQuestion:
		p.Advance()
		n := p.Peek()
		if n.Kind != tIdent && n.Kind != tQuoted || n.Kind == tIdent && keywords[strings.ToLower(n.Val)] {
			return nil, p.Errorf(n, "expected a field name after ?, found %s", qtok.Describe(n))
		}
		p.Advance()
		return &Field{Name: n.Val, Optional: true}, nil
	case tPunct:
		if t.Val == "(" {
			p.Advance()
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if err := p.ExpectPunct(")"); err != nil {
				return nil, err
			}
			return x, nil
		}
	case tIdent:
		low := strings.ToLower(t.Val)
		switch low {
		case "true", "false":
			p.Advance()
			return &Literal{Kind: LitBool, Value: low}, nil
		case "null":
			p.Advance()
			return &Literal{Kind: LitNull, Value: "null"}, nil
		case "descendant", "child", "event":
			if qtok.IsKw(p.PeekAt(1), "of") {
				return p.lineage(low)
			}
		}
		if keywords[low] {
			return nil, p.Errorf(t, "unexpected keyword %q", t.Val)
		}
		n := p.PeekAt(1)
		if qtok.IsPunct(n, "(") || qtok.IsPunct(n, "~") && !n.Space && qtok.IsPunct(p.PeekAt(2), "(") {
			return p.call()
		}
		p.Advance()
		return &Field{Name: t.Val}, nil
	}
	return nil, p.Errorf(t, "expected a value or field, found %s", qtok.Describe(t))
}

// call = name [ "~" ] "(" [ exprList ] ")" .
func (p *parser) call() (Expr, error) {
	name := p.Advance()
	c := &Call{Name: name.Val, Insensitive: p.tilde()}
	if err := p.ExpectPunct("("); err != nil {
		return nil, err
	}
	if qtok.IsPunct(p.Peek(), ")") {
		p.Advance()
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
	if err := p.ExpectPunct(")"); err != nil {
		return nil, err
	}
	c.Args = args
	return c, nil
}

func (p *parser) lineage(rel string) (Expr, error) {
	p.Advance()
	p.Advance()
	if err := p.ExpectPunct("["); err != nil {
		return nil, err
	}
	eq, err := p.eventQuery()
	if err != nil {
		return nil, err
	}
	if err := p.ExpectPunct("]"); err != nil {
		return nil, err
	}
	return &Lineage{Relation: rel, Query: eq}, nil
}
