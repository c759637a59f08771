package lucene

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxDepth bounds the nesting of groups and unary operators.
const maxDepth = 100

// Parse parses a Lucene query string. Errors are *rule.SyntaxError values
// with a 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	p := &parser{src: src}
	p.skipSpace()
	if p.pos == len(src) {
		return &Query{}, nil
	}
	n, err := p.parseOr("")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(src) {
		return nil, p.errorf("unexpected %s", p.describe())
	}
	return &Query{Root: n}, nil
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errorf(format string, args ...any) *rule.SyntaxError {
	return p.errorAt(p.pos, format, args...)
}

func (p *parser) errorAt(off int, format string, args ...any) *rule.SyntaxError {
	if off > len(p.src) {
		off = len(p.src)
	}
	line := 1 + strings.Count(p.src[:off], "\n")
	start := strings.LastIndexByte(p.src[:off], '\n') + 1
	return rule.Errorf(line, 1+utf8.RuneCountInString(p.src[start:off]), format, args...)
}

func (p *parser) colOf(off int) int { return p.errorAt(off, "").Col }

func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of query"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return fmt.Sprintf("%q", r)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// word reports whether the keyword kw (AND, OR, NOT, TO) starts at the
// current position and is followed by a delimiter.
func (p *parser) word(kw string) bool {
	if !strings.HasPrefix(p.src[p.pos:], kw) {
		return false
	}
	j := p.pos + len(kw)
	return j == len(p.src) || isSpace(p.src[j]) || p.src[j] == '(' || p.src[j] == ')' || p.src[j] == '"'
}

func (p *parser) op(ops ...string) string {
	for _, o := range ops {
		if o == "&&" || o == "||" {
			if strings.HasPrefix(p.src[p.pos:], o) {
				return o
			}
		} else if p.word(o) {
			return o
		}
	}
	return ""
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("query nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

// atClauseEnd reports whether the current position ends a clause list.
func (p *parser) atClauseEnd() bool {
	p.skipSpace()
	return p.pos >= len(p.src) || p.src[p.pos] == ')'
}

func (p *parser) parseOr(field string) (Node, error) {
	first, err := p.parseAnd(field)
	if err != nil {
		return nil, err
	}
	list := []Node{first}
	for !p.atClauseEnd() {
		if o := p.op("OR", "||"); o != "" {
			p.pos += len(o)
		}
		x, err := p.parseAnd(field)
		if err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	if len(list) == 1 {
		return first, nil
	}
	return Or(list), nil
}

func (p *parser) parseAnd(field string) (Node, error) {
	first, err := p.parseUnary(field)
	if err != nil {
		return nil, err
	}
	list := []Node{first}
	for {
		p.skipSpace()
		o := p.op("AND", "&&")
		if o == "" {
			break
		}
		p.pos += len(o)
		x, err := p.parseUnary(field)
		if err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	if len(list) == 1 {
		return first, nil
	}
	return And(list), nil
}

func (p *parser) parseUnary(field string) (Node, error) {
	p.skipSpace()
	n := 0
	switch {
	case p.word("NOT"):
		n = 3
	case p.peek() == '!' || p.peek() == '-' || p.peek() == '+':
		n = 1
	}
	if n == 0 {
		return p.parsePrimary(field)
	}
	must := p.peek() == '+'
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.pos += n
	x, err := p.parseUnary(field)
	if err != nil {
		return nil, err
	}
	if must {
		return Must{x}, nil
	}
	return Not{x}, nil
}

func (p *parser) parseGroup(field string) (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	open := p.pos
	p.pos++
	p.skipSpace()
	if p.peek() == ')' {
		return nil, p.errorf("empty group")
	}
	x, err := p.parseOr(field)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return nil, p.errorf("expected \")\" to close \"(\" at column %d, found %s", p.colOf(open), p.describe())
	}
	p.pos++
	if s := p.suffix(); s != "" {
		return Group{X: x, Suffix: s}, nil
	}
	return x, nil
}

func (p *parser) parsePrimary(field string) (Node, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, p.errorf("expected a term, found end of query")
	}
	switch c := p.peek(); c {
	case '(':
		return p.parseGroup(field)
	case '"', '/':
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		return Term{Field: field, Value: v}, nil
	case '[', '{', '>', '<':
		if field == "" {
			return nil, p.errorf("a range needs a field (field:[a TO b])")
		}
		return p.parseRange(field)
	}
	if p.word("AND") || p.word("OR") || p.word("TO") || strings.HasPrefix(p.src[p.pos:], "&&") || strings.HasPrefix(p.src[p.pos:], "||") {
		return nil, p.errorf("expected a term, found operator %s", p.describe())
	}
	start := p.pos
	text, err := p.term()
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, p.errorf("expected a term, found %s", p.describe())
	}
	if p.peek() == ':' {
		name := unescapePattern(text)
		p.pos++
		p.skipSpace()
		if text == "_exists_" {
			f, err := p.term()
			if err != nil {
				return nil, err
			}
			if f == "" {
				return nil, p.errorf("expected a field name after _exists_:")
			}
			return Exists{Field: unescapePattern(f)}, nil
		}
		if p.peek() == '(' {
			return p.parseGroup(name)
		}
		if p.pos >= len(p.src) || isSpace(p.peek()) || p.peek() == ')' {
			return nil, p.errorf("expected a value after \"%s:\"", name)
		}
		x, err := p.parsePrimary(name)
		if err != nil {
			return nil, err
		}
		if e, ok := x.(Exists); ok && e.Field != name {
			return nil, p.errorAt(start, "_exists_ cannot follow a field")
		}
		return x, nil
	}
	v := Value{Pattern: text, Suffix: p.suffix()}
	if field != "" && text == "*" && v.Suffix == "" {
		return Exists{Field: field}, nil
	}
	return Term{Field: field, Value: v}, nil
}

// value reads a phrase or regex with its suffix.
func (p *parser) value() (Value, error) {
	open := p.pos
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			if quote == '"' {
				return Value{}, p.errorAt(open, "unterminated quoted phrase")
			}
			return Value{}, p.errorAt(open, "unterminated regular expression")
		}
		c := p.src[p.pos]
		if c == quote {
			p.pos++
			break
		}
		if c == '\\' && p.pos+1 < len(p.src) {
			e := p.src[p.pos+1]
			p.pos += 2
			switch {
			case quote == '/':
				b.WriteByte('\\')
				b.WriteByte(e)
			case e == '*' || e == '?' || e == '\\':
				b.WriteByte('\\')
				b.WriteByte(e)
			default:
				b.WriteByte(e)
			}
			continue
		}
		if quote == '"' && (c == '*' || c == '?' || c == '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		p.pos++
	}
	return Value{Pattern: b.String(), Quoted: quote == '"', Regex: quote == '/', Suffix: p.suffix()}, nil
}

