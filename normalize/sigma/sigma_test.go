package sigma

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// lower parses a detection written as YAML and returns its predicates in
// rule.Format text.
func lower(t *testing.T, det string) (string, []string) {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(det), &doc))
	d, err := ParseDetection(doc.Content[0])
	require.NoError(t, err)
	ps, skipped := rule.Flatten(d.Lower())
	return rule.Format(ps), skipped
}

func TestModifiers(t *testing.T) {
	tests := map[string]struct{ det, want string }{
		"plain value":      {"sel: {Image: 'C:\\x.exe'}\ncondition: sel", "Image eq \"C:\\\\x.exe\"\n"},
		"value list":       {"sel: {Port: [1, 2]}\ncondition: sel", "Port in \"1\"\nPort in \"2\"\n"},
		"wildcards":        {"sel: {A: ['*x*', 'y*', '*z', 'a*b']}\ncondition: sel", "A contains \"x\"\nA startswith \"y\"\nA endswith \"z\"\nA wildcard \"a*b\"\n"},
		"contains":         {"sel: {A|contains: x}\ncondition: sel", "A contains \"x\"\n"},
		"contains list":    {"sel: {A|contains: [x, y]}\ncondition: sel", "A contains \"x\"\nA contains \"y\"\n"},
		"startswith":       {"sel: {A|startswith: x}\ncondition: sel", "A startswith \"x\"\n"},
		"endswith":         {"sel: {A|endswith: '\\x.exe'}\ncondition: sel", "A endswith \"\\\\x.exe\"\n"},
		"trailing slash":   {"sel: {A|contains: '\\Temp\\'}\ncondition: sel", "A contains \"\\\\Temp\\\\\"\n"},
		"contains all":     {"sel: {A|contains|all: [x, y]}\ncondition: sel", "A contains \"x\"\nA contains \"y\"\n"},
		"re with flags":    {"sel: {A|re|i|m: 'a.+b'}\ncondition: sel", "A regex_match \"(?im)a.+b\"\n"},
		"cidr":             {"sel: {Ip|cidr: [10.0.0.0/8]}\ncondition: sel", "Ip cidr_match \"10.0.0.0/8\"\n"},
		"windash":          {"sel: {C|windash|contains: ' -enc '}\ncondition: sel", "C contains \" -enc \"\n"},
		"base64":           {"sel: {C|base64: 'http://'}\ncondition: sel", "C eq \"aHR0cDovLw==\"\n"},
		"base64offset":     {"sel: {C|base64offset|contains: 'IEX ('}\ncondition: sel", "C contains \"SUVYIC\"\nC contains \"lFWCAo\"\nC contains \"JRVggK\"\n"},
		"wide base64":      {"sel: {C|wide|base64: 'ab'}\ncondition: sel", "C eq \"YQBiAA==\"\n"},
		"utf16be":          {"sel: {C|utf16be|base64: 'ab'}\ncondition: sel", "C eq \"AGEAYg==\"\n"},
		"utf16 bom":        {"sel: {C|utf16|base64: 'a'}\ncondition: sel", "C eq \"//5hAA==\"\n"},
		"exists":           {"sel: {A|exists: true, B|exists: false}\ncondition: sel", "A is_not_null\nB is_null\n"},
		"null":             {"sel: {A: null}\ncondition: sel", "A is_null\n"},
		"empty string":     {"sel: {A: ''}\ncondition: sel", "A eq \"\"\n"},
		"star exists":      {"sel: {A: '*'}\ncondition: sel", "A is_not_null\n"},
		"comparisons":      {"sel: {A|gt: 1, B|gte: 2, C|lt: 3, D|lte: 4}\ncondition: sel", "A gt \"1\"\nB gte \"2\"\nC lt \"3\"\nD lte \"4\"\n"},
		"fieldref":         {"sel: {A|fieldref: B}\ncondition: sel", "A eq \"fieldref:B\"\n"},
		"expand":           {"sel: {A|expand: '%dir%\\x'}\ncondition: sel", "A eq \"%dir%\\\\x\"\n"},
		"cased":            {"sel: {A|cased: Xy}\ncondition: sel", "A eq \"Xy\"\n"},
		"keywords":         {"kw: ['evil', '*bad*', 'a?c']\ncondition: kw", "keywords match \"evil\"\nkeywords match \"bad\"\nkeywords wildcard \"a?c\"\n"},
		"keyword modifier": {"kw: {'|contains': x}\ncondition: kw", "keywords match \"x\"\n"},
		"list of maps":     {"sel: [{A: 1}, {B: 2}]\ncondition: sel", "A eq \"1\"\nB eq \"2\"\n"},
		"escaped star":     {"sel: {A: 'a\\*'}\ncondition: sel", "A eq \"a*\"\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, skipped := lower(t, tc.det)
			assert.Equal(t, tc.want, got)
			assert.Empty(t, skipped)
		})
	}
}

