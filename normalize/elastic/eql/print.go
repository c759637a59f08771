package eql

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qexpr"
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
			printer.List(&b, q.By)
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
			printer.List(&b, p.Args)
		}
	}
	return b.String()
}

// ExprString prints one expression in canonical form.
func ExprString(e Expr) string {
	return printer.String(e)
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
		printer.List(b, s.By)
	}
	if s.Runs != "" {
		b.WriteString(" with runs=" + s.Runs)
	}
}

func writeEvent(b *strings.Builder, e *EventQuery) {
	printer.Name(b, e.Category)
	b.WriteString(" where ")
	printer.Expr(b, e.Cond, 0)
}

// printer prints EQL expressions: the shared nodes, and match and
// lineage.
var printer = &qexpr.Printer{Keywords: keywords, Quote: writeString, Ext: extension{}}

// extension prints the expression nodes of EQL's own.
type extension struct{}

// Prec is the precedence level of Match and Lineage.
func (extension) Prec(e Expr) int {
	if _, ok := e.(*Match); ok {
		return qexpr.PrecPred
	}
	return qexpr.PrecPrimary
}

// Write writes Match and Lineage.
func (extension) Write(pr *qexpr.Printer, b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Match:
		pr.Expr(b, e.L, qexpr.PrecSum)
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
			pr.List(b, e.Values)
			b.WriteByte(')')
		} else {
			pr.Expr(b, e.Values[0], qexpr.PrecSum)
		}
	case *Lineage:
		b.WriteString(e.Relation + " of [")
		writeEvent(b, e.Query)
		b.WriteByte(']')
	}
}

// writeString writes s as a double-quoted EQL string.
func writeString(b *strings.Builder, s string) { qtok.WriteQuoted(b, s, true) }
