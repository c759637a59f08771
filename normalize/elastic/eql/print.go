package eql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// String prints q in canonical form: one line, single spaces, keywords in
// lower case, strings double-quoted with escapes, parentheses only where
// precedence needs them. Parsing the result gives the same query.
func (q *Query) String() string {
	var b strings.Builder
	switch q.Kind {
	case KindEvent:
		writeEvent(&b, q.Event)
	default:
		if q.Kind == KindSequence {
			b.WriteString("sequence")
		} else {
			b.WriteString("sample")
		}
		if len(q.By) > 0 {
			b.WriteString(" by ")
			writeList(&b, q.By)
		}
		if q.MaxSpan != "" {
			b.WriteString(" with maxspan=" + q.MaxSpan)
		}
		for _, s := range q.Steps {
			b.WriteByte(' ')
			writeStep(&b, s)
		}
		if q.Until != nil {
			b.WriteString(" until ")
			writeStep(&b, q.Until)
		}
	}
	for _, p := range q.Pipes {
		b.WriteString(" | " + p.Name)
		if len(p.Args) > 0 {
			b.WriteByte(' ')
			writeList(&b, p.Args)
		}
	}
	return b.String()
}

// ExprString prints one expression in canonical form.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

func writeStep(b *strings.Builder, s *Step) {
	if s.Missing {
		b.WriteByte('!')
	}
	b.WriteByte('[')
	writeEvent(b, s.Query)
	b.WriteByte(']')
	if len(s.By) > 0 {
		b.WriteString(" by ")
		writeList(b, s.By)
	}
	if s.Runs != "" {
		b.WriteString(" with runs=" + s.Runs)
	}
}

func writeEvent(b *strings.Builder, e *EventQuery) {
	writeName(b, e.Category)
	b.WriteString(" where ")
	writeExpr(b, e.Cond, 0)
}

func writeList(b *strings.Builder, xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, x, 0)
	}
}

// Precedence levels, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precPred
	precSum
	precProduct
	precUnary
	precPrimary
)

func prec(e Expr) int {
	switch e := e.(type) {
	case *Logical:
		if e.Op == "or" {
			return precOr
		}
		return precAnd
	case *Not:
		return precNot
	case *Compare, *Match, *In:
		return precPred
	case *Arith:
		if e.Op == "+" || e.Op == "-" {
			return precSum
		}
		return precProduct
	case *Neg:
		return precUnary
	}
	return precPrimary
}

func writeExpr(b *strings.Builder, e Expr, min int) {
	if prec(e) < min {
		b.WriteByte('(')
		writeExpr(b, e, 0)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *Logical:
		p := prec(e)
		for i, x := range e.X {
			if i > 0 {
				b.WriteString(" " + e.Op + " ")
			}
			writeExpr(b, x, p+1)
		}
	case *Not:
		b.WriteString("not ")
		writeExpr(b, e.X, precNot)
	case *Compare:
		writeExpr(b, e.L, precSum)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.R, precSum)
	case *Match:
		writeExpr(b, e.L, precSum)
		if e.Op == ":" {
			b.WriteString(" : ")
		} else {
			b.WriteString(" " + e.Op)
			if e.Insensitive {
				b.WriteByte('~')
			}
			b.WriteByte(' ')
		}
		if e.List {
			b.WriteByte('(')
			writeList(b, e.Values)
			b.WriteByte(')')
		} else {
			writeExpr(b, e.Values[0], precSum)
		}
	case *In:
		writeExpr(b, e.L, precSum)
		if e.Not {
			b.WriteString(" not")
		}
		b.WriteString(" in")
		if e.Insensitive {
			b.WriteByte('~')
		}
		b.WriteString(" (")
		writeList(b, e.Values)
		b.WriteByte(')')
	case *Arith:
		p := prec(e)
		writeExpr(b, e.L, p)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.R, p+1)
	case *Neg:
		b.WriteByte('-')
		writeExpr(b, e.X, precUnary)
	case *Call:
		b.WriteString(e.Name)
		if e.Insensitive {
			b.WriteByte('~')
		}
		b.WriteByte('(')
		writeList(b, e.Args)
		b.WriteByte(')')
	case *Lineage:
		b.WriteString(e.Relation + " of [")
		writeEvent(b, e.Query)
		b.WriteByte(']')
	case *Field:
		if e.Optional {
			b.WriteByte('?')
		}
		writeName(b, e.Name)
	case *Literal:
		if e.Kind == LitString {
			writeString(b, e.Value)
		} else {
			b.WriteString(e.Value)
		}
	}
}

// writeName writes a field or category name, backtick-quoted unless it
// lexes as one plain name that is not a keyword.
func writeName(b *strings.Builder, s string) {
	if plainName(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('`')
	b.WriteString(strings.ReplaceAll(s, "`", "``"))
	b.WriteByte('`')
}

func plainName(s string) bool {
	if s == "" || !qtok.IsIdentStart(s[0]) || keywords[strings.ToLower(s)] {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !qtok.IsIdentPart(s[i]) {
			return false
		}
	}
	return true
}

// writeString writes s as a double-quoted EQL string.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
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
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u{` + strconv.FormatUint(uint64(c), 16) + `}`)
				break
			}
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRuneInString(s[i:])
				if r == utf8.RuneError && n == 1 {
					// Invalid UTF-8 is kept byte for byte.
					b.WriteByte(c)
				} else {
					b.WriteString(s[i : i+n])
				}
				i += n
				continue
			}
			b.WriteByte(c)
		}
		i++
	}
	b.WriteByte('"')
}
