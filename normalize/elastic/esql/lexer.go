package esql

import (
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// token and its common kinds are qtok's; the language adds its own.
type token = qtok.Token

const (
	tEOF     = qtok.EOF
	tIdent   = qtok.Ident
	tQuoted  = qtok.Quoted
	tString  = qtok.String
	tNumber  = qtok.Number
	tPunct   = qtok.Punct
	tPattern = qtok.FirstLanguageKind // an index pattern after FROM (val decoded)
)

// lexer splits an ES|QL query into tokens.
type lexer struct{ qtok.Lexer }

// lex returns the tokens of src, ending with a tEOF token. Right after a
// leading FROM it reads index patterns, which have their own lexical form.
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
		if len(lx.Toks) == 1 && t.Kind == tIdent && strings.EqualFold(t.Val, "from") {
			if err := lx.patterns(); err != nil {
				return nil, err
			}
		}
	}
}

// patterns lexes `pattern { "," pattern }` after FROM.
func (lx *lexer) patterns() error {
	for {
		space, err := lx.SkipSpace()
		if err != nil {
			return err
		}
		if lx.Pos >= len(lx.Src) || lx.Src[lx.Pos] == '|' {
			return nil
		}
		start := lx.Pos
		var t token
		if lx.Src[start] == '"' {
			if t, err = lx.str(); err != nil {
				return err
			}
			t.Kind = tPattern
		} else {
			i := start
			for i < len(lx.Src) && isPatternChar(lx.Src[i]) && !strings.HasPrefix(lx.Src[i:], "//") && !strings.HasPrefix(lx.Src[i:], "/*") {
				i++
			}
			if i == start {
				return nil // not a pattern: lexed normally
			}
			lx.Pos = i
			t = token{Kind: tPattern, Val: lx.Src[start:i], Pos: start}
		}
		t.Space = space
		lx.Toks = append(lx.Toks, t)
		if space, err = lx.SkipSpace(); err != nil {
			return err
		}
		if lx.Pos >= len(lx.Src) || lx.Src[lx.Pos] != ',' {
			return nil
		}
		lx.Toks = append(lx.Toks, token{Kind: tPunct, Val: ",", Pos: lx.Pos, Space: space})
		lx.Pos++
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

// twoCharOps are the operators of two characters.
var twoCharOps = map[string]bool{"==": true, "!=": true, "<=": true, ">=": true, "=~": true, "::": true}

// next lexes one token at lx.Pos (not at whitespace or end of input).
func (lx *lexer) next() (token, error) {
	src, start := lx.Src, lx.Pos
	c := src[start]
	switch {
	case qtok.IsIdentStart(c) || c == '`':
		return lx.Name()
	case qtok.IsDigit(c) || c == '.' && start+1 < len(src) && qtok.IsDigit(src[start+1]):
		i := qtok.NumberEnd(src, start)
		lx.Pos = i
		return token{Kind: tNumber, Val: src[start:i], Pos: start}, nil
	case c == '"':
		return lx.str()
	}
	if start+1 < len(src) && twoCharOps[src[start:start+2]] {
		lx.Pos += 2
		return token{Kind: tPunct, Val: src[start : start+2], Pos: start}, nil
	}
	if c < utf8.RuneSelf {
		lx.Pos++
		return token{Kind: tPunct, Val: src[start : start+1], Pos: start}, nil
	}
	// Any other character is a token of its own; the parser rejects it
	// where an expression is expected.
	_, n := utf8.DecodeRuneInString(src[start:])
	lx.Pos += n
	return token{Kind: tPunct, Val: src[start : start+n], Pos: start}, nil
}

// stringSyntax is ES|QL's quoted string: the escapes \" \\ \n \r \t only
// (any other is an error, as in Elasticsearch), ended by a newline or a
// carriage return.
var stringSyntax = &qtok.Strings{CRStops: true}

// str lexes a string at lx.Pos: `"""raw"""` or `"…"`.
func (lx *lexer) str() (token, error) {
	src, start := lx.Src, lx.Pos
	var v string
	var err error
	if strings.HasPrefix(src[start:], `"""`) {
		v, lx.Pos, err = qtok.TripleQuoted(src, start, "unterminated triple-quoted string")
	} else {
		v, lx.Pos, err = stringSyntax.Decode(src, start)
	}
	if err != nil {
		return token{}, err
	}
	return token{Kind: tString, Val: v, Pos: start}, nil
}
