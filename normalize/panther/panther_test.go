package panther

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// loadTree runs the frontend over every matching file under root, in
// path order, and returns the results keyed by relative path.
func loadTree(t testing.TB, root string) ([]string, map[string]rule.Result) {
	t.Helper()
	src, err := Frontend{}.Open(root)
	require.NoError(t, err)
	var paths []string
	results := map[string]rule.Result{}
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
		require.NoError(t, err)
		res, err := src.Load(rule.File{Root: root, Path: rel, Data: data})
		if err != nil {
			res = rule.Result{Skipped: "ERROR: " + err.Error()}
		}
		paths = append(paths, rel)
		results[rel] = res
		return nil
	})
	require.NoError(t, err)
	sort.Strings(paths)
	// As the pipeline does once every file is loaded.
	all := make([]*rule.Result, len(paths))
	for i, p := range paths {
		res := results[p]
		all[i] = &res
	}
	src.(rule.Finisher).Finish(all)
	for i, p := range paths {
		results[p] = *all[i]
	}
	return paths, results
}

func render(r rule.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule %s %q\n", r.RuleID, r.Title)
	fmt.Fprintf(&b, "  status=%s severity=%s language=%s deprecated=%v parse=%s\n",
		r.Status, r.Severity, r.Language, r.Deprecated, r.ParseStatus)
	if r.ParseError != "" {
		fmt.Fprintf(&b, "  error: %s\n", r.ParseError)
	}
	fmt.Fprintf(&b, "  techniques=%v tactics=%v\n", r.Techniques, r.Tactics)
	fmt.Fprintf(&b, "  logsources=%v\n", r.LogSources)
	for _, line := range strings.Split(strings.TrimSuffix(rule.Format(r.Predicates), "\n"), "\n") {
		if line != "" {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
}

// TestSampleCorpusGolden loads testdata/corpus/panther and checks every
// rule against the golden file; every sample rule must parse ok.
func TestSampleCorpusGolden(t *testing.T) {
	root := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "panther")
	paths, results := loadTree(t, root)
	var b strings.Builder
	rules := 0
	for _, p := range paths {
		res := results[p]
		b.WriteString("== " + p + "\n")
		if res.Skipped != "" {
			b.WriteString("skipped: " + res.Skipped + "\n")
		}
		for _, n := range res.Notes {
			b.WriteString("note: " + n + "\n")
		}
		for _, r := range res.Rules {
			rules++
			b.WriteString(render(r))
			assert.Equal(t, rule.StatusOK, r.ParseStatus, "%s: %s", p, r.ParseError)
			assert.NotEmpty(t, r.Predicates, p)
		}
	}
	assert.GreaterOrEqual(t, rules, 14)
	pipetest.Golden(t, "testdata/corpus.golden", b.String())
}

func TestMissingPythonFile(t *testing.T) {
	res, err := (&source{}).Load(rule.File{Root: t.TempDir(), Path: "rules/x/r.yml", Data: []byte(
		"AnalysisType: rule\nRuleID: X\nFilename: r.py\nThreshold: 5\nReports:\n  MITRE ATT&CK:\n    - TA0043:T1595\n")})
	require.NoError(t, err)
	require.Len(t, res.Rules, 1)
	r := res.Rules[0]
	assert.Equal(t, rule.StatusFailed, r.ParseStatus)
	assert.Equal(t, "python file not found: rules/x/r.py", r.ParseError)
	assert.Equal(t, []string{"T1595"}, r.Techniques)
	assert.Equal(t, []string{"TA0043"}, r.Tactics)
	assert.Empty(t, r.Predicates)
	assert.Equal(t, rule.LangPython, r.Language)
}

func TestLoaderCases(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.py"), []byte("def rule(event)\n    return True\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "helper.py"), []byte("from h import f\ndef rule(event):\n    return f(event)\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "true.py"), []byte("def rule(_):\n    return True\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policy.py"), []byte("def policy(resource):\n    return resource.get(\"Encrypted\") is True\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mylib.py"), []byte("NAMES = [\"a\", \"b\"]\ndef hit(event):\n    return event.get(\"n\") in NAMES\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "beside.py"), []byte("import mylib as m\ndef rule(event):\n    return m.hit(event)\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "queries"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "queries", "q.yml"), []byte("AnalysisType: scheduled_query\nQueryName: Q.Two\nQuery: |\n"+
		"  SELECT userIdentity:arn AS arn, count(*) AS n\n  FROM panther_logs.public.aws_cloudtrail\n  WHERE eventName = 'X' AND p_occurs_since(1d)\n  GROUP BY arn\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "queries", "jinja.yml"), []byte("AnalysisType: saved_query\nQueryName: Q.Jinja\nQuery: |-\n"+
		"  -- pragma: template\n  {% import 'anomalies' x %}\n  SELECT 1\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "count.py"), []byte("def rule(event):\n    return event.get(\"n\") > 3 and event.get(\"arn\") != \"root\"\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "rules"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rules", "lt.yml"), []byte("AnalysisType: rule\nLogTypes:\n  - AWS.CloudTrail\n"), 0o644))
	tests := map[string]struct {
		yml     string
		skipped string
		status  rule.Status
		errHas  string
		check   func(t *testing.T, r rule.Rule)
	}{
		"policy": {yml: "AnalysisType: policy\nPolicyID: P\nFilename: policy.py\nResourceTypes: [AWS.EC2.Volume]\nReports:\n  MITRE ATT&CK: [TA0009:T1005]\n",
			status: rule.StatusOK, check: func(t *testing.T, r rule.Rule) {
				assert.Equal(t, rule.KindPolicy, r.Kind)
				assert.Equal(t, "policy", r.RuleType)
				assert.Equal(t, "P", r.RuleID)
				assert.Equal(t, []string{"T1005"}, r.Techniques)
				assert.Equal(t, []string{"resourcetype:AWS.EC2.Volume"}, r.LogSources)
				assert.Equal(t, "Encrypted eq \"true\"\n", rule.Format(r.Predicates))
			}},
		"module beside the rule": {yml: "AnalysisType: rule\nRuleID: M\nFilename: beside.py\n", status: rule.StatusOK,
			check: func(t *testing.T, r rule.Rule) {
				assert.Equal(t, "n in \"a\"\nn in \"b\"\n", rule.Format(r.Predicates))
				assert.Equal(t, rule.KindDetection, r.Kind)
				assert.Equal(t, "rule", r.RuleType)
			}},
		"global skipped": {yml: "AnalysisType: global\nGlobalID: g\nFilename: g.py\n", skipped: "global"},
		"not panther":    {yml: "foo: bar\n", skipped: "no AnalysisType"},
		"correlation": {yml: "AnalysisType: correlation_rule\nRuleID: C\nReports:\n  MITRE ATT&CK: [TA0003:T1098]\nDetection:\n  - Sequence:\n      - ID: a\n        RuleID: R.One\n      - ID: b\n        RuleID: R.Two\n",
			status: rule.StatusOK, check: func(t *testing.T, r rule.Rule) {
				assert.Equal(t, rule.KindCorrelation, r.Kind)
				assert.Equal(t, "correlation_rule", r.RuleType)
				assert.Equal(t, []string{"T1098"}, r.Techniques)
				assert.Empty(t, r.Predicates)
			}},
		"python syntax error": {yml: "AnalysisType: rule\nRuleID: B\nFilename: bad.py\n", status: rule.StatusFailed,
			errHas: "python file bad.py: line 1, column"},
		"helper only is partial": {yml: "AnalysisType: rule\nRuleID: H\nFilename: helper.py\n", status: rule.StatusPartial,
			errHas: "call to f imported from h, a module outside the repository (line 3)"},
		"scheduled rule with a missing query is partial": {
			yml:    "AnalysisType: scheduled_rule\nRuleID: S\nFilename: true.py\nScheduledQueries: [Q.One]\n",
			status: rule.StatusPartial, errHas: `scheduled query "Q.One" not found under queries/`,
			check: func(t *testing.T, r rule.Rule) { assert.Equal(t, []string{"query:Q.One"}, r.LogSources) }},
		"scheduled rule without queries is partial": {
			yml:    "AnalysisType: scheduled_rule\nRuleID: S\nFilename: true.py\n",
			status: rule.StatusPartial, errHas: "the scheduled rule names no ScheduledQueries"},
		"scheduled rule reads its query": {
			yml:    "AnalysisType: scheduled_rule\nRuleID: S2\nFilename: count.py\nScheduledQueries: [Q.Two]\n",
			status: rule.StatusOK,
			check: func(t *testing.T, r rule.Rule) {
				// the table's log type comes from the LogTypes a rule of the repository declares (rules/lt.yml), by Finish
				assert.Equal(t, []string{"query:Q.Two", "logtype:AWS.CloudTrail"}, r.LogSources)
				// n is computed by the query; arn is the event's userIdentity:arn under another name
				assert.Equal(t, "eventName eq \"X\"\nn gt \"3\" computed\narn (userIdentity.arn) eq \"root\" negated exclusion\n", rule.Format(r.Predicates))
				assert.Contains(t, r.Query, "-- Q.Two (queries/q.yml)\nSELECT userIdentity:arn")
			}},
		"scheduled rule with a Jinja query is partial": {
			yml:    "AnalysisType: scheduled_rule\nRuleID: S3\nFilename: true.py\nScheduledQueries: [Q.Jinja]\n",
			status: rule.StatusPartial, errHas: `queries/jinja.yml line 5: Jinja template "{% import 'anomalies' x %}"`},
		"neither filename nor detection": {yml: "AnalysisType: rule\nRuleID: N\n", status: rule.StatusFailed, errHas: "neither"},
		"outside the repository": {yml: "AnalysisType: rule\nRuleID: O\nFilename: ../../etc/passwd\n", status: rule.StatusFailed,
			errHas: "outside the repository"},
		"bad detection": {yml: "AnalysisType: rule\nRuleID: D\nDetection:\n  - Key: a\n", status: rule.StatusFailed,
			errHas: "Detection: line 4, column 5: match expression without Condition"},
		"unknown condition is partial": {yml: "AnalysisType: rule\nRuleID: U\nDetection:\n  - Key: a\n    Condition: IsIPAddressPublic\n",
			status: rule.StatusPartial, errHas: "unsupported match condition IsIPAddressPublic"},
		"tactic key report and enabled false": {
			yml:    "AnalysisType: rule\nRuleID: T\nEnabled: false\nStatus: Experimental\nSeverity: Info\nDetection:\n  - Key: a\n    Condition: Exists\nReports:\n  TA0004:\n    - T1548\n  CIS: [1.1]\n",
			status: rule.StatusOK,
			check: func(t *testing.T, r rule.Rule) {
				assert.Equal(t, []string{"T1548"}, r.Techniques)
				assert.Equal(t, []string{"TA0004"}, r.Tactics)
				assert.Equal(t, "disabled", r.Status)
				assert.Equal(t, "informational", r.Severity)
				assert.False(t, r.Deprecated)
			}},
		"deprecated": {yml: "AnalysisType: rule\nRuleID: Z\nStatus: Deprecated\nDetection:\n  - Key: a\n    Condition: Exists\n",
			status: rule.StatusOK, check: func(t *testing.T, r rule.Rule) { assert.True(t, r.Deprecated) }},
		"dates": {yml: "AnalysisType: rule\nRuleID: D2\nCreatedAt: 2023-01-05T10:00:00Z\nLastModified: '2024-02-03'\nDetection:\n  - Key: a\n    Condition: Exists\n",
			status: rule.StatusOK, check: func(t *testing.T, r rule.Rule) { assert.Equal(t, "2024-02-03", r.Date) }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			src := &source{}
			res, err := src.Load(rule.File{Root: dir, Path: "r.yml", Data: []byte(tc.yml)})
			require.NoError(t, err)
			// Finish, as the pipeline does, with a rule of the repository
			// that declares a log type (rules/lt.yml).
			lt, err := src.Load(rule.File{Root: dir, Path: "rules/lt.yml", Data: []byte("AnalysisType: rule\nRuleID: LT\nLogTypes:\n  - AWS.CloudTrail\nDetection:\n  - Key: a\n    Condition: Exists\n")})
			require.NoError(t, err)
			src.Finish([]*rule.Result{&res, &lt})
			if tc.skipped != "" {
				assert.Empty(t, res.Rules)
				assert.Contains(t, res.Skipped, tc.skipped)
				return
			}
			require.Len(t, res.Rules, 1)
			r := res.Rules[0]
			assert.Equal(t, tc.status, r.ParseStatus, r.ParseError)
			assert.Contains(t, r.ParseError, tc.errHas)
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestBrokenYAML(t *testing.T) {
	_, err := (&source{}).Load(rule.File{Path: "x.yml", Data: []byte("AnalysisType: rule\nRuleID: [\n")})
	require.Error(t, err)
	var se *rule.SyntaxError
	assert.ErrorAs(t, err, &se)
}

func TestLowerMatchTable(t *testing.T) {
	tests := map[string]struct {
		in   string
		want string
		skip int
	}{
		"equals":         {"- Key: a\n  Condition: Equals\n  Value: x\n", "a eq \"x\"\n", 0},
		"does not equal": {"- Key: a\n  Condition: DoesNotEqual\n  Value: x\n", "a eq \"x\" negated exclusion\n", 0},
		"equals values":  {"- Key: a\n  Condition: Equals\n  Values: [x, y]\n", "a in \"x\"\na in \"y\"\n", 0},
		"is in":          {"- Key: a\n  Condition: IsIn\n  Values: [x, y]\n", "a in \"x\"\na in \"y\"\n", 0},
		"is not in":      {"- Key: a\n  Condition: IsNotIn\n  Values: [x, y]\n", "a in \"x\" negated exclusion\na in \"y\" negated exclusion\n", 0},
		"contains list":  {"- Key: a\n  Condition: Contains\n  Values: [x, y]\n", "a contains \"x\"\na contains \"y\"\n", 0},
		"deep key":       {"- DeepKey: [a, b]\n  Condition: StartsWith\n  Value: x\n", "a.b startswith \"x\"\n", 0},
		"key path":       {"- KeyPath: $.a.b[*].c\n  Condition: EndsWith\n  Value: x\n", "a.b.c endswith \"x\"\n", 0},
		"null ops":       {"- Key: a\n  Condition: IsNullOrEmpty\n- Key: b\n  Condition: IsNotNull\n", "a is_null\nb is_not_null\n", 0},
		"comparisons":    {"- Key: n\n  Condition: IsGreaterThan\n  Value: 5\n- Key: m\n  Condition: LessThan\n  Value: 2\n", "n gt \"5\"\nm lt \"2\"\n", 0},
		"cidr":           {"- Key: ip\n  Condition: IsIPAddressInCIDR\n  Value: 10.0.0.0/8\n", "ip cidr_match \"10.0.0.0/8\"\n", 0},
		"any":            {"- Any:\n    - Key: a\n      Condition: Equals\n      Value: x\n    - Key: b\n      Condition: Equals\n      Value: y\n", "a eq \"x\"\nb eq \"y\"\n", 0},
		"only one":       {"- OnlyOne:\n    - Key: a\n      Condition: Exists\n", "a is_not_null\n", 0},
		"none":           {"- None:\n    - Key: a\n      Condition: Equals\n      Value: x\n", "a eq \"x\" negated exclusion\n", 0},
		"all nested":     {"- All:\n    - Any:\n        - Key: a\n          Condition: Equals\n          Value: x\n", "a eq \"x\"\n", 0},
		"list comprehension": {"- Key: items\n  Condition: AnyElement\n  Expressions:\n    - Key: k\n      Condition: Equals\n      Value: v\n",
			"items.k eq \"v\"\n", 0},
		"no element": {"- Key: items\n  Condition: NoElement\n  Expressions:\n    - Key: k\n      Condition: Equals\n      Value: v\n",
			"items.k eq \"v\" negated exclusion\n", 0},
		"multi key":  {"- Key: a\n  Condition: Equals\n  Values:\n    - Key: b\n", "a eq \"fieldref:b\"\n", 0},
		"enrichment": {"- Enrichment:\n    Table: t\n  Condition: Equals\n  Value: x\n", "", 1},
		"unknown":    {"- Key: a\n  Condition: Sounds\n  Value: x\n", "", 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var n yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tc.in), &n))
			e, err := LowerMatch(n.Content[0])
			require.NoError(t, err)
			ps, skipped := rule.Flatten(e)
			assert.Equal(t, tc.want, rule.Format(ps))
			assert.Len(t, skipped, tc.skip)
		})
	}
}

