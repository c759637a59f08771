package eql

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLower(t *testing.T) {
	tests := map[string]langtest.PrintCase{
		"category and eq": {`process where process.name == "cmd.exe"`,
			"event.category eq \"process\"\nprocess.name eq \"cmd.exe\"\n"},
		"any has no category": {`any where a == 1`, "a eq \"1\"\n"},
		"== keeps stars":      {`any where a == "x*"`, "a eq \"x*\"\n"},
		"colon wildcards": {`any where a : "*mimikatz*" and b : "C:\\Windows\\*" and c : "*\\nmap.exe" and d : "a*b"`,
			"a contains \"mimikatz\"\nb startswith \"C:\\\\Windows\\\\\"\nc endswith \"\\\\nmap.exe\"\nd wildcard \"a*b\"\n"},
		"question mark is a wildcard": {`any where f : "?:\\Users\\*"`, "f wildcard \"?:\\\\Users\\\\\\\\*\"\n"},
		"colon list is in or classified": {`any where process.name : ("a.exe", "b*", "*c*")`,
			"process.name in \"a.exe\"\nprocess.name startswith \"b\"\nprocess.name contains \"c\"\n"},
		"like and like~": {`any where a like "x*" and b like~ ("y", "z")`,
			"a startswith \"x\"\nb in \"y\"\nb in \"z\"\n"},
		"regex": {`any where a regex~ """.*\.exe""" or b regex ("x+", "y")`,
			"a regex_match \".*\\\\.exe\"\nb regex_match \"x+\"\nb regex_match \"y\"\n"},
		"in and in~": {`any where a in ("x", "y") and b in~ ("z")`,
			"a in \"x\"\na in \"y\"\nb in \"z\"\n"},
		"not in is an exclusion": {`process where a == "x" and b not in ("y", "z")`,
			"event.category eq \"process\"\na eq \"x\"\nb in \"y\" negated exclusion\nb in \"z\" negated exclusion\n"},
		"not is an exclusion at top level only": {`any where a == "x" and not (b == "y" or c == "z") and (d == "1" or not e == "2")`,
			"a eq \"x\"\nb eq \"y\" negated exclusion\nc eq \"z\" negated exclusion\nd eq \"1\"\ne eq \"2\" negated\n"},
		"!= is a negated eq": {`any where a != "x"`, "a eq \"x\" negated exclusion\n"},
		"precedence": {`any where a == "1" or b == "2" and not c == "3"`,
			"a eq \"1\"\nb eq \"2\"\nc eq \"3\" negated\n"},
		"null": {`any where a == null and b != null`, "a is_null\nb is_not_null\n"},
		"comparisons and swap": {`any where a < 1 and a <= 2 and a > 3 and 4 <= a and b >= -5`,
			"a lt \"1\"\na lte \"2\"\na gt \"3\"\na gte \"4\"\nb gte \"-5\"\n"},
		"booleans": {`any where a == true and b == false and c`, "a eq \"true\"\nb eq \"false\"\nc eq \"true\"\n"},
		"string functions": {`any where startsWith(a, "x") and endsWith~(b, "y") and stringContains(c, "z")`,
			"a startswith \"x\"\nb endswith \"y\"\nc contains \"z\"\n"},
		"cidrMatch per cidr": {`network where not cidrMatch(destination.ip, "10.0.0.0/8", "192.168.0.0/16")`,
			"event.category eq \"network\"\ndestination.ip cidr_match \"10.0.0.0/8\" negated exclusion\ndestination.ip cidr_match \"192.168.0.0/16\" negated exclusion\n"},
		"wildcard function": {`any where wildcard(a, "*x*", "y")`, "a contains \"x\"\na in \"y\"\n"},
		"function == false": {`any where startsWith(a, "x") == false`, "a startswith \"x\" negated exclusion\n"},
		"length":            {`any where length(process.command_line) > 200`, "length(process.command_line) gt \"200\" computed\n"},
		"field against computed value": {`any where startswith~(host.name, substring(user.name, 0, -1))`,
			"host.name startswith \"substring(user.name, 0, -1)\"\n"},
		"field to field": {`any where source.ip != destination.ip`, "source.ip eq \"destination.ip\" negated exclusion\n"},
		"optional and quoted fields": {"any where ?process.parent.name : \"x\" and `a.b/c` == \"y\" and k.`0`.v == \"z\"",
			"process.parent.name eq \"x\"\na.b/c eq \"y\"\nk.0.v eq \"z\"\n"},
		"escapes": {`any where a == "q\"b\\s\n" and b == ?"C:\raw" and c == "\u{41}"`,
			"a eq \"q\\\"b\\\\s\\n\"\nb eq \"C:\\\\raw\"\nc eq \"A\"\n"},
		"values are exact": {`any where a == "  x  " and b : "* -e *" and c like~ " y*" and d in ("\tz", "w ")`, "a eq \"  x  \"\nb contains \" -e \"\nc startswith \" y\"\nd in \"\\tz\"\nd in \"w \"\n"},
		"sequence": {`sequence by host.id with maxspan=5m
			[process where process.name == "a.exe" and not user.name == "SYSTEM"] by process.entity_id
			[network where destination.port == 443] by process.entity_id
			until [process where event.type == "end"]`,
			"event.category eq \"process\"\nprocess.name eq \"a.exe\"\nuser.name eq \"SYSTEM\" negated exclusion\n" +
				"event.category eq \"network\"\ndestination.port eq \"443\"\n"},
		"missing step": {`sequence [process where a == "x"] ![file where b == "y"]`,
			"event.category eq \"process\"\na eq \"x\"\nevent.category eq \"file\" negated exclusion\nb eq \"y\" negated exclusion\n"},
		"sample":              {`sample by host.id [file where a == "1"] [file where b == "2"]`, "event.category eq \"file\"\na eq \"1\"\nevent.category eq \"file\"\nb eq \"2\"\n"},
		"any where true":      {`sequence [any where true] [process where a == "b"]`, "event.category eq \"process\"\na eq \"b\"\n"},
		"filter pipe":         {`process where a == "x" | filter b == "y" | head 5`, "event.category eq \"process\"\na eq \"x\"\nb eq \"y\"\n"},
		"unknown function":    {`any where a == "x" and between(b, "c", "d") == "e"`, "a eq \"x\"\nbetween(b, \"c\", \"d\") eq \"e\" computed\n"},
		"predicate function":  {`any where a == "x" and foo(b)`, "a eq \"x\"\nskipped: eql: function foo is not a predicate: foo(b)\n"},
		"lineage is skipped":  {`process where not descendant of [process where a == "x"]`, "event.category eq \"process\"\nskipped: eql: lineage (descendant of) is not supported: descendant of [process where a == \"x\"]\n"},
		"comments":            {"process where /* c */ a == \"x\" // end", "event.category eq \"process\"\na eq \"x\"\n"},
		"space before call (": {`any where stringContains (a, "x")`, "a contains \"x\"\n"},
	}
	langtest.CheckLower(t, lang, tests)
}

func TestCategories(t *testing.T) {
	for src, want := range map[string][]string{
		`process where true`: {"process"},
		`sequence [process where true] [network where true] [process where true] until [file where true]`: {"process", "network"},
		`sample by a [any where true] ![registry where true]`:                                             {"any", "registry"},
	} {
		q, err := Parse(src)
		require.NoError(t, err)
		assert.Equal(t, want, q.Categories(), src)
	}
}
