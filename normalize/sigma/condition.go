package sigma

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Cond is a node of a parsed Sigma condition.
type Cond interface{ isCond() }

// CondAnd is a conjunction of conditions.
type CondAnd []Cond

// CondOr is a disjunction of conditions.
type CondOr []Cond

// CondNot negates a condition.
type CondNot struct{ X Cond }

// CondIdent names one search identifier.
type CondIdent string

// CondOf is `1 of pattern`, `all of pattern`, `1 of them`, `all of them`.
type CondOf struct {
	All     bool
	Count   int    // the N of "N of"; 1 for "any"
	Pattern string // "them" or an identifier pattern with `*`
}

// CondAgg is a legacy aggregation: `| count(field) by group > N`.
type CondAgg struct {
	Func, Field, GroupBy, Op, Value string
}

// CondWithAgg is a search condition followed by an aggregation.
type CondWithAgg struct {
	Search Cond
	Agg    CondAgg
}

func (CondAnd) isCond()     {}
func (CondOr) isCond()      {}
func (CondNot) isCond()     {}
func (CondIdent) isCond()   {}
func (CondOf) isCond()      {}
func (CondWithAgg) isCond() {}

type ctoken struct {
	kind string // ident, lparen, rparen, pipe, op, num, eof
	text string
	pos  int // 0-based byte offset
}

func lexCondition(s string) ([]ctoken, error) {
	var toks []ctoken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, ctoken{"lparen", "(", i})
			i++
		case c == ')':
			toks = append(toks, ctoken{"rparen", ")", i})
			i++
		case c == '|':
			toks = append(toks, ctoken{"pipe", "|", i})
			i++
		case c == ',':
			toks = append(toks, ctoken{"comma", ",", i})
			i++
		case c == '>' || c == '<' || c == '=' || c == '!':
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			toks = append(toks, ctoken{"op", s[i:j], i})
			i = j
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, ctoken{"ident", s[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("column %d: unexpected character %q", i+1, c)
		}
	}
	return append(toks, ctoken{"eof", "", len(s)}), nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '*' || c == '-' || c == '.' || c == '?' || c >= '0' && c <= '9' ||
		c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// maxCondDepth bounds nesting so hostile input cannot exhaust the stack.
const maxCondDepth = 200

type condParser struct {
	toks  []ctoken
	i     int
	depth int
}

// ParseCondition parses a Sigma condition expression:
//
//	condition   = or_expr [ "|" aggregation ] ;
//	or_expr     = and_expr { "or" and_expr } ;
//	and_expr    = not_expr { "and" not_expr } ;
//	not_expr    = "not" not_expr | primary ;
//	primary     = "(" or_expr ")" | quantifier "of" ( "them" | pattern ) | identifier ;
//	quantifier  = "1" | "all" | "any" | number ;
//	aggregation = func "(" [ field ] ")" [ "by" field ] cmp number ;
//
// Keywords are case-insensitive. Errors carry the 1-based column.
func ParseCondition(s string) (Cond, error) {
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks}
	c, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == "pipe" {
		p.i++
		agg, err := p.aggregation()
		if err != nil {
			return nil, err
		}
		c = CondWithAgg{Search: c, Agg: agg}
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, fmt.Errorf("column %d: unexpected %q", t.pos+1, t.text)
	}
	return c, nil
}

func (p *condParser) peek() ctoken { return p.toks[p.i] }

func (p *condParser) keyword(k string) bool {
	t := p.peek()
	return t.kind == "ident" && strings.EqualFold(t.text, k)
}

func (p *condParser) orExpr() (Cond, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxCondDepth {
		return nil, fmt.Errorf("column %d: condition nested too deeply", p.peek().pos+1)
	}
	left, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	or := CondOr{left}
	for p.keyword("or") {
		p.i++
		right, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		or = append(or, right)
	}
	if len(or) == 1 {
		return left, nil
	}
	return or, nil
}

func (p *condParser) andExpr() (Cond, error) {
	left, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	and := CondAnd{left}
	for p.keyword("and") {
		p.i++
		right, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		and = append(and, right)
	}
	if len(and) == 1 {
		return left, nil
	}
	return and, nil
}

func (p *condParser) notExpr() (Cond, error) {
	if p.keyword("not") {
		p.i++
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxCondDepth {
			return nil, fmt.Errorf("column %d: condition nested too deeply", p.peek().pos+1)
		}
		x, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		return CondNot{x}, nil
	}
	return p.primary()
}

