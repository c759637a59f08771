package kusto

import (
	"strings"
)

// String prints the query in canonical form: one statement per line ending
// in ";", single spaces between tokens, double-quoted strings, binary
// operands that are themselves binary operations in parentheses. Printing a
// parsed query and parsing it again gives the same text (the round-trip
// oracle of the tests and fuzz target).
func (q *Query) String() string {
	var b strings.Builder
	printStmts(&b, q.Stmts)
	return b.String()
}

func printStmts(b *strings.Builder, stmts []Stmt) {
	for _, s := range stmts {
		printStmt(b, s)
		b.WriteString(";\n")
	}
}

func printStmt(b *strings.Builder, s Stmt) {
	switch s := s.(type) {
	case *Let:
		b.WriteString("let " + ident(s.Name) + " = ")
		if s.Fn != nil {
			printFunc(b, s.Fn)
		} else {
			printExpr(b, s.Value)
		}
	case *ExprStmt:
		printExpr(b, s.X)
	case *RawStmt:
		printToks(b, s.Toks)
	}
}

func printFunc(b *strings.Builder, f *Func) {
	if f.View {
		b.WriteString("view ")
	}
	b.WriteString("(")
	for i, p := range f.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ident(p.Name) + ":" + p.Type)
		if p.Default != nil {
			b.WriteString(" = ")
			printExpr(b, p.Default)
		}
	}
	b.WriteString(") {\n")
	printStmts(b, f.Stmts)
	b.WriteString("}")
}

// ExprString prints one expression in canonical form.
func ExprString(e Expr) string {
	var b strings.Builder
	printExpr(&b, e)
	return b.String()
}

func printExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Ident:
		b.WriteString(ident(e.Name))
	case *Lit:
		if e.Kind == TokString {
			b.WriteString(quote(e.Value))
		} else {
			b.WriteString(e.Value)
		}
	case *Star:
		b.WriteString("*")
	case *Binary:
		printOperand(b, e.L)
		b.WriteString(" " + e.Op + " ")
		printOperand(b, e.R)
	case *Between:
		printOperand(b, e.X)
		if e.Neg {
			b.WriteString(" !between (")
		} else {
			b.WriteString(" between (")
		}
		printOperand(b, e.Lo)
		b.WriteString(" .. ")
		printOperand(b, e.Hi)
		b.WriteString(")")
	case *Unary:
		b.WriteString(e.Op)
		printOperand(b, e.X)
	case *List:
		b.WriteString("(")
		printList(b, e.Elems)
		b.WriteString(")")
	case *Call:
		printExpr(b, e.Fun)
		b.WriteString("(")
		if id, ok := e.Fun.(*Ident); ok && strings.EqualFold(id.Name, "dynamic") && len(e.Args) == 1 {
			if a, ok := e.Args[0].(*Array); ok {
				// inside dynamic() `[` always starts an array
				b.WriteString("[")
				printList(b, a.Elems)
				b.WriteString("])")
				return
			}
		}
		printList(b, e.Args)
		b.WriteString(")")
	case *Member:
		printExpr(b, e.X)
		if isIdent(e.Name) {
			b.WriteString("." + e.Name)
		} else {
			b.WriteString(".[" + quote(e.Name) + "]")
		}
	case *Index:
		printExpr(b, e.X)
		b.WriteString("[")
		printExpr(b, e.I)
		b.WriteString("]")
	case *Array:
		b.WriteString("[")
		printList(b, e.Elems)
		if len(e.Elems) == 1 && isStringLit(e.Elems[0]) {
			b.WriteString(",") // ["x"] alone would read as a bracketed name
		}
		b.WriteString("]")
	case *Bag:
		b.WriteString("{")
		for i, k := range e.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(k) + ": ")
			printExpr(b, e.Vals[i])
		}
		b.WriteString("}")
	case *Named:
		b.WriteString(e.Name + " = ")
		printExpr(b, e.Value)
	case *Paren:
		b.WriteString("(")
		printExpr(b, e.X)
		b.WriteString(")")
	case *Pipe:
		if e.Source != nil {
			printExpr(b, e.Source)
			b.WriteString("\n")
		}
		for _, op := range e.Ops {
			b.WriteString("| ")
			printOp(b, op)
			b.WriteString("\n")
		}
	case *Union:
		b.WriteString("union")
		for _, p := range e.Params {
			b.WriteString(" ")
			printExpr(b, p)
		}
		b.WriteString(" ")
		printList(b, e.Tables)
	case *DataTable:
		b.WriteString("datatable")
		printToks(b, e.Schema)
		b.WriteString(" [")
		printList(b, e.Values)
		b.WriteString("]")
	case *RawExpr:
		printToks(b, e.Toks)
	}
}

// printOperand prints e, in parentheses when it is a binary operation.
func printOperand(b *strings.Builder, e Expr) {
	switch e.(type) {
	case *Binary, *Between, *Pipe:
		b.WriteString("(")
		printExpr(b, e)
		b.WriteString(")")
	default:
		printExpr(b, e)
	}
}

func printList(b *strings.Builder, es []Expr) {
	for i, x := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		printExpr(b, x)
	}
}

func printOp(b *strings.Builder, op Operator) {
	switch o := op.(type) {
	case *Where:
		b.WriteString(o.Kw + " ")
		printExpr(b, o.Pred)
	case *Join:
		b.WriteString(o.Kw)
		for _, p := range o.Params {
			b.WriteString(" ")
			printExpr(b, p)
		}
		b.WriteString(" ")
		printOperand(b, o.Right)
		if len(o.On) > 0 {
			b.WriteString(" ")
			printToks(b, o.On)
		}
	case *UnionOp:
		printExpr(b, o.U)
	case *Generic:
		b.WriteString(o.Name)
		if len(o.Toks) > 0 {
			b.WriteString(" ")
			printToks(b, o.Toks)
		}
	}
}

// printToks prints raw tokens separated by single spaces.
func printToks(b *strings.Builder, toks []Token) {
	for i, t := range toks {
		if i > 0 {
			b.WriteString(" ")
		}
		switch t.Kind {
		case TokString:
			b.WriteString(quote(t.Text))
		case TokIdent:
			b.WriteString(ident(t.Text))
		default:
			b.WriteString(t.Text)
		}
	}
}

// isIdent reports whether s lexes as one identifier.
func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) || s[0] >= 0x80 && unicodeSpace(s) > 0 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !identCharAt(s, i) {
			return false
		}
	}
	return true
}

// ident prints a name, as ['name'] when it is not a plain identifier.
func ident(s string) string {
	if isIdent(s) || isDashedName(s) {
		return s
	}
	return "[" + quote(s) + "]"
}

func isDashedName(s string) bool {
	for _, d := range dashedNames {
		if strings.EqualFold(s, d) {
			return true
		}
	}
	return false
}

// quote writes s as a double-quoted Kusto string.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
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
	return b.String()
}

// toksString prints raw tokens as printToks does.
func toksString(toks []Token) string {
	var b strings.Builder
	printToks(&b, toks)
	return b.String()
}

func isStringLit(e Expr) bool {
	lit, ok := e.(*Lit)
	return ok && lit.Kind == TokString
}
