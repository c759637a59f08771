package eql

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"
	"github.com/ruleatlas/ruleatlas/normalize/rule"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrint(t *testing.T) {
	tests := map[string]langtest.PrintCase{
		"spacing and case": {"process  WHERE a==\"x\"AND NOT b : (\"y\",\"z\")",
			`process where a == "x" and not b : ("y", "z")`},
		"precedence parens kept only where needed": {`any where (a == 1 or b == 2) and (c == 3) and not (d == 4 or e == 5)`,
			`any where (a == 1 or b == 2) and c == 3 and not (d == 4 or e == 5)`},
		"arithmetic": {`any where (a + 1) * 2 > -b - -3`, `any where (a + 1) * 2 > -b - -3`},
		"strings":    {`any where a == """x"y\z""" and b == ?"raw\n"`, `any where a == "x\"y\\z" and b == "raw\\n"`},
		"names":      {"any where `a b`.c == 1 and ?`and` == 2 and x.`0`.y == 3", "any where `a b.c` == 1 and ?`and` == 2 and x.0.y == 3"},
		"sequence": {"sequence with maxspan=1m by a [process where true] by b with runs=3 ![file where true] until [any where true] | tail 2",
			"sequence by a with maxspan=1m [process where true] by b with runs=3 ![file where true] until [any where true] | tail 2"},
		"functions": {`any where startsWith~ (a, "x") and c like~ "y"`, `any where startsWith~(a, "x") and c like~ "y"`},
		"in forms":  {`any where a not in ("x") and b in~ ("y")`, `any where a not in ("x") and b in~ ("y")`},
		"lineage":   {`process where descendant of [process where a == 1]`, `process where descendant of [process where a == 1]`},
	}
	langtest.CheckPrint(t, lang, tests)
}

func TestParseErrors(t *testing.T) {
	tests := map[string]langtest.ErrorCase{
		"empty":                {``, 1, 1, "expected an event category, found end of query"},
		"missing where":        {`process a == 1`, 1, 9, `expected "where", found "a"`},
		"unterminated string":  {"process where\n  a == \"x", 2, 8, "unterminated string"},
		"bad escape":           {`any where a == "C:\Windows"`, 1, 19, `illegal escape sequence \W`},
		"unclosed paren":       {`any where (a == 1`, 1, 18, `expected ")", found end of query`},
		"no steps":             {`sequence by a`, 1, 14, "expected a [ sub-query ], found end of query"},
		"bad maxspan":          {`sequence with maxspan=x [any where true]`, 1, 23, `expected a duration after maxspan=, found "x"`},
		"trailing":             {`any where a == 1 )`, 1, 18, `unexpected ")"`},
		"keyword as field":     {`any where and == 1`, 1, 11, `unexpected keyword "and"`},
		"bad character":        {`any where a # 1`, 1, 13, `unexpected character '#'`},
		"unterminated raw":     {`any where a == """x`, 1, 16, "unterminated raw string"},
		"unterminated comment": {"any where /* x", 1, 11, "unterminated comment"},
		"column counts runes":  {"any where a == \"é\" b", 1, 20, `unexpected "b"`},
	}
	langtest.CheckErrors(t, lang, tests)
}

func TestDepthLimit(t *testing.T) {
	src := "any where "
	for range 5000 {
		src += "("
	}
	_, err := Parse(src + "a == 1")
	var se *rule.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "query nested too deeply", se.Msg)
}