// TestSharedCorpus loads ../shared/corpora/panther (the whole
// panther-analysis repository). The expected figures are counted here
// independently, by decoding each file's YAML: rules and scheduled rules
// are detections, policies and correlation rules their own kinds, files
// under templates/ are skipped; the per-technique coverage of policies
// and correlation rules equals a count over their `Reports`; the share of
// Python detections ok and with predicates stays at the measured floor.
func TestSharedCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "panther")
	paths, results := loadTree(t, root)
	want := map[string]int{}     // analysis type → files
	wantTech := map[string]int{} // kind/technique → rules, from Reports
	gotTech := map[string]int{}  // kind/technique → rules, from the frontend
	got := map[string]int{}      // rule type → rules
	reasons := map[string]int{}  // cause → Python detections not ok
	var python, pythonOK, pythonPreds, templates int
	var detections, detectionsOK, detectionsPreds int // every rule and scheduled rule
	var sqlOnly, sqlOnlyPreds, sqlOnlyOK int          // scheduled rules whose logic is only in the SQL query
	sqlReasons := map[string]int{}                    // why those are not ok
	techRE := regexp.MustCompile(`T\d{4}(?:\.\d{3})?`)
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(root, p))
		require.NoError(t, err)
		var doc struct {
			AnalysisType string              `yaml:"AnalysisType"`
			Reports      map[string][]string `yaml:"Reports"`
			Filename     string              `yaml:"Filename"`
		}
		_ = yaml.Unmarshal(data, &doc)
		if strings.HasPrefix(p, "templates/") {
			if doc.AnalysisType != "" {
				templates++
				assert.NotEmpty(t, results[p].Skipped, "%s: templates are not rules", p)
				assert.Empty(t, results[p].Rules, p)
			}
			continue
		}
		want[doc.AnalysisType]++
		if kind := map[string]string{"policy": "policy", "correlation_rule": "correlation"}[doc.AnalysisType]; kind != "" {
			techs := map[string]bool{}
			for _, v := range doc.Reports["MITRE ATT&CK"] {
				if m := techRE.FindString(v); m != "" {
					techs[m] = true
				}
			}
			for tech := range techs {
				wantTech[kind+"/"+tech]++
			}
		}
		for _, r := range results[p].Rules {
			got[r.RuleType]++
			if r.Kind == rule.KindPolicy || r.Kind == rule.KindCorrelation {
				for _, tech := range r.Techniques {
					gotTech[string(r.Kind)+"/"+tech]++
				}
			}
			if r.Kind != rule.KindDetection {
				continue
			}
			detections++
			if r.ParseStatus == rule.StatusOK {
				detectionsOK++
			}
			if len(r.Predicates) > 0 {
				detectionsPreds++
			}
			if r.Language != rule.LangPython {
				continue
			}
			if doc.AnalysisType == "scheduled_rule" && sqlOnlyRule(t, filepath.Join(root, path.Dir(p), doc.Filename)) {
				sqlOnly++
				if len(r.Predicates) > 0 {
					sqlOnlyPreds++
				}
				if r.ParseStatus == rule.StatusOK {
					sqlOnlyOK++
				} else {
					sqlReasons[lineRE.ReplaceAllString(r.ParseError, "line N")]++
				}
			}
			python++
			if len(r.Predicates) > 0 {
				pythonPreds++
			}
			if r.ParseStatus == rule.StatusOK {
				pythonOK++
			} else {
				reasons[string(r.ParseStatus)+": "+lineRE.ReplaceAllString(r.ParseError, "line N")]++
				if os.Getenv("PANTHER_WHY") != "" { // every rule with its reason
					t.Logf("WHY %s: %s", p, r.ParseError)
				}
			}
		}
	}
	t.Logf("%d files; rule %d, scheduled_rule %d, policy %d, correlation_rule %d; %d templates skipped",
		len(paths), got["rule"], got["scheduled_rule"], got["policy"], got["correlation_rule"], templates)
	t.Logf("Python detections: %d, ok %d (%.1f%%), with predicates %d (%.1f%%)", python, pythonOK,
		100*float64(pythonOK)/float64(python), pythonPreds, 100*float64(pythonPreds)/float64(python))
	t.Logf("scheduled rules whose Python rule() only returns True (logic only in the SQL query): %d, with predicates %d, ok %d",
		sqlOnly, sqlOnlyPreds, sqlOnlyOK)
	logCounts(t, "SQL reason", sqlReasons)
	t.Logf("all detections (rules and scheduled rules, any language): %d, ok %d (%.1f%%), with predicates %d (%.1f%%)",
		detections, detectionsOK, 100*float64(detectionsOK)/float64(detections), detectionsPreds,
		100*float64(detectionsPreds)/float64(detections))
	groups := map[string]int{}
	for r, n := range reasons {
		groups[causeGroup(r)] += n
	}
	logCounts(t, "cause", groups)
	logCounts(t, "reason", reasons)
	for _, typ := range []string{"rule", "scheduled_rule", "policy", "correlation_rule"} {
		assert.Equal(t, want[typ], got[typ], "rules of type %s", typ)
	}
	assert.Equal(t, 119, want["policy"], "the issue counts 119 policies")
	assert.Equal(t, wantTech, gotTech, "per-technique coverage of policies and correlation rules")
	// Issue 22 asks for 85% ok and 97% with predicates of the Python
	// detections (all 922, scheduled rules included). Measured at daa10c88
	// with the saved queries' SQL read (package snowsql) and the Python
	// idioms of session 7: 87.9% ok (810) and 99.0% with predicates (913);
	// session 6: 81.5% and 94.1%. Of the 47 scheduled rules whose logic is
	// only SQL, 43 have predicates and 37 are ok. The floors are the issue's
	// targets; the log above lists every remaining cause.
	assert.Equal(t, 47, sqlOnly, "scheduled rules whose rule() only returns True")
	assert.GreaterOrEqual(t, sqlOnlyPreds, 43, "SQL-only scheduled rules with predicates")
	assert.GreaterOrEqual(t, sqlOnlyOK, 37, "SQL-only scheduled rules ok")
	assert.GreaterOrEqual(t, float64(pythonOK), 0.85*float64(python), "Python detections ok")
	assert.GreaterOrEqual(t, float64(pythonPreds), 0.97*float64(python), "Python detections with predicates")
}

