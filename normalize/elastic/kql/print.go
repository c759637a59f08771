package kql

import (
	"fmt"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/cursor"
)

// String prints the query in canonical KQL: lower-case keywords, single
// spaces, `field:value`, and parentheses only where precedence needs them.
// Parsing the output gives the same tree.
func (q *Query) String() string {
	if q == nil || q.Root == nil {
		return ""
	}
	var b strings.Builder
	printNode(&b, q.Root, 0)
	return b.String()
}

// Precedence levels.
const (
	precOr = iota + 1
	precAnd
	precNot
	precAtom
)

func prec(n Node) int {
	switch n.(type) {
	case Or:
		return precOr
	case And:
		return precAnd
	case Not:
		return precNot
	}
	return precAtom
}

func printNode(b *strings.Builder, n Node, min int) {
	if prec(n) < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch n := n.(type) {
	case Or:
		printList(b, n, " or ", precAnd, printNode)
	case And:
		printList(b, n, " and ", precNot, printNode)
	case Not:
		b.WriteString("not ")
		printNode(b, n.X, precNot)
	case Field:
		writeUnquoted(b, n.Field)
		b.WriteByte(':')
		if v, ok := n.Value.(*Value); ok {
			writeValue(b, v)
		} else {
			b.WriteByte('(')
			printValues(b, n.Value, 0)
			b.WriteByte(')')
		}
	case Range:
		writeUnquoted(b, n.Field)
		b.WriteString(" " + n.Op + " ")
		writeValue(b, n.Value)
	case Exists:
		writeUnquoted(b, n.Field)
		b.WriteString(":*")
	case Nested:
		writeUnquoted(b, n.Field)
		b.WriteString(":{")
		printNode(b, n.Query, 0)
		b.WriteByte('}')
	case Text:
		writeValue(b, n.Value)
	case *Value:
		writeValue(b, n)
	}
}

func printList(b *strings.Builder, xs []Node, sep string, min int, f func(*strings.Builder, Node, int)) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		f(b, x, min)
	}
}

func printValues(b *strings.Builder, n Node, min int) {
	if prec(n) < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch n := n.(type) {
	case Or:
		printList(b, n, " or ", precAnd, printValues)
	case And:
		printList(b, n, " and ", precNot, printValues)
	case Not:
		b.WriteString("not ")
		printValues(b, n.X, precNot)
	case *Value:
		writeValue(b, n)
	}
}

func writeValue(b *strings.Builder, v *Value) {
	if !v.Quoted {
		writePattern(b, v.Pattern)
		return
	}
	b.WriteByte('"')
	lit := v.Literal()
	for i := 0; i < len(lit); i++ {
		switch c := lit[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// writePattern prints an unquoted value from its pattern form.
func writePattern(b *strings.Builder, p string) {
	var lit strings.Builder
	first := true
	// Translate to KQL escapes: a literal star stays escaped, a wildcard
	// star is bare; everything else goes through writeUnquoted.
	flush := func() {
		if lit.Len() > 0 {
			writeUnquotedPart(b, lit.String(), first || endsSpace(b))
			lit.Reset()
		}
		first = false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			i++
			if p[i] == '*' {
				flush()
				b.WriteString(`\*`)
				continue
			}
			lit.WriteByte(p[i])
			continue
		}
		if c == '*' {
			flush()
			b.WriteByte('*')
			continue
		}
		lit.WriteByte(c)
	}
	flush()
}

func endsSpace(b *strings.Builder) bool {
	s := b.String()
	return len(s) > 0 && cursor.IsSpace(s[len(s)-1])
}

// writeUnquoted prints a field name (whose `*` are printed bare).
func writeUnquoted(b *strings.Builder, s string) {
	writeUnquotedPart(b, s, true)
}

// writeUnquotedPart escapes the literal text s for an unquoted position.
// atWordStart says whether s starts where a keyword could start.
func writeUnquotedPart(b *strings.Builder, s string, atWordStart bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		wordStart := (i == 0 && atWordStart) || (i > 0 && cursor.IsSpace(s[i-1]))
		if wordStart && isKeywordWord(s[i:]) {
			b.WriteByte('\\')
		}
		switch {
		case special(c):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case cursor.IsSpace(c) && (i == 0 || i == len(s)-1):
			fmt.Fprintf(b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
}

// isKeywordWord reports whether s starts with and/or/not followed by a
// non-letter or the end.
func isKeywordWord(s string) bool {
	for _, kw := range [...]string{"and", "or", "not"} {
		if len(s) >= len(kw) && strings.EqualFold(s[:len(kw)], kw) {
			if len(s) == len(kw) || !isLetter(s[len(kw)]) {
				return true
			}
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
