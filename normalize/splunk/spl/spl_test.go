package spl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// lowered parses src and returns its predicates in rule.Format form,
// followed by "skipped: reason" lines.
func lowered(t *testing.T, src string) string {
	t.Helper()
	q, err := Parse(src)
	require.NoError(t, err, src)
	ps, skipped := rule.Flatten(Lower(q))
	out := rule.Format(ps)
	for _, s := range skipped {
		out += "skipped: " + s + "\n"
	}
	return out
}

func TestLower(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"eq and implicit and": {`EventCode=4688 process_name=cmd.exe`,
			"EventCode eq \"4688\"\nprocess_name eq \"cmd.exe\"\n"},
		"wildcards": {`a=*x* b=x* c=*x d=x*y e=*`,
			"a contains \"x\"\nb startswith \"x\"\nc endswith \"x\"\nd wildcard \"x*y\"\ne is_not_null\n"},
		"quoted with escapes": {`Processes.process_path="*\\Windows\\Temp\\*"`,
			"Processes.process_path contains \"\\\\Windows\\\\Temp\\\\\"\n"},
		"question mark is literal":  {`a=x?y*`, "a startswith \"x?y\"\n"},
		"not equal is an exclusion": {`a=1 b!=2`, "a eq \"1\"\nb eq \"2\" negated exclusion\n"},
		"NOT group is an exclusion": {`a=1 NOT (b=2 OR c=*3*)`,
			"a eq \"1\"\nb eq \"2\" negated exclusion\nc contains \"3\" negated exclusion\n"},
		"OR binds tighter than AND": {`a=1 b=2 OR c=3`, "a eq \"1\"\nb eq \"2\"\nc eq \"3\"\n"},
		"IN list": {`f IN ("cmd.exe", "*\\powershell.exe", 10.0.0.0/8)`,
			"f in \"cmd.exe\"\nf endswith \"\\\\powershell.exe\"\nf cidr_match \"10.0.0.0/8\"\n"},
		"cidr":                  {`src=10.0.0.0/8 dest!=fe80::/10`, "src cidr_match \"10.0.0.0/8\"\ndest cidr_match \"fe80::/10\" negated exclusion\n"},
		"keywords":              {`mimikatz "sekurlsa::logonpasswords" TERM(lsass)`, "keywords match \"mimikatz\"\nkeywords match \"sekurlsa::logonpasswords\"\nkeywords match \"lsass\"\n"},
		"selectors dropped":     {`index=main sourcetype=x (source=a OR source=b) earliest=-1d EventCode=1`, "EventCode eq \"1\"\n"},
		"negated selector kept": {`sourcetype=x NOT source=y`, "source eq \"y\" negated exclusion\n"},
		"quoted field":          {`"result.message" = "*Paired*"`, "result.message contains \"Paired\"\n"},
		"comparison ops":        {`| search count>5 b<=2`, "count gt \"5\"\nb lte \"2\"\n"},
		"tstats where": {`| tstats summariesonly=true count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=net.exe Processes.process IN ("*user*", "*group*") by Processes.dest Processes.user | rename Processes.* as *`,
			"Processes.process_name eq \"net.exe\"\nProcesses.process contains \"user\"\nProcesses.process contains \"group\"\n"},
		"where functions": {`x | where like(lower(cmd), "%-enc%") AND match(p, "(?i)evil") AND cidrmatch("10.0.0.0/8", src) AND isnotnull(u) AND NOT isnull(v) AND in(s, "a", "b")`,
			"keywords match \"x\"\ncmd contains \"-enc\"\np regex_match \"(?i)evil\"\nsrc cidr_match \"10.0.0.0/8\"\nu is_not_null\nv is_null negated exclusion\ns in \"a\"\ns in \"b\"\n"},
		"where like forms": {`| where cmd LIKE "C:\\%" OR cmd LIKE "%.exe" OR cmd LIKE "a_c"`,
			"cmd startswith \"C:\\\\\"\ncmd endswith \".exe\"\ncmd wildcard \"a?c\"\n"},
		"where compare":       {`| where a="x*" AND 5 < count AND b!=c AND len(cmd) > 100`, "a eq \"x*\"\ncount gt \"5\"\nb eq \"fieldref:c\" negated exclusion\nlen(cmd) gt \"100\"\n"},
		"where IN":            {`| where user IN ("root", "admin")`, "user in \"root\"\nuser in \"admin\"\n"},
		"threshold":           {`a=1 | stats count by host | where count > 50`, "a eq \"1\"\ncount gt \"50\"\n"},
		"computed bound":      {`| where count > avg + stdev * 2`, "count gt \"avg + stdev * 2\"\n"},
		"time bound":          {`| where firstTime > relative_time(now(), "-1d@d")`, "firstTime gt \"relative_time(now(), \\\"-1d@d\\\")\"\n"},
		"where not top level": {`| where NOT (a="1" OR b="2")`, "a eq \"1\" negated exclusion\nb eq \"2\" negated exclusion\n"},
		"searchmatch":         {`| where searchmatch("x=1 y=*z")`, "x eq \"1\"\ny endswith \"z\"\n"},
		"regex":               {`| regex process="(?i)\\\\temp\\\\" | regex path!="^C:"`, "process regex_match \"(?i)\\\\\\\\temp\\\\\\\\\"\npath regex_match \"^C:\" negated exclusion\n"},
		"non-filtering commands": {`a=1 | eval x=if(a>1, "y", "z") | rename a as b | table a b | fields - c | bin _time span=1h | eventstats count by a | streamstats count | rex field=x "(?<y>[^|]+)" | convert ctime(t) | fillnull value=0 | dedup a | sort - count | join type=left a [search b=2 | fields a] | append [| makeresults] | lookup t f OUTPUT g | inputlookup x`,
			"a eq \"1\"\n"},
		"subsearch term":           {`a=1 [| inputlookup t | fields x]`, "a eq \"1\"\nskipped: subsearch [| inputlookup t | fields x]\n"},
		"comment":                  {"a=1 ```the filter``` b=2", "a eq \"1\"\nb eq \"2\"\n"},
		"balanced parens in value": {`p=*GetCurrent()* q=1`, "p contains \"GetCurrent()\"\nq eq \"1\"\n"},
		"where xor skipped":        {`| where a=1 XOR b=2`, "skipped: where: cannot lower `a = 1 XOR b = 2`\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, lowered(t, tc.in))
		})
	}
}

