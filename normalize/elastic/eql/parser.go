package eql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"
	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// syntax is where EQL's expression operators differ from ES|QL's.
var syntax = &qexpr.Syntax{}

// Parse parses an EQL query. Errors are *rule.SyntaxError values with a
// 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	p.Parser = qexpr.Parser{Stream: qtok.Stream{Src: src, Toks: toks}, Grammar: p, Syntax: syntax}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

// parser is a recursive-descent parser over the token slice: the shared
// expression grammar (qexpr) with EQL's queries, predicates and operands.
type parser struct {
	qexpr.Parser
}

func (p *parser) expectKw(kw string) error {
	if t := p.Peek(); !qtok.IsKw(t, kw) {
		return p.Errorf(t, "expected %q, found %s", kw, qtok.Describe(t))
	}
	p.Advance()
	return nil
}

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
			by, err := p.Exprs()
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
		if s.By, err = p.Exprs(); err != nil {
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
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	t := p.Peek()
	if t.Kind != tIdent && t.Kind != tQuoted && t.Kind != tString || qtok.IsKw(t, "where") {
		return nil, p.Errorf(t, "expected an event category, found %s", qtok.Describe(t))
	}
	p.Advance()
	if err := p.expectKw("where"); err != nil {
		return nil, err
	}
	cond, err := p.Expr()
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
	args, err := p.Exprs()
	if err != nil {
		return nil, err
	}
	pp.Args = args
	return pp, nil
}

// Predicate is EQL's part of a predicate (after the comparisons of
// qexpr):
//
//	predicate = sum [ cmpOp sum
//	| ":" values | ( "like" | "regex" ) [ "~" ] values
//	| [ "not" ] "in" [ "~" ] "(" exprList ")" ] .
//
// values = "(" exprList ")" | sum .
func (p *parser) Predicate(l Expr) (Expr, error) {
	t := p.Peek()
	switch {
	case qtok.IsPunct(t, ":"):
		p.Advance()
		return p.match(":", false, l)
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
		vals, err := p.ParenList(false)
		if err != nil {
			return nil, err
		}
		m.Values, m.List = vals, true
		return m, nil
	}
	v, err := p.Sum()
	if err != nil {
		return nil, err
	}
	m.Values = []Expr{v}
	return m, nil
}

func (p *parser) in(l Expr, not bool) (Expr, error) {
	in := &qexpr.In{L: l, Not: not, Insensitive: p.tilde()}
	vals, err := p.ParenList(false)
	if err != nil {
		return nil, err
	}
	in.Values = vals
	return in, nil
}

// Operand is a primary: EQL has no postfix operators.
func (p *parser) Operand() (Expr, error) { return p.primary() }

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
	if x, ok, err := p.Common(); ok {
		return x, err
	}
	t := p.Peek()
	switch t.Kind {
	case tQuestion:
		p.Advance()
		n := p.Peek()
		if n.Kind != tIdent && n.Kind != tQuoted || n.Kind == tIdent && keywords[strings.ToLower(n.Val)] {
			return nil, p.Errorf(n, "expected a field name after ?, found %s", qtok.Describe(n))
		}
		p.Advance()
		return &qexpr.Field{Name: n.Val, Optional: true}, nil
	case tIdent:
		low := strings.ToLower(t.Val)
		switch low {
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
			p.Advance()
			c := &qexpr.Call{Name: t.Val, Insensitive: p.tilde()}
			var err error
			c.Args, err = p.ParenList(true)
			return c, err
		}
		p.Advance()
		return &qexpr.Field{Name: t.Val}, nil
	}
	return nil, p.Errorf(t, "expected a value or field, found %s", qtok.Describe(t))
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
