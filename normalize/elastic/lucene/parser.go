package lucene

import (
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/cursor"
)

// Parse parses a Lucene query string. Errors are *rule.SyntaxError values
// with a 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	p := &parser{Cursor: cursor.Cursor{Src: src}}
	n, empty, err := cursor.Whole(&p.Cursor, func() (Node, error) { return p.parseOr("") })
	if err != nil {
		return nil, err
	}
	if empty {
		return &Query{}, nil
	}
	return &Query{Root: n}, nil
}

// parser is a recursive-descent parser over the characters of the query.
type parser struct {
	cursor.Cursor
}

func (p *parser) peek() byte {
	if p.Pos < len(p.Src) {
		return p.Src[p.Pos]
	}
	return 0
}

// word reports whether the keyword kw (AND, OR, NOT, TO) starts at the
// current position and is followed by a delimiter.
func (p *parser) word(kw string) bool {
	if !strings.HasPrefix(p.Src[p.Pos:], kw) {
		return false
	}
	j := p.Pos + len(kw)
	return j == len(p.Src) || cursor.IsSpace(p.Src[j]) || p.Src[j] == '(' || p.Src[j] == ')' || p.Src[j] == '"'
}

func (p *parser) op(ops ...string) string {
	for _, o := range ops {
		if o == "&&" || o == "||" {
			if strings.HasPrefix(p.Src[p.Pos:], o) {
				return o
			}
		} else if p.word(o) {
			return o
		}
	}
	return ""
}

// atClauseEnd reports whether the current position ends a clause list.
func (p *parser) atClauseEnd() bool {
	p.SkipSpace()
	return p.Pos >= len(p.Src) || p.Src[p.Pos] == ')'
}

