package kusto

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Kind is the kind of a lexical token.
type Kind uint8

// Token kinds.
const (
	TokEOF    Kind = iota
	TokIdent       // name or keyword (and $left, $right)
	TokString      // string literal; Text holds the decoded value
	TokNumber      // integer, real or timespan literal (1d, 30m); Text as written
	TokTyped       // typed literal written as a call with raw content: datetime(2024-01-01)
	TokPunct       // operator or punctuation; Text holds it
)

// Token is one lexical token with its 1-based position in the query.
type Token struct {
	Kind      Kind
	Text      string
	Line, Col int
	Off       int  // byte offset of the token start
	End       int  // byte offset just past the token
	Space     bool // whitespace or a comment precedes the token
}

// maxTokens bounds the token count of one query, so hostile input cannot
// make the parser work without end.
const maxTokens = 1 << 20

// lexer turns a query into tokens.
type lexer struct {
	src       string
	pos       int
	line, col int // of pos
	toks      []Token
}

// lex splits src into tokens. Errors are *rule.SyntaxError.
func lex(src string) ([]Token, error) {
	lx := &lexer{src: src, line: 1, col: 1}
	lx.toks = make([]Token, 0, len(src)/4+1)
	for {
		space := lx.skipSpace()
		if lx.pos >= len(lx.src) {
			lx.toks = append(lx.toks, Token{Kind: TokEOF, Line: lx.line, Col: lx.col, Off: lx.pos, End: lx.pos, Space: space})
			return lx.toks, nil
		}
		if len(lx.toks) >= maxTokens {
			return nil, rule.Errorf(lx.line, lx.col, "query too long (over %d tokens)", maxTokens)
		}
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		t.Space = space
		lx.toks = append(lx.toks, t)
	}
}

// advance moves pos by n bytes, keeping line and column.
func (lx *lexer) advance(n int) {
	for i := 0; i < n && lx.pos < len(lx.src); i++ {
		c := lx.src[lx.pos]
		lx.pos++
		switch {
		case c == '\n':
			lx.line++
			lx.col = 1
		case c&0xC0 != 0x80: // count runes, not continuation bytes
			lx.col++
		}
	}
}

// skipSpace skips white space and // comments, reporting whether any.
func (lx *lexer) skipSpace() bool {
	start := lx.pos
	for lx.pos < len(lx.src) {
		n := spaceAt(lx.src, lx.pos)
		if n == 0 {
			break
		}
		lx.advance(n)
	}
	return lx.pos > start
}

// spaceAt returns the length of the white space character or the //
// comment (up to its line end) at src[i], or 0.
func spaceAt(src string, i int) int {
	c := src[i]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		return 1
	case c == '/' && i+1 < len(src) && src[i+1] == '/':
		if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
			return j
		}
		return len(src) - i
	case c >= 0x80:
		return unicodeSpace(src[i:])
	}
	return 0
}

