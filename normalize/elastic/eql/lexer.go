package eql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF      tokKind = iota
	tIdent            // a bare name or dotted field path (keywords too)
	tQuoted           // a `backtick-quoted` name
	tString           // a string literal (val holds the decoded text)
	tNumber           // a number, possibly with a unit suffix (5m)
	tPunct            // an operator or punctuation (val holds it)
	tQuestion         // `?` before an optional field
)

// token is one lexical token. pos is its byte offset in the source; space
// says whether whitespace or a comment precedes it.
type token struct {
	val   string
	pos   int
	kind  tokKind
	space bool
}

// lexer splits an EQL query into tokens.
type lexer struct {
	src  string
	pos  int
	toks []token
}

// lex returns the tokens of src, ending with a tEOF token.
func lex(src string) ([]token, error) {
	lx := &lexer{src: src, toks: make([]token, 0, len(src)/6+1)}
	for {
		space, err := lx.skipSpace()
		if err != nil {
			return nil, err
		}
		if lx.pos >= len(src) {
			lx.toks = append(lx.toks, token{kind: tEOF, pos: lx.pos, space: space})
			return lx.toks, nil
		}
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		t.space = space
		lx.toks = append(lx.toks, t)
	}
}

// skipSpace skips whitespace and comments, reporting whether it skipped any.
func (lx *lexer) skipSpace() (bool, error) {
	start := lx.pos
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case c == '/' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '/':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case c == '/' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '*':
			end := strings.Index(lx.src[lx.pos+2:], "*/")
			if end < 0 {
				return false, errAt(lx.src, lx.pos, "unterminated comment")
			}
			lx.pos += end + 4
		default:
			return lx.pos > start, nil
		}
	}
	return lx.pos > start, nil
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// next lexes one token at lx.pos (not at whitespace or end of input).
func (lx *lexer) next() (token, error) {
	src, start := lx.src, lx.pos
	c := src[start]
	switch {
	case isIdentStart(c) || c == '`':
		return lx.name()
	case isDigit(c):
		i := start + 1
		for i < len(src) && isDigit(src[i]) {
			i++
		}
		if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
			i++
			for i < len(src) && isDigit(src[i]) {
				i++
			}
		}
		if i+1 < len(src) && (src[i] == 'e' || src[i] == 'E') && (isDigit(src[i+1]) ||
			i+2 < len(src) && (src[i+1] == '+' || src[i+1] == '-') && isDigit(src[i+2])) {
			i += 2
			for i < len(src) && isDigit(src[i]) {
				i++
			}
		}
		// A unit suffix (5m, 30s, 500ms) belongs to the number.
		for i < len(src) && (src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z') {
			i++
		}
		lx.pos = i
		return token{kind: tNumber, val: src[start:i], pos: start}, nil
	case c == '"' || c == '\'':
		if strings.HasPrefix(src[start:], `"""`) {
			end := strings.Index(src[start+3:], `"""`)
			if end < 0 {
				return token{}, errAt(src, start, "unterminated raw string")
			}
			// Quotes right before the closing delimiter belong to the value.
			j := start + 3 + end + 3
			for j < len(src) && src[j] == '"' {
				j++
			}
			lx.pos = j
			return token{kind: tString, val: src[start+3 : j-3], pos: start}, nil
		}
		v, n, err := decodeString(src, start)
		if err != nil {
			return token{}, err
		}
		lx.pos = start + n
		return token{kind: tString, val: v, pos: start}, nil
	case c == '?':
		if start+1 < len(src) && (src[start+1] == '"' || src[start+1] == '\'') {
			q := src[start+1]
			end := strings.IndexByte(src[start+2:], q)
			if end < 0 {
				return token{}, errAt(src, start, "unterminated raw string")
			}
			lx.pos = start + 2 + end + 1
			return token{kind: tString, val: src[start+2 : start+2+end], pos: start}, nil
		}
		lx.pos++
		return token{kind: tQuestion, val: "?", pos: start}, nil
	}
	if start+1 < len(src) {
		switch two := src[start : start+2]; two {
		case "==", "!=", "<=", ">=":
			lx.pos += 2
			return token{kind: tPunct, val: two, pos: start}, nil
		}
	}
	switch c {
	case '(', ')', '[', ']', ',', '|', '<', '>', ':', '=', '!', '~', '+', '-', '*', '/', '%':
		lx.pos++
		return token{kind: tPunct, val: src[start : start+1], pos: start}, nil
	}
	r, _ := utf8.DecodeRuneInString(src[start:])
	return token{}, errAt(src, start, "unexpected character %q", r)
}

