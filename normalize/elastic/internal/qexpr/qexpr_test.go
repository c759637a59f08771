package qexpr

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/qtok"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testLang is a minimal language over the shared grammar: its tokens are
// separated by spaces, its operands are the common ones, names and calls
// `f(…)`, and it adds no predicates.
type testLang struct{ *Parser }

func (testLang) Predicate(l Expr) (Expr, error) { return l, nil }

func (g testLang) Operand() (Expr, error) {
	if x, ok, err := g.Common(); ok {
		return x, err
	}
	t := g.Peek()
	if t.Kind != qtok.Ident || qtok.IsKw(t, "and") || qtok.IsKw(t, "or") || qtok.IsKw(t, "not") {
		return nil, g.Errorf(t, "expected a value, found %s", qtok.Describe(t))
	}
	g.Advance()
	if qtok.IsPunct(g.Peek(), "(") {
		args, err := g.ParenList(true)
		return &Call{Name: t.Val, Args: args}, err
	}
	return &Field{Name: t.Val}, nil
}

func (testLang) Prec(Expr) int                          { return PrecPrimary }
func (testLang) Write(*Printer, *strings.Builder, Expr) {}

// lexWords splits src at spaces into tokens: numbers (digits), "strings"
// and `quoted` names (of name characters), names, and punctuation (any
// other word).
func lexWords(src string) []qtok.Token {
	var toks []qtok.Token
	pos := 0
	for _, w := range strings.Split(src, " ") {
		t := qtok.Token{Val: w, Pos: pos, Kind: qtok.Punct}
		switch {
		case w == "":
			pos++
			continue
		case strings.Trim(w, "0123456789") == "":
			t.Kind = qtok.Number
		case len(w) > 1 && w[0] == '"' && w[len(w)-1] == '"' && nameChars(w[1:len(w)-1]):
			t.Kind, t.Val = qtok.String, w[1:len(w)-1]
		case len(w) > 1 && w[0] == '`' && w[len(w)-1] == '`' && nameChars(w[1:len(w)-1]):
			t.Kind, t.Val = qtok.Quoted, w[1:len(w)-1]
		case qtok.IsIdentStart(w[0]) && nameChars(w):
			t.Kind = qtok.Ident
		}
		toks = append(toks, t)
		pos += len(w) + 1
	}
	return append(toks, qtok.Token{Kind: qtok.EOF, Pos: len(src)})
}

// nameChars reports whether s has name characters only.
func nameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if !qtok.IsIdentPart(s[i]) {
			return false
		}
	}
	return true
}

var testSyntax = &Syntax{}

func parseTest(src string, syntax *Syntax) (Expr, error) {
	p := &Parser{Stream: qtok.Stream{Src: src, Toks: lexWords(src)}, Syntax: syntax}
	p.Grammar = testLang{p}
	x, err := p.Expr()
	if err == nil && p.Peek().Kind != qtok.EOF {
		err = p.Errorf(p.Peek(), "unexpected %s", qtok.Describe(p.Peek()))
	}
	return x, err
}

var testPrinter = &Printer{Keywords: map[string]bool{"and": true, "or": true, "not": true},
	Quote: func(b *strings.Builder, s string) { b.WriteString(strconv.Quote(s)) }, Ext: testLang{}}

func TestParsePrint(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"precedence":         {`a + b * c`, `a + b * c`},
		"parens kept":        {`( a + b ) * c`, `(a + b) * c`},
		"parens dropped":     {`a + ( b * c )`, `a + b * c`},
		"left assoc":         {`a - ( b - c ) - d`, `a - (b - c) - d`},
		"minus folds":        {`- 5 * - - 2`, `-5 * 2`},
		"neg":                {`- a % 2`, `-a % 2`},
		"neg of sum":         {`- ( a + 1 )`, `-(a + 1)`},
		"logic":              {`a == 1 and not b < 2 or c`, `a == 1 and not b < 2 or c`},
		"or inside and":      {`a and ( b or c )`, `a and (b or c)`},
		"and flattened":      {`a and b and c`, `a and b and c`},
		"not of and":         {`not ( a and b )`, `not (a and b)`},
		"literals":           {`f ( "x" , 1 , true , FALSE , null ) == g ( )`, `f("x", 1, true, false, null) == g()`},
		"quoted keyword":     {"`and` == `or` and `c.d` == 1", "`and` == `or` and c.d == 1"},
		"compare of arith":   {`a + 1 < b * 2`, `a + 1 < b * 2`},
		"nested compare arg": {`( a == b ) == c`, `(a == b) == c`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			x, err := parseTest(tc.in, testSyntax)
			require.NoError(t, err)
			assert.Equal(t, tc.want, testPrinter.String(x))
		})
	}
}

