package esql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"
	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// syntax is where ES|QL's expression operators differ from EQL's: the
// =~ comparison and a unary plus.
var syntax = &qexpr.Syntax{MoreCompare: []string{"=~"}, UnaryPlus: true}

// Parse parses an ES|QL query. Errors are *rule.SyntaxError values with a
// 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	p.Parser = qexpr.Parser{Stream: qtok.Stream{Src: src, Toks: toks}, Grammar: p, Syntax: syntax}
	return p.query()
}

// parser is a recursive-descent parser over the token slice: the shared
// expression grammar (qexpr) with ES|QL's commands, predicates and
// operands.
type parser struct {
	qexpr.Parser
}

// atEnd reports whether the current command ends here.
func (p *parser) atEnd() bool {
	t := p.Peek()
	return t.Kind == tEOF || qtok.IsPunct(t, "|")
}

// query = source { "|" command } EOF .
func (p *parser) query() (*Query, error) {
	q := &Query{}
	t := p.Peek()
	if t.Kind != tIdent {
		return nil, p.Errorf(t, "expected a source command such as FROM, found %s", qtok.Describe(t))
	}
	p.Advance()
	q.Source = strings.ToLower(t.Val)
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
		t := p.Peek()
		if t.Kind == tEOF {
			return q, nil
		}
		if !qtok.IsPunct(t, "|") {
			return nil, p.Errorf(t, "expected | or end of query, found %s", qtok.Describe(t))
		}
		p.Advance()
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
		t := p.Peek()
		if t.Kind != tPattern {
			return p.Errorf(t, "expected an index pattern, found %s", qtok.Describe(t))
		}
		p.Advance()
		q.From = append(q.From, t.Val)
		if !qtok.IsPunct(p.Peek(), ",") {
			break
		}
		p.Advance()
	}
	if !qtok.IsKw(p.Peek(), "metadata") {
		return nil
	}
	p.Advance()
	for {
		t := p.Peek()
		if t.Kind != tIdent && t.Kind != tQuoted {
			return p.Errorf(t, "expected a metadata field, found %s", qtok.Describe(t))
		}
		p.Advance()
		q.Metadata = append(q.Metadata, t.Val)
		if !qtok.IsPunct(p.Peek(), ",") {
			return nil
		}
		p.Advance()
	}
}