// unicodeSpace returns the length of the Unicode space separator (category
// Zs: no-break space U+00A0, narrow no-break space U+202F, the U+2000–U+200A
// spaces, ideographic space U+3000, …), line or paragraph separator or
// byte-order mark that s starts with, or 0. Rules pasted from documents
// carry them between tokens; Kusto reads them as white space.
func unicodeSpace(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if r == '\uFEFF' || r == '\u2028' || r == '\u2029' || r == '\u0085' || r != utf8.RuneError && unicode.Is(unicode.Zs, r) {
		return n
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || '0' <= c && c <= '9'
}

// identCharAt reports whether src[i] continues a name: a name character
// that does not start a Unicode space.
func identCharAt(src string, i int) bool {
	return i < len(src) && isIdentChar(src[i]) && (src[i] < 0x80 || unicodeSpace(src[i:]) == 0)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// typedLiterals are written like calls but hold raw, unquoted text.
var typedLiterals = map[string]bool{"datetime": true, "timespan": true, "time": true, "guid": true}

// maxTyped bounds the text of a typed literal, parentheses included.
const maxTyped = 256

// typedEnd returns the offset in w (which starts with "(") of the ")" that
// closes it, skipping quoted strings and nested parentheses, or -1.
func typedEnd(w string) int {
	depth := 0
	var quote byte
	for i := 1; i < len(w); i++ {
		c := w[i]
		if quote != 0 {
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// dashedNames are operator names that contain dashes.
var dashedNames = []string{"project-away", "project-keep", "project-rename", "project-reorder",
	"project-smart", "mv-expand", "mv-apply", "make-series", "top-nested", "top-hitters", "parse-where",
	"parse-kv", "as-is"}

func (lx *lexer) next() (Token, error) {
	t := Token{Line: lx.line, Col: lx.col, Off: lx.pos}
	src := lx.src
	c := src[lx.pos]
	switch {
	case (c == '@' || c == 'h' || c == 'H') && lx.stringAhead():
		s, err := lx.stringLit()
		if err != nil {
			return t, err
		}
		t.Kind, t.Text = TokString, s
	case c == '"' || c == '\'' || c == '`':
		s, err := lx.stringLit()
		if err != nil {
			return t, err
		}
		t.Kind, t.Text = TokString, s
	case isIdentStart(c):
		end := lx.pos + 1
		for identCharAt(src, end) {
			end++
		}
		word := src[lx.pos:end]
		if end < len(src) && src[end] == '-' {
			for _, d := range dashedNames {
				if len(src)-lx.pos >= len(d) && strings.EqualFold(src[lx.pos:lx.pos+len(d)], d) &&
					(lx.pos+len(d) == len(src) || !isIdentChar(src[lx.pos+len(d)])) {
					word = src[lx.pos : lx.pos+len(d)]
					end = lx.pos + len(d)
					break
				}
			}
		}
		if typedLiterals[strings.ToLower(word)] {
			j := end // what lies between the word and "(" is what the parser would skip
			for j < len(src) {
				n := spaceAt(src, j)
				if n == 0 {
					break
				}
				j += n
			}
			if j < len(src) && src[j] == '(' {
				// A typed word before "(" always starts a literal: read
				// as a call when its text is unusual, it would print as
				// a literal. The raw text runs to the ")" that is not in
				// quotes or nested parentheses; space around it, line
				// ends included, is not part of it.
				k := typedEnd(src[j:min(len(src), j+maxTyped)])
				if k < 0 {
					return t, rule.Errorf(t.Line, t.Col, "unterminated %s literal (no closing ')' within %d bytes)",
						strings.ToLower(word), maxTyped)
				}
				inner := strings.TrimSpace(src[j+1 : j+k])
				t.Kind, t.Text = TokTyped, strings.ToLower(word)+"("+inner+")"
				lx.advance(j + k + 1 - lx.pos)
				t.End = lx.pos
				return t, nil
			}
		}
		t.Kind, t.Text = TokIdent, word
		lx.advance(end - lx.pos)
	case isDigit(c):
		end := lx.pos
		if c == '0' && end+1 < len(src) && (src[end+1] == 'x' || src[end+1] == 'X') {
			end += 2
			for end < len(src) && strings.IndexByte("0123456789abcdefABCDEF", src[end]) >= 0 {
				end++
			}
		} else {
			for end < len(src) && isDigit(src[end]) {
				end++
			}
			if end+1 < len(src) && src[end] == '.' && isDigit(src[end+1]) {
				end++
				for end < len(src) && isDigit(src[end]) {
					end++
				}
			}
			if end+1 < len(src) && (src[end] == 'e' || src[end] == 'E') &&
				(isDigit(src[end+1]) || (src[end+1] == '-' || src[end+1] == '+') && end+2 < len(src) && isDigit(src[end+2])) {
				end += 2
				for end < len(src) && isDigit(src[end]) {
					end++
				}
			}
		}
		for identCharAt(src, end) { // timespan units: 1d, 30min, 10ms
			end++
		}
		t.Kind, t.Text = TokNumber, src[lx.pos:end]
		lx.advance(end - lx.pos)
	default:
		for _, p := range puncts {
			if strings.HasPrefix(src[lx.pos:], p) {
				t.Kind, t.Text = TokPunct, p
				lx.advance(len(p))
				t.End = lx.pos
				return t, nil
			}
		}
		r := src[lx.pos:]
		if len(r) > 8 {
			r = r[:8]
		}
		return t, rule.Errorf(t.Line, t.Col, "unexpected character %s", strconv.QuoteToASCII(string([]rune(r)[:1])))
	}
	t.End = lx.pos
	return t, nil
}

// puncts lists punctuation, longest first.
var puncts = []string{"..", "==", "!=", "<>", "<=", ">=", "=~", "!~", "=>",
	"|", "(", ")", "[", "]", "{", "}", ",", ";", ".", "=", "<", ">", "+", "-", "*", "/", "%", ":", "!", "~", "?", "@"}

// stringAhead reports whether a string prefix (@, h, H, h@, H@) at pos starts a string.
func (lx *lexer) stringAhead() bool {
	s := lx.src[lx.pos:]
	if len(s) > 0 && (s[0] == 'h' || s[0] == 'H') {
		s = s[1:]
	}
	if len(s) > 0 && s[0] == '@' {
		s = s[1:]
	}
	return len(s) > 0 && len(s) < len(lx.src)-lx.pos && (s[0] == '"' || s[0] == '\'')
}

// stringLit reads a string literal at pos: "…", '…' with backslash escapes,
// @"…" / @'…' verbatim (a doubled quote is one quote), h"…" obfuscated, and
// ```…``` multi-line strings.
func (lx *lexer) stringLit() (string, error) {
	line, col := lx.line, lx.col
	src := lx.src
	i := lx.pos
	if src[i] == 'h' || src[i] == 'H' {
		i++
	}
	verbatim := false
	if src[i] == '@' {
		verbatim = true
		i++
	}
	if strings.HasPrefix(src[i:], "```") {
		k := strings.Index(src[i+3:], "```")
		if k < 0 {
			return "", rule.Errorf(line, col, "unterminated multi-line string")
		}
		s := src[i+3 : i+3+k]
		lx.advance(i + 3 + k + 3 - lx.pos)
		return s, nil
	}
	q := src[i]
	if q == '`' {
		return "", rule.Errorf(line, col, "unexpected character \"`\"")
	}
	i++
	var b strings.Builder
	for {
		if i >= len(src) {
			return "", rule.Errorf(line, col, "unterminated string")
		}
		c := src[i]
		switch {
		case c == q:
			if verbatim && i+1 < len(src) && src[i+1] == q {
				b.WriteByte(q)
				i += 2
				continue
			}
			lx.advance(i + 1 - lx.pos)
			return b.String(), nil
		case c == '\n' && !verbatim:
			return "", rule.Errorf(line, col, "unterminated string (newline in string)")
		case c == '\\' && !verbatim:
			if i+1 >= len(src) {
				return "", rule.Errorf(line, col, "unterminated string")
			}
			e := src[i+1]
			i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'u':
				if i+4 <= len(src) {
					if v, err := strconv.ParseUint(src[i:i+4], 16, 32); err == nil {
						b.WriteRune(rune(v))
						i += 4
						continue
					}
				}
				b.WriteString(`\u`)
			case '\\', '"', '\'':
				b.WriteByte(e)
			default:
				// unknown escapes (regex classes such as \d) are kept as written
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
}