func (p *condParser) primary() (Cond, error) {
	t := p.peek()
	switch t.kind {
	case "lparen":
		p.i++
		c, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != "rparen" {
			return nil, fmt.Errorf("column %d: expected )", p.peek().pos+1)
		}
		p.i++
		return c, nil
	case "ident":
		low := strings.ToLower(t.text)
		if low == "and" || low == "or" || low == "of" || low == "them" {
			return nil, fmt.Errorf("column %d: unexpected %q", t.pos+1, t.text)
		}
		next := p.toks[p.i+1]
		if next.kind == "ident" && strings.EqualFold(next.text, "of") {
			of := CondOf{Count: 1}
			switch {
			case low == "all":
				of.All = true
			case low == "any":
			default:
				n, err := strconv.Atoi(t.text)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("column %d: expected 1, all or a number before 'of', got %q", t.pos+1, t.text)
				}
				of.Count = n
			}
			p.i += 2
			pat := p.peek()
			if pat.kind != "ident" {
				return nil, fmt.Errorf("column %d: expected 'them' or a pattern after 'of'", pat.pos+1)
			}
			p.i++
			of.Pattern = pat.text
			if strings.EqualFold(pat.text, "them") {
				of.Pattern = "them"
			}
			return of, nil
		}
		p.i++
		return CondIdent(t.text), nil
	case "eof":
		return nil, fmt.Errorf("column %d: condition ends too early", t.pos+1)
	}
	return nil, fmt.Errorf("column %d: unexpected %q", t.pos+1, t.text)
}

func (p *condParser) aggregation() (CondAgg, error) {
	var a CondAgg
	t := p.peek()
	if t.kind != "ident" {
		return a, fmt.Errorf("column %d: expected an aggregation function after |", t.pos+1)
	}
	a.Func = strings.ToLower(t.text)
	if a.Func == "near" {
		return a, fmt.Errorf("column %d: the near aggregation is not supported", t.pos+1)
	}
	p.i++
	if p.peek().kind != "lparen" {
		return a, fmt.Errorf("column %d: expected ( after %s", p.peek().pos+1, t.text)
	}
	p.i++
	if p.peek().kind == "ident" {
		a.Field = p.peek().text
		p.i++
	}
	if p.peek().kind != "rparen" {
		return a, fmt.Errorf("column %d: expected )", p.peek().pos+1)
	}
	p.i++
	if p.keyword("by") {
		p.i++
		if p.peek().kind != "ident" {
			return a, fmt.Errorf("column %d: expected a field after 'by'", p.peek().pos+1)
		}
		a.GroupBy = p.peek().text
		p.i++
		for p.peek().kind == "comma" {
			p.i++
			if p.peek().kind != "ident" {
				return a, fmt.Errorf("column %d: expected a field after ','", p.peek().pos+1)
			}
			a.GroupBy += "," + p.peek().text
			p.i++
		}
	}
	if p.peek().kind == "op" {
		a.Op = p.peek().text
		p.i++
		if p.peek().kind != "ident" {
			return a, fmt.Errorf("column %d: expected a number after %s", p.peek().pos+1, a.Op)
		}
		a.Value = p.peek().text
		p.i++
	}
	return a, nil
}

// aggOp maps a comparison of an aggregation onto a predicate operator.
func aggOp(s string) (rule.Op, bool) {
	switch s {
	case ">":
		return rule.OpGt, true
	case ">=":
		return rule.OpGte, true
	case "<":
		return rule.OpLt, true
	case "<=":
		return rule.OpLte, true
	case "=", "==":
		return rule.OpEq, true
	}
	return "", false
}

// String renders a condition canonically (the round-trip oracle of the tests).
func String(c Cond) string {
	switch c := c.(type) {
	case CondAnd:
		return join(c, " and ")
	case CondOr:
		return join(c, " or ")
	case CondNot:
		switch c.X.(type) {
		case CondAnd, CondOr, CondWithAgg:
			return "not (" + String(c.X) + ")"
		}
		return "not " + String(c.X)
	case CondIdent:
		return string(c)
	case CondOf:
		q := strconv.Itoa(c.Count)
		if c.All {
			q = "all"
		}
		return q + " of " + c.Pattern
	case CondWithAgg:
		s := String(c.Search) + " | " + c.Agg.Func + "(" + c.Agg.Field + ")"
		if c.Agg.GroupBy != "" {
			s += " by " + c.Agg.GroupBy
		}
		if c.Agg.Op != "" {
			s += " " + c.Agg.Op + " " + c.Agg.Value
		}
		return s
	}
	return ""
}

func join[T ~[]Cond](cs T, sep string) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		s := String(c)
		switch c.(type) {
		case CondAnd, CondOr:
			s = "(" + s + ")"
		}
		parts[i] = s
	}
	return strings.Join(parts, sep)
}