// name lexes a field or other name: bare runs of [A-Za-z0-9_@.] starting
// with a letter, "_" or "@", and backtick-quoted segments (a doubled
// backtick stands for one), joined by dots. The kind is tQuoted when any
// segment was quoted; val is then the name without quotes.
func (lx *lexer) name() (token, error) {
	src, start := lx.src, lx.pos
	i, kind := start, tIdent
	var b strings.Builder
	for {
		if src[i] == '`' {
			kind = tQuoted
			j := i + 1
			for {
				if j >= len(src) {
					return token{}, errAt(src, i, "unterminated quoted name")
				}
				if src[j] == '`' {
					if j+1 < len(src) && src[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			i = j + 1
			// A dot after a quoted segment continues the name.
			if i+1 < len(src) && src[i] == '.' && (src[i+1] == '`' || isIdentPart(src[i+1])) {
				b.WriteByte('.')
				i++
				continue
			}
			break
		}
		j := i
		for j < len(src) && isIdentPart(src[j]) {
			j++
		}
		b.WriteString(src[i:j])
		i = j
		// A bare run ending in a dot may continue with a quoted segment.
		if i < len(src) && src[i] == '`' && src[i-1] == '.' {
			continue
		}
		break
	}
	lx.pos = i
	if kind == tIdent {
		return token{kind: tIdent, val: src[start:i], pos: start}, nil
	}
	return token{kind: kind, val: b.String(), pos: start}, nil
}

// decodeString decodes the quoted string starting at src[start] and returns
// its value and length in bytes. Escapes: \" \' \\ \n \r \t \b \f \0 and
// \u{hex}; any other escape is an error, as in Elasticsearch.
func decodeString(src string, start int) (string, int, error) {
	q := src[start]
	i := start + 1
	// Fast path: no escapes.
	for j := i; j < len(src); j++ {
		if src[j] == q {
			return src[i:j], j + 1 - start, nil
		}
		if src[j] == '\\' || src[j] == '\n' {
			break
		}
	}
	var b strings.Builder
	for {
		if i >= len(src) || src[i] == '\n' {
			return "", 0, errAt(src, start, "unterminated string")
		}
		c := src[i]
		if c == q {
			return b.String(), i + 1 - start, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(src) {
			return "", 0, errAt(src, start, "unterminated string")
		}
		switch e := src[i+1]; e {
		case '"', '\'', '\\':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case '0':
			b.WriteByte(0)
		case 'u':
			end := strings.IndexByte(src[i:], '}')
			if i+2 >= len(src) || src[i+2] != '{' || end < 0 || end > 12 {
				return "", 0, errAt(src, i, `bad unicode escape (want \u{hex})`)
			}
			n, err := strconv.ParseUint(src[i+3:i+end], 16, 32)
			if err != nil || n > utf8.MaxRune {
				return "", 0, errAt(src, i, "bad unicode escape %q", src[i:i+end+1])
			}
			b.WriteRune(rune(n))
			i += end + 1
			continue
		default:
			return "", 0, errAt(src, i, "illegal escape sequence \\%c", e)
		}
		i += 2
	}
}

// errAt builds a SyntaxError at byte offset pos of src.
func errAt(src string, pos int, format string, args ...any) *rule.SyntaxError {
	line, col := lineCol(src, pos)
	return rule.Errorf(line, col, format, args...)
}

// lineCol converts a byte offset to a 1-based line and column (in runes).
func lineCol(src string, pos int) (int, int) {
	if pos > len(src) {
		pos = len(src)
	}
	line, lineStart := 1, 0
	for i := 0; i < pos; i++ {
		if src[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, utf8.RuneCountInString(src[lineStart:pos]) + 1
}
