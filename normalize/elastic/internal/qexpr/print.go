package qexpr

import (
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
)

// Precedence levels, loosest first: an operand is parenthesized when its
// level is below the one its position needs.
const (
	PrecOr = iota + 1
	PrecAnd
	PrecNot
	PrecPred
	PrecSum
	PrecProduct
	PrecUnary
	PrecCast // ES|QL's X::type
	PrecPrimary
)

// Extension prints the nodes a language adds to the shared ones.
type Extension interface {
	// Prec is the precedence level of a node of the language.
	Prec(e Expr) int
	// Write writes a node of the language in canonical form.
	Write(pr *Printer, b *strings.Builder, e Expr)
}

// Printer writes expressions in canonical form: keywords in lower case,
// single spaces, parentheses only where precedence needs them.
type Printer struct {
	// Keywords are the words a field name must be quoted to be.
	Keywords map[string]bool
	// Quote writes a string literal in the language's syntax.
	Quote func(b *strings.Builder, s string)
	// Ext prints the language's own nodes.
	Ext Extension
}

// String prints one expression.
func (pr *Printer) String(e Expr) string {
	var b strings.Builder
	pr.Expr(&b, e, 0)
	return b.String()
}

// List writes expressions separated by ", ".
func (pr *Printer) List(b *strings.Builder, xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		pr.Expr(b, x, 0)
	}
}

// Prec is the precedence level of e.
func (pr *Printer) Prec(e Expr) int {
	switch e := e.(type) {
	case *Logical:
		if e.Op == "or" {
			return PrecOr
		}
		return PrecAnd
	case *Not:
		return PrecNot
	case *Compare, *In:
		return PrecPred
	case *Arith:
		if e.Op == "+" || e.Op == "-" {
			return PrecSum
		}
		return PrecProduct
	case *Neg:
		return PrecUnary
	case *Literal:
		if strings.HasPrefix(e.Value, "-") {
			return PrecUnary
		}
		return PrecPrimary
	case *Field, *Call:
		return PrecPrimary
	}
	return pr.Ext.Prec(e)
}

// Expr writes e, parenthesized when its level is below min.
func (pr *Printer) Expr(b *strings.Builder, e Expr, min int) {
	if pr.Prec(e) < min {
		b.WriteByte('(')
		pr.Expr(b, e, 0)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *Logical:
		p := pr.Prec(e)
		for i, x := range e.X {
			if i > 0 {
				b.WriteString(" " + e.Op + " ")
			}
			pr.Expr(b, x, p+1)
		}
	case *Not:
		b.WriteString("not ")
		pr.Expr(b, e.X, PrecNot)
	case *Compare:
		pr.Expr(b, e.L, PrecSum)
		b.WriteString(" " + e.Op + " ")
		pr.Expr(b, e.R, PrecSum)
	case *In:
		pr.Expr(b, e.L, PrecSum)
		if e.Not {
			b.WriteString(" not")
		}
		b.WriteString(" in")
		if e.Insensitive {
			b.WriteByte('~')
		}
		b.WriteString(" (")
		pr.List(b, e.Values)
		b.WriteByte(')')
	case *Arith:
		p := pr.Prec(e)
		pr.Expr(b, e.L, p)
		b.WriteString(" " + e.Op + " ")
		pr.Expr(b, e.R, p+1)
	case *Neg:
		b.WriteByte('-')
		pr.Expr(b, e.X, PrecUnary)
	case *Call:
		b.WriteString(e.Name)
		if e.Insensitive {
			b.WriteByte('~')
		}
		b.WriteByte('(')
		pr.List(b, e.Args)
		b.WriteByte(')')
	case *Field:
		if e.Optional {
			b.WriteByte('?')
		}
		pr.Name(b, e.Name)
	case *Literal:
		if e.Kind == LitString {
			pr.Quote(b, e.Value)
		} else {
			b.WriteString(e.Value)
		}
	default:
		pr.Ext.Write(pr, b, e)
	}
}

// Name writes a field name, backtick-quoted unless it lexes as one plain
// name that is not a keyword.
func (pr *Printer) Name(b *strings.Builder, s string) {
	if pr.plainName(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('`')
	b.WriteString(strings.ReplaceAll(s, "`", "``"))
	b.WriteByte('`')
}

func (pr *Printer) plainName(s string) bool {
	if s == "" || !qtok.IsIdentStart(s[0]) || pr.Keywords[strings.ToLower(s)] {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !qtok.IsIdentPart(s[i]) {
			return false
		}
	}
	return true
}
