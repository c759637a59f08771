// Package qtok holds the lexical layer EQL and ES|QL share: tokens, the
// token stream a recursive-descent parser reads, names with backtick-quoted
// segments, whitespace and comments, and positioned syntax errors. Each
// language keeps its own literals, operators and grammar.
package qtok

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Kind is the kind of a lexical token.
type Kind uint8

// The kinds both languages have; a language numbers its own from
// FirstLanguageKind.
const (
	EOF    Kind = iota
	Ident       // a bare name or dotted field path (keywords too)
	Quoted      // a name with backtick-quoted segments (Val unquoted)
	String      // a string literal (Val holds the decoded text)
	Number      // a number
	Punct       // an operator or punctuation (Val holds it)
	FirstLanguageKind
)

// Token is one lexical token. Pos is its byte offset in the source; Space
// says whether whitespace or a comment precedes it.
type Token struct {
	Val   string
	Pos   int
	Kind  Kind
	Space bool
}

// Stream is the token slice a parser reads, ending with an EOF token.
type Stream struct {
	Src  string
	Toks []Token
	I    int
}

// Peek returns the next token.
func (s *Stream) Peek() Token { return s.Toks[s.I] }

// PeekAt returns the token n after the next one, or the EOF token.
func (s *Stream) PeekAt(n int) Token {
	if s.I+n < len(s.Toks) {
		return s.Toks[s.I+n]
	}
	return s.Toks[len(s.Toks)-1]
}

// Advance returns the next token and moves past it (never past EOF).
func (s *Stream) Advance() Token {
	t := s.Toks[s.I]
	if t.Kind != EOF {
		s.I++
	}
	return t
}

// Errorf is a syntax error at token t.
func (s *Stream) Errorf(t Token, format string, args ...any) error {
	return ErrAt(s.Src, t.Pos, format, args...)
}

// ExpectPunct moves past the punctuation p or fails naming what it found.
func (s *Stream) ExpectPunct(p string) error {
	if t := s.Peek(); !IsPunct(t, p) {
		return s.Errorf(t, "expected %q, found %s", p, Describe(t))
	}
	s.Advance()
	return nil
}

// IsKw reports whether t is the keyword kw (case-insensitive, never a
// backtick-quoted name).
func IsKw(t Token, kw string) bool { return t.Kind == Ident && strings.EqualFold(t.Val, kw) }

// IsPunct reports whether t is the punctuation p.
func IsPunct(t Token, p string) bool { return t.Kind == Punct && t.Val == p }

// Describe names a token for error messages.
func Describe(t Token) string {
	switch t.Kind {
	case EOF:
		return "end of query"
	case String:
		return "string"
	case Number:
		return "number " + t.Val
	case Quoted:
		return "`" + t.Val + "`"
	}
	return fmt.Sprintf("%q", t.Val)
}

// Lexer is the state a language's lexer keeps while it splits a query
// into tokens; the language embeds it and adds its own literals and
// operators.
type Lexer struct {
	Src  string
	Pos  int
	Toks []Token
}

// NewLexer starts lexing src.
func NewLexer(src string) Lexer {
	return Lexer{Src: src, Toks: make([]Token, 0, len(src)/6+1)}
}

// SkipSpace skips whitespace and comments at Pos, reporting whether it
// skipped any.
func (lx *Lexer) SkipSpace() (bool, error) {
	pos, skipped, err := SkipSpace(lx.Src, lx.Pos)
	lx.Pos = pos
	return skipped, err
}

// Name lexes a field or other name at Pos (see Name).
func (lx *Lexer) Name() (Token, error) {
	t, end, err := Name(lx.Src, lx.Pos)
	if err == nil {
		lx.Pos = end
	}
	return t, err
}

// IsIdentStart reports whether c may begin a bare name.
func IsIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@'
}

// IsIdentPart reports whether c may continue a bare name (dots included:
// a dotted field path is one name).
func IsIdentPart(c byte) bool {
	return IsIdentStart(c) || c >= '0' && c <= '9' || c == '.'
}

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// SkipSpace skips whitespace, `//` line comments and `/* */` block comments
// from pos and returns where the next token starts and whether anything was
// skipped.
func SkipSpace(src string, pos int) (int, bool, error) {
	start := pos
	for pos < len(src) {
		c := src[pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			pos++
		case c == '/' && pos+1 < len(src) && src[pos+1] == '/':
			for pos < len(src) && src[pos] != '\n' {
				pos++
			}
		case c == '/' && pos+1 < len(src) && src[pos+1] == '*':
			end := strings.Index(src[pos+2:], "*/")
			if end < 0 {
				return pos, false, ErrAt(src, pos, "unterminated comment")
			}
			pos += end + 4
		default:
			return pos, pos > start, nil
		}
	}
	return pos, pos > start, nil
}

// Name lexes a field or other name at src[start]: bare runs of
// [A-Za-z0-9_@.] starting with a letter, "_" or "@", and backtick-quoted
// segments (a doubled backtick stands for one), joined by dots. The kind is
// Quoted when any segment was quoted; Val is then the name without quotes.
// It returns the token and the offset after it.
func Name(src string, start int) (Token, int, error) {
	i, kind := start, Ident
	var b strings.Builder
	for {
		if src[i] == '`' {
			kind = Quoted
			j := i + 1
			for {
				if j >= len(src) {
					return Token{}, 0, ErrAt(src, i, "unterminated quoted name")
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
			if i+1 < len(src) && src[i] == '.' && (src[i+1] == '`' || IsIdentPart(src[i+1])) {
				b.WriteByte('.')
				i++
				continue
			}
			break
		}
		j := i
		for j < len(src) && IsIdentPart(src[j]) {
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
	if kind == Ident {
		return Token{Kind: Ident, Val: src[start:i], Pos: start}, i, nil
	}
	return Token{Kind: kind, Val: b.String(), Pos: start}, i, nil
}

// ErrAt builds a SyntaxError at byte offset pos of src.
func ErrAt(src string, pos int, format string, args ...any) *rule.SyntaxError {
	line, col := LineCol(src, pos)
	return rule.Errorf(line, col, format, args...)
}

// LineCol converts a byte offset to a 1-based line and column (in runes).
func LineCol(src string, pos int) (int, int) {
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
