package kql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// maxDepth bounds the nesting of parentheses, nested queries and `not`.
const maxDepth = 100

// Parse parses a KQL query. Errors are *rule.SyntaxError values with a
// 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	p := &parser{src: src}
	p.skipSpace()
	if p.pos == len(src) {
		return &Query{}, nil
	}
	n, err := p.parseOr()
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

// errorf builds a syntax error at the current position.
func (p *parser) errorf(format string, args ...any) *rule.SyntaxError {
	return p.errorAt(p.pos, format, args...)
}

func (p *parser) errorAt(off int, format string, args ...any) *rule.SyntaxError {
	line, col := position(p.src, off)
	return rule.Errorf(line, col, format, args...)
}

// position converts a byte offset into a 1-based line and column (in
// characters).
func position(src string, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	line = 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return line, 1 + utf8.RuneCountInString(src[start:off])
}

// describe names the token at the current position for error messages.
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

// keywordAt returns the keyword ("and", "or", "not") starting at i, or "".
// A keyword must be followed by whitespace, "(" or a quote.
func (p *parser) keywordAt(i int) string {
	for _, kw := range [...]string{"and", "or", "not"} {
		j := i + len(kw)
		if j < len(p.src) && strings.EqualFold(p.src[i:j], kw) {
			if c := p.src[j]; isSpace(c) || c == '(' || c == '"' {
				return kw
			}
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

func (p *parser) leave() { p.depth-- }

func (p *parser) parseOr() (Node, error) {
	return p.parseBinary("or", p.parseAnd)
}

func (p *parser) parseAnd() (Node, error) {
	return p.parseBinary("and", p.parseNot)
}

// parseBinary parses `operand { kw operand }`.
func (p *parser) parseBinary(kw string, operand func() (Node, error)) (Node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	var list []Node
	for {
		p.skipSpace()
		if p.keywordAt(p.pos) != kw {
			break
		}
		p.pos += len(kw)
		x, err := operand()
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []Node{first}
		}
		list = append(list, x)
	}
	switch {
	case list == nil:
		return first, nil
	case kw == "or":
		return Or(list), nil
	default:
		return And(list), nil
	}
}

func (p *parser) parseNot() (Node, error) {
	p.skipSpace()
	if p.keywordAt(p.pos) == "not" {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.pos += 3
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.parseSub()
}

func (p *parser) parseSub() (Node, error) {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		open := p.pos
		p.pos++
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.errorf("expected \")\" to close \"(\" at column %d, found %s", p.colOf(open), p.describe())
		}
		p.pos++
		return x, nil
	}
	return p.parseExpression()
}

func (p *parser) colOf(off int) int {
	_, c := position(p.src, off)
	return c
}

func (p *parser) parseExpression() (Node, error) {
	p.skipSpace()
	start := p.pos
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if lit == nil {
		return nil, p.errorf("expected a field, a value or \"(\", found %s", p.describe())
	}
	end := p.pos
	p.skipSpace()
	if p.pos < len(p.src) {
		switch c := p.src[p.pos]; c {
		case ':':
			field := lit.Literal()
			if field == "" {
				return nil, p.errorAt(start, "empty field name")
			}
			p.pos++
			p.skipSpace()
			if p.pos < len(p.src) && p.src[p.pos] == '{' {
				return p.parseNested(field)
			}
			v, err := p.parseValueList()
			if err != nil {
				return nil, err
			}
			if x, ok := v.(*Value); ok && !x.Quoted && x.Pattern == "*" {
				return Exists{Field: field}, nil
			}
			return Field{Field: field, Value: v}, nil
		case '<', '>':
			if lit.Literal() == "" {
				return nil, p.errorAt(start, "empty field name")
			}
			op := string(c)
			p.pos++
			if p.pos < len(p.src) && p.src[p.pos] == '=' {
				op += "="
				p.pos++
			}
			p.skipSpace()
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, p.errorf("expected a value after %q, found %s", op, p.describe())
			}
			return Range{Field: lit.Literal(), Op: op, Value: v}, nil
		}
	}
	p.pos = end
	return Text{Value: lit}, nil
}

func (p *parser) parseNested(field string) (Node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	open := p.pos
	p.pos++ // '{'
	q, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '}' {
		return nil, p.errorf("expected \"}\" to close \"{\" at column %d, found %s", p.colOf(open), p.describe())
	}
	p.pos++
	return Nested{Field: field, Query: q}, nil
}

// parseValueList parses the value side of `field:`: a parenthesized list or
// one literal.
func (p *parser) parseValueList() (Node, error) {
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		return p.parseValueNot()
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, p.errorf("expected a value after \":\", found %s", p.describe())
	}
	return v, nil
}

func (p *parser) parseValueOr() (Node, error) {
	return p.parseBinary("or", p.parseValueAnd)
}

func (p *parser) parseValueAnd() (Node, error) {
	return p.parseBinary("and", p.parseValueNot)
}

