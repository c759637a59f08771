package eql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// token and its common kinds are qtok's; the language adds its own.
type token = qtok.Token

const (
	tEOF      = qtok.EOF
	tIdent    = qtok.Ident
	tQuoted   = qtok.Quoted
	tString   = qtok.String
	tNumber   = qtok.Number
	tPunct    = qtok.Punct
	tQuestion = qtok.FirstLanguageKind // `?` before an optional field
)

// lexer splits an EQL query into tokens.
type lexer struct{ qtok.Lexer }

// lex returns the tokens of src, ending with a tEOF token.
func lex(src string) ([]token, error) {
	lx := &lexer{qtok.NewLexer(src)}
	for {
		space, err := lx.SkipSpace()
		if err != nil {
			return nil, err
		}
		if lx.Pos >= len(src) {
			lx.Toks = append(lx.Toks, token{Kind: tEOF, Pos: lx.Pos, Space: space})
			return lx.Toks, nil
		}
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		t.Space = space
		lx.Toks = append(lx.Toks, t)
	}
}

// next lexes one token at lx.Pos (not at whitespace or end of input).
func (lx *lexer) next() (token, error) {
	src, start := lx.Src, lx.Pos
	c := src[start]
	switch {
	case qtok.IsIdentStart(c) || c == '`':
		return lx.Name()
	case qtok.IsDigit(c):
		i := start + 1
		for i < len(src) && qtok.IsDigit(src[i]) {
			i++
		}
		if i+1 < len(src) && src[i] == '.' && qtok.IsDigit(src[i+1]) {
			i++
			for i < len(src) && qtok.IsDigit(src[i]) {
				i++
			}
		}
		if i+1 < len(src) && (src[i] == 'e' || src[i] == 'E') && (qtok.IsDigit(src[i+1]) ||
			i+2 < len(src) && (src[i+1] == '+' || src[i+1] == '-') && qtok.IsDigit(src[i+2])) {
			i += 2
			for i < len(src) && qtok.IsDigit(src[i]) {
				i++
			}
		}
		// A unit suffix (5m, 30s, 500ms) belongs to the number.
		for i < len(src) && (src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z') {
			i++
		}
		lx.Pos = i
		return token{Kind: tNumber, Val: src[start:i], Pos: start}, nil
	case c == '"' || c == '\'':
		if strings.HasPrefix(src[start:], `"""`) {
			end := strings.Index(src[start+3:], `"""`)
			if end < 0 {
				return token{}, qtok.ErrAt(src, start, "unterminated raw string")
			}
			// Quotes right before the closing delimiter belong to the value.
			j := start + 3 + end + 3
			for j < len(src) && src[j] == '"' {
				j++
			}
			lx.Pos = j
			return token{Kind: tString, Val: src[start+3 : j-3], Pos: start}, nil
		}
		v, n, err := decodeString(src, start)
		if err != nil {
			return token{}, err
		}
		lx.Pos = start + n
		return token{Kind: tString, Val: v, Pos: start}, nil
	case c == '?':
		if start+1 < len(src) && (src[start+1] == '"' || src[start+1] == '\'') {
			q := src[start+1]
			end := strings.IndexByte(src[start+2:], q)
			if end < 0 {
				return token{}, qtok.ErrAt(src, start, "unterminated raw string")
			}
			lx.Pos = start + 2 + end + 1
			return token{Kind: tString, Val: src[start+2 : start+2+end], Pos: start}, nil
		}
		lx.Pos++
		return token{Kind: tQuestion, Val: "?", Pos: start}, nil
	}
	if start+1 < len(src) {
		switch two := src[start : start+2]; two {
		case "==", "!=", "<=", ">=":
			lx.Pos += 2
			return token{Kind: tPunct, Val: two, Pos: start}, nil
		}
	}
	switch c {
	case '(', ')', '[', ']', ',', '|', '<', '>', ':', '=', '!', '~', '+', '-', '*', '/', '%':
		lx.Pos++
		return token{Kind: tPunct, Val: src[start : start+1], Pos: start}, nil
	}
	r, _ := utf8.DecodeRuneInString(src[start:])
	return token{}, qtok.ErrAt(src, start, "unexpected character %q", r)
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
			return "", 0, qtok.ErrAt(src, start, "unterminated string")
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
			return "", 0, qtok.ErrAt(src, start, "unterminated string")
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
				return "", 0, qtok.ErrAt(src, i, `bad unicode escape (want \u{hex})`)
			}
			n, err := strconv.ParseUint(src[i+3:i+end], 16, 32)
			if err != nil || n > utf8.MaxRune {
				return "", 0, qtok.ErrAt(src, i, "bad unicode escape %q", src[i:i+end+1])
			}
			b.WriteRune(rune(n))
			i += end + 1
			continue
		default:
			return "", 0, qtok.ErrAt(src, i, "illegal escape sequence \\%c", e)
		}
		i += 2
	}
}
