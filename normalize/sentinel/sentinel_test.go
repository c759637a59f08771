package sentinel

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// render prints one file's result in the stable golden text form.
func render(path string, res rule.Result, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", path)
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	if res.Skipped != "" {
		fmt.Fprintf(&b, "skipped: %s\n", res.Skipped)
	}
	for _, r := range res.Rules {
		fmt.Fprintf(&b, "rule_id: %s\ntitle: %s\nstatus: %s\nseverity: %s\nlanguage: %s\n", r.RuleID, r.Title, r.Status, r.Severity, r.Language)
		fmt.Fprintf(&b, "techniques: %s\ntactics: %s\nlog_sources: %s\n", strings.Join(r.Techniques, ", "),
			strings.Join(r.Tactics, ", "), strings.Join(r.LogSources, ", "))
		fmt.Fprintf(&b, "kind: %s\nrule_type: %s\n", r.Kind, r.RuleType)
		fmt.Fprintf(&b, "parse_status: %s\n", r.ParseStatus)
		if r.ParseError != "" {
			fmt.Fprintf(&b, "parse_error: %s\n", r.ParseError)
		}
		if r.Deprecated {
			b.WriteString("deprecated\n")
		}
		b.WriteString(rule.Format(r.Predicates))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// loadTree loads every matching file under root in lexical order.
func loadTree(t testing.TB, root string, each func(rel string, res rule.Result, err error)) {
	t.Helper()
	src, err := Frontend{}.Open(root)
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !src.Match(rel, d) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		res, lerr := src.Load(rule.File{Root: root, Path: rel, Data: data})
		each(rel, res, lerr)
		return nil
	})
	require.NoError(t, err)
}

func TestCorpusGolden(t *testing.T) {
	root := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sentinel")
	var b strings.Builder
	loadTree(t, root, func(rel string, res rule.Result, err error) {
		b.WriteString(render(rel, res, err))
		b.WriteString("\n")
	})
	pipetest.Golden(t, "testdata/corpus.golden", b.String())
}

func load(t *testing.T, path, src string) (rule.Result, error) {
	t.Helper()
	return Source{}.Load(rule.File{Root: "r", Path: path, Data: []byte(src)})
}

const header = "id: 1\nname: Test rule\nseverity: informational\nkind: Scheduled\nrelevantTechniques:\n  - T1595.002\n  - t1595.002\n  - T1046\ntactics: [Reconnaissance]\n"

// noKind is header without kind and severity, as hunting queries are written.
const noKind = "id: 1\nname: Test rule\nrelevantTechniques:\n  - T1595.002\n  - t1595.002\n  - T1046\ntactics: [Reconnaissance]\n"

