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
		space, end, err := lx.Space()
		if end || err != nil {
			return lx.Toks, err
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
		i := qtok.NumberEnd(src, start)
		// A unit suffix (5m, 30s, 500ms) belongs to the number.
		for i < len(src) && (src[i] >= 'a' && src[i] <= 'z' || src[i] >= 'A' && src[i] <= 'Z') {
			i++
		}
		lx.Pos = i
		return token{Kind: tNumber, Val: src[start:i], Pos: start}, nil
	case c == '"' || c == '\'':
		var v string
		var err error
		if strings.HasPrefix(src[start:], `"""`) {
			v, lx.Pos, err = qtok.TripleQuoted(src, start, "unterminated raw string")
		} else {
			v, lx.Pos, err = stringSyntax.Decode(src, start)
		}
		if err != nil {
			return token{}, err
		}
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

// stringSyntax is EQL's quoted string: escapes \" \' \\ \n \r \t \b \f \0
// and \u{hex}; any other escape is an error, as in Elasticsearch.
var stringSyntax = &qtok.Strings{Escape: escape}

// escape decodes EQL's own escapes, \' \b \f \0 and \u{hex}, at src[i].
func escape(src string, i int) (rune, int, bool, error) {
	switch src[i+1] {
	case '\'':
		return '\'', i + 2, true, nil
	case 'b':
		return '\b', i + 2, true, nil
	case 'f':
		return '\f', i + 2, true, nil
	case '0':
		return 0, i + 2, true, nil
	case 'u':
		end := strings.IndexByte(src[i:], '}')
		if i+2 >= len(src) || src[i+2] != '{' || end < 0 || end > 12 {
			return 0, 0, true, qtok.ErrAt(src, i, `bad unicode escape (want \u{hex})`)
		}
		n, err := strconv.ParseUint(src[i+3:i+end], 16, 32)
		if err != nil || n > utf8.MaxRune {
			return 0, 0, true, qtok.ErrAt(src, i, "bad unicode escape %q", src[i:i+end+1])
		}
		return rune(n), i + end + 1, true, nil
	}
	return 0, 0, false, nil
}