var lineRE = regexp.MustCompile(`line \d+`)

// trivialRuleRE is a rule() whose whole body is `return True`: the
// scheduled rule's logic is only in its query.
var trivialRuleRE = regexp.MustCompile(`(?m)^def rule\([^)]*\):\s*\n\s+return True\s*$`)

func sqlOnlyRule(t *testing.T, pyFile string) bool {
	data, err := os.ReadFile(pyFile)
	if err != nil {
		return false
	}
	m := trivialRuleRE.FindIndex(data)
	if m == nil {
		return false
	}
	rest := strings.TrimSpace(string(data[m[1]:]))
	return rest == "" || !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, "\t")
}

// causeGroups name the kinds of reasons a Python detection is not ok,
// first match wins.
var causeGroups = []struct {
	name string
	re   *regexp.Regexp
}{
	{"scheduled query: a Jinja template (Panther macros)", regexp.MustCompile(`^partial: queries/.*Jinja template`)},
	{"scheduled query: SQL the bridge and PostgreSQL do not read (MATCH_RECOGNIZE, malformed)", regexp.MustCompile(`^partial: queries/.*SQL: `)},
	{"scheduled query: a comparison of two columns (join keys, baselines)", regexp.MustCompile(`^partial: queries/.*(compares .* with .*, not with a literal|compares two columns)`)},
	{"scheduled query: a condition on a subquery (IN/EXISTS (SELECT …))", regexp.MustCompile(`^partial: queries/.*subquery`)},
	{"scheduled query: other SQL condition", regexp.MustCompile(`^partial: queries/`)},
	{"module outside the repository: ipaddress", regexp.MustCompile(`from ipaddress, a module outside`)},
	{"module outside the repository: panther_detection_helpers.caching (runtime cache)", regexp.MustCompile(`panther_detection_helpers\.caching`)},
	{"module outside the repository: other (fnmatch with a runtime pattern, re.findall, datetime, policyuniverse, …)", regexp.MustCompile(`a module outside the repository`)},
	{"len() of a runtime value compared", regexp.MustCompile("`[^`]*len\\(")},
	{"set operations (&, intersection, union of runtime values)", regexp.MustCompile("`[^`]*( & |intersection)")},
	{"comparison with a runtime value (another variable, a call result)", regexp.MustCompile(`^partial: unsupported comparison`)},
	{"membership test in a runtime value", regexp.MustCompile(`^partial: unsupported membership test`)},
	{"any()/all() over a runtime collection", regexp.MustCompile(`over an unresolvable collection`)},
	{"method call on a runtime value (str methods with runtime arguments, objects)", regexp.MustCompile(`^partial: unsupported call`)},
	{"data-model method returning a computed value", regexp.MustCompile(`^partial: udm .* beyond the analysis`)},
	{"no path of rule() returns True that could be analysed", regexp.MustCompile(`no path of`)},
	{"other expression beyond the analysis", regexp.MustCompile(`^partial: unsupported expression`)},
	{"repository class objects (lookup-table enrichment) and unread Python builtins", regexp.MustCompile(`call to class|Python builtin|unresolved function|imported from .* \(global_helpers|cannot be resolved`)},
	{"isinstance() of a runtime value", regexp.MustCompile(`isinstance\(\) of a value`)},
	{"rule() too complex (work bound)", regexp.MustCompile(`too complex`)},
	{"data-model method not readable", regexp.MustCompile(`^partial: udm `)},
}

