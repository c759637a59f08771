package esql

import (
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrint(t *testing.T) {
	tests := map[string]langtest.PrintCase{
		"from and where": {"FROM logs-*,  other-* METADATA _id\n| WHERE a==\"x\"AND NOT b IN (1,2) // c",
			`from logs-*, other-* metadata _id | where a == "x" and not b in (1, 2)`},
		"eval and stats": {"from x | EVAL a = TO_LOWER(b), c = x + 1 | INLINE STATS n = COUNT(*) WHERE a == \"y\" BY h = to_lower(host.name), u",
			`from x | eval a = TO_LOWER(b), c = x + 1 | inline stats n = COUNT(*) where a == "y" by h = to_lower(host.name), u`},
		"generic tokens keep adjacency": {"from x | keep Esql.*, @timestamp | sort  a DESC, b | limit 10 | mv_expand  a",
			"from x | keep Esql.*, @timestamp | sort a DESC, b | limit 10 | mv_expand a"},
		"strings": {`from x | where a == """x"y\z""" | dissect m "%{a} \"%{b}\""`, `from x | where a == "x\"y\\z" | dissect m "%{a} \"%{b}\""`},
		"intervals and casts": {`from x | where @timestamp > now() - 1 HOUR and a::long > -5 and date_trunc(5m, t) == c`,
			`from x | where @timestamp > now() - 1 hour and a::long > -5 and date_trunc(5 m, t) == c`},
		"parens": {`from x | where (a or b) and not (c and d) and (e like "x*")`, `from x | where (a or b) and not (c and d) and e like "x*"`},
		"names":  {"from x | where `a b`.c == 1 and `not` == 2 | rename `x y` as z", "from x | where `a b.c` == 1 and `not` == 2 | rename `x y` as z"},
		"map and array": {`from x | completion r = p WITH {"inference_id": "id"} | eval a = mv_contains(b, ["x", "y"]) | where match(f, "x", {"fuzziness": 1})`,
			`from x | completion r = p WITH {"inference_id": "id"} | eval a = mv_contains(b, ["x", "y"]) | where match(f, "x", {"fuzziness": 1})`},
		"row source":   {`row a = 1, b = "x" | where a == 1`, `row a = 1, b = "x" | where a == 1`},
		"quoted index": {`from "logs-a b" | limit 1`, `from "logs-a b" | limit 1`},
	}
	langtest.CheckPrint(t, lang, tests)
}

func TestParseErrors(t *testing.T) {
	tests := map[string]langtest.ErrorCase{
		"empty":                {``, 1, 1, "expected a source command such as FROM, found end of query"},
		"no index":             {`from | where a`, 1, 6, "expected an index pattern, found \"|\""},
		"bad where":            {"from x\n| where a ==", 2, 13, "expected a value or field, found end of query"},
		"unterminated string":  {"from x | where a == \"b", 1, 21, "unterminated string"},
		"bad escape":           {`from x | where a == "\d"`, 1, 22, `illegal escape sequence \d`},
		"unclosed paren":       {`from x | where (a == 1`, 1, 23, `expected ")", found end of query`},
		"trailing in where":    {`from x | where a == 1 b`, 1, 23, `unexpected "b"`},
		"is without null":      {`from x | where a is not 1`, 1, 25, `expected "null", found number 1`},
		"rename":               {`from x | rename a b`, 1, 19, `expected "as" or "=", found "b"`},
		"keyword as value":     {`from x | where and`, 1, 16, `unexpected keyword "and"`},
		"missing command":      {`from x | | where a`, 1, 10, `expected a command name, found "|"`},
		"unterminated comment": {"from x /* y", 1, 8, "unterminated comment"},
	}
	langtest.CheckErrors(t, lang, tests)
}

func TestDepthLimit(t *testing.T) {
	src := "from x | where " + strings.Repeat("(", 5000) + "a"
	_, err := Parse(src)
	var se *rule.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "query nested too deeply", se.Msg)
}
