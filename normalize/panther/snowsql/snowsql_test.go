package snowsql

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

func TestBridge(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"path", `SELECT a:b.c FROM t`, `SELECT "a"->'b'->'c' FROM "t"`},
		{"quoted key", `SELECT a:"B" FROM t`, `SELECT "a"->'B' FROM "t"`},
		{"index in path", `SELECT a:b[0]:c FROM t`, `SELECT "a"->'b'->0->'c' FROM "t"`},
		{"cast stays", `SELECT a::string FROM t`, `SELECT "a"::string FROM "t"`},
		{"path then cast", `SELECT a:b::string FROM t`, `SELECT "a"->'b'::string FROM "t"`},
		{"spaced colon is no path", `SELECT 1 FROM t WHERE x = :y`, `SELECT 1 FROM "t" WHERE "x" = :"y"`},
		{"path in a string untouched", `SELECT 'a:b' FROM t`, `SELECT 'a:b' FROM "t"`},
		{"path in a comment untouched", "SELECT 1 -- a:b [1]\nFROM t", "SELECT 1 -- a:b [1]\nFROM \"t\""},
		{"array literal", `SELECT 1 FROM t WHERE x IN [1, 2]`, `SELECT 1 FROM "t" WHERE "x" IN ARRAY[1, 2]`},
		{"array arg", `SELECT f(x, ['a'])`, `SELECT "f"("x", ARRAY['a'])`},
		{"index on call", `SELECT split(x, '-')[1]`, `SELECT "split"("x", '-')->1`},
		{"rlike", `SELECT 1 FROM t WHERE x RLIKE 'a.*'`, `SELECT 1 FROM "t" WHERE "x" ~ 'a.*'`},
		{"not rlike", `SELECT 1 FROM t WHERE x NOT RLIKE 'a'`, `SELECT 1 FROM "t" WHERE "x"  !~ 'a'`},
		{"like any", `SELECT 1 FROM t WHERE x LIKE ANY ('a%', 'b%', 'c')`, `SELECT 1 FROM "t" WHERE "x" LIKE ANY (ARRAY['a%', 'b%', 'c'])`},
		{"qualify alone", `SELECT x FROM t QUALIFY n > 1 LIMIT 5`, `SELECT "x" FROM "t" HAVING ( "n" > 1) LIMIT 5`},
		{"qualify after having", `SELECT x FROM t GROUP BY x HAVING count(*) > 2 QUALIFY n > 1`, `SELECT "x" FROM "t" GROUP BY "x" HAVING ( "count"(*) > 2 ) AND ( "n" > 1)`},
		{"qualify ending in a path", `SELECT x FROM t QUALIFY n = a:b`, `SELECT "x" FROM "t" HAVING ( "n" = "a"->'b')`},
		{"table function", `SELECT 1 FROM TABLE(FLATTEN(input => x)) f`, `SELECT 1 FROM "FLATTEN"(input => "x") "f"`},
		{"within group", `SELECT listagg(x, ',') WITHIN GROUP (ORDER BY x) FROM t`, `SELECT "listagg"("x", ',')      FROM "t"`},
		{"date part", `SELECT dateadd(minute, -10, current_timestamp())`, `SELECT "dateadd"('minute', -10, current_timestamp)`},
		{"bare duration", `SELECT 1 FROM t WHERE p_occurs_since(90m)`, `SELECT 1 FROM "t" WHERE "p_occurs_since"('90m')`},
		{"duration with unit and empty arg", `SELECT 1 WHERE p_occurs_since(1 hour, , c)`, `SELECT 1 WHERE "p_occurs_since"('1 hour' , NULL, "c")`},
		{"duration-like text in a string", `SELECT '1Password' FROM t`, `SELECT '1Password' FROM "t"`},
		{"backslash string", `SELECT 'a\'b' FROM t`, `SELECT E'a\'b' FROM "t"`},
		{"path after call", `SELECT parse_json(x):k`, `SELECT "parse_json"("x")->'k'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bridge(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, b.sql)
			assert.Len(t, b.orig, len(b.sql)+1, "one original offset per byte")
		})
	}
}

func TestBridgeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"jinja import", "-- pragma\n{% import 'anomalies' x %}\nSELECT 1", `line 2: Jinja template "{% import 'anomalies' x %}"`},
		{"jinja call", "SELECT *\nFROM {{ new_unique_values('a') }}", `line 2: Jinja template "{{ new_unique_values('a') }}"`},
		{"unterminated string", "SELECT 1\nWHERE x = 'a", "line 2: unterminated quoted string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bridge(tt.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// lowered formats a query's predicates, one per line, and the skip reasons.
func lowered(t *testing.T, sql string) (string, []string, Query) {
	t.Helper()
	q, err := Read(sql, "q.yml", 10)
	require.NoError(t, err)
	ps, skipped := rule.Flatten(q.Logic)
	return strings.TrimSpace(rule.Format(ps)), skipped, q
}

func TestLower(t *testing.T) {
	const from = "SELECT * FROM panther_logs.public.aws_cloudtrail WHERE "
	tests := []struct {
		name, sql, want string
	}{
		{"eq and path", from + "eventName = 'ConsoleLogin' AND userIdentity:arn = 'x'",
			"eventName eq \"ConsoleLogin\"\nuserIdentity:arn (userIdentity.arn) eq \"x\""},
		{"not equal", from + "errorCode <> 'A' AND b != 'B'", "errorCode eq \"A\" negated exclusion\nb eq \"B\" negated exclusion"},
		{"flipped comparison", from + "5 < n", `n gt "5"`},
		{"in list", from + "eventName IN ('A', 'B')", "eventName in \"A\"\neventName in \"B\""},
		{"not in", from + "eventName NOT IN ('A')", `eventName in "A" negated exclusion`},
		{"null tests", from + "errorCode IS NULL AND x IS NOT NULL", "errorCode is_null\nx is_not_null"},
		{"like forms", from + "a LIKE '%x%' AND b ILIKE 'y%' AND c LIKE '%z' AND d LIKE 'a_b' AND e NOT LIKE 'q'",
			"a contains \"x\"\nb startswith \"y\"\nc endswith \"z\"\nd wildcard \"a?b\" (as written: wildcard \"a_b\")\ne eq \"q\" negated exclusion"},
		// Snowflake reads '\\' in a string as one backslash, which escapes the %
		{"like escape", from + `a LIKE '100\\%'`, `a eq "100%"`},
		{"string escape before like", from + `a LIKE '100\%'`, `a startswith "100"`},
		{"like any", from + "a ILIKE ANY ('%x', 'y%')", "a endswith \"x\"\na startswith \"y\""},
		{"rlike anchored", from + "a RLIKE 'ab+'", `a regex_match "^(?:ab+)$" (as written: regex_match "ab+")`},
		{"or and not", from + "(a = '1' OR b = '2') AND NOT (c = '3' OR d = '4')",
			"a eq \"1\"\nb eq \"2\"\nc eq \"3\" negated exclusion\nd eq \"4\" negated exclusion"},
		{"array_contains list", from + "ARRAY_CONTAINS(eventName, ['A', 'B'])", "eventName in \"A\"\neventName in \"B\""},
		{"array_contains value", from + "ARRAY_CONTAINS('x'::VARIANT, types)", `types contains "x"`},
		{"between", from + "n BETWEEN 1 AND 5", "n gte \"1\"\nn lte \"5\""},
		{"time window dropped", from + "p_occurs_since('1 day') AND p_event_time > dateadd('day', -1, current_timestamp()) AND a = 'x'", `a eq "x"`},
		{"having computed", "SELECT a, count(*) AS n FROM panther_logs.public.aws_cloudtrail WHERE a = 'x' GROUP BY a HAVING n > 5",
			"a eq \"x\"\nn gt \"5\" computed"},
		{"qualify computed", "SELECT a FROM panther_logs.public.aws_cloudtrail WHERE a = 'x' QUALIFY count(*) OVER (PARTITION BY a) > 2",
			"a eq \"x\"\ncount(*) gt \"2\" computed"},
		{"aggregate in where alias", "SELECT count(*) AS n FROM panther_logs.public.aws_cloudtrail WHERE n > 1", `n gt "1" computed`},
		{"cte traced", "WITH c AS (SELECT userIdentity:arn AS arn, count(*) AS n FROM panther_logs.public.aws_cloudtrail WHERE eventName = 'A' GROUP BY 1) SELECT * FROM c WHERE arn LIKE '%root' AND n > 3",
			"eventName eq \"A\"\nuserIdentity:arn (userIdentity.arn) endswith \"root\"\nn gt \"3\" computed"},
		{"union is or", "SELECT * FROM panther_logs.public.aws_cloudtrail WHERE a = '1' UNION ALL SELECT * FROM panther_logs.public.okta_systemlog WHERE b = '2'",
			"a eq \"1\"\nb eq \"2\""},
		{"flatten value", "SELECT * FROM panther_logs.public.github_webhook, LATERAL FLATTEN(input => commits) f WHERE f.value:added = 'x'",
			`value:added (commits.added) eq "x"`},
		{"lookup table columns are computed", "SELECT * FROM panther_lookups.public.tor t WHERE t.ip = '1'", `ip eq "1" computed`},
		{"boolean column", from + "readOnly", `readOnly eq "true"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, skipped, _ := lowered(t, tt.sql)
			assert.Empty(t, skipped)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLowerTablesAndComputed(t *testing.T) {
	_, _, q := lowered(t, "SELECT a, count(*) AS n FROM panther_logs.public.AWS_CloudTrail c JOIN PANTHER_LOGS.PUBLIC.okta_systemlog o ON c.x = 'y' GROUP BY a")
	assert.Equal(t, []string{"aws_cloudtrail", "okta_systemlog"}, q.Tables)
	assert.Equal(t, []string{"n"}, q.Computed)
}

func TestLowerSkipped(t *testing.T) {
	tests := []struct{ name, sql, want string }{
		{"two columns", "SELECT * FROM panther_logs.public.aws_cloudtrail a JOIN panther_logs.public.okta_systemlog b ON a.x = b.y",
			"q.yml line 10: compares a.x with b.y, not with a literal"},
		{"subquery", "SELECT *\nFROM panther_logs.public.aws_cloudtrail\nWHERE x IN (SELECT y FROM z)",
			"q.yml line 12: a condition on a subquery"},
		{"unknown function", "SELECT * FROM panther_logs.public.aws_cloudtrail WHERE is_private(ip)",
			"the function condition is_private(ip) is not analysed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, skipped, _ := lowered(t, tt.sql)
			require.NotEmpty(t, skipped)
			assert.Contains(t, skipped[0], tt.want)
		})
	}
}

func TestReadErrors(t *testing.T) {
	_, err := Read("SELECT 1\n{{ macro('x') }}", "queries/a.yml", 7)
	require.Error(t, err)
	assert.Equal(t, `queries/a.yml line 8: Jinja template "{{ macro('x') }}": Panther expands its macros when it runs the query, which is not analysed`, err.Error())
	_, err = Read("SELECT FROM WHERE ((", "queries/b.yml", 3)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "queries/b.yml line 3: SQL: syntax error")
}
