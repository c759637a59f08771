package kql

import (
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/cursor"
)

// Parse parses a KQL query. Errors are *rule.SyntaxError values with a
// 1-based line and column inside src.
func Parse(src string) (*Query, error) {
	p := &parser{Cursor: cursor.Cursor{Src: src}}
	n, empty, err := cursor.Whole(&p.Cursor, p.parseOr)
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

// keywordAt returns the keyword ("and", "or", "not") starting at i, or "".
// A keyword must be followed by whitespace, "(" or a quote.
func (p *parser) keywordAt(i int) string {
	for _, kw := range [...]string{"and", "or", "not"} {
		j := i + len(kw)
		if j < len(p.Src) && strings.EqualFold(p.Src[i:j], kw) {
			if c := p.Src[j]; cursor.IsSpace(c) || c == '(' || c == '"' {
				return kw
			}
		}
	}
	return ""
}

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
		p.SkipSpace()
		if p.keywordAt(p.Pos) != kw {
			break
		}
		p.Pos += len(kw)
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
	p.SkipSpace()
	if p.keywordAt(p.Pos) == "not" {
		if err := p.Enter(); err != nil {
			return nil, err
		}
		defer p.Leave()
		p.Pos += 3
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.parseSub()
}

func (p *parser) parseSub() (Node, error) {
	p.SkipSpace()
	if p.Pos < len(p.Src) && p.Src[p.Pos] == '(' {
		return cursor.Group(&p.Cursor, ')', `"("`, p.parseOr)
	}
	return p.parseExpression()
}

func (p *parser) parseExpression() (Node, error) {
	p.SkipSpace()
	start := p.Pos
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if lit == nil {
		return nil, p.Errorf("expected a field, a value or \"(\", found %s", p.Describe())
	}
	end := p.Pos
	p.SkipSpace()
	if p.Pos < len(p.Src) {
		switch c := p.Src[p.Pos]; c {
		case ':':
			field := lit.Literal()
			if field == "" {
				return nil, p.ErrorAt(start, "empty field name")
			}
			p.Pos++
			p.SkipSpace()
			if p.Pos < len(p.Src) && p.Src[p.Pos] == '{' {
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
				return nil, p.ErrorAt(start, "empty field name")
			}
			op := string(c)
			p.Pos++
			if p.Pos < len(p.Src) && p.Src[p.Pos] == '=' {
				op += "="
				p.Pos++
			}
			p.SkipSpace()
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, p.Errorf("expected a value after %q, found %s", op, p.Describe())
			}
			return Range{Field: lit.Literal(), Op: op, Value: v}, nil
		}
	}
	p.Pos = end
	return Text{Value: lit}, nil
}

func (p *parser) parseNested(field string) (Node, error) {
	q, err := cursor.Group(&p.Cursor, '}', `"{"`, p.parseOr)
	if err != nil {
		return nil, err
	}
	return Nested{Field: field, Query: q}, nil
}