func TestAST(t *testing.T) {
	x, err := parseTest(`- - 5 and - a and - 1`, testSyntax)
	require.NoError(t, err)
	assert.Equal(t, &Logical{Op: "and", X: []Expr{
		&Literal{Kind: LitNumber, Value: "5"},
		&Neg{X: &Field{Name: "a"}},
		&Literal{Kind: LitNumber, Value: "-1"},
	}}, x)
}

func TestUnaryPlus(t *testing.T) {
	_, err := parseTest(`+ 1`, testSyntax)
	require.Error(t, err, "no unary plus unless the syntax has it")
	x, err := parseTest(`+ 1`, &Syntax{UnaryPlus: true})
	require.NoError(t, err)
	assert.Equal(t, &Literal{Kind: LitNumber, Value: "1"}, x)
}

func TestMoreCompare(t *testing.T) {
	x, err := parseTest(`a =~ "b"`, &Syntax{MoreCompare: []string{"=~"}})
	require.NoError(t, err)
	assert.Equal(t, &Compare{Op: "=~", L: &Field{Name: "a"}, R: &Literal{Kind: LitString, Value: "b"}}, x)
	_, err = parseTest(`a =~ "b"`, testSyntax)
	assert.Error(t, err, "=~ is no comparison unless the syntax adds it")
}

func TestErrors(t *testing.T) {
	for in, want := range map[string]string{
		`a ==`:        `line 1, column 5: expected a value, found end of query`,
		`( a`:         `line 1, column 4: expected ")", found end of query`,
		`f ( a ,`:     `line 1, column 8: expected a value, found end of query`,
		`a and or b`:  `line 1, column 7: expected a value, found "or"`,
		`f ( ) ) ( b`: `line 1, column 7: unexpected ")"`,
	} {
		_, err := parseTest(in, testSyntax)
		var se *rule.SyntaxError
		require.ErrorAs(t, err, &se, in)
		assert.Equal(t, want, se.Error(), in)
	}
}

func TestDepth(t *testing.T) {
	deep := strings.Repeat("( ", MaxDepth+5) + "a" + strings.Repeat(" )", MaxDepth+5)
	_, err := parseTest(deep, testSyntax)
	var se *rule.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "query nested too deeply", se.Msg)
	ok := strings.Repeat("( ", MaxDepth/2) + "a" + strings.Repeat(" )", MaxDepth/2)
	_, err = parseTest(ok, testSyntax)
	assert.NoError(t, err)
}

func TestSkipCuts(t *testing.T) {
	s := Skip("eql", "why", strings.Repeat("x", 200))
	assert.Equal(t, "eql: why: "+strings.Repeat("x", 117)+"...", s.Reason)
	assert.Equal(t, "esql: w: a", Skip("esql", "w", "a").Reason)
}

// FuzzParse checks that the shared grammar never panics, fails only with
// *rule.SyntaxError values, and prints a fixed point.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`a + b * c`, `- ( a + 1 ) == f ( "x" , 2 )`, `not a and b or c`, "`or` < - - 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := parseTest(src, testSyntax)
		if err != nil {
			var se *rule.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		s := testPrinter.String(x)
		// The printer joins tokens; space them again for the word lexer.
		x2, err := parseTest(respace(s), testSyntax)
		if err != nil {
			t.Fatalf("reparse of %q (from %q): %v", s, src, err)
		}
		if s2 := testPrinter.String(x2); s2 != s {
			t.Fatalf("print not stable: %q → %q (from %q)", s, s2, src)
		}
	})
}

// respace puts spaces around the parentheses, commas and minus signs the
// printer writes without them.
func respace(s string) string {
	r := strings.NewReplacer("(", " ( ", ")", " ) ", ",", " , ", "-", " - ")
	return r.Replace(s)
}