func TestConditions(t *testing.T) {
	det := "sel_a: {A: 1}\nsel_b: {B: 2}\nfilter_x: {X: 3}\nfilter_y: {Y: 4}\n_hidden: {H: 5}\n"
	tests := map[string]struct{ cond, want string }{
		"and":             {"sel_a and sel_b", "A eq \"1\"\nB eq \"2\"\n"},
		"or":              {"sel_a or sel_b", "A eq \"1\"\nB eq \"2\"\n"},
		"not filter":      {"sel_a and not filter_x", "A eq \"1\"\nX eq \"3\" negated exclusion\n"},
		"1 of filters":    {"sel_a and not 1 of filter_*", "A eq \"1\"\nX eq \"3\" negated exclusion\nY eq \"4\" negated exclusion\n"},
		"all of":          {"all of sel_*", "A eq \"1\"\nB eq \"2\"\n"},
		"1 of them":       {"1 of them", "A eq \"1\"\nB eq \"2\"\nX eq \"3\"\nY eq \"4\"\n"},
		"all of them":     {"all of them", "A eq \"1\"\nB eq \"2\"\nX eq \"3\"\nY eq \"4\"\n"},
		"any of":          {"any of sel*", "A eq \"1\"\nB eq \"2\"\n"},
		"parentheses":     {"(sel_a or sel_b) and not (filter_x or filter_y)", "A eq \"1\"\nB eq \"2\"\nX eq \"3\" negated exclusion\nY eq \"4\" negated exclusion\n"},
		"nested not":      {"sel_a or not filter_x", "A eq \"1\"\nX eq \"3\" negated\n"},
		"precedence":      {"sel_a or sel_b and not filter_x", "A eq \"1\"\nB eq \"2\"\nX eq \"3\" negated\n"},
		"upper keywords":  {"sel_a AND NOT filter_x", "A eq \"1\"\nX eq \"3\" negated exclusion\n"},
		"count agg":       {"sel_a | count() by B > 10", "A eq \"1\"\ncount gt \"10\" computed\n"},
		"count field":     {"sel_a | count(X) by B, C >= 3", "A eq \"1\"\ncount(X) gte \"3\" computed\n"},
		"explicit hidden": {"_hidden", "H eq \"5\"\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, skipped := lower(t, det+"condition: '"+tc.cond+"'\n")
			assert.Equal(t, tc.want, got)
			assert.Empty(t, skipped)
		})
	}
}

func TestConditionErrorsAndSkips(t *testing.T) {
	for _, c := range []string{"sel and", "(sel", "sel or or x", "2x of sel", "sel | near x", "sel $", "not", ""} {
		_, err := ParseCondition(c)
		assert.Error(t, err, c)
	}
	_, skipped := lower(t, "sel: {A: 1}\ncondition: sel and missing")
	assert.Equal(t, []string{`condition names unknown search identifier "missing"`}, skipped)
	_, skipped = lower(t, "sel: {A: 1}\ncondition: sel and 1 of nothing_*")
	assert.Len(t, skipped, 1)
}

func TestConditionPrinterRoundTrip(t *testing.T) {
	for _, c := range []string{
		"a and not 1 of filter_*", "(a or b) and c", "all of them", "a | count(x) by y > 5", "not (a and b)",
	} {
		p1, err := ParseCondition(c)
		require.NoError(t, err)
		s1 := String(p1)
		p2, err := ParseCondition(s1)
		require.NoError(t, err, s1)
		assert.Equal(t, s1, String(p2))
	}
}