func causeGroup(reason string) string {
	for _, g := range causeGroups {
		if g.re.MatchString(reason) {
			return g.name
		}
	}
	return "other: " + reason
}

func logCounts(t *testing.T, what string, counts map[string]int) {
	keys := make([]string, 0, len(counts))
	total := 0
	for k, n := range counts {
		keys = append(keys, k)
		total += n
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	t.Logf("%d Python detections not ok, by %s:", total, what)
	for _, k := range keys {
		t.Logf("%4d %s", counts[k], k)
	}
}

func BenchmarkLoadSharedCorpus(b *testing.B) {
	root := pipetest.SharedCorpus(b, "panther")
	var files []rule.File
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			files = append(files, rule.File{Root: root, Path: filepath.ToSlash(rel), Data: data})
		}
		return nil
	})
	b.ResetTimer()
	cpu0 := processCPU(b)
	for range b.N {
		src := &source{repo: newRepo(root)} // one Open per run: modules and data models parsed once
		results := make([]*rule.Result, 0, len(files))
		for _, f := range files {
			if res, err := src.Load(f); err == nil {
				results = append(results, &res)
			}
		}
		src.Finish(results) // as the pipeline does once every file is loaded
	}
	// CPU seconds per run (user + system, every thread of the process: the
	// figure the 0.5 s budget is about, independent of the machine's load)
	b.ReportMetric((processCPU(b)-cpu0).Seconds()/float64(b.N), "cpu-s/run")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(files)), "ns/file")
}

