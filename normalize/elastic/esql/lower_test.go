package esql

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLower(t *testing.T) {
	tests := map[string]langtest.PrintCase{
		"comparisons": {`from x | where a == "v" and b != "w" and c < 1 and c <= 2 and c > 3 and 4 <= c and d =~ "V"`,
			"a eq \"v\"\nb eq \"w\" negated exclusion\nc lt \"1\"\nc lte \"2\"\nc gt \"3\"\nc gte \"4\"\nd eq \"V\"\n"},
		"like classified": {`from x | where a like "*x*" or a like "x*" or a like "*x" or a like "a*b" or a like "plain" or a like "lit\\*"`,
			"a contains \"x\"\na startswith \"x\"\na endswith \"x\"\na wildcard \"a*b\"\na eq \"plain\"\na eq \"lit*\"\n"},
		"like list and not like": {`from x | where a like ("*x*", "y") and a not like "*z*"`,
			"a contains \"x\"\na in \"y\"\na contains \"z\" negated exclusion\n"},
		"rlike": {`from x | where a rlike """.*\.exe""" and b not rlike "x+"`,
			"a regex_match \".*\\\\.exe\"\nb regex_match \"x+\" negated exclusion\n"},
		"in and not in": {`from x | where a in ("x", "y") and b not in (1, 2)`,
			"a in \"x\"\na in \"y\"\nb in \"1\" negated exclusion\nb in \"2\" negated exclusion\n"},
		"is null": {`from x | where a is null and b IS NOT NULL`, "a is_null\nb is_not_null\n"},
		"not and precedence": {`from x | where a == 1 or b == 2 and not c == 3`,
			"a eq \"1\"\nb eq \"2\"\nc eq \"3\" negated\n"},
		"wrappers looked through": {`from x | where to_lower(process.name) == "cmd.exe" and TRIM(TO_STRING(a)) like "*x*"`,
			"process.name eq \"cmd.exe\"\na contains \"x\"\n"},
		"string functions": {`from x | where starts_with(a, "x") and ends_with(b, "y") and locate(c, "z") > 0 and locate(d, "w") == 0`,
			"a startswith \"x\"\nb endswith \"y\"\nc contains \"z\"\nd contains \"w\" negated exclusion\n"},
		"cidr_match": {`from x | where not cidr_match(to_ip(source.ip), "10.0.0.0/8", "127.0.0.0/8")`,
			"source.ip cidr_match \"10.0.0.0/8\" negated exclusion\nsource.ip cidr_match \"127.0.0.0/8\" negated exclusion\n"},
		"match": {`from x | where match(message, "evil") and user.name : "root"`,
			"message match \"evil\"\nuser.name match \"root\"\n"},
		"eval alias to source field": {`from x | eval ua = to_lower(user_agent.original), u = url.original, c = case(a == 1, "x", "y") | where ua like "*nessus*" and u == "/" and c == "x"`,
			"user_agent.original contains \"nessus\"\nurl.original eq \"/\"\nc eq \"x\" computed\n"},
		"alias redefined": {`from x | eval a = to_lower(f) | eval a = concat(a, "x") | where a == "y"`, "a eq \"y\" computed\n"},
		"rename tracked":  {`from x | rename f as g | rename h = g | where h == "v"`, "f eq \"v\"\n"},
		"stats threshold": {`from x | where event.action == "x" | stats Esql.event_count = count(*), n = count_distinct(a) by host.id | where Esql.event_count > 50 and n >= 3`,
			"event.action eq \"x\"\nEsql.event_count gt \"50\" computed\nn gte \"3\" computed\n"},
		"stats agg shadows alias": {`from x | eval a = to_lower(f) | stats a = count(*) by b | where a > 5`, "a gt \"5\" computed\n"},
		"stats by alias":          {`from x | stats c = count(*) by g = to_lower(f) | where g == "x"`, "f eq \"x\"\n"},
		"generic commands pass": {`from x | keep a, b* | sort a desc | limit 10 | mv_expand a | dissect msg "%{a} %{b}" | where b == "x"`,
			"b eq \"x\" computed\n"},
		"grok column keeps its name": {`from x | eval b = to_lower(f) | grok msg "%{WORD:b}" | where b == "x"`, "b eq \"x\" computed\n"},
		"kql":                        {`from x | where KQL("process.name : cmd.exe") and not KQL("""user.name : (a or b)""")`, "process.name eq \"cmd.exe\"\nuser.name in \"a\" negated exclusion\nuser.name in \"b\" negated exclusion\n"},
		"kql error is skipped":       {`from x | where KQL("a : (")`, "skipped: esql: KQL query: line 1, column 6: expected a value, found end of query\n"},
		"true in conditions": {`from x | where true in (starts_with(a, "Get"), starts_with(a, "List"))`,
			"a startswith \"Get\"\na startswith \"List\"\n"},
		"computed subject": {`from x | where length(process.command_line) > 100 and date_diff("seconds", a, b) <= 300`,
			"length(process.command_line) gt \"100\" computed\ndate_diff(\"seconds\", a, b) lte \"300\" computed\n"},
		"computed operand": {`from x | where a < b and @timestamp >= now() - 1 hour and c != d`,
			"a lt \"b\"\n@timestamp gte \"now() - 1 hour\"\nc eq \"d\" negated exclusion\n"},
		"casts and == null": {`from x | where a::long > 5 and b == null and c != null`, "a gt \"5\"\nb is_null\nc is_not_null\n"},
		"bare field":        {`from x | where is_admin and true`, "is_admin eq \"true\"\n"},
		"values kept exact": {`from x | where a == " v " and b like "* -e *" and c : "\tx\" "`, "a eq \" v \"\nb contains \" -e \"\nc match \"\\tx\\\" \"\n"},
		"stats by computed and rename": {`from x | eval d = date_trunc(1 hour, @timestamp) | stats cc = count(*) by d, bucket(@timestamp, 1 hour), host.id | rename cc as n | where n > 5 and d is not null and host.id == "h"`,
			"cc gt \"5\" computed\nd is_not_null computed\nhost.id eq \"h\"\n"},
		"computed in and like": {`from x | stats c = count(*), v = values(process.name) by host.id | where v in ("a", "b") and mv_contains(v, "cmd.exe")`,
			"v in \"a\" computed\nv in \"b\" computed\nv eq \"cmd.exe\" computed\n"},
		"unknown function": {`from x | where a == 1 and bogus(b)`, "a eq \"1\"\nskipped: esql: function bogus is not a predicate: bogus(b)\n"},
		"parameter":        {`from x | where a == ?p`, "skipped: esql: comparison with a query parameter: a == ?p\n"},
		"several wheres are one and": {`from x | where a == 1 | where not b == 2 | where c == 3 or d == 4`,
			"a eq \"1\"\nb eq \"2\" negated exclusion\nc eq \"3\"\nd eq \"4\"\n"},
	}
	langtest.CheckLower(t, lang, tests)
}

func TestIndices(t *testing.T) {
	q, err := Parse("FROM logs-endpoint.events.process-*, .alerts-security.*, \"quoted,index\", remote:logs-* METADATA _id, _index | limit 1")
	require.NoError(t, err)
	assert.Equal(t, []string{"logs-endpoint.events.process-*", ".alerts-security.*", "quoted,index", "remote:logs-*"}, q.Indices())
	assert.Equal(t, []string{"_id", "_index"}, q.Metadata)
}
