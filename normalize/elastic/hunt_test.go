package elastic

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadKinds(t *testing.T) {
	tests := map[string]struct {
		body     string
		kind     rule.Kind
		ruleType string
	}{
		"query":          {"type = \"query\"\nlanguage = \"kuery\"\nquery = 'a:b'\n", rule.KindDetection, "query"},
		"eql":            {"type = \"eql\"\nlanguage = \"eql\"\nquery = 'process where true'\n", rule.KindDetection, "eql"},
		"esql":           {"type = \"esql\"\nlanguage = \"esql\"\nquery = 'from x | where a == 1'\n", rule.KindDetection, "esql"},
		"new terms":      {"type = \"new_terms\"\nlanguage = \"kuery\"\nquery = 'a:b'\n", rule.KindDetection, "new_terms"},
		"ml":             {"type = \"machine_learning\"\n", rule.KindDetection, "machine_learning"},
		"threat match":   {"type = \"Threat_Match\"\nlanguage = \"kuery\"\nquery = 'a:b'\n", rule.KindDetection, "threat_match"},
		"building block": {"type = \"eql\"\nbuilding_block_type = \"default\"\nlanguage = \"eql\"\nquery = 'any where a == 1'\n", rule.KindBuildingBlock, "eql"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := load(t, header+tc.body)
			assert.Equal(t, tc.kind, r.Kind)
			assert.Equal(t, tc.ruleType, r.RuleType)
		})
	}
}

const huntHeader = `[hunt]
author = "Elastic"
description = "d"
integration = ["endpoint", "windows"]
uuid = "u-1"
name = "A hunt"
license = "Elastic License v2"
notes = ["n"]
mitre = ["T1053.003", "t1055", "AML.T0051.000"]
`

func TestLoadHunt(t *testing.T) {
	tests := map[string]struct {
		body       string
		status     rule.Status
		lang       string
		predicates string
		errPart    string
		notes      []string
	}{
		"esql with computed columns": {
			body: `language = ["ES|QL"]
query = ['''
from logs-endpoint.events.process-*
| where host.os.type == "linux" and not process.name in ("a", "b")
| stats cc = count(*), hosts = count_distinct(host.id) by process.executable
| where hosts == 1 and cc < 5
''']
`,
			status: rule.StatusOK, lang: rule.LangESQL,
			predicates: `host.os.type eq "linux"
process.name in "a" negated exclusion
process.name in "b" negated exclusion
hosts eq "1" computed
cc lt "5" computed
`},
		"several queries, osquery partial": {
			body: `language = ["ES|QL", "SQL"]
query = [
'''
from logs-* | where a == " x "
''',
'''
SELECT * FROM crontab
''',
'''
sql
from logs-* | where not b like "*y*"
''',
]
`,
			status: rule.StatusPartial, lang: rule.LangESQL,
			predicates: "a eq \" x \"\nb contains \"y\" negated exclusion\n",
			errPart:    "query 2 of 3: osquery SQL is not parsed",
			notes:      []string{`query 3 of 3 begins with a stray "sql" line (a Markdown code-fence tag), read without it`}},
		"eql": {
			body: `language = ["EQL"]
query = ['''
sequence by host.id with maxspan=1m
  [process where process.name == "python*"]
  [file where file.path : "/tmp/*"]
''']
`,
			status: rule.StatusOK, lang: rule.LangEQL,
			predicates: "event.category eq \"process\"\nprocess.name eq \"python*\"\nevent.category eq \"file\"\nfile.path startswith \"/tmp/\"\n"},
		"kql declared": {
			body: "language = [\"KQL\"]\nquery = ['process.name : cmd.exe']\n", status: rule.StatusOK, lang: rule.LangKuery,
			predicates: "process.name eq \"cmd.exe\"\n"},
		"sql only": {
			body: "language = [\"SQL\"]\nquery = ['SELECT * FROM sudoers']\n", status: rule.StatusPartial, lang: rule.LangNone,
			errPart: "query: osquery SQL is not parsed"},
		"unparsable esql fails": {
			body: "language = [\"ES|QL\"]\nquery = ['''\nfrom x\n| where a = 1\n''']\n", status: rule.StatusFailed, lang: rule.LangESQL,
			errPart: "query: esql query line 2, column 11"},
		"one of two fails": {
			body: "language = [\"ES|QL\"]\nquery = ['from x | where a = 1', 'from x | where b == 2']\n", status: rule.StatusPartial, lang: rule.LangESQL,
			predicates: "b eq \"2\"\n", errPart: "query 1 of 2: esql query line 1"},
		"language not recognized": {
			body: "language = [\"KQL\", \"EQL\"]\nquery = ['a : b']\n", status: rule.StatusPartial, lang: rule.LangNone,
			errPart: "language not recognized"},
		"no query": {
			body: "language = [\"ES|QL\"]\nquery = []\n", status: rule.StatusNoQuery, lang: rule.LangNone},
		"undeclared language noted": {
			body: "language = [\"KQL\"]\nquery = ['from x | where a == 1']\n", status: rule.StatusOK, lang: rule.LangESQL,
			predicates: "a eq \"1\"\n", notes: []string{"query reads as esql, which the hunt's language list (KQL) does not name"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := Source{}.Load(rule.File{Path: "hunting/linux/queries/x.toml", Data: []byte(huntHeader + tc.body)})
			require.NoError(t, err)
			require.Len(t, res.Rules, 1, res.Skipped)
			r := res.Rules[0]
			assert.Equal(t, rule.KindHunting, r.Kind)
			assert.Equal(t, RuleTypeHunting, r.RuleType)
			assert.Equal(t, "u-1", r.RuleID)
			assert.Equal(t, "A hunt", r.Title)
			assert.Equal(t, []string{"T1053.003", "T1055"}, r.Techniques)
			assert.Contains(t, r.LogSources, "integration:windows")
			assert.Equal(t, tc.status, r.ParseStatus, r.ParseError)
			assert.Equal(t, tc.lang, r.Language)
			assert.Equal(t, tc.predicates, rule.Format(r.Predicates))
			if tc.errPart != "" {
				assert.Contains(t, r.ParseError, tc.errPart)
			} else {
				assert.Empty(t, r.ParseError)
			}
			assert.Equal(t, append([]string{`mitre entry "AML.T0051.000" is not an ATT&CK technique id; left out`}, tc.notes...), res.Notes)
		})
	}
}

func TestSniffLanguage(t *testing.T) {
	tests := []struct{ in, lang, tag string }{
		{"\nfrom logs-* | limit 1", rule.LangESQL, ""},
		{"SELECT 1", langOSQuery, ""},
		{"  sql\nSELECT 1", langOSQuery, "sql"},
		{"sql\nfrom x", rule.LangESQL, "sql"},
		{"sequence by a [any where true]", rule.LangEQL, ""},
		{"process where true", rule.LangEQL, ""},
		{"process.name : x", "", ""},
		{"sql", "", ""}, // a lone word is the query, not a tag
	}
	for _, tc := range tests {
		lang, body, tag := sniffLanguage(tc.in)
		assert.Equal(t, tc.lang, lang, tc.in)
		assert.Equal(t, tc.tag, tag, tc.in)
		assert.Equal(t, len(tc.in), len(body), "positions are kept: %q", tc.in)
	}
}
