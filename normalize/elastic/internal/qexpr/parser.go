package qexpr

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// MaxDepth bounds the nesting of expressions and sub-queries so hostile
// input cannot exhaust the stack.
const MaxDepth = 200

// Grammar is what a language adds to the shared expression grammar.
type Grammar interface {
	// Predicate parses the rest of a predicate after its left operand l
	// when no comparison operator follows (EQL `:`, like, regex; ES|QL
	// like, rlike, is null, …); it returns l when nothing of the language
	// follows either.
	Predicate(l Expr) (Expr, error)
	// Operand parses a factor of a product or the operand of a unary
	// sign: a primary, with any postfix the language has (ES|QL `::type`).
	Operand() (Expr, error)
}

// Syntax holds the operators in which the languages' shared grammar
// differs.
type Syntax struct {
	// MoreCompare holds the comparison operators besides == != < <= > >=
	// (ES|QL's =~).
	MoreCompare []string
	// UnaryPlus allows a unary `+`, which is dropped.
	UnaryPlus bool
}

// isCompare reports whether op is a comparison operator.
func (s *Syntax) isCompare(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return true
	}
	for _, o := range s.MoreCompare {
		if op == o {
			return true
		}
	}
	return false
}

// Parser is the shared recursive-descent expression parser:
//
//	expr      = andExpr { "or" andExpr } .
//	andExpr   = notExpr { "and" notExpr } .
//	notExpr   = "not" notExpr | predicate .
//	predicate = sum [ cmpOp sum | language predicate ] .
//	sum       = product { ( "+" | "-" ) product } .
//	product   = unary { ( "*" | "/" | "%" ) unary } .
//	unary     = "-" unary | [ "+" unary ] | language operand .
//
// A language parser embeds it, sets Grammar and Syntax, and parses its
// own statements and operands with the exported methods.
type Parser struct {
	qtok.Stream
	Grammar Grammar
	Syntax  *Syntax
	depth   int
}

// Enter counts one more level of nesting and fails past MaxDepth; every
// successful Enter is paired with a Leave.
func (p *Parser) Enter() error {
	if p.depth++; p.depth > MaxDepth {
		return p.Errorf(p.Peek(), "query nested too deeply")
	}
	return nil
}

// Leave ends a level of nesting begun by Enter.
func (p *Parser) Leave() { p.depth-- }

// Expr parses an expression (an `or` of `and`s).
func (p *Parser) Expr() (Expr, error) {
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	return p.logical("or", p.andExpr)
}

func (p *Parser) andExpr() (Expr, error) { return p.logical("and", p.notExpr) }

func (p *Parser) logical(op string, next func() (Expr, error)) (Expr, error) {
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

func (p *Parser) notExpr() (Expr, error) {
	if !qtok.IsKw(p.Peek(), "not") {
		return p.predicate()
	}
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	p.Advance()
	x, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	return &Not{X: x}, nil
}

func (p *Parser) predicate() (Expr, error) {
	l, err := p.Sum()
	if err != nil {
		return nil, err
	}
	if t := p.Peek(); t.Kind == qtok.Punct && p.Syntax.isCompare(t.Val) {
		p.Advance()
		r, err := p.Sum()
		if err != nil {
			return nil, err
		}
		return &Compare{Op: t.Val, L: l, R: r}, nil
	}
	return p.Grammar.Predicate(l)
}

// Sum parses a sum: the operand of a predicate.
func (p *Parser) Sum() (Expr, error) {
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

func (p *Parser) product() (Expr, error) {
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

// unary folds a minus into a number or interval literal and keeps it as
// Neg on anything else.
func (p *Parser) unary() (Expr, error) {
	t := p.Peek()
	if !qtok.IsPunct(t, "-") && !(p.Syntax.UnaryPlus && qtok.IsPunct(t, "+")) {
		return p.Grammar.Operand()
	}
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	p.Advance()
	x, err := p.unary()
	if err != nil || t.Val == "+" {
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

// Exprs parses a non-empty comma-separated list of expressions.
func (p *Parser) Exprs() ([]Expr, error) {
	var out []Expr
	for {
		e, err := p.Expr()
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

// List parses the comma-separated expressions inside brackets, up to (not
// past) the closing punctuation close, as one more level of nesting. With
// allowEmpty a list that closes at once is empty; without, it is an error.
func (p *Parser) List(close string, allowEmpty bool) ([]Expr, error) {
	if allowEmpty && qtok.IsPunct(p.Peek(), close) {
		return nil, nil
	}
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	return p.Exprs()
}

// ParenList parses `( expr, … )` (see List).
func (p *Parser) ParenList(allowEmpty bool) ([]Expr, error) {
	if err := p.ExpectPunct("("); err != nil {
		return nil, err
	}
	vals, err := p.List(")", allowEmpty)
	if err != nil {
		return nil, err
	}
	return vals, p.ExpectPunct(")")
}

// Common parses the operands both languages write alike: a string, a
// number, a backtick-quoted field name, a parenthesized expression, true,
// false and null. ok is false, and nothing consumed, when the next token
// starts none of them.
func (p *Parser) Common() (x Expr, ok bool, err error) {
	t := p.Peek()
	switch t.Kind {
	case qtok.String:
		p.Advance()
		return &Literal{Kind: LitString, Value: t.Val}, true, nil
	case qtok.Number:
		p.Advance()
		return &Literal{Kind: LitNumber, Value: t.Val}, true, nil
	case qtok.Quoted:
		p.Advance()
		return &Field{Name: t.Val}, true, nil
	case qtok.Punct:
		if t.Val == "(" {
			p.Advance()
			x, err := p.Expr()
			if err != nil {
				return nil, true, err
			}
			return x, true, p.ExpectPunct(")")
		}
	case qtok.Ident:
		if len(t.Val) != 4 && len(t.Val) != 5 {
			break
		}
		switch {
		case qtok.IsKw(t, "true"):
			p.Advance()
			return &Literal{Kind: LitBool, Value: "true"}, true, nil
		case qtok.IsKw(t, "false"):
			p.Advance()
			return &Literal{Kind: LitBool, Value: "false"}, true, nil
		case qtok.IsKw(t, "null"):
			p.Advance()
			return &Literal{Kind: LitNull, Value: "null"}, true, nil
		}
	}
	return nil, false, nil
}