func TestLoad(t *testing.T) {
	tests := map[string]struct {
		path, src string
		skipped   string
		status    rule.Status
		errText   string
		preds     string
		kind      rule.Kind // detection when empty
		ruleType  string    // Scheduled when empty
	}{
		"simple": {
			src:    header + "query: |\n  SecurityEvent\n  | where EventID == 4688 and Process !in~ (\"a.exe\", \"b.exe\")\n",
			status: rule.StatusOK,
			preds:  "EventID eq \"4688\"\nProcess in \"a.exe\" negated exclusion\nProcess in \"b.exe\" negated exclusion\n",
		},
		"parse error with file position": {
			src:     header + "query: |\n  SecurityEvent\n  | where EventID == (4688\n",
			status:  rule.StatusFailed,
			errText: "query line 3, column 1 (file line 13, column 3): expected \")\", found end of query",
		},
		"one-line query": {
			src:     header + "query: 'T | where x =='\n",
			status:  rule.StatusFailed,
			errText: "query line 1, column 15 (file line 10, column ~23): expected an expression, found end of query",
		},
		"crlf and bom": {
			src:    "\uFEFF" + strings.ReplaceAll(header+"query: |\n  T\n  | where a == 'x'\n", "\n", "\r\n"),
			status: rule.StatusOK,
			preds:  "a eq \"x\"\n",
		},
		"tab-indented query lines": {
			src:    header + "query: |\n  T\n\t| where a has 'x'\n\t| where b != 1\n",
			status: rule.StatusOK,
			preds:  "a contains \"x\"\nb eq \"1\" negated exclusion\n",
		},
		"hunting query by folder": {
			path: "Solutions/X/Hunting Queries/x.yaml", src: noKind + "query: T | where a has ' /s '\n",
			status: rule.StatusOK, preds: "a contains \" /s \"\n", kind: rule.KindHunting, ruleType: "hunting",
		},
		"analytic rule in a hunting folder": {
			path: "Hunting Queries/x.yaml", src: header + "query: T | where a == 1\n", status: rule.StatusOK, preds: "a eq \"1\"\n",
		},
		"nrt in lower case": {
			src: strings.Replace(header, "kind: Scheduled", "kind: nrt ", 1) + "query: T | where a == 1\n", status: rule.StatusOK,
			preds: "a eq \"1\"\n", ruleType: "NRT",
		},
		"union without its comma": {
			src: header + "query: |\n  union\n  (A | where a == 1)\n  (B | where b == 2)\n", status: rule.StatusPartial,
			preds:   "a eq \"1\"\nb eq \"2\"\n",
			errText: "query line 2, column 18 (file line 12, column 20): union: no \",\" after this table, before the next \"(\" (Microsoft's Kusto parser rejects the query); read as if it were there",
		},
		"comparisons but no predicate": {
			src: header + "query: |\n  T\n  | where a != b\n", status: rule.StatusPartial,
			errText: "query line 2, column 9 (file line 12, column 11): no field/value predicate: the query's comparisons give none (the first: comparison of two columns kept out of predicates: a != b)",
		},
		"parser": {
			src: "Parser:\n  Title: x\nParserQuery: T\n", skipped: "parser or workspace function (Parser), not an analytic rule",
		},
		"no query": {
			src: header, status: rule.StatusFailed,
			errText: "no query: the file has analytic rule keys (id, severity, kind) but no query key; truncated? (file ends at line 9)",
		},
		"empty query": {
			src: header + "query: |\n", status: rule.StatusFailed, errText: "empty query (file line 10)",
		},
		"fusion": {
			src: header + "", status: rule.StatusNoQuery,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if name == "fusion" {
				tc.src = strings.Replace(tc.src, "kind: Scheduled", "kind: Fusion", 1)
			}
			if tc.path == "" {
				tc.path = "Detections/x.yaml"
			}
			r := loadOne(t, tc.path, tc.src, tc.skipped)
			if r == nil {
				return
			}
			assert.Equal(t, tc.status, r.ParseStatus, r.ParseError)
			assert.Equal(t, tc.errText, r.ParseError)
			assert.Equal(t, tc.preds, rule.Format(r.Predicates))
			if tc.kind == "" {
				tc.kind = rule.KindDetection
			}
			if tc.ruleType == "" && tc.status != rule.StatusNoQuery {
				tc.ruleType = "Scheduled"
			}
			if name == "fusion" {
				tc.ruleType = "Fusion"
			}
			assert.Equal(t, tc.kind, r.Kind)
			assert.Equal(t, tc.ruleType, r.RuleType)
			assert.Equal(t, []string{"T1595.002", "T1046"}, r.Techniques)
			if tc.kind != rule.KindHunting {
				assert.Equal(t, "informational", r.Severity)
			}
		})
	}
}

// loadOne loads src as the file path: skipped with that reason when skipped
// is not "" (nil is returned), else exactly one rule, which it returns.
func loadOne(t *testing.T, path, src, skipped string) *rule.Rule {
	t.Helper()
	res, err := load(t, path, src)
	require.NoError(t, err)
	assert.Equal(t, skipped, res.Skipped)
	if skipped != "" {
		assert.Empty(t, res.Rules)
		return nil
	}
	require.Len(t, res.Rules, 1)
	return &res.Rules[0]
}