func TestLoad(t *testing.T) {
	src := `title: Multi
id: a
status: test
date: 2024/01/02
modified: 2024-03-04
level: HIGH
tags: [attack.t1595.002, attack.reconnaissance, attack.g0016, attack.s0001, cve.2024.1]
logsource: {product: Windows, category: process_creation}
detection:
  sel: {Image|endswith: '\x.exe'}
  condition: sel
---
title: Second
id: b
status: deprecated
detection:
  sel: {A: 1}
  condition: sel
`
	res, err := source{}.Load(rule.File{Path: "x.yml", Data: []byte(src)})
	require.NoError(t, err)
	require.Len(t, res.Rules, 2)
	r := res.Rules[0]
	assert.Equal(t, "a", r.RuleID)
	assert.Equal(t, "high", r.Severity)
	assert.Equal(t, "2024-03-04", r.Date)
	assert.Equal(t, []string{"T1595.002"}, r.Techniques)
	assert.Equal(t, []string{"reconnaissance"}, r.Tactics)
	assert.Equal(t, []string{"product:windows", "category:process_creation"}, r.LogSources)
	assert.Equal(t, rule.StatusOK, r.ParseStatus)
	assert.True(t, res.Rules[1].Deprecated)
}

func TestLoadGlobalAction(t *testing.T) {
	src := `action: global
title: Shared
id: g
tags: [attack.t1003]
detection:
  sel: {A: 1}
  condition: sel and other
---
logsource: {product: windows}
detection:
  other: {B: 2}
---
id: g2
logsource: {product: linux}
detection:
  other: {C: 3}
`
	res, err := source{}.Load(rule.File{Path: "g.yml", Data: []byte(src)})
	require.NoError(t, err)
	require.Len(t, res.Rules, 2)
	assert.Equal(t, "g", res.Rules[0].RuleID)
	assert.Equal(t, "g2", res.Rules[1].RuleID)
	assert.Equal(t, "A eq \"1\"\nB eq \"2\"\n", rule.Format(res.Rules[0].Predicates))
	assert.Equal(t, "A eq \"1\"\nC eq \"3\"\n", rule.Format(res.Rules[1].Predicates))
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]struct{ src, want string }{
		"bad yaml": {"title: x\ndetection: [a\n", "invalid YAML"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := source{}.Load(rule.File{Path: "x.yml", Data: []byte(tc.src)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	res, err := source{}.Load(rule.File{Path: "x.yml", Data: []byte("title: t\nid: i\ndetection:\n  sel: {A|bogus: 1}\n  condition: sel\n")})
	require.NoError(t, err)
	require.Len(t, res.Rules, 1)
	assert.Equal(t, rule.StatusFailed, res.Rules[0].ParseStatus)
	assert.True(t, strings.HasPrefix(res.Rules[0].ParseError, "line 4, column 9: unknown modifier"), res.Rules[0].ParseError)

	res, err = source{}.Load(rule.File{Path: "x.yml", Data: []byte("title: t\nlogsource: {product: windows}\n")})
	require.NoError(t, err)
	require.Len(t, res.Rules, 1, "a rule that lost its detection is failed, not skipped")
	assert.Equal(t, rule.StatusFailed, res.Rules[0].ParseStatus)
}

func TestLoadSkipsNonRules(t *testing.T) {
	tests := map[string]struct{ src, want string }{
		"config":        {"name: config\nvalues: [1]\n", "not a Sigma rule: line 1: no detection, correlation or logsource (keys: name, values)"},
		"thor config":   {"title: THOR\norder: 20\nbackends: [thor]\nlogsources: {}\n", "(keys: title, order, backends, logsources)"},
		"not a mapping": {"- a\n- b\n", "not a Sigma rule: line 1: the document is not a mapping"},
		"empty":         {"# nothing\n", "not a Sigma rule: the file holds no YAML document"},
		"only global":   {"action: global\ntitle: t\n", "only action documents"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := source{}.Load(rule.File{Path: "cfg.yml", Data: []byte(tc.src)})
			require.NoError(t, err)
			assert.Empty(t, res.Rules)
			assert.Contains(t, res.Skipped, tc.want)
		})
	}
}

func TestKinds(t *testing.T) {
	src := `title: Base
name: base
id: base-id
logsource: {product: windows}
detection:
  sel: {A: 1}
  condition: sel | count() by B > 5
---
title: Many
id: corr-id
correlation:
  type: event_count
  rules: [base]
  group-by: [B]
  timespan: 1h
  condition: {gte: 10}
`
	res, err := source{}.Load(rule.File{Path: "c.yml", Data: []byte(src)})
	require.NoError(t, err)
	require.Len(t, res.Rules, 2)
	det, corr := res.Rules[0], res.Rules[1]
	assert.Equal(t, rule.KindDetection, det.Kind)
	assert.Equal(t, RuleTypeDetection, det.RuleType)
	assert.Equal(t, "A eq \"1\"\ncount gt \"5\" computed\n", rule.Format(det.Predicates))
	assert.Equal(t, rule.KindCorrelation, corr.Kind)
	assert.Equal(t, RuleTypeCorrelation, corr.RuleType)
	assert.Equal(t, "event_count gte \"10\" computed\n", rule.Format(corr.Predicates))
	assert.Equal(t, rule.StatusOK, corr.ParseStatus)
	assert.NotContains(t, corr.LogSources, "kind:correlation")
	assert.Equal(t, "base", det.Name, "the name a correlation rule may reference")
	assert.Equal(t, []string{"base"}, corr.Correlates)
}

func TestDeprecatedFolders(t *testing.T) {
	src := []byte("title: t\nid: i\nstatus: test\nlogsource: {product: windows}\ndetection:\n  sel: {A: 1}\n  condition: sel\n")
	for path, want := range map[string]bool{
		"rules/windows/x.yml":        false,
		"deprecated/windows/x.yml":   true,
		"unsupported/x.yml":          true,
		"sigma/deprecated/a/b/x.yml": true,
		"rules/deprecated_x.yml":     false,
		"rules/unsupported.yml":      false,
	} {
		res, err := source{}.Load(rule.File{Path: path, Data: src})
		require.NoError(t, err)
		require.Len(t, res.Rules, 1)
		assert.Equal(t, want, res.Rules[0].Deprecated, path)
	}
}

func TestSharedIDInOneFile(t *testing.T) {
	src := `title: One
id: same
action: global
---
logsource: {product: windows}
detection: {sel: {A: 1}, condition: sel}
---
logsource: {product: linux}
detection: {sel: {B: 1}, condition: sel}
---
title: Other
id: other
logsource: {product: linux}
detection: {sel: {C: 1}, condition: sel}
---
title: Third
id: same
logsource: {product: macos}
detection: {sel: {D: 1}, condition: sel}
`
	res, err := source{}.Load(rule.File{Path: "other/g.yml", Data: []byte(src)})
	require.NoError(t, err)
	var ids []string
	for _, r := range res.Rules {
		ids = append(ids, r.RuleID)
	}
	assert.Equal(t, []string{"same", "same#other/g.yml#2", "other", "same#other/g.yml#3"}, ids)
}

func TestQueryIsTheSectionAsWritten(t *testing.T) {
	data := []byte(`title: a
id: 1
detection:
    sel:
        CommandLine|contains: ' -e '   # keep the spaces
    condition: sel

# trailing comment
level: high
---
title: b
id: 2
correlation:
    type: event_count
    rules: [a]
    group-by: [User]
    timespan: 1h
    condition:
        gte: 10
`)
	res, err := source{}.Load(rule.File{Path: "x.yml", Data: data})
	require.NoError(t, err)
	require.Len(t, res.Rules, 2)
	require.Equal(t, "detection:\n    sel:\n        CommandLine|contains: ' -e '   # keep the spaces\n    condition: sel", res.Rules[0].Query)
	require.Equal(t, `CommandLine contains " -e "`, res.Rules[0].Logic)
	require.Equal(t, "correlation:\n    type: event_count\n    rules: [a]\n    group-by: [User]\n    timespan: 1h\n    condition:\n        gte: 10", res.Rules[1].Query)
}