func TestCorrelationNoteAndTemplates(t *testing.T) {
	src := &source{repo: newRepo(t.TempDir())}
	res, err := src.Load(rule.File{Path: "correlation_rules/c.yml", Data: []byte(
		"AnalysisType: correlation_rule\nRuleID: C\nDetection:\n  - Group:\n      - ID: a\n        RuleID: R.One\n      - ID: b\n        RuleID: R.Two\n")})
	require.NoError(t, err)
	require.Len(t, res.Rules, 1)
	assert.Equal(t, []string{"correlation rule C correlates the alerts of R.One, R.Two"}, res.Notes)

	res, err = src.Load(rule.File{Path: "templates/example_rule.yml", Data: []byte("AnalysisType: rule\nRuleID: X\nFilename: x.py\n")})
	require.NoError(t, err)
	assert.Empty(t, res.Rules)
	assert.Contains(t, res.Skipped, "templates/")
}

// processCPU is the CPU time the process has used so far (user + system).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestQueryAsWritten checks each sample rule's query is what its files
// say: the Python file a rule names, whole, or its Detection section.
func TestQueryAsWritten(t *testing.T) {
	root := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "panther")
	paths, results := loadTree(t, root)
	python, yamlDetection := 0, 0
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		require.NoError(t, err)
		for _, r := range results[p].Rules {
			switch r.Language {
			case rule.LangPython:
				var name string
				for _, l := range strings.Split(string(data), "\n") {
					if v, ok := strings.CutPrefix(l, "Filename:"); ok {
						name = strings.TrimSpace(v)
					}
				}
				src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path.Dir(p)), name))
				require.NoError(t, err, p)
				if r.RuleType == "scheduled_rule" { // the saved query's SQL, then the Python
					require.True(t, strings.HasSuffix(r.Query, "\n"+string(src)), "%s: %q", p, r.Query)
					require.Contains(t, r.Query, "FROM panther_logs.public.", p)
				} else {
					require.Equal(t, string(src), r.Query, p)
				}
				python++
			case rule.LangPantherYAML:
				require.True(t, strings.HasPrefix(r.Query, "Detection:"), "%s: %q", p, r.Query)
				require.Contains(t, string(data), r.Query, p)
				yamlDetection++
			}
			require.NotEmpty(t, r.Logic, p)
		}
	}
	require.Positive(t, python)
	require.Positive(t, yamlDetection)
}