// TestLostQuery checks which files without a query key are analytic rules
// that lost it (reported failed) and which are other YAML (skipped).
func TestLostQuery(t *testing.T) {
	const top = "id: 0d5d2f5c-6b0e-4b8e-9d55-3d3c1c2f0a11\nname: Port scan burst\ndescription: |\n  Many ports.\n"
	tests := map[string]struct {
		path, src       string
		skipped, status string
		errText         string
	}{
		"cut after severity": {path: "Solutions/X/Analytic Rules/a.yaml", src: top + "severity: Medium\n",
			status: "failed", errText: "no query: the file has analytic rule keys (id, severity) but no query key; truncated? (file ends at line 5)"},
		"cut after schedule, outside rule folders": {path: "rules/a.yaml", src: top + "queryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\n",
			status: "failed", errText: "no query: the file has analytic rule keys (id, queryFrequency, queryPeriod, triggerOperator) but no query key; truncated? (file ends at line 7)"},
		"cut inside the description": {path: "Detections/SecurityEvent/a.yaml", src: "id: 1\nname: x\ndescription: |\n  Many",
			status: "failed", errText: "no query: analytic rule folder file with an id or name but no query key; truncated? (file ends at line 4)"},
		"cut after the id": {path: "Solutions/X/Analytic Rules/a.yaml", src: "id: 0d5d2f5c-6b0e",
			status: "failed", errText: "no query: analytic rule folder file with an id or name but no query key; truncated? (file ends at line 1)"},
		"query key without text": {path: "Detections/a.yaml", src: top + "severity: Low\nquery:\n",
			status: "failed", errText: "empty query (file line 6)"},
		"fusion rule has no query": {path: "Detections/a.yaml", src: top + "severity: High\nkind: Fusion\n", status: "no_query"},
		"id and name elsewhere":    {path: "Exploration Queries/a.yaml", src: top + "requiredDataConnectors: []\n", skipped: "no query: not an analytic rule"},
		"hunting folder": {path: "Solutions/X/Hunting Queries/a.yaml", src: top + "severity: Low\n",
			status: "failed", errText: "no query: hunting query folder file with an id or name but no query key; truncated? (file ends at line 5)"},
		"hunting folder, not a query": {path: "Hunting Queries/readme.yaml", src: "title: x\n", skipped: "no query: not a hunting query"},
		"parser in rule folder":       {path: "Detections/a.yaml", src: "Parser:\n  Title: x\nid: 1\nseverity: Low\n", skipped: "parser or workspace function (Parser), not an analytic rule"},
		"settings file":               {path: "Detections/config.yaml", src: "enabled: true\nlevel: 3\n", skipped: "no query: not an analytic rule"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := loadOne(t, tc.path, tc.src, tc.skipped)
			if r == nil {
				return
			}
			assert.Equal(t, tc.status, string(r.ParseStatus))
			assert.Equal(t, tc.errText, r.ParseError)
			assert.Equal(t, tc.path, r.Path)
		})
	}
}

// TestTruncatedRules cuts every analytic rule of the sample corpus after
// each line: every prefix must be a load error or a rule (a truncated rule
// is never skipped as "not a rule"), and a prefix without the query's end
// never passes silently as a rule with no query.
func TestTruncatedRules(t *testing.T) {
	root := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sentinel")
	n := 0
	loadTree(t, root, func(rel string, full rule.Result, err error) {
		if err != nil || len(full.Rules) != 1 || full.Rules[0].ParseStatus == rule.StatusNoQuery {
			return
		}
		data, err := os.ReadFile(filepath.Join(root, rel))
		require.NoError(t, err)
		for cut := 1; cut < len(data); cut++ {
			if data[cut-1] != '\n' {
				continue
			}
			n++
			res, err := load(t, rel, string(data[:cut]))
			if err != nil {
				continue
			}
			require.Empty(t, res.Skipped, "%s cut at byte %d skipped", rel, cut)
			require.Len(t, res.Rules, 1)
			assert.NotEqual(t, rule.StatusNoQuery, res.Rules[0].ParseStatus, "%s cut at byte %d", rel, cut)
		}
	})
	t.Logf("%d truncated copies", n)
	assert.Positive(t, n)
}

func TestLoadBrokenYAML(t *testing.T) {
	_, err := load(t, "x.yaml", "id: 1\nrequiredDataConnectors:\n - connectorId: AWS\n   dataTypes:\n    - A\n - connectorId: B\n    dataTypes:\n    - C\n")
	require.Error(t, err)
	var se *rule.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 7, se.Line)
	assert.Contains(t, err.Error(), "invalid YAML")
}

func TestFrontend(t *testing.T) {
	assert.Equal(t, "sentinel", Frontend{}.Vendor())
	src, err := Frontend{}.Open(".")
	require.NoError(t, err)
	assert.True(t, src.Match("a/b.yaml", nil))
	assert.True(t, src.Match("a/b.YML", nil))
	assert.False(t, src.Match("a/b.json", nil))
}