// parseValueList parses the value side of `field:`: a parenthesized list or
// one literal.
func (p *parser) parseValueList() (Node, error) {
	if p.Pos < len(p.Src) && p.Src[p.Pos] == '(' {
		return p.parseValueNot()
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, p.Errorf("expected a value after \":\", found %s", p.Describe())
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
	p.SkipSpace()
	if p.keywordAt(p.Pos) == "not" {
		if err := p.Enter(); err != nil {
			return nil, err
		}
		defer p.Leave()
		p.Pos += 3
		x, err := p.parseValueNot()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	if p.Pos < len(p.Src) && p.Src[p.Pos] == '(' {
		return cursor.Group(&p.Cursor, ')', "the value list opened", p.parseValueOr)
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, p.Errorf("expected a value, found %s", p.Describe())
	}
	return v, nil
}

// literal reads a quoted or unquoted literal at the current position. It
// returns nil when there is none.
func (p *parser) literal() (*Value, error) {
	if p.Pos < len(p.Src) && p.Src[p.Pos] == '"' {
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
	open := p.Pos
	p.Pos++
	var b strings.Builder
	for {
		if p.Pos >= len(p.Src) {
			return nil, p.ErrorAt(open, "unterminated quoted string")
		}
		c := p.Src[p.Pos]
		switch c {
		case '"':
			p.Pos++
			return &Value{Pattern: b.String(), Quoted: true}, nil
		case '\\':
			if p.Pos+1 < len(p.Src) {
				switch e := p.Src[p.Pos+1]; e {
				case '"':
					b.WriteByte('"')
					p.Pos += 2
					continue
				case '\\':
					b.WriteString(`\\`)
					p.Pos += 2
					continue
				case 't', 'n', 'r':
					b.WriteByte(unescapeSpace(e))
					p.Pos += 2
					continue
				case 'u':
					if r, ok := hex4(p.Src, p.Pos+2); ok {
						writePatternRune(&b, r)
						p.Pos += 6
						continue
					}
				}
			}
			b.WriteString(`\\`)
			p.Pos++
		case '*', '?':
			b.WriteByte('\\')
			b.WriteByte(c)
			p.Pos++
		default:
			b.WriteByte(c)
			p.Pos++
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
	start := p.Pos
	for p.Pos < len(p.Src) {
		c := p.Src[p.Pos]
		switch {
		case cursor.IsSpace(c):
			// Whitespace belongs to the literal unless what follows ends it.
			j := p.Pos
			for j < len(p.Src) && cursor.IsSpace(p.Src[j]) {
				j++
			}
			if j == len(p.Src) || (special(p.Src[j]) && p.Src[j] != '\\') || p.keywordAt(j) != "" {
				goto done
			}
			b.WriteString(p.Src[p.Pos:j])
			p.Pos = j
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return nil, err
			}
		case special(c):
			goto done
		case c == '?':
			b.WriteString(`\?`)
			p.Pos++
		default:
			// A keyword at the very start of a literal ends it too (a value
			// cannot begin with a bare keyword).
			if p.Pos == start && p.keywordAt(p.Pos) != "" {
				goto done
			}
			b.WriteByte(c)
			p.Pos++
		}
	}
done:
	if p.Pos == start {
		return nil, nil
	}
	return &Value{Pattern: b.String()}, nil
}

// escape reads a backslash escape of an unquoted literal.
func (p *parser) escape(b *strings.Builder) error {
	at := p.Pos
	if p.Pos+1 >= len(p.Src) {
		return p.ErrorAt(at, "a backslash at the end of the query escapes nothing")
	}
	e := p.Src[p.Pos+1]
	switch e {
	case '\\', '*':
		b.WriteByte('\\')
		b.WriteByte(e)
		p.Pos += 2
		return nil
	case '(', ')', ':', '<', '>', '"', '{', '}':
		b.WriteByte(e)
		p.Pos += 2
		return nil
	case 't', 'n', 'r':
		b.WriteByte(unescapeSpace(e))
		p.Pos += 2
		return nil
	case 'u':
		if r, ok := hex4(p.Src, p.Pos+2); ok {
			writePatternRune(b, r)
			p.Pos += 6
			return nil
		}
		return p.ErrorAt(at, "invalid unicode escape (want \\u and four hex digits)")
	}
	for _, kw := range [...]string{"and", "or", "not"} {
		j := p.Pos + 1 + len(kw)
		if j <= len(p.Src) && strings.EqualFold(p.Src[p.Pos+1:j], kw) {
			b.WriteString(p.Src[p.Pos+1 : j])
			p.Pos = j
			return nil
		}
	}
	r, _ := utf8.DecodeRuneInString(p.Src[p.Pos+1:])
	return p.ErrorAt(at, "invalid escape \\%c in an unquoted value (quote the value or escape only \\():<>\"*{})", r)
}