func (p *parser) parseOr(field string) (Node, error) {
	first, err := p.parseAnd(field)
	if err != nil {
		return nil, err
	}
	list := []Node{first}
	for !p.atClauseEnd() {
		if o := p.op("OR", "||"); o != "" {
			p.Pos += len(o)
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
		p.SkipSpace()
		o := p.op("AND", "&&")
		if o == "" {
			break
		}
		p.Pos += len(o)
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
	p.SkipSpace()
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
	if err := p.Enter(); err != nil {
		return nil, err
	}
	defer p.Leave()
	p.Pos += n
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
	x, err := cursor.Group(&p.Cursor, ')', `"("`, func() (Node, error) {
		p.SkipSpace()
		if p.peek() == ')' {
			return nil, p.Errorf("empty group")
		}
		return p.parseOr(field)
	})
	if err != nil {
		return nil, err
	}
	if s := p.suffix(); s != "" {
		return Group{X: x, Suffix: s}, nil
	}
	return x, nil
}

func (p *parser) parsePrimary(field string) (Node, error) {
	p.SkipSpace()
	if p.Pos >= len(p.Src) {
		return nil, p.Errorf("expected a term, found end of query")
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
			return nil, p.Errorf("a range needs a field (field:[a TO b])")
		}
		return p.parseRange(field)
	}
	if p.word("AND") || p.word("OR") || p.word("TO") || strings.HasPrefix(p.Src[p.Pos:], "&&") || strings.HasPrefix(p.Src[p.Pos:], "||") {
		return nil, p.Errorf("expected a term, found operator %s", p.Describe())
	}
	start := p.Pos
	text, err := p.term()
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, p.Errorf("expected a term, found %s", p.Describe())
	}
	if p.peek() == ':' {
		name := unescapePattern(text)
		p.Pos++
		p.SkipSpace()
		if text == "_exists_" {
			f, err := p.term()
			if err != nil {
				return nil, err
			}
			if f == "" {
				return nil, p.Errorf("expected a field name after _exists_:")
			}
			return Exists{Field: unescapePattern(f)}, nil
		}
		if p.peek() == '(' {
			return p.parseGroup(name)
		}
		if p.Pos >= len(p.Src) || cursor.IsSpace(p.peek()) || p.peek() == ')' {
			return nil, p.Errorf("expected a value after \"%s:\"", name)
		}
		x, err := p.parsePrimary(name)
		if err != nil {
			return nil, err
		}
		if e, ok := x.(Exists); ok && e.Field != name {
			return nil, p.ErrorAt(start, "_exists_ cannot follow a field")
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
	open := p.Pos
	quote := p.Src[p.Pos]
	p.Pos++
	var b strings.Builder
	for {
		if p.Pos >= len(p.Src) {
			if quote == '"' {
				return Value{}, p.ErrorAt(open, "unterminated quoted phrase")
			}
			return Value{}, p.ErrorAt(open, "unterminated regular expression")
		}
		c := p.Src[p.Pos]
		if c == quote {
			p.Pos++
			break
		}
		if c == '\\' && p.Pos+1 < len(p.Src) {
			e := p.Src[p.Pos+1]
			p.Pos += 2
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
		p.Pos++
	}
	return Value{Pattern: b.String(), Quoted: quote == '"', Regex: quote == '/', Suffix: p.suffix()}, nil
}

// termEnd reports the characters that end a term.
func termEnd(c byte) bool {
	switch c {
	case '(', ')', '[', ']', '{', '}', ':', '^', '"', '~', '/', '!':
		return true
	}
	return cursor.IsSpace(c)
}

// term reads an unquoted term in the rule.Pattern convention.
func (p *parser) term() (string, error) {
	var b strings.Builder
	for p.Pos < len(p.Src) {
		c := p.Src[p.Pos]
		if termEnd(c) {
			break
		}
		if c == '\\' {
			if p.Pos+1 >= len(p.Src) {
				return "", p.Errorf("a backslash at the end of the query escapes nothing")
			}
			r, n := utf8.DecodeRuneInString(p.Src[p.Pos+1:])
			if r == '*' || r == '?' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteString(p.Src[p.Pos+1 : p.Pos+1+n])
			p.Pos += 1 + n
			continue
		}
		b.WriteByte(c)
		p.Pos++
	}
	return b.String(), nil
}

// suffix reads an optional boost (^2) or fuzziness (~, ~1) suffix.
func (p *parser) suffix() string {
	c := p.peek()
	if c != '^' && c != '~' {
		return ""
	}
	start := p.Pos
	p.Pos++
	for p.Pos < len(p.Src) && (p.Src[p.Pos] >= '0' && p.Src[p.Pos] <= '9' || p.Src[p.Pos] == '.') {
		p.Pos++
	}
	return p.Src[start:p.Pos]
}

func (p *parser) parseRange(field string) (Node, error) {
	r := Range{Field: field, Lo: "*", Hi: "*", IncLo: true, IncHi: true}
	if c := p.peek(); c == '>' || c == '<' {
		p.Pos++
		inc := p.peek() == '='
		if inc {
			p.Pos++
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
	open := p.Pos
	r.IncLo = p.Src[p.Pos] == '['
	p.Pos++
	var err error
	if r.Lo, err = p.bound(); err != nil {
		return nil, err
	}
	p.SkipSpace()
	if !p.word("TO") {
		return nil, p.Errorf("expected TO in the range opened at column %d, found %s", p.Col(open), p.Describe())
	}
	p.Pos += 2
	if r.Hi, err = p.bound(); err != nil {
		return nil, err
	}
	p.SkipSpace()
	switch p.peek() {
	case ']':
		r.IncHi = true
	case '}':
		r.IncHi = false
	default:
		return nil, p.Errorf("expected \"]\" or \"}\" to close the range opened at column %d, found %s", p.Col(open), p.Describe())
	}
	p.Pos++
	return r, nil
}

// bound reads a range bound: a phrase or a term ("*" is open).
func (p *parser) bound() (string, error) {
	p.SkipSpace()
	if p.peek() == '"' {
		v, err := p.value()
		if err != nil {
			return "", err
		}
		if v.Suffix != "" {
			return "", p.Errorf("unexpected %q in a range", v.Suffix)
		}
		if v.Pattern == "*" {
			return `\*`, nil
		}
		return v.Pattern, nil
	}
	var b strings.Builder
	for p.Pos < len(p.Src) {
		c := p.Src[p.Pos]
		if cursor.IsSpace(c) || c == ']' || c == '}' || c == '[' || c == '{' || c == '"' {
			break
		}
		if c == '\\' && p.Pos+1 < len(p.Src) {
			e := p.Src[p.Pos+1]
			if e == '*' || e == '?' || e == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(e)
			p.Pos += 2
			continue
		}
		b.WriteByte(c)
		p.Pos++
	}
	if b.Len() == 0 {
		return "", p.Errorf("expected a range bound, found %s", p.Describe())
	}
	return b.String(), nil
}

// unescapePattern removes pattern escapes.
func unescapePattern(s string) string {
	return Value{Pattern: s}.Literal()
}
