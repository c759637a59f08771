package kql

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLower(t *testing.T) {
	tests := map[string]langtest.PrintCase{
		"eq":                       {`process.name : "cmd.exe"`, "process.name eq \"cmd.exe\"\n"},
		"quoted star is literal":   {`a : "x*"`, "a eq \"x*\"\n"},
		"contains":                 {`process.command_line : *mimikatz*`, "process.command_line contains \"mimikatz\"\n"},
		"startswith":               {`process.executable : C\:\\Windows\\*`, "process.executable startswith \"C:\\\\Windows\\\\\"\n"},
		"endswith":                 {`process.executable : *\\nmap.exe`, "process.executable endswith \"\\\\nmap.exe\"\n"},
		"inner wildcard":           {`file.path : C\:\\Users\\*\\evil.exe`, "file.path wildcard \"C:\\\\\\\\Users\\\\\\\\*\\\\\\\\evil.exe\"\n"},
		"question mark is literal": {`a : ab?c`, "a eq \"ab?c\"\n"},
		"or list is in, quoted star too": {`event.type:(start or process_started or "*x")`,
			"event.type in \"start\"\nevent.type in \"process_started\"\nevent.type in \"*x\"\n"},
		"or list wildcards": {`a:(*x* or y*)`, "a contains \"x\"\na startswith \"y\"\n"},
		"and list":          {`a:(x and y)`, "a eq \"x\"\na eq \"y\"\n"},
		"exists":            {`user.id:*`, "user.id is_not_null\n"},
		"not exists":        {`a:b and not user.id:*`, "a eq \"b\"\nuser.id is_not_null negated exclusion\n"},
		"ranges": {`p > 1 and p >= 2 and p < 3 and p <= 4`,
			"p gt \"1\"\np gte \"2\"\np lt \"3\"\np lte \"4\"\n"},
		"exclusion": {`event.category:process and not user.name:(root or admin)`,
			"event.category eq \"process\"\nuser.name in \"root\" negated exclusion\nuser.name in \"admin\" negated exclusion\n"},
		"nested not is no exclusion": {`a:b and (c:d or not e:f)`,
			"a eq \"b\"\nc eq \"d\"\ne eq \"f\" negated\n"},
		"nested query": {`okta:{ actor:{ id: x } and outcome: FAILURE }`,
			"okta.actor.id eq \"x\"\nokta.outcome eq \"FAILURE\"\n"},
		"free text":         {`"Invoke-Mimikatz" and sekurlsa`, "keywords match \"Invoke-Mimikatz\"\nkeywords match \"sekurlsa\"\n"},
		"value not in list": {`a:(x or not y)`, "a in \"x\"\na eq \"y\" negated\n"},
		// Kibana's grammar trims an unquoted value; a quoted one is exact.
		"unquoted value trimmed like Kibana": {`a :   spaced value   `, "a eq \"spaced value\"\n"},
		"quoted value exact":                 {`a : "  x  " and b : "\\t"`, "a eq \"  x  \"\nb eq \"\\\\t\"\n"},
		"cidr": {`destination.ip : 10.0.0.0/8 and source.ip : "fe80::/10" and not source.ip : (127.0.0.0/8 or 192.168.1.1)`,
			"destination.ip cidr_match \"10.0.0.0/8\"\nsource.ip cidr_match \"fe80::/10\"\nsource.ip cidr_match \"127.0.0.0/8\" negated exclusion\nsource.ip in \"192.168.1.1\" negated exclusion\n"},
		"cidr escaped colons": {`source.ip : fe80\:\:/10`, "source.ip cidr_match \"fe80::/10\"\n"},
	}
	langtest.CheckLower(t, lang, tests)
}

func TestLowerEmpty(t *testing.T) {
	q, err := Parse("")
	require.NoError(t, err)
	ps, _ := rule.Flatten(Lower(q))
	assert.Empty(t, ps)
}
