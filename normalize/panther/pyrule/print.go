package pyrule

import "strings"

// String renders the query as canonical Python source: four-space
// indentation, double-quoted strings, one statement per line, opaque
// statements as `pass` and opaque expressions as their source text in
// parentheses. Parsing the output gives a query that prints the same.
func (q *Query) String() string {
	var b strings.Builder
	printBlock(&b, q.Body, 0)
	return b.String()
}

func indent(b *strings.Builder, n int) {
	for range n {
		b.WriteString("    ")
	}
}

func printBlock(b *strings.Builder, body []Stmt, lvl int) {
	if len(body) == 0 {
		indent(b, lvl)
		b.WriteString("pass\n")
		return
	}
	for _, s := range body {
		printStmt(b, s, lvl)
	}
}

func printStmt(b *strings.Builder, s Stmt, lvl int) {
	indent(b, lvl)
	switch s := s.(type) {
	case *Import:
		if s.From != "" {
			b.WriteString("from " + s.From + " import " + importList(s) + "\n")
		} else {
			b.WriteString("import " + importList(s) + "\n")
		}
	case *FuncDef:
		b.WriteString("def " + s.Name + "(")
		for i, p := range s.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p)
			if d, ok := s.Defaults[p]; ok {
				b.WriteByte('=')
				printOperand(b, d)
			}
		}
		b.WriteString("):\n")
		printBlock(b, s.Body, lvl+1)
	case *Assign:
		b.WriteString(ExprString(s.Target) + " = " + ExprString(s.Value) + "\n")
	case *If:
		b.WriteString("if " + ExprString(s.Cond) + ":\n")
		printBlock(b, s.Body, lvl+1)
		for len(s.Else) == 1 {
			elif, ok := s.Else[0].(*If)
			if !ok {
				break
			}
			indent(b, lvl)
			b.WriteString("elif " + ExprString(elif.Cond) + ":\n")
			printBlock(b, elif.Body, lvl+1)
			s = elif
		}
		if len(s.Else) > 0 {
			indent(b, lvl)
			b.WriteString("else:\n")
			printBlock(b, s.Else, lvl+1)
		}
	case *For:
		b.WriteString("for " + ExprString(s.Target) + " in " + ExprString(s.Iter) + ":\n")
		printBlock(b, s.Body, lvl+1)
	case *Block:
		if s.Kind == "with" {
			b.WriteString("with _:\n")
			printBlock(b, s.Body, lvl+1)
			return
		}
		b.WriteString("try:\n")
		printBlock(b, s.Body, lvl+1)
		indent(b, lvl)
		b.WriteString("except Exception:\n")
		indent(b, lvl+1)
		b.WriteString("pass\n")
	case *Return:
		if s.Value == nil {
			b.WriteString("return\n")
		} else {
			b.WriteString("return " + ExprString(s.Value) + "\n")
		}
	case *ExprStmt:
		b.WriteString(ExprString(s.X) + "\n")
	case *OpaqueStmt:
		if s.Kind == "class_definition" && s.Name != "" {
			b.WriteString("class " + s.Name + ":\n")
			indent(b, lvl+1)
		}
		b.WriteString("pass\n")
	default:
		b.WriteString("pass\n")
	}
}

// ExprString renders an expression as canonical Python source.
func ExprString(e Expr) string {
	var b strings.Builder
	printExpr(&b, e)
	return b.String()
}

func printExprs(b *strings.Builder, xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		printExpr(b, x)
	}
}

// printElems prints the elements of a display, where starred items are valid.
func printElems(b *strings.Builder, xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		if o, ok := x.(*Opaque); ok && isSplat(o) {
			b.WriteString(o.Text)
			continue
		}
		printExpr(b, x)
	}
}

func isSplat(o *Opaque) bool {
	return strings.HasSuffix(o.Kind, "splat") || strings.HasSuffix(o.Kind, "splat_pattern")
}

// printOperand prints x, in parentheses when it is itself an operator expression.
func printOperand(b *strings.Builder, x Expr) {
	switch x.(type) {
	case *BoolOp, *Not, *Compare, *IfExp:
		b.WriteByte('(')
		printExpr(b, x)
		b.WriteByte(')')
	default:
		printExpr(b, x)
	}
}

func printExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Name:
		b.WriteString(e.ID)
	case *Str:
		b.WriteString(quote(e.Value))
	case *Num:
		if strings.HasPrefix(e.Text, "-") {
			b.WriteString("(" + e.Text + ")")
		} else {
			b.WriteString(e.Text)
		}
	case *Const:
		b.WriteString(e.Value)
	case *Attr:
		printPrimary(b, e.X)
		b.WriteString("." + e.Name)
	case *Call:
		printPrimary(b, e.Fn)
		b.WriteByte('(')
		if len(e.Args) == 1 && len(e.Kwargs) == 0 {
			if c, ok := e.Args[0].(*Comp); ok && c.Kind == "gen" {
				printComp(b, c)
				b.WriteByte(')')
				return
			}
		}
		printExprs(b, e.Args)
		for i, kw := range e.Kwargs {
			if i > 0 || len(e.Args) > 0 {
				b.WriteString(", ")
			}
			b.WriteString(kw.Name + "=")
			printExpr(b, kw.Value)
		}
		b.WriteByte(')')
	case *Subscript:
		printPrimary(b, e.X)
		b.WriteByte('[')
		if o, ok := e.Index.(*Opaque); ok && (o.Kind == "slice" || isSplat(o)) {
			b.WriteString(o.Text)
		} else {
			printExpr(b, e.Index)
		}
		b.WriteByte(']')
	case *Coll:
		switch e.Kind {
		case "list":
			b.WriteByte('[')
			printElems(b, e.Elts)
			b.WriteByte(']')
		case "tuple":
			b.WriteByte('(')
			printElems(b, e.Elts)
			if len(e.Elts) == 1 {
				b.WriteByte(',')
			}
			b.WriteByte(')')
		case "set":
			if len(e.Elts) == 0 {
				b.WriteString("set()")
				return
			}
			b.WriteByte('{')
			printElems(b, e.Elts)
			b.WriteByte('}')
		case "dict":
			b.WriteByte('{')
			for i := range e.Elts {
				if i > 0 {
					b.WriteString(", ")
				}
				printExpr(b, e.Elts[i])
				b.WriteString(": ")
				printExpr(b, e.Values[i])
			}
			b.WriteByte('}')
		}
	case *Comp:
		open, close := map[string]string{"list": "[", "set": "{", "gen": "("}[e.Kind], map[string]string{"list": "]", "set": "}", "gen": ")"}[e.Kind]
		b.WriteString(open)
		printComp(b, e)
		b.WriteString(close)
	case *NamedExpr:
		b.WriteString("(" + e.Name + " := ")
		printOperand(b, e.X)
		b.WriteByte(')')
	case *IfExp:
		b.WriteByte('(')
		printOperand(b, e.Body)
		b.WriteString(" if ")
		printOperand(b, e.Cond)
		b.WriteString(" else ")
		printOperand(b, e.Else)
		b.WriteByte(')')
	case *BoolOp:
		for i, x := range e.Xs {
			if i > 0 {
				b.WriteString(" " + e.Op + " ")
			}
			printOperand(b, x)
		}
	case *BinOp:
		printBinOperand(b, e.L)
		b.WriteString(" " + e.Op + " ")
		printBinOperand(b, e.R)
	case *Not:
		b.WriteString("not ")
		printOperand(b, e.X)
	case *Compare:
		printOperand(b, e.Left)
		for i, op := range e.Ops {
			b.WriteString(" " + op + " ")
			printOperand(b, e.Right[i])
		}
	case *Opaque:
		switch {
		case isSplat(e):
			// a starred expression outside a display is not valid on its
			// own; it stands for an unknown value
			b.WriteString("None")
		case e.Kind == "slice":
			b.WriteString(e.Text)
		default:
			b.WriteString("(" + e.Text + ")")
		}
	default:
		b.WriteString("None")
	}
}

// printBinOperand prints an operand of a binary operator, parenthesized
// unless it is a primary expression.
func printBinOperand(b *strings.Builder, x Expr) {
	switch x.(type) {
	case *Name, *Attr, *Call, *Subscript, *Str, *Coll, *Comp, *Opaque, *Const:
		printExpr(b, x)
	default:
		b.WriteByte('(')
		printExpr(b, x)
		b.WriteByte(')')
	}
}

// printPrimary prints the object of an attribute, call or subscript,
// parenthesized unless it is a primary expression already.
func printPrimary(b *strings.Builder, x Expr) {
	switch x := x.(type) {
	case *Name, *Attr, *Call, *Subscript, *Str, *Coll, *Comp, *Opaque, *Const:
		printExpr(b, x)
	case *Num:
		b.WriteString("(" + x.Text + ")")
	default:
		b.WriteByte('(')
		printExpr(b, x)
		b.WriteByte(')')
	}
}

func printComp(b *strings.Builder, c *Comp) {
	printOperand(b, c.Elt)
	b.WriteString(" for " + c.Var + " in ")
	printOperand(b, c.Iter)
	if c.Cond != nil {
		b.WriteString(" if ")
		printOperand(b, c.Cond)
	}
}

// importList prints the imported names, with `as` where an alias was given.
func importList(s *Import) string {
	out := make([]string, len(s.Names))
	for i, n := range s.Names {
		out[i] = n
		if i < len(s.Orig) {
			o := s.Orig[i]
			switch {
			case o == n, s.From == "" && strings.HasPrefix(o, n+"."):
				out[i] = o
			default:
				out[i] = o + " as " + n
			}
		}
	}
	return strings.Join(out, ", ")
}