func TestPrint(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"implicit and":     {`a=1   AND b="2"`, `a=1 b="2"`},
		"or in and":        {`(a=1 OR b=2) c=3`, `a=1 OR b=2 c=3`},
		"and in or":        {`(a=1 c=3) OR b=2`, `(a=1 c=3) OR b=2`},
		"not":              {`NOT (a=1 OR b=2) NOT c=3`, `NOT (a=1 OR b=2) NOT c=3`},
		"in list":          {`f in (a,"b c")`, `f IN (a, "b c")`},
		"value quoting":    {`a="x y" b=x=y "OR"`, `a="x y" b="x=y" "OR"`},
		"generating":       {`|tstats count from datamodel=X.Y where a=1 by b`, `| tstats count from datamodel=X.Y where a=1 by b`},
		"where precedence": {`| where (a=1 OR b=2) AND NOT c=3 AND (x+1)*2>3`, `| where (a = 1 OR b = 2) AND NOT c = 3 AND (x + 1) * 2 > 3`},
		"explicit search":  {`search a=1 | search b=2 | regex "x\\d"`, `search a=1 | search b=2 | regex "x\\d"`},
		"subsearch":        {`a [search b=1 | fields c]`, `a [search b=1 | fields c]`},
		"empty stages":     {`a=1 |  | where b=1 |`, `a=1 | where b = 1`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.String())
			q2, err := Parse(q.String())
			require.NoError(t, err)
			assert.Equal(t, q.String(), q2.String())
		})
	}
}

