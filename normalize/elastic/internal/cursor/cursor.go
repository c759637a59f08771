// Package cursor is the character-level reading state KQL and Lucene
// share: the source, the current offset, the nesting depth, positioned
// syntax errors, and whitespace. Each language keeps its own grammar.
package cursor

import (
	"fmt"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// MaxDepth bounds the nesting of groups, nested queries and unary
// operators.
const MaxDepth = 100

// Cursor is a position in a query a parser reads character by character.
type Cursor struct {
	Src   string
	Pos   int
	depth int
}

// Errorf is a syntax error at the current position.
func (c *Cursor) Errorf(format string, args ...any) *rule.SyntaxError {
	return c.ErrorAt(c.Pos, format, args...)
}

// ErrorAt is a syntax error at byte offset off (1-based line, column in
// characters).
func (c *Cursor) ErrorAt(off int, format string, args ...any) *rule.SyntaxError {
	return qtok.ErrAt(c.Src, off, format, args...)
}

// Col is the 1-based column, in characters, of byte offset off.
func (c *Cursor) Col(off int) int {
	_, col := qtok.LineCol(c.Src, off)
	return col
}

// Describe names the character at the current position for error
// messages.
func (c *Cursor) Describe() string {
	if c.Pos >= len(c.Src) {
		return "end of query"
	}
	r, _ := utf8.DecodeRuneInString(c.Src[c.Pos:])
	return fmt.Sprintf("%q", r)
}

// IsSpace reports whether b is ASCII whitespace.
func IsSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

// SkipSpace moves past whitespace.
func (c *Cursor) SkipSpace() {
	for c.Pos < len(c.Src) && IsSpace(c.Src[c.Pos]) {
		c.Pos++
	}
}

// Enter counts one more level of nesting and fails past MaxDepth; every
// successful Enter is paired with a Leave.
func (c *Cursor) Enter() error {
	c.depth++
	if c.depth > MaxDepth {
		return c.Errorf("query nested too deeply (more than %d levels)", MaxDepth)
	}
	return nil
}

// Leave ends a level of nesting begun by Enter.
func (c *Cursor) Leave() { c.depth-- }

// Whole parses the whole source with root, allowing whitespace around
// it; empty is true, and root not called, for a source of whitespace
// only. Anything left after root is an error.
func Whole[N any](c *Cursor, root func() (N, error)) (n N, empty bool, err error) {
	c.SkipSpace()
	if c.Pos == len(c.Src) {
		return n, true, nil
	}
	if n, err = root(); err != nil {
		return n, false, err
	}
	c.SkipSpace()
	if c.Pos < len(c.Src) {
		return n, false, c.Errorf("unexpected %s", c.Describe())
	}
	return n, false, nil
}

// Group parses a bracketed part at the opening bracket: one more level of
// nesting, inner, and the closing bracket close. what names the opening in
// the error when it does not close (`"("`, `the value list opened`).
func Group[N any](c *Cursor, close byte, what string, inner func() (N, error)) (N, error) {
	var zero N
	if err := c.Enter(); err != nil {
		return zero, err
	}
	defer c.Leave()
	open := c.Pos
	c.Pos++
	n, err := inner()
	if err != nil {
		return zero, err
	}
	c.SkipSpace()
	if c.Pos >= len(c.Src) || c.Src[c.Pos] != close {
		return zero, c.Errorf("expected %q to close %s at column %d, found %s", string(close), what, c.Col(open), c.Describe())
	}
	c.Pos++
	return n, nil
}
