package esql

import (
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // a bare name or dotted field path (keywords too)
	tQuoted          // a name with backtick-quoted segments (val unquoted)
	tString          // a string literal (val holds the decoded text)
	tNumber          // a number
	tPunct           // an operator or punctuation (val holds it)
	tPattern         // an index pattern after FROM (val decoded)
)

// token is one lexical token. pos is its byte offset in the source; space
// says whether whitespace or a comment precedes it.
type token struct {
	val   string
	pos   int
	kind  tokKind
	space bool
}

// lexer splits an ES|QL query into tokens.
type lexer struct {
	src  string
	pos  int
	toks []token
}

// lex returns the tokens of src, ending with a tEOF token. Right after a
// leading FROM it reads index patterns, which have their own lexical form.
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
		if len(lx.toks) == 1 && t.kind == tIdent && strings.EqualFold(t.val, "from") {
			if err := lx.patterns(); err != nil {
				return nil, err
			}
		}
	}
}

// patterns lexes `pattern { "," pattern }` after FROM.
func (lx *lexer) patterns() error {
	for {
		space, err := lx.skipSpace()
		if err != nil {
			return err
		}
		if lx.pos >= len(lx.src) || lx.src[lx.pos] == '|' {
			return nil
		}
		start := lx.pos
		var t token
		if lx.src[start] == '"' {
			if t, err = lx.str(); err != nil {
				return err
			}
			t.kind = tPattern
		} else {
			i := start
			for i < len(lx.src) && isPatternChar(lx.src[i]) && !strings.HasPrefix(lx.src[i:], "//") && !strings.HasPrefix(lx.src[i:], "/*") {
				i++
			}
			if i == start {
				return nil // not a pattern: lexed normally
			}
			lx.pos = i
			t = token{kind: tPattern, val: lx.src[start:i], pos: start}
		}
		t.space = space
		lx.toks = append(lx.toks, t)
		if space, err = lx.skipSpace(); err != nil {
			return err
		}
		if lx.pos >= len(lx.src) || lx.src[lx.pos] != ',' {
			return nil
		}
		lx.toks = append(lx.toks, token{kind: tPunct, val: ",", pos: lx.pos, space: space})
		lx.pos++
	}
}

// isPatternChar reports whether c may appear in an unquoted index pattern.
func isPatternChar(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', ',', '|', '"', '`', '=', '[', ']', '(', ')':
		return false
	}
	return true
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

// twoCharOps are the operators of two characters.
var twoCharOps = map[string]bool{"==": true, "!=": true, "<=": true, ">=": true, "=~": true, "::": true}

// next lexes one token at lx.pos (not at whitespace or end of input).
func (lx *lexer) next() (token, error) {
	src, start := lx.src, lx.pos
	c := src[start]
	switch {
	case isIdentStart(c) || c == '`':
		return lx.name()
	case isDigit(c) || c == '.' && start+1 < len(src) && isDigit(src[start+1]):
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
		lx.pos = i
		return token{kind: tNumber, val: src[start:i], pos: start}, nil
	case c == '"':
		return lx.str()
	}
	if start+1 < len(src) && twoCharOps[src[start:start+2]] {
		lx.pos += 2
		return token{kind: tPunct, val: src[start : start+2], pos: start}, nil
	}
	if c < utf8.RuneSelf {
		lx.pos++
		return token{kind: tPunct, val: src[start : start+1], pos: start}, nil
	}
	// Any other character is a token of its own; the parser rejects it
	// where an expression is expected.
	_, n := utf8.DecodeRuneInString(src[start:])
	lx.pos += n
	return token{kind: tPunct, val: src[start : start+n], pos: start}, nil
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

// str lexes a string at lx.pos: `"""raw"""` or `"…"` with the escapes
// \" \\ \n \r \t (any other escape is an error, as in Elasticsearch).
func (lx *lexer) str() (token, error) {
	src, start := lx.src, lx.pos
	if strings.HasPrefix(src[start:], `"""`) {
		end := strings.Index(src[start+3:], `"""`)
		if end < 0 {
			return token{}, errAt(src, start, "unterminated triple-quoted string")
		}
		j := start + 3 + end + 3
		for j < len(src) && src[j] == '"' {
			j++
		}
		lx.pos = j
		return token{kind: tString, val: src[start+3 : j-3], pos: start}, nil
	}
	i := start + 1
	for j := i; j < len(src); j++ {
		if src[j] == '"' {
			lx.pos = j + 1
			return token{kind: tString, val: src[i:j], pos: start}, nil
		}
		if src[j] == '\\' || src[j] == '\n' || src[j] == '\r' {
			break
		}
	}
	var b strings.Builder
	for {
		if i >= len(src) || src[i] == '\n' || src[i] == '\r' {
			return token{}, errAt(src, start, "unterminated string")
		}
		c := src[i]
		if c == '"' {
			lx.pos = i + 1
			return token{kind: tString, val: b.String(), pos: start}, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(src) {
			return token{}, errAt(src, start, "unterminated string")
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
			return token{}, errAt(src, i, "illegal escape sequence \\%c", e)
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
