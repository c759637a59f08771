package esql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"
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
				printer.Name(&b, m)
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
	return printer.String(e)
}

func writeCommand(b *strings.Builder, c Command) {
	switch c := c.(type) {
	case *Where:
		b.WriteString("where ")
		printer.Expr(b, c.Cond, 0)
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
			printer.Name(b, p.Old)
			b.WriteString(" as ")
			printer.Name(b, p.New)
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
			printer.Name(b, t.Val)
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
			printer.Name(b, a.Name)
			b.WriteString(" = ")
		}
		printer.Expr(b, a.X, 0)
		if a.Filter != nil {
			b.WriteString(" where ")
			printer.Expr(b, a.Filter, qexpr.PrecAnd) // an `or` filter would swallow the next aggregation
		}
	}
}

// printer prints ES|QL expressions: the shared nodes, and like, is null,
// match, casts, arrays, maps and count's star.
var printer = &qexpr.Printer{Keywords: keywords, Quote: writeString, Ext: extension{}}

// extension prints the expression nodes of ES|QL's own.
type extension struct{}

// Prec is the precedence level of an ES|QL node.
func (extension) Prec(e Expr) int {
	switch e.(type) {
	case *Like, *IsNull, *MatchOp:
		return qexpr.PrecPred
	case *Cast:
		return qexpr.PrecCast
	}
	return qexpr.PrecPrimary
}

// Write writes an ES|QL node.
func (extension) Write(pr *qexpr.Printer, b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *MatchOp:
		pr.Expr(b, e.L, qexpr.PrecSum)
		b.WriteString(" : ")
		pr.Expr(b, e.R, qexpr.PrecSum)
	case *Like:
		pr.Expr(b, e.L, qexpr.PrecSum)
		if e.Not {
			b.WriteString(" not")
		}
		b.WriteString(" " + e.Op + " ")
		if e.List {
			b.WriteByte('(')
			pr.List(b, e.Patterns)
			b.WriteByte(')')
		} else {
			pr.Expr(b, e.Patterns[0], qexpr.PrecSum)
		}
	case *IsNull:
		pr.Expr(b, e.L, qexpr.PrecSum)
		if e.Not {
			b.WriteString(" is not null")
		} else {
			b.WriteString(" is null")
		}
	case *Cast:
		pr.Expr(b, e.X, qexpr.PrecCast)
		b.WriteString("::" + e.Type)
	case *Star:
		b.WriteByte('*')
	case *Array:
		b.WriteByte('[')
		pr.List(b, e.X)
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range e.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeString(b, k)
			b.WriteString(": ")
			pr.Expr(b, e.Vals[i], 0)
		}
		b.WriteByte('}')
	}
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
func writeString(b *strings.Builder, s string) { qtok.WriteQuoted(b, s, false) }