func (p *parser) parseValueNot() (Node, error) {
	p.skipSpace()
	if p.keywordAt(p.pos) == "not" {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.pos += 3
		x, err := p.parseValueNot()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		open := p.pos
		p.pos++
		x, err := p.parseValueOr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, p.errorf("expected \")\" to close the value list opened at column %d, found %s", p.colOf(open), p.describe())
		}
		p.pos++
		return x, nil
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, p.errorf("expected a value, found %s", p.describe())
	}
	return v, nil
}

// literal reads a quoted or unquoted literal at the current position. It
// returns nil when there is none.
func (p *parser) literal() (*Value, error) {
	if p.pos < len(p.src) && p.src[p.pos] == '"' {
		return p.quoted()
	}
	return p.unquoted()
}

// special reports the characters that end an unquoted literal.
func special(c byte) bool {
	switch c {
	case '\\', '(', ')', ':', '<', '>', '"', '{', '}':
		return true
	}
	return false
}

func (p *parser) quoted() (*Value, error) {
	open := p.pos
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return nil, p.errorAt(open, "unterminated quoted string")
		}
		c := p.src[p.pos]
		switch c {
		case '"':
			p.pos++
			return &Value{Pattern: b.String(), Quoted: true}, nil
		case '\\':
			if p.pos+1 < len(p.src) {
				switch e := p.src[p.pos+1]; e {
				case '"':
					b.WriteByte('"')
					p.pos += 2
					continue
				case '\\':
					b.WriteString(`\\`)
					p.pos += 2
					continue
				case 't', 'n', 'r':
					b.WriteByte(unescapeSpace(e))
					p.pos += 2
					continue
				case 'u':
					if r, ok := hex4(p.src, p.pos+2); ok {
						writePatternRune(&b, r)
						p.pos += 6
						continue
					}
				}
			}
			b.WriteString(`\\`)
			p.pos++
		case '*', '?':
			b.WriteByte('\\')
			b.WriteByte(c)
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

func unescapeSpace(e byte) byte {
	switch e {
	case 't':
		return '\t'
	case 'n':
		return '\n'
	}
	return '\r'
}

// hex4 decodes four hex digits at src[i:].
func hex4(src string, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(src[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// writePatternRune writes a literal rune in the rule.Pattern convention.
func writePatternRune(b *strings.Builder, r rune) {
	switch r {
	case '*', '?', '\\':
		b.WriteByte('\\')
	}
	if r < utf8.RuneSelf {
		b.WriteByte(byte(r))
		return
	}
	b.WriteRune(r)
}

func (p *parser) unquoted() (*Value, error) {
	var b strings.Builder
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case isSpace(c):
			// Whitespace belongs to the literal unless what follows ends it.
			j := p.pos
			for j < len(p.src) && isSpace(p.src[j]) {
				j++
			}
			if j == len(p.src) || (special(p.src[j]) && p.src[j] != '\\') || p.keywordAt(j) != "" {
				goto done
			}
			b.WriteString(p.src[p.pos:j])
			p.pos = j
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return nil, err
			}
		case special(c):
			goto done
		case c == '?':
			b.WriteString(`\?`)
			p.pos++
		default:
			// A keyword at the very start of a literal ends it too (a value
			// cannot begin with a bare keyword).
			if p.pos == start && p.keywordAt(p.pos) != "" {
				goto done
			}
			b.WriteByte(c)
			p.pos++
		}
	}
done:
	if p.pos == start {
		return nil, nil
	}
	return &Value{Pattern: b.String()}, nil
}

// escape reads a backslash escape of an unquoted literal.
func (p *parser) escape(b *strings.Builder) error {
	at := p.pos
	if p.pos+1 >= len(p.src) {
		return p.errorAt(at, "a backslash at the end of the query escapes nothing")
	}
	e := p.src[p.pos+1]
	switch e {
	case '\\', '*':
		b.WriteByte('\\')
		b.WriteByte(e)
		p.pos += 2
		return nil
	case '(', ')', ':', '<', '>', '"', '{', '}':
		b.WriteByte(e)
		p.pos += 2
		return nil
	case 't', 'n', 'r':
		b.WriteByte(unescapeSpace(e))
		p.pos += 2
		return nil
	case 'u':
		if r, ok := hex4(p.src, p.pos+2); ok {
			writePatternRune(b, r)
			p.pos += 6
			return nil
		}
		return p.errorAt(at, "invalid unicode escape (want \\u and four hex digits)")
	}
	for _, kw := range [...]string{"and", "or", "not"} {
		j := p.pos + 1 + len(kw)
		if j <= len(p.src) && strings.EqualFold(p.src[p.pos+1:j], kw) {
			b.WriteString(p.src[p.pos+1 : j])
			p.pos = j
			return nil
		}
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos+1:])
	return p.errorAt(at, "invalid escape \\%c in an unquoted value (quote the value or escape only \\():<>\"*{})", r)
}
