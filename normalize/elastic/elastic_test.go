package elastic

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleCorpus is the bundled sample corpus of this vendor.
func sampleCorpus(t testing.TB) string {
	return filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "elastic")
}

// render prints a rule in the stable text form of the golden files.
func render(r rule.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", r.Path)
	fmt.Fprintf(&b, "rule_id: %s\ntitle: %s\n", r.RuleID, r.Title)
	fmt.Fprintf(&b, "kind: %s  rule_type: %s\n", r.Kind, r.RuleType)
	fmt.Fprintf(&b, "status: %s  severity: %s  language: %s  date: %s  deprecated: %v\n",
		r.Status, r.Severity, r.Language, r.Date, r.Deprecated)
	fmt.Fprintf(&b, "techniques: %s\ntactics: %s\n", strings.Join(r.Techniques, ", "), strings.Join(r.Tactics, ", "))
	fmt.Fprintf(&b, "platforms: %s\ndomains: %s\n", strings.Join(r.Platforms, ", "), strings.Join(r.Domains, ", "))
	fmt.Fprintf(&b, "log_sources: %s\n", strings.Join(r.LogSources, ", "))
	fmt.Fprintf(&b, "parse: %s", r.ParseStatus)
	if r.ParseError != "" {
		fmt.Fprintf(&b, " (%s)", r.ParseError)
	}
	b.WriteString("\n")
	b.WriteString(rule.Format(r.Predicates))
	b.WriteString("\n")
	return b.String()
}

// TestSampleCorpusGolden loads testdata/corpus/elastic and compares every
// rule (metadata and predicates) with testdata/sample_corpus.golden.
func TestSampleCorpusGolden(t *testing.T) {
	rules, skipped, errs := loadTree(t, sampleCorpus(t))
	require.Empty(t, errs)
	assert.Equal(t, []string{"etc/packages.toml"}, skipped)
	assert.Len(t, rules, 12)
	var b strings.Builder
	for _, r := range rules {
		b.WriteString(render(r))
	}
	pipetest.Golden(t, "testdata/sample_corpus.golden", b.String())
}

func load(t *testing.T, src string) rule.Rule {
	t.Helper()
	res, err := Source{}.Load(rule.File{Path: "rules/x.toml", Data: []byte(src)})
	require.NoError(t, err)
	require.Len(t, res.Rules, 1, res.Skipped)
	return res.Rules[0]
}

const header = `[metadata]
creation_date = "2021/01/02"
updated_date = "2023/04/05"
maturity = "production"
integration = "endpoint"

[rule]
rule_id = "abc"
name = " Test rule "
severity = "High"
`

func TestLoadMetadata(t *testing.T) {
	r := load(t, header+`
language = "kuery"
type = "query"
index = ["logs-endpoint.events.process-*"]
tags = ["OS: Windows", "OS: Linux", "Domain: Endpoint", "Data Source: Elastic Defend", "Tactic: Execution", "Use Case: X"]
query = 'event.category:(process or network) and process.name:cmd.exe and not event.category:file'

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1059"
[[rule.threat.technique.subtechnique]]
id = "t1059.001"
[[rule.threat.technique]]
id = "T1059"
[rule.threat.tactic]
id = "TA0002"
name = "Execution"

[[rule.threat]]
framework = "Other"
[[rule.threat.technique]]
id = "T1111"
[rule.threat.tactic]
name = "Other tactic"
`)
	assert.Equal(t, "abc", r.RuleID)
	assert.Equal(t, "Test rule", r.Title)
	assert.Equal(t, "high", r.Severity)
	assert.Equal(t, "production", r.Status)
	assert.Equal(t, "2023-04-05", r.Date)
	assert.False(t, r.Deprecated)
	assert.Equal(t, []string{"T1059", "T1059.001"}, r.Techniques)
	assert.Equal(t, []string{"Execution"}, r.Tactics)
	assert.Equal(t, []string{"windows", "linux"}, r.Platforms)
	assert.Equal(t, []string{"endpoint"}, r.Domains)
	assert.Equal(t, []string{"datasource:Elastic Defend", "index:logs-endpoint.events.process-*",
		"integration:endpoint", "category:process", "category:network"}, r.LogSources)
	assert.Equal(t, rule.StatusOK, r.ParseStatus)
	assert.Equal(t, rule.LangKuery, r.Language)
}

