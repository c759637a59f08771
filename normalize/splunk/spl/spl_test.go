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
		"cidr":     {`src=10.0.0.0/8 dest!=fe80::/10`, "src cidr_match \"10.0.0.0/8\"\ndest cidr_match \"fe80::/10\" negated exclusion\n"},
		"keywords": {`mimikatz "sekurlsa::logonpasswords" TERM(lsass)`, "keywords match \"mimikatz\"\nkeywords match \"sekurlsa::logonpasswords\"\nkeywords match \"lsass\"\n"},
		"selectors are log sources": {`index=main sourcetype=x (source=a OR source=b) earliest=-1d EventCode=1 eventtype=e splunk_server=*`,
			"index eq \"main\" logsource\nsourcetype eq \"x\" logsource\nsource eq \"a\" logsource\nsource eq \"b\" logsource\nEventCode eq \"1\"\neventtype eq \"e\" logsource\nsplunk_server is_not_null logsource\n"},
		"negated selector": {`sourcetype=x NOT source=y`, "sourcetype eq \"x\" logsource\nsource eq \"y\" logsource negated exclusion\n"},
		"selector IN list": {`sourcetype IN ("a:*", b)`, "sourcetype startswith \"a:\" logsource\nsourcetype in \"b\" logsource\n"},
		"field names are case-sensitive": {`eventType=user.account.lock EventType=4 Source=x INDEX=y sourceType=z`,
			"eventType eq \"user.account.lock\"\nEventType eq \"4\"\nSource eq \"x\"\nINDEX eq \"y\"\nsourceType eq \"z\"\n"},
		"selector in where":       {`| where sourcetype="x" AND like(source, "%y")`, "sourcetype eq \"x\" logsource\nsource endswith \"y\" logsource\n"},
		"tstats nodename":         {`| tstats count from datamodel=Authentication where nodename=Authentication.Failed_Authentication by user`, "nodename eq \"Authentication.Failed_Authentication\" logsource\n"},
		"nodename outside tstats": {`nodename=x`, "nodename eq \"x\"\n"},
		"quoted field":            {`"result.message" = "*Paired*"`, "result.message contains \"Paired\"\n"},
		"comparison ops":          {`| search count>5 b<=2`, "count gt \"5\"\nb lte \"2\"\n"},
		"tstats where": {`| tstats summariesonly=true count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=net.exe Processes.process IN ("*user*", "*group*") by Processes.dest Processes.user | rename Processes.* as *`,
			"Processes.process_name eq \"net.exe\"\nProcesses.process contains \"user\"\nProcesses.process contains \"group\"\n"},
		"where functions": {`x | where like(lower(cmd), "%-enc%") AND match(p, "(?i)evil") AND cidrmatch("10.0.0.0/8", src) AND isnotnull(u) AND NOT isnull(v) AND in(s, "a", "b")`,
			"keywords match \"x\"\ncmd contains \"-enc\"\np regex_match \"(?i)evil\"\nsrc cidr_match \"10.0.0.0/8\"\nu is_not_null\nv is_null negated exclusion\ns in \"a\"\ns in \"b\"\n"},
		"where like forms": {`| where cmd LIKE "C:\\%" OR cmd LIKE "%.exe" OR cmd LIKE "a_c"`,
			"cmd startswith \"C:\\\\\"\ncmd endswith \".exe\"\ncmd wildcard \"a?c\"\n"},
		"where compare":                        {`| where a="x*" AND 5 < count AND b!=c AND len(cmd) > 100`, "a eq \"x*\"\ncount gt \"5\"\nb eq \"fieldref:c\" negated exclusion\nlen(cmd) gt \"100\" computed\n"},
		"where IN":                             {`| where user IN ("root", "admin")`, "user in \"root\"\nuser in \"admin\"\n"},
		"threshold":                            {`a=1 | stats count by host | where count > 50`, "a eq \"1\"\ncount gt \"50\" computed\n"},
		"count before stats is an event field": {`| where count > 50 | stats count`, "count gt \"50\"\n"},
		"stats outputs": {`a=1 | stats dc(user) as users values(x) count(eval(b="c")) as hits by host | where users > 2 AND 'dc(user)' > 1 AND isnotnull('values(x)') AND hits >= 3 AND host!="h"`,
			"a eq \"1\"\nusers gt \"2\" computed\ndc(user) gt \"1\"\nvalues(x) is_not_null computed\nhits gte \"3\" computed\nhost eq \"h\" negated exclusion\n"},
		"eventstats and streamstats": {`x | eventstats avg(count) as avg, stdev(count) AS sd by user | streamstats window=5 current=f count as n | search n>1 avg>2 sd<3 user=u`,
			"keywords match \"x\"\nn gt \"1\" computed\navg gt \"2\" computed\nsd lt \"3\" computed\nuser eq \"u\"\n"},
		"tstats outputs": {`| tstats summariesonly=t count min(_time) as firstTime from datamodel=X where a=1 by b | where count > 5 AND firstTime > 0 AND b="c"`,
			"a eq \"1\"\ncount gt \"5\" computed\nfirstTime gt \"0\" computed\nb eq \"c\"\n"},
		"eval outputs": {`x | eval l=len(cmd), p=lower(process), q=coalesce(a, b), s=if(a="1", 1, 0) | where l > 10 AND p="cmd.exe" AND q="z" AND s=1`,
			"keywords match \"x\"\nl gt \"10\" computed\np eq \"cmd.exe\"\nq eq \"z\"\ns eq \"1\" computed\n"},
		"rename carries computed": {`x | stats count as c by u | rename c as total, u as user | where total > 1 AND user="a"`,
			"keywords match \"x\"\ntotal gt \"1\" computed\nuser eq \"a\"\n"},
		"rex lookup top outputs": {`x | rex field=cmd "(?<exe>[^ ]+) (?P<arg>.*)(?<=y)" | lookup t k OUTPUT score AS s, flag | top limit=5 exe | where exe="a" AND arg="b" AND s>1 AND isnull(flag) AND percent<5`,
			"keywords match \"x\"\nexe eq \"a\"\narg eq \"b\"\ns gt \"1\" computed\nflag is_null computed\npercent lt \"5\" computed\n"},
		"extraction from a computed column": {`x | stats values(v) as vals | rex field=vals "(?<a>.)" | spath input=vals output=b | spath output=c | where a="1" AND b="2" AND c="3"`,
			"keywords match \"x\"\na eq \"1\" computed\nb eq \"2\" computed\nc eq \"3\"\n"},
		"computed bound":      {`| where count > avg + stdev * 2`, "count gt \"avg + stdev * 2\"\n"},
		"time bound":          {`| where firstTime > relative_time(now(), "-1d@d")`, "firstTime gt \"relative_time(now(), \\\"-1d@d\\\")\"\n"},
		"where not top level": {`| where NOT (a="1" OR b="2")`, "a eq \"1\" negated exclusion\nb eq \"2\" negated exclusion\n"},
		"searchmatch":         {`| where searchmatch("x=1 y=*z")`, "x eq \"1\"\ny endswith \"z\"\n"},
		"regex":               {`| regex process="(?i)\\\\temp\\\\" | regex path!="^C:"`, "process regex_match \"(?i)\\\\\\\\temp\\\\\\\\\"\npath regex_match \"^C:\" negated exclusion\n"},
		"non-filtering commands": {`a=1 | eval x=if(a>1, "y", "z") | rename a as b | table a b | fields - c | bin _time span=1h | eventstats count by a | streamstats count | rex field=x "(?<y>[^|]+)" | convert ctime(t) | fillnull value=0 | dedup a | sort - count | append [| makeresults] | lookup t f OUTPUT g | inputlookup x`,
			"a eq \"1\"\n"},
		"join subsearch": {`a=1 | join type=left p [search sourcetype=s b=2 NOT c=3 | stats count as n by p] | where n > 2`,
			"a eq \"1\"\nsourcetype eq \"s\" logsource\nb eq \"2\"\nc eq \"3\" negated exclusion\nn gt \"2\" computed\n"},
		"join tstats subsearch": {"| tstats count from datamodel=Endpoint.Processes by p | join p [| tstats count from datamodel=Endpoint.Registry where Registry.registry_path=\"*\\\\InProcServer32\\\\*\" by p]",
			"Registry.registry_path contains \"\\\\InProcServer32\\\\\"\n"},
		"append and appendpipe": {`a=1 | stats count by u | append [search b=2] | appendpipe [stats count as z | where z=0 AND count>1]`,
			"a eq \"1\"\nb eq \"2\"\nz eq \"0\" computed\ncount gt \"1\" computed\n"},
		"broken subsearch is skipped": {`a=1 | join x [search b=(]`, "a eq \"1\"\nskipped: join subsearch [search b=(] not read: line 1, column 9: missing value after `=`\n"},
		"subsearch term":              {`a=1 [| inputlookup t | fields x]`, "a eq \"1\"\nskipped: search terms from lookup t (subsearch [| inputlookup t | fields x])\n"},
		"subsearch term filters": {`a=1 NOT [search sourcetype=s b=2 | fields x]`,
			"a eq \"1\"\nsourcetype eq \"s\" logsource\nb eq \"2\"\nskipped: search terms from the results of subsearch [search sourcetype=s b=2 | fields x]\n"},
		"foreach brackets are no subsearch": {`a=1 | foreach x* [eval <<FIELD>>=1]`, "a eq \"1\"\n"},
		"comment":                           {"a=1 ```the filter``` b=2", "a eq \"1\"\nb eq \"2\"\n"},
		"balanced parens in value":          {`p=*GetCurrent()* q=1`, "p contains \"GetCurrent()\"\nq eq \"1\"\n"},
		"where xor skipped":                 {`| where a=1 XOR b=2`, "skipped: where: cannot lower `a = 1 XOR b = 2`\n"},
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

func TestUnread(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []string
	}{
		"none":        {`a=1 | rex field=x "(?<y>.)" | stats count by y`, nil},
		"join":        {`| from datamodel Web.Web | join affected_host type=inner [| tstats count from datamodel=X by dest | rename dest AS affected_host]`, []string{"`join affected_host type=inner` (a match between the fields of two searches)"}},
		"transaction": {`a | transaction user startswith="x=1" endswith=eval(y>2) | transaction host maxspan=1h`, []string{"`transaction user startswith=\"x=1\" endswith=eval(y>2)` (its start and end conditions)"}},
		"nested join": {`a | append [search b | join c [search d]]`, []string{"`join c` (a match between the fields of two searches)"}},
		"map":         {`a | map search="search b=$c$"`, []string{"`map search=\"search b=$c$\"` (a search run per result)"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, Unread(q))
		})
	}
}
