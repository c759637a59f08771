package spl

import (
	"strings"
)

// String prints the query in canonical form: stages joined by " | ", the
// leading search without a pipe, generating commands with one.
func (q *Query) String() string {
	var b strings.Builder
	for i, c := range q.Commands {
		if i == 0 {
			if _, ok := c.(*SearchCmd); !ok {
				b.WriteString("| ")
			}
		} else {
			b.WriteString(" | ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// String prints the stage.
func (c *SearchCmd) String() string {
	e := ""
	if c.Expr != nil {
		e = PrintSearch(c.Expr)
	}
	switch {
	case c.Implicit:
		return e
	case e == "":
		return "search"
	}
	return "search " + e
}

// String prints the stage.
func (c *WhereCmd) String() string { return "where " + PrintExpr(c.Expr) }

// String prints the stage with its clauses in the order head, from, where,
// by.
func (c *TstatsCmd) String() string {
	var b strings.Builder
	b.WriteString(c.Cmd)
	if c.Head != "" {
		b.WriteString(" " + c.Head)
	}
	if c.From != "" {
		b.WriteString(" from " + c.From)
	}
	if c.Where != nil {
		b.WriteString(" where " + PrintSearch(c.Where))
	}
	if c.By != "" {
		b.WriteString(" by " + c.By)
	}
	return b.String()
}

// String prints the stage.
func (c *LookupCmd) String() string { return joinArgs(c.Cmd, c.Args) }

// String prints the stage.
func (c *RegexCmd) String() string {
	switch {
	case c.Field == "":
		return "regex " + quote(c.Pattern)
	case c.Negated:
		return "regex " + c.Field + "!=" + quote(c.Pattern)
	}
	return "regex " + c.Field + "=" + quote(c.Pattern)
}

// String prints the stage.
func (c *RawCmd) String() string { return joinArgs(c.Cmd, c.Args) }

func joinArgs(cmd, args string) string {
	if args == "" {
		return cmd
	}
	return cmd + " " + args
}

// quote writes s as a double-quoted SPL string.
func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// String prints a value, quoted when written so or when it needs quotes.
func (v Value) String() string {
	if v.Quoted || needsQuote(v.Text) {
		return quote(v.Text)
	}
	return v.Text
}

var reserved = [...]string{"AND", "OR", "NOT", "IN", "BY", "GROUPBY", "FROM", "WHERE", "TERM", "CASE", "SEARCH"}

func needsQuote(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\n\r\f\v\"()[]|=<>!,`\\") {
		return true
	}
	for _, r := range reserved {
		if strings.EqualFold(s, r) {
			return true
		}
	}
	return false
}

// printField quotes a field name that would not lex as one word.
func printField(f string) string {
	if needsQuote(f) {
		return quote(f)
	}
	return f
}

// PrintSearch prints a search expression canonically: implicit AND as a
// space, parentheses only where needed (OR binds tighter than AND).
func PrintSearch(e SearchExpr) string {
	var b strings.Builder
	printSearch(&b, e)
	return b.String()
}

func printSearch(b *strings.Builder, e SearchExpr) {
	switch e := e.(type) {
	case SAnd:
		for i, x := range e {
			if i > 0 {
				b.WriteByte(' ')
			}
			if _, ok := x.(SAnd); ok {
				b.WriteByte('(')
				printSearch(b, x)
				b.WriteByte(')')
				continue
			}
			printSearch(b, x)
		}
	case SOr:
		for i, x := range e {
			if i > 0 {
				b.WriteString(" OR ")
			}
			printGrouped(b, x)
		}
	case SNot:
		b.WriteString("NOT ")
		printGrouped(b, e.X)
	case STerm:
		switch {
		case e.Func != "":
			b.WriteString(e.Func + "(" + e.Value.String() + ")")
		case e.Field == "":
			b.WriteString(e.Value.String())
		default:
			b.WriteString(printField(e.Field) + e.Op + e.Value.String())
		}
	case SIn:
		b.WriteString(printField(e.Field) + " IN (")
		for i, v := range e.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte(')')
	case SSub:
		b.WriteString("[" + e.Query.String() + "]")
	case SMacro:
		b.WriteString("`" + e.Text + "`")
	}
}

// printGrouped parenthesizes conjunctions and disjunctions.
func printGrouped(b *strings.Builder, e SearchExpr) {
	switch e.(type) {
	case SAnd, SOr:
		b.WriteByte('(')
		printSearch(b, e)
		b.WriteByte(')')
	default:
		printSearch(b, e)
	}
}

// Precedence of eval operators, loosest first.
func prec(e Expr) int {
	switch e := e.(type) {
	case EBinary:
		switch e.Op {
		case "OR":
			return 1
		case "XOR":
			return 2
		case "AND":
			return 3
		case "+", "-", ".":
			return 6
		case "*", "/", "%":
			return 7
		}
		return 5 // comparisons, LIKE
	case EIn:
		return 5
	case EUnary:
		if e.Op == "NOT" {
			return 4
		}
		return 8
	}
	return 9
}

// PrintExpr prints an eval expression canonically.
func PrintExpr(e Expr) string {
	var b strings.Builder
	printExpr(&b, e)
	return b.String()
}

func printSub(b *strings.Builder, e Expr, paren bool) {
	if paren {
		b.WriteByte('(')
		printExpr(b, e)
		b.WriteByte(')')
		return
	}
	printExpr(b, e)
}

func printExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case EIdent:
		if e.Quoted {
			b.WriteString("'" + e.Name + "'")
		} else {
			b.WriteString(e.Name)
		}
	case EString:
		b.WriteString(quote(e.Value))
	case ENumber:
		b.WriteString(e.Text)
	case ECall:
		b.WriteString(e.Func + "(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			printExpr(b, a)
		}
		b.WriteByte(')')
	case EBinary:
		p := prec(e)
		printSub(b, e.L, prec(e.L) < p)
		b.WriteString(" " + e.Op + " ")
		printSub(b, e.R, prec(e.R) <= p)
	case EUnary:
		p := prec(e)
		if e.Op == "NOT" {
			b.WriteString("NOT ")
		} else {
			b.WriteString(e.Op)
		}
		printSub(b, e.X, prec(e.X) < p)
	case EIn:
		printSub(b, e.X, prec(e.X) <= 5)
		b.WriteString(" IN (")
		for i, a := range e.List {
			if i > 0 {
				b.WriteString(", ")
			}
			printExpr(b, a)
		}
		b.WriteByte(')')
	}
}