func TestLoadRuleTypes(t *testing.T) {
	tests := map[string]struct {
		body       string
		status     rule.Status
		lang       string
		predicates string
		errPart    string
	}{
		"threshold": {
			body: `language = "kuery"
type = "threshold"
query = 'event.action:logon-failed'
[rule.threshold]
field = ["source.ip", "user.name"]
value = 25
[[rule.threshold.cardinality]]
field = "user.name"
value = 5
`,
			status: rule.StatusOK, lang: "kuery",
			predicates: `event.action eq "logon-failed"
source.ip is_not_null computed
user.name is_not_null computed
threshold.count gte "25" computed
cardinality(user.name) gte "5" computed
`},
		"threshold single field string": {
			body: `language = "kuery"
type = "threshold"
query = '*'
[rule.threshold]
field = "host.id"
value = 3
`,
			status: rule.StatusOK, lang: "kuery",
			predicates: "keywords match \"*\"\nhost.id is_not_null computed\nthreshold.count gte \"3\" computed\n"},
		"new terms": {
			body: `language = "kuery"
type = "new_terms"
query = 'event.category:authentication'
[rule.new_terms]
field = "new_terms_fields"
value = ["user.name", "source.geo.country_iso_code"]
`,
			status: rule.StatusOK, lang: "kuery",
			predicates: "event.category eq \"authentication\"\nuser.name is_not_null\nsource.geo.country_iso_code is_not_null\n"},
		"machine learning": {
			body:   `type = "machine_learning"` + "\nmachine_learning_job_id = \"x\"\n",
			status: rule.StatusNoQuery, lang: "none"},
		"lucene": {
			body:   "language = \"lucene\"\ntype = \"query\"\nquery = 'process.name:chmod AND NOT user.name:root'\n",
			status: rule.StatusOK, lang: "lucene",
			predicates: "process.name eq \"chmod\"\nuser.name eq \"root\" negated exclusion\n"},
		"kuery error": {
			body:   "language = \"kuery\"\ntype = \"query\"\nquery = '''\na:b and\n  (c:d\n'''\n",
			status: rule.StatusFailed, lang: "kuery",
			errPart: `kuery query line 3, column 1: expected ")" to close "(" at column 3`},
		"unknown language": {
			body:   "language = \"sql\"\ntype = \"query\"\nquery = 'select 1'\n",
			status: rule.StatusFailed, lang: "sql",
			errPart: "unsupported query language sql"},
		"filters": {
			body: `language = "kuery"
type = "query"
query = 'event.category:file'
[[rule.filters]]
[rule.filters.meta]
negate = true
[rule.filters.query.wildcard."file.path"]
case_insensitive = true
value = "C:\\\\Temp\\\\*"
[[rule.filters]]
[rule.filters.meta]
negate = false
[rule.filters.query.bool]
should = [{match_phrase = {"process.name" = "a.exe"}}, {terms = {"user.id" = ["S-1", "S-2"]}}]
must_not = [{range = {"file.size" = {gte = 10, lt = 20}}}]
[[rule.filters]]
[rule.filters.meta]
negate = true
disabled = true
[rule.filters.query.term]
"host.name" = "ignored"
[[rule.filters]]
[rule.filters.meta]
negate = true
[rule.filters.exists]
field = "process.code_signature.trusted"
`,
			status: rule.StatusOK, lang: "kuery",
			predicates: `event.category eq "file"
file.path startswith "C:\\Temp\\" negated exclusion
process.name eq "a.exe"
user.id in "S-1"
user.id in "S-2"
file.size gte "10" negated exclusion
file.size lt "20" negated exclusion
process.code_signature.trusted is_not_null negated exclusion
`},
		"filter values exact, CIDR blocks cidr_match": {
			body: `language = "kuery"
type = "query"
query = 'process.args : " -e "'
[[rule.filters]]
[rule.filters.meta]
negate = true
[rule.filters.query.terms]
"destination.ip" = ["10.0.0.0/8", "fe80::/10", "1.2.3.4"]
[[rule.filters]]
[rule.filters.query.match_phrase]
"process.command_line" = " /c "
[[rule.filters]]
[rule.filters.query.term]
"source.ip" = "192.168.0.0/16"
`,
			status: rule.StatusOK, lang: "kuery",
			predicates: `process.args eq " -e "
destination.ip cidr_match "10.0.0.0/8" negated exclusion
destination.ip cidr_match "fe80::/10" negated exclusion
destination.ip in "1.2.3.4" negated exclusion
process.command_line eq " /c "
source.ip cidr_match "192.168.0.0/16"
`},
		"unsupported filter is partial": {
			body: `language = "kuery"
type = "query"
query = 'a:b'
[[rule.filters]]
[rule.filters.meta]
negate = true
[rule.filters.query.geo_distance]
distance = "10km"
`,
			status: rule.StatusPartial, lang: "kuery",
			predicates: "a eq \"b\"\n",
			errPart:    `filter 1: unsupported query clause "geo_distance"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := load(t, header+tc.body)
			assert.Equal(t, tc.status, r.ParseStatus, r.ParseError)
			assert.Equal(t, tc.lang, r.Language)
			assert.Equal(t, tc.predicates, rule.Format(r.Predicates))
			if tc.errPart != "" {
				assert.Contains(t, r.ParseError, tc.errPart)
			} else {
				assert.Empty(t, r.ParseError)
			}
		})
	}
}

func TestLoadDeprecatedAndDates(t *testing.T) {
	r := load(t, `[metadata]
creation_date = "2020/02/18"
maturity = "deprecated"
[rule]
name = "old"
type = "query"
language = "kuery"
query = "a:b"
`)
	assert.True(t, r.Deprecated)
	assert.Equal(t, "2020-02-18", r.Date)
	assert.Equal(t, "rules/x.toml", r.RuleID, "a rule without rule_id is keyed by its path")
}

func TestLoadSkipsNonRules(t *testing.T) {
	res, err := Source{}.Load(rule.File{Path: "etc/x.toml", Data: []byte("[package]\nname = \"x\"\n")})
	require.NoError(t, err)
	assert.Empty(t, res.Rules)
	assert.Contains(t, res.Skipped, "[rule]")
}

func TestLoadBrokenTOML(t *testing.T) {
	_, err := Source{}.Load(rule.File{Path: "x.toml", Data: []byte("[rule]\nname = \"a\"\nquery = '''\nunterminated\n")})
	require.Error(t, err)
	var se *rule.SyntaxError
	require.True(t, errors.As(err, &se), "%T %v", err, err)
	assert.Greater(t, se.Line, 0)
	assert.Contains(t, err.Error(), "invalid TOML")

	_, err = Source{}.Load(rule.File{Path: "x.toml", Data: []byte("[rule]\ntags = 5\n")})
	require.Error(t, err, "a wrongly typed key is a decode error")
}

func TestFrontend(t *testing.T) {
	assert.Equal(t, "elastic", Frontend{}.Vendor())
	_, err := Frontend{}.Open(filepath.Join(t.TempDir(), "missing"))
	assert.Error(t, err)
	src, err := Frontend{}.Open(sampleCorpus(t))
	require.NoError(t, err)
	assert.True(t, src.Match("rules/a.toml", nil))
	assert.False(t, src.Match("rules/README.md", nil))
	assert.False(t, src.Match("LICENSE.txt", nil))
}

// FuzzLoad checks that the loader never panics on arbitrary file contents.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sampleCorpus(f), "*", "*", "*.toml"))
	more, _ := filepath.Glob(filepath.Join(sampleCorpus(f), "rules", "*", "*", "*.toml"))
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(header + "type = \"threshold\"\n[rule.threshold]\nfield = 3\n"))
	f.Add([]byte(header + "[[rule.filters]]\nquery = 5\nmeta = {negate = true}\n"))
	f.Add([]byte(header + "[[rule.filters]]\n[rule.filters.query.bool]\nmust = {bool = {must_not = [{exists = {field = 1}}]}}\n"))
	f.Add([]byte(huntHeader + "language = [\"ES|QL\", \"SQL\"]\nquery = ['from x | stats c = count(*) by a | where c > 5', '''\nsql\nSELECT * FROM t\n''']\n"))
	f.Add([]byte(huntHeader + "language = \"EQL\"\nquery = 'sequence [process where a : \" x \"]'\n"))
	f.Add([]byte("[hunt]\nquery = 5\n"))
	f.Add([]byte(header + "language = \"kuery\"\ntype = \"query\"\nquery = 'not destination.ip:(10.0.0.0/8 or \"fe80::/10\") and a:\" -e \"'\n"))
	f.Add([]byte(header + "language = \"lucene\"\ntype = \"query\"\nquery = 'destination.ip:10.0.0.0\\/8'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Source{}.Load(rule.File{Path: "f.toml", Data: data})
		if err != nil {
			return
		}
		for _, r := range res.Rules {
			for _, p := range r.Predicates {
				if !p.Op.Valid() {
					t.Fatalf("invalid op %q", p.Op)
				}
			}
			if r.ParseStatus == "" {
				t.Fatal("empty parse status")
			}
			if !rule.ValidKind(r.Kind) {
				t.Fatalf("invalid kind %q", r.Kind)
			}
		}
	})
}