// TestFinishNamesTables: Finish turns the tables scheduled rules read into
// the log types the repository's rules declare, keeps a table none
// declares, and replaces the Rules slices it changes instead of writing
// into them (a parse cache may share them).
func TestFinishNamesTables(t *testing.T) {
	declared := rule.Result{Rules: []rule.Rule{{RuleID: "A", LogSources: []string{"logtype:AWS.CloudTrail", "logtype:Okta.SystemLog"}}}}
	shared := []rule.Rule{{RuleID: "S", LogSources: []string{"query:Q", "table:aws_cloudtrail", "table:okta_systemlog", "table:lookup_x"}}}
	scheduled := rule.Result{Rules: shared}
	(&source{}).Finish([]*rule.Result{&scheduled, &declared})
	assert.Equal(t, []string{"query:Q", "logtype:AWS.CloudTrail", "logtype:Okta.SystemLog", "table:lookup_x"}, scheduled.Rules[0].LogSources)
	assert.Equal(t, []string{"query:Q", "table:aws_cloudtrail", "table:okta_systemlog", "table:lookup_x"}, shared[0].LogSources, "the shared slice is left as it was")
	assert.Equal(t, []string{"logtype:AWS.CloudTrail", "logtype:Okta.SystemLog"}, declared.Rules[0].LogSources)
}

// TestReadLimited reads files whole up to the limit, empty ones included,
// and refuses a larger one.
func TestReadLimited(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 4097} {
		name := filepath.Join(dir, fmt.Sprint(n))
		want := []byte(strings.Repeat("x", n))
		require.NoError(t, os.WriteFile(name, want, 0o644))
		got, err := readLimited(name, 4096)
		if n > 4096 {
			require.ErrorContains(t, err, "larger than 4096 bytes")
			continue
		}
		require.NoError(t, err)
		require.Equal(t, want, got, "%d bytes", n)
	}
	_, err := readLimited(filepath.Join(dir, "missing"), 10)
	require.ErrorIs(t, err, fs.ErrNotExist)
}
