package lucene

import "strings"

// String prints the query in canonical form: upper-case AND/OR/NOT, explicit
// OR between clauses, `field:value` on every term (field groups are spread
// onto their terms), ranges in bracket form, and parentheses only where
// precedence needs them. Parsing the output gives the same tree.
func (q *Query) String() string {
	if q == nil || q.Root == nil {
		return ""
	}
	var b strings.Builder
	printNode(&b, q.Root, 0)
	return b.String()
}

const (
	precOr = iota + 1
	precAnd
	precUnary
	precAtom
)

func prec(n Node) int {
	switch n.(type) {
	case Or:
		return precOr
	case And:
		return precAnd
	case Not, Must:
		return precUnary
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
		for i, x := range n {
			if i > 0 {
				b.WriteString(" OR ")
			}
			printNode(b, x, precAnd)
		}
	case And:
		for i, x := range n {
			if i > 0 {
				b.WriteString(" AND ")
			}
			printNode(b, x, precUnary)
		}
	case Not:
		b.WriteString("NOT ")
		printNode(b, n.X, precUnary)
	case Must:
		b.WriteByte('+')
		printNode(b, n.X, precUnary)
	case Group:
		b.WriteByte('(')
		printNode(b, n.X, 0)
		b.WriteByte(')')
		b.WriteString(n.Suffix)
	case Exists:
		b.WriteString("_exists_:")
		writeTerm(b, n.Field, false)
	case Range:
		writeTerm(b, n.Field, false)
		b.WriteByte(':')
		if n.IncLo {
			b.WriteByte('[')
		} else {
			b.WriteByte('{')
		}
		writeBound(b, n.Lo)
		b.WriteString(" TO ")
		writeBound(b, n.Hi)
		if n.IncHi {
			b.WriteByte(']')
		} else {
			b.WriteByte('}')
		}
	case Term:
		if n.Field != "" {
			writeTerm(b, n.Field, false)
			b.WriteByte(':')
		}
		writeValue(b, n.Value)
	}
}

func writeValue(b *strings.Builder, v Value) {
	switch {
	case v.Regex:
		b.WriteByte('/')
		b.WriteString(v.Pattern)
		b.WriteByte('/')
	case v.Quoted:
		b.WriteByte('"')
		for _, c := range []byte(v.Literal()) {
			if c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteByte('"')
	default:
		writeTerm(b, v.Pattern, true)
	}
	b.WriteString(v.Suffix)
}

func writeBound(b *strings.Builder, s string) {
	if s == "*" {
		b.WriteByte('*')
		return
	}
	if s != "" && !strings.ContainsAny(s, " \t\n\r\f\v[]{}\"\\*?") && s != "TO" {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for _, c := range []byte(unescapePattern(s)) {
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
}

// writeTerm prints a term (pattern form when wild is true, where `*`/`?`
// are wildcards; otherwise plain text such as a field name whose `*` is
// printed bare).
func writeTerm(b *strings.Builder, s string, wild bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if wild && c == '\\' && i+1 < len(s) {
			i++
			b.WriteByte('\\')
			b.WriteByte(s[i])
			continue
		}
		if !wild && c == '\\' {
			b.WriteString(`\\`)
			continue
		}
		if !wild && c == '?' {
			b.WriteString(`\?`)
			continue
		}
		if termEnd(c) || c == '\\' || c == '+' || c == '-' || c == '&' || c == '|' || c == '<' || c == '>' || c == '\'' {
			b.WriteByte('\\')
		} else if i == 0 && isKeyword(s) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

func isKeyword(s string) bool {
	for _, kw := range []string{"AND", "OR", "NOT", "TO"} {
		if strings.HasPrefix(s, kw) && (len(s) == len(kw) || termEnd(s[len(kw)])) {
			return true
		}
	}
	return false
}