// termEnd reports the characters that end a term.
func termEnd(c byte) bool {
	switch c {
	case '(', ')', '[', ']', '{', '}', ':', '^', '"', '~', '/', '!':
		return true
	}
	return isSpace(c)
}

// term reads an unquoted term in the rule.Pattern convention.
func (p *parser) term() (string, error) {
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if termEnd(c) {
			break
		}
		if c == '\\' {
			if p.pos+1 >= len(p.src) {
				return "", p.errorf("a backslash at the end of the query escapes nothing")
			}
			r, n := utf8.DecodeRuneInString(p.src[p.pos+1:])
			if r == '*' || r == '?' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteString(p.src[p.pos+1 : p.pos+1+n])
			p.pos += 1 + n
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
	return b.String(), nil
}

// suffix reads an optional boost (^2) or fuzziness (~, ~1) suffix.
func (p *parser) suffix() string {
	c := p.peek()
	if c != '^' && c != '~' {
		return ""
	}
	start := p.pos
	p.pos++
	for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) parseRange(field string) (Node, error) {
	r := Range{Field: field, Lo: "*", Hi: "*", IncLo: true, IncHi: true}
	if c := p.peek(); c == '>' || c == '<' {
		p.pos++
		inc := p.peek() == '='
		if inc {
			p.pos++
		}
		b, err := p.bound()
		if err != nil {
			return nil, err
		}
		if c == '>' {
			r.Lo, r.IncLo = b, inc
		} else {
			r.Hi, r.IncHi = b, inc
		}
		return r, nil
	}
	open := p.pos
	r.IncLo = p.src[p.pos] == '['
	p.pos++
	var err error
	if r.Lo, err = p.bound(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.word("TO") {
		return nil, p.errorf("expected TO in the range opened at column %d, found %s", p.colOf(open), p.describe())
	}
	p.pos += 2
	if r.Hi, err = p.bound(); err != nil {
		return nil, err
	}
	p.skipSpace()
	switch p.peek() {
	case ']':
		r.IncHi = true
	case '}':
		r.IncHi = false
	default:
		return nil, p.errorf("expected \"]\" or \"}\" to close the range opened at column %d, found %s", p.colOf(open), p.describe())
	}
	p.pos++
	return r, nil
}

// bound reads a range bound: a phrase or a term ("*" is open).
func (p *parser) bound() (string, error) {
	p.skipSpace()
	if p.peek() == '"' {
		v, err := p.value()
		if err != nil {
			return "", err
		}
		if v.Suffix != "" {
			return "", p.errorf("unexpected %q in a range", v.Suffix)
		}
		if v.Pattern == "*" {
			return `\*`, nil
		}
		return v.Pattern, nil
	}
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if isSpace(c) || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' {
			break
		}
		if c == '\\' && p.pos+1 < len(p.src) {
			e := p.src[p.pos+1]
			if e == '*' || e == '?' || e == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(e)
			p.pos += 2
			continue
		}
		b.WriteByte(c)
		p.pos++
	}
	if b.Len() == 0 {
		return "", p.errorf("expected a range bound, found %s", p.describe())
	}
	return b.String(), nil
}

// unescapePattern removes pattern escapes.
func unescapePattern(s string) string {
	return Value{Pattern: s}.Literal()
}