// command = "where" expr | "eval" assigns | [ "inline" ] "stats" stats
//
//	| "rename" renames | name { token } .
func (p *parser) command() (Command, error) {
	t := p.Peek()
	if t.Kind != tIdent {
		return nil, p.Errorf(t, "expected a command name, found %s", qtok.Describe(t))
	}
	p.Advance()
	switch name := strings.ToLower(t.Val); {
	case name == "where":
		x, err := p.Expr()
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
	case name == "stats" || name == "inline" && qtok.IsKw(p.Peek(), "stats") || name == "inlinestats":
		if name == "inline" {
			p.Advance()
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
	if t := p.Peek(); !p.atEnd() {
		return p.Errorf(t, "unexpected %s", qtok.Describe(t))
	}
	return nil
}

// rest collects the tokens up to the next "|" outside brackets.
func (p *parser) rest() ([]token, error) {
	var toks []token
	depth := 0
	for {
		t := p.Peek()
		if t.Kind == tEOF || depth == 0 && qtok.IsPunct(t, "|") {
			return toks, nil
		}
		if t.Kind == tPunct {
			switch t.Val {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth > 0 {
					depth--
				}
			}
		}
		toks = append(toks, p.Advance())
	}
}

// assigns = assign { "," assign } ; assign = [ name "=" ] expr [ "where" expr ] .
// The where filter is allowed only in stats aggregations.
func (p *parser) assigns(filter bool) ([]*Assign, error) {
	var out []*Assign
	for {
		a := &Assign{}
		if t := p.Peek(); (t.Kind == tIdent || t.Kind == tQuoted) && qtok.IsPunct(p.PeekAt(1), "=") {
			p.Advance()
			p.Advance()
			a.Name = t.Val
		}
		x, err := p.Expr()
		if err != nil {
			return nil, err
		}
		a.X = x
		if filter && qtok.IsKw(p.Peek(), "where") {
			p.Advance()
			if a.Filter, err = p.Expr(); err != nil {
				return nil, err
			}
		}
		out = append(out, a)
		if !qtok.IsPunct(p.Peek(), ",") {
			return out, nil
		}
		p.Advance()
	}
}

// stats = [ assigns ] [ "by" assigns ] .
func (p *parser) stats() (*Stats, error) {
	s := &Stats{}
	var err error
	if !p.atEnd() && !qtok.IsKw(p.Peek(), "by") {
		if s.Aggs, err = p.assigns(true); err != nil {
			return nil, err
		}
	}
	if qtok.IsKw(p.Peek(), "by") {
		p.Advance()
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
		a := p.Peek()
		if a.Kind != tIdent && a.Kind != tQuoted {
			return nil, p.Errorf(a, "expected a column name, found %s", qtok.Describe(a))
		}
		p.Advance()
		sep := p.Peek()
		if !qtok.IsKw(sep, "as") && !qtok.IsPunct(sep, "=") {
			return nil, p.Errorf(sep, `expected "as" or "=", found %s`, qtok.Describe(sep))
		}
		p.Advance()
		b := p.Peek()
		if b.Kind != tIdent && b.Kind != tQuoted {
			return nil, p.Errorf(b, "expected a column name, found %s", qtok.Describe(b))
		}
		p.Advance()
		if qtok.IsPunct(sep, "=") {
			r.Pairs = append(r.Pairs, RenamePair{Old: b.Val, New: a.Val})
		} else {
			r.Pairs = append(r.Pairs, RenamePair{Old: a.Val, New: b.Val})
		}
		if !qtok.IsPunct(p.Peek(), ",") {
			return r, nil
		}
		p.Advance()
	}
}

// Predicate is ES|QL's part of a predicate (after the comparisons of
// qexpr):
//
//	predicate = sum [ cmpOp sum | ":" sum
//
//	| [ "not" ] ( "like" | "rlike" ) patterns
//	| [ "not" ] "in" "(" exprList ")"
//	| "is" [ "not" ] "null" ] .
//
// patterns = "(" exprList ")" | sum .
func (p *parser) Predicate(l Expr) (Expr, error) {
	t := p.Peek()
	if t.Kind == tPunct {
		if t.Val != ":" {
			return l, nil
		}
		p.Advance()
		r, err := p.Sum()
		if err != nil {
			return nil, err
		}
		return &MatchOp{L: l, R: r}, nil
	}
	not := false
	if qtok.IsKw(t, "not") {
		if n := p.PeekAt(1); qtok.IsKw(n, "like") || qtok.IsKw(n, "rlike") || qtok.IsKw(n, "in") {
			not = true
			p.Advance()
			t = p.Peek()
		}
	}
	switch {
	case qtok.IsKw(t, "like"), qtok.IsKw(t, "rlike"):
		p.Advance()
		lk := &Like{Op: strings.ToLower(t.Val), Not: not, L: l}
		if qtok.IsPunct(p.Peek(), "(") {
			var err error
			lk.Patterns, err = p.ParenList(true)
			lk.List = true
			return lk, err
		}
		v, err := p.Sum()
		if err != nil {
			return nil, err
		}
		lk.Patterns = []Expr{v}
		return lk, nil
	case qtok.IsKw(t, "in"):
		p.Advance()
		vals, err := p.ParenList(true)
		if err != nil {
			return nil, err
		}
		return &qexpr.In{L: l, Not: not, Values: vals}, nil
	case qtok.IsKw(t, "is"):
		p.Advance()
		n := qtok.IsKw(p.Peek(), "not")
		if n {
			p.Advance()
		}
		if t := p.Peek(); !qtok.IsKw(t, "null") {
			return nil, p.Errorf(t, `expected "null", found %s`, qtok.Describe(t))
		}
		p.Advance()
		return &IsNull{L: l, Not: n}, nil
	}
	return l, nil
}

// Operand is a primary with its casts.
func (p *parser) Operand() (Expr, error) { return p.cast() }

// cast = primary { "::" name } .
func (p *parser) cast() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for qtok.IsPunct(p.Peek(), "::") {
		p.Advance()
		t := p.Peek()
		if t.Kind != tIdent {
			return nil, p.Errorf(t, "expected a type name after ::, found %s", qtok.Describe(t))
		}
		p.Advance()
		x = &Cast{X: x, Type: strings.ToLower(t.Val)}
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
	t := p.Peek()
	if u := p.PeekAt(1); t.Kind == tNumber && u.Kind == tIdent && timeUnits[strings.ToLower(u.Val)] {
		p.Advance()
		p.Advance()
		return &qexpr.Literal{Kind: qexpr.LitInterval, Value: t.Val + " " + strings.ToLower(u.Val)}, nil
	}
	if x, ok, err := p.Common(); ok {
		return x, err
	}
	switch t.Kind {
	case tPunct:
		switch t.Val {
		case "[":
			p.Advance()
			xs, err := p.List("]", true)
			if err != nil {
				return nil, err
			}
			return &Array{X: xs}, p.ExpectPunct("]")
		case "{":
			return p.mapLit()
		case "?":
			p.Advance()
			if n := p.Peek(); (n.Kind == tIdent || n.Kind == tNumber) && !n.Space {
				p.Advance()
				return &qexpr.Literal{Kind: qexpr.LitParam, Value: "?" + n.Val}, nil
			}
			return &qexpr.Literal{Kind: qexpr.LitParam, Value: "?"}, nil
		}
	case tIdent:
		if keywords[strings.ToLower(t.Val)] {
			return nil, p.Errorf(t, "unexpected keyword %q", t.Val)
		}
		p.Advance()
		if qtok.IsPunct(p.Peek(), "(") {
			return p.call(t.Val)
		}
		return &qexpr.Field{Name: t.Val}, nil
	}
	return nil, p.Errorf(t, "expected a value or field, found %s", qtok.Describe(t))
}

// call = name "(" [ "*" | exprList ] ")" .
func (p *parser) call(name string) (Expr, error) {
	p.Advance()
	c := &qexpr.Call{Name: name}
	if qtok.IsPunct(p.Peek(), "*") && qtok.IsPunct(p.PeekAt(1), ")") {
		p.Advance()
		p.Advance()
		c.Args = []Expr{&Star{}}
		return c, nil
	}
	args, err := p.List(")", true)
	if err != nil {
		return nil, err
	}
	c.Args = args
	return c, p.ExpectPunct(")")
}

// map = "{" [ string ":" expr { "," string ":" expr } ] "}" .
func (p *parser) mapLit() (Expr, error) {
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	p.Advance()
	m := &Map{}
	for !qtok.IsPunct(p.Peek(), "}") {
		k := p.Peek()
		if k.Kind != tString {
			return nil, p.Errorf(k, "expected a string key, found %s", qtok.Describe(k))
		}
		p.Advance()
		if err := p.ExpectPunct(":"); err != nil {
			return nil, err
		}
		v, err := p.Expr()
		if err != nil {
			return nil, err
		}
		m.Keys = append(m.Keys, k.Val)
		m.Vals = append(m.Vals, v)
		if !qtok.IsPunct(p.Peek(), ",") {
			break
		}
		p.Advance()
	}
	return m, p.ExpectPunct("}")
}
