package qtok

import (
	"strconv"
	"strings"
)

// Space skips the whitespace and comments before the next token and
// reports whether there were any; at the end of the source it appends
// the EOF token and reports end. A language's lexer loops:
//
//	for {
//		space, end, err := lx.Space()
//		if end || err != nil {
//			return lx.Toks, err
//		}
//		t, err := lx.next() // the language's own token
//		if err != nil {
//			return nil, err
//		}
//		t.Space = space
//		lx.Toks = append(lx.Toks, t)
//	}
func (lx *Lexer) Space() (space, end bool, err error) {
	if space, err = lx.SkipSpace(); err != nil {
		return false, false, err
	}
	if lx.Pos >= len(lx.Src) {
		lx.Toks = append(lx.Toks, Token{Kind: EOF, Pos: lx.Pos, Space: space})
		return space, true, nil
	}
	return space, false, nil
}

// NumberEnd returns where the number whose first character is src[start]
// ends: digits, an optional fraction `.digits` and an optional exponent
// `e[+-]digits`.
func NumberEnd(src string, start int) int {
	i := digitsEnd(src, start+1)
	if i+1 < len(src) && src[i] == '.' && IsDigit(src[i+1]) {
		i = digitsEnd(src, i+1)
	}
	if i+1 < len(src) && (src[i] == 'e' || src[i] == 'E') && (IsDigit(src[i+1]) ||
		i+2 < len(src) && (src[i+1] == '+' || src[i+1] == '-') && IsDigit(src[i+2])) {
		i = digitsEnd(src, i+2)
	}
	return i
}

func digitsEnd(src string, i int) int {
	for i < len(src) && IsDigit(src[i]) {
		i++
	}
	return i
}

// TripleQuoted reads the raw string `"""…"""` at src[start] (the caller has
// seen its opening quotes) and returns its value and end offset; quotes
// right before the closing delimiter belong to the value. unterminated is
// the message of the error when it does not close.
func TripleQuoted(src string, start int, unterminated string) (string, int, error) {
	end := strings.Index(src[start+3:], `"""`)
	if end < 0 {
		return "", 0, ErrAt(src, start, "%s", unterminated)
	}
	j := start + 3 + end + 3
	for j < len(src) && src[j] == '"' {
		j++
	}
	return src[start+3 : j-3], j, nil
}

// Strings is how a language writes a quoted string on one line.
type Strings struct {
	// CRStops makes a carriage return, like a newline, end the line and so
	// leave the string unterminated.
	CRStops bool
	// Escape decodes an escape other than \" \\ \n \r \t at src[i] (the
	// backslash; src[i+1] exists) and returns the character it stands for
	// and the offset after it; ok is false when the language has no such
	// escape. Nil for none.
	Escape func(src string, i int) (r rune, next int, ok bool, err error)
}

// Decode decodes the string at src[start], quoted with the character
// there, and returns its value and end offset. An escape the language
// does not have is an error, as in Elasticsearch.
func (s *Strings) Decode(src string, start int) (string, int, error) {
	q, cr := src[start], s.CRStops
	i := start + 1
	// Fast path: no escapes.
	for j := i; j < len(src); j++ {
		if c := src[j]; c == q {
			return src[i:j], j + 1, nil
		} else if c == '\\' || c == '\n' || cr && c == '\r' {
			break
		}
	}
	var b strings.Builder
	for {
		if i >= len(src) || src[i] == '\n' || cr && src[i] == '\r' {
			return "", 0, ErrAt(src, start, "unterminated string")
		}
		c := src[i]
		if c == q {
			return b.String(), i + 1, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(src) {
			return "", 0, ErrAt(src, start, "unterminated string")
		}
		switch e := src[i+1]; e {
		case '"', '\\':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			var r rune
			next, ok, err := 0, false, error(nil)
			if s.Escape != nil {
				r, next, ok, err = s.Escape(src, i)
			}
			if err != nil {
				return "", 0, err
			}
			if !ok {
				return "", 0, ErrAt(src, i, "illegal escape sequence \\%c", e)
			}
			b.WriteRune(r)
			i = next
			continue
		}
		i += 2
	}
}

// WriteQuoted writes s as a double-quoted string that Strings.Decode
// reads back: `"` and `\` escaped with a backslash, newline, carriage
// return and tab as \n \r \t, and with hexControls the other control
// characters as \u{hex} (EQL; ES|QL keeps them as they are). Other bytes,
// invalid UTF-8 included, are written as they are.
func WriteQuoted(b *strings.Builder, s string, hexControls bool) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if hexControls && (c < 0x20 || c == 0x7f) {
				b.WriteString(`\u{` + strconv.FormatUint(uint64(c), 16) + `}`)
				continue
			}
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
