package esql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// String prints q in canonical form: one line, commands separated by
// " | ", keywords in lower case, strings double-quoted with escapes,
// parentheses only where precedence needs them. Commands kept as tokens
// are printed token by token, with a single space wherever the source had
// whitespace or a comment. Parsing the result gives the same query.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString(q.Source)
	if q.Source == "from" {
		b.WriteByte(' ')
		for i, ix := range q.From {
			if i > 0 {
				b.WriteString(", ")
			}
			writePattern(&b, ix)
		}
		if len(q.Metadata) > 0 {
			b.WriteString(" metadata ")
			for i, m := range q.Metadata {
				if i > 0 {
					b.WriteString(", ")
				}
				writeName(&b, m)
			}
		}
	} else {
		writeTokens(&b, q.SourceArgs)
	}
	for _, c := range q.Commands {
		b.WriteString(" | ")
		writeCommand(&b, c)
	}
	return b.String()
}

// ExprString prints one expression in canonical form.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

func writeCommand(b *strings.Builder, c Command) {
	switch c := c.(type) {
	case *Where:
		b.WriteString("where ")
		writeExpr(b, c.Cond, 0)
	case *Eval:
		b.WriteString("eval ")
		writeAssigns(b, c.Assigns)
	case *Stats:
		if c.Inline {
			b.WriteString("inline ")
		}
		b.WriteString("stats")
		if len(c.Aggs) > 0 {
			b.WriteByte(' ')
			writeAssigns(b, c.Aggs)
		}
		if len(c.By) > 0 {
			b.WriteString(" by ")
			writeAssigns(b, c.By)
		}
	case *Rename:
		b.WriteString("rename ")
		for i, p := range c.Pairs {
			if i > 0 {
				b.WriteString(", ")
			}
			writeName(b, p.Old)
			b.WriteString(" as ")
			writeName(b, p.New)
		}
	case *Generic:
		b.WriteString(c.Name)
		writeTokens(b, c.Toks)
	}
}

// writeTokens writes kept tokens: a space before the first and wherever
// the source had whitespace.
func writeTokens(b *strings.Builder, toks []token) {
	for i, t := range toks {
		if i == 0 || t.Space {
			b.WriteByte(' ')
		}
		switch t.Kind {
		case tString:
			writeString(b, t.Val)
		case tQuoted:
			writeName(b, t.Val)
		default:
			b.WriteString(t.Val)
		}
	}
}

func writeAssigns(b *strings.Builder, as []*Assign) {
	for i, a := range as {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Name != "" {
			writeName(b, a.Name)
			b.WriteString(" = ")
		}
		writeExpr(b, a.X, 0)
		if a.Filter != nil {
			b.WriteString(" where ")
			writeExpr(b, a.Filter, precAnd) // an `or` filter would swallow the next aggregation
		}
	}
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
	precCast
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
	case *Compare, *Like, *In, *IsNull, *MatchOp:
		return precPred
	case *Arith:
		if e.Op == "+" || e.Op == "-" {
			return precSum
		}
		return precProduct
	case *Neg:
		return precUnary
	case *Literal:
		if strings.HasPrefix(e.Value, "-") {
			return precUnary
		}
	case *Cast:
		return precCast
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
	case *MatchOp:
		writeExpr(b, e.L, precSum)
		b.WriteString(" : ")
		writeExpr(b, e.R, precSum)
	case *Like:
		writeExpr(b, e.L, precSum)
		if e.Not {
			b.WriteString(" not")
		}
		b.WriteString(" " + e.Op + " ")
		if e.List {
			b.WriteByte('(')
			writeList(b, e.Patterns)
			b.WriteByte(')')
		} else {
			writeExpr(b, e.Patterns[0], precSum)
		}
	case *In:
		writeExpr(b, e.L, precSum)
		if e.Not {
			b.WriteString(" not")
		}
		b.WriteString(" in (")
		writeList(b, e.Values)
		b.WriteByte(')')
	case *IsNull:
		writeExpr(b, e.L, precSum)
		if e.Not {
			b.WriteString(" is not null")
		} else {
			b.WriteString(" is null")
		}
	case *Arith:
		p := prec(e)
		writeExpr(b, e.L, p)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.R, p+1)
	case *Neg:
		b.WriteByte('-')
		writeExpr(b, e.X, precUnary)
	case *Cast:
		writeExpr(b, e.X, precCast)
		b.WriteString("::" + e.Type)
	case *Call:
		b.WriteString(e.Name)
		b.WriteByte('(')
		writeList(b, e.Args)
		b.WriteByte(')')
	case *Star:
		b.WriteByte('*')
	case *Array:
		b.WriteByte('[')
		writeList(b, e.X)
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range e.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeString(b, k)
			b.WriteString(": ")
			writeExpr(b, e.Vals[i], 0)
		}
		b.WriteByte('}')
	case *Field:
		writeName(b, e.Name)
	case *Literal:
		if e.Kind == LitString {
			writeString(b, e.Value)
		} else {
			b.WriteString(e.Value)
		}
	}
}

// writeName writes a field name, backtick-quoted unless it lexes as one
// plain name that is not a keyword.
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

// writePattern writes an index pattern, quoted when it would not lex as
// one unquoted pattern.
func writePattern(b *strings.Builder, s string) {
	plain := s != "" && !strings.Contains(s, "//") && !strings.Contains(s, "/*")
	for i := 0; plain && i < len(s); i++ {
		plain = isPatternChar(s[i])
	}
	if plain && !strings.EqualFold(s, "metadata") {
		b.WriteString(s)
		return
	}
	writeString(b, s)
}

// writeString writes s as a double-quoted ES|QL string.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
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
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