// TestTstatsFrom checks that the FROM target prints as written, so a quoted
// or escaped target reads back the same (fuzz crasher 1f0ae209b75390da).
func TestTstatsFrom(t *testing.T) {
	tests := map[string]struct{ in, print, datamodel string }{
		"quoted blank target":  {"|tstAts``from\" \"", "| tstats `` from \" \"", ""},
		"quoted key":           {`| tstats count from "datamodel"="X.Y"`, `| tstats count from "datamodel"="X.Y"`, "X.Y"},
		"quoted colon target":  {`| tstats count from "datamodel:Web.Web" by x`, `| tstats count from "datamodel:Web.Web" by x`, "Web.Web"},
		"colon then string":    {`| tstats count from datamodel:"Web.Web"`, `| tstats count from datamodel:"Web.Web"`, "Web.Web"},
		"escaped word target":  {`| tstats count from a\"b where c=1`, `| tstats count from a\"b where c=1`, ""},
		"plain datamodel":      {`| tstats count from datamodel=Endpoint.Processes`, `| tstats count from datamodel=Endpoint.Processes`, "Endpoint.Processes"},
		"quoted datamodel val": {`| tstats count from datamodel="A B"`, `| tstats count from datamodel="A B"`, "A B"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			p1 := q.String()
			assert.Equal(t, tc.print, p1)
			require.IsType(t, &TstatsCmd{}, q.Commands[0])
			assert.Equal(t, tc.datamodel, q.Commands[0].(*TstatsCmd).Datamodel)
			q2, err := Parse(p1)
			require.NoError(t, err, p1)
			assert.Equal(t, p1, q2.String())
			assert.Equal(t, tc.datamodel, q2.Commands[0].(*TstatsCmd).Datamodel)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"unterminated string": {`a="x`, "line 1, column 3: unterminated string"},
		"unclosed paren":      {`(a=1 b=2`, "line 1, column 1: unclosed '('"},
		"missing value":       {`a= | x`, "line 1, column 2: missing value after `=`"},
		"dangling OR":         {`a=1 OR`, "line 1, column 7: missing search term before end of search"},
		"where dangling":      {"a=1\n| where b=", "line 2, column 11: missing operand before end of search"},
		"where bad token":     {`| where a=1 b`, "line 1, column 13: unexpected word `b` in where command"},
		"empty in":            {`a IN ()`, "line 1, column 6: empty IN list"},
		"stray bracket":       {`a=1 ]`, "line 1, column 5: unexpected ']'"},
		"tstats empty where":  {`| tstats count where by x`, "line 1, column 21: empty WHERE clause in tstats"},
		"unclosed subsearch":  {`a [search b`, "line 1, column 3: unclosed '[' (subsearch)"},
		"unexpected char":     {`| where a ~ b`, "line 1, column 11: unexpected character '~' in expression"},
		"deep nesting":        {strings.Repeat("(", 300) + "a", "nesting deeper than 200 levels"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.in)
			require.Error(t, err)
			var se *rule.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLogSources(t *testing.T) {
	q, err := Parse(`sourcetype=WinEventLog OR sourcetype IN (a, b) NOT sourcetype=c | tstats count from datamodel=Endpoint.Processes | from datamodel:"Web.Web" | datamodel Network_Traffic All_Traffic search | lookup t f`)
	require.NoError(t, err)
	assert.Equal(t, []string{"sourcetype:WinEventLog", "sourcetype:a", "sourcetype:b",
		"datamodel:Endpoint.Processes", "datamodel:Web.Web", "datamodel:Network_Traffic.All_Traffic"}, LogSources(q))
	assert.Equal(t, []string{"t"}, q.Lookups())
}
