package splunk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/splunk"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

func sampleRoot(t testing.TB) string {
	return filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "splunk")
}

// render prints a rule in a stable text form for golden files.
func render(r rule.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", r.Path)
	fmt.Fprintf(&b, "id: %s\ntitle: %s\nkind: %s (type %s)\nstatus: %s deprecated=%v\nseverity: %s\nlanguage: %s\ndate: %s\n",
		r.RuleID, r.Title, r.Kind, r.RuleType, r.Status, r.Deprecated, r.Severity, r.Language, r.Date)
	fmt.Fprintf(&b, "techniques: %s\nlog sources: %s\n", strings.Join(r.Techniques, ", "), strings.Join(r.LogSources, ", "))
	fmt.Fprintf(&b, "parse: %s %s\n", r.ParseStatus, r.ParseError)
	b.WriteString(rule.Format(r.Predicates))
	return b.String()
}

func TestSampleCorpusGolden(t *testing.T) {
	rules, notes, src := loadAll(t, sampleRoot(t))
	require.Equal(t, filepath.Join(sampleRoot(t), "macros"), src.MacroDir)
	var b strings.Builder
	for _, r := range rules {
		b.WriteString(render(r))
		b.WriteByte('\n')
	}
	b.WriteString("== notes\n")
	for _, n := range notes {
		b.WriteString(n + "\n")
	}
	pipetest.Golden(t, "testdata/sample_corpus.golden", b.String())
}

func TestMatch(t *testing.T) {
	s, err := splunk.Frontend{}.Open(sampleRoot(t))
	require.NoError(t, err)
	assert.True(t, s.Match("detections/endpoint/x.yml", nil))
	assert.False(t, s.Match("macros/x.yml", nil))
	assert.False(t, s.Match("stories/x.yml", nil), "only detections/ when the root has one")
	assert.False(t, s.Match("detections/endpoint/x.md", nil))

	// Opened on the detections folder itself: macros beside it are found.
	s, err = splunk.Frontend{}.Open(filepath.Join(sampleRoot(t), "detections"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(sampleRoot(t), "macros"), s.(*splunk.Source).MacroDir)
	assert.True(t, s.Match("endpoint/x.yml", nil))

	// An explicit macros folder wins; a missing one is an error.
	s, err = splunk.New(filepath.Join(sampleRoot(t), "macros")).Open(t.TempDir())
	require.NoError(t, err)
	assert.NotZero(t, s.(*splunk.Source).Macros.Len())
	_, err = splunk.New(filepath.Join(t.TempDir(), "nope")).Open(t.TempDir())
	assert.Error(t, err)
}

func TestLoad(t *testing.T) {
	s, err := splunk.Frontend{}.Open(t.TempDir()) // no macros at all
	require.NoError(t, err)
	load := func(yml string) (rule.Result, error) {
		return s.Load(rule.File{Path: "detections/x/r.yml", Data: []byte(yml)})
	}
	tests := map[string]struct {
		yml     string
		status  rule.Status
		errText string
		preds   string
		notes   []string
		skipped string
	}{
		"missing macro is a note": {yml: "name: a\nid: x\nsearch: '`nope` a=1 | `a_filter`'\n", status: rule.StatusOK,
			preds: "a eq \"1\"\n", notes: []string{"macro `nope` not found"}},
		"error position in the original search": {yml: "name: a\nid: x\nsearch: |-\n  `m` a=1\n  | where b=\n", status: rule.StatusFailed,
			errText: "search line 2, column 11: missing operand before end of search", notes: []string{"macro `m` not found"}},
		"partial":      {yml: "name: a\nsearch: 'a=1 [| inputlookup t]'\n", status: rule.StatusPartial, errText: "search terms from lookup t (subsearch [| inputlookup t])", preds: "a eq \"1\"\n"},
		"empty search": {yml: "name: a\nsearch: ''\n", status: rule.StatusNoQuery},
		"no predicate, join not read": {yml: "name: a\nsearch: '| tstats count from datamodel=A by p | join p [| tstats count from datamodel=B by p]'\n",
			status: rule.StatusPartial, errText: "no predicate: the logic lies in `join p` (a match between the fields of two searches), not read as field comparisons"},
		"no comparison at all": {yml: "name: a\nsearch: '| tstats count from datamodel=A by p | `drop_dm_object_name(A)`'\n", status: rule.StatusOK},
		"built-in macro": {yml: "name: a\nsearch: '| tstats count from datamodel=A where A.x=1 by A.p | `drop_dm_object_name(A)` | search p=2'\n",
			status: rule.StatusOK, preds: "A.x eq \"1\"\np eq \"2\"\n"},
		"not a detection":  {yml: "name: a\ndescription: story\n", skipped: "not a Splunk detection (no search)"},
		"macro file":       {yml: "name: a\ndefinition: x\n", skipped: "macro definition, not a detection"},
		"baseline skipped": {yml: "name: a\ntype: Baseline\nsearch: x\n", skipped: "security_content Baseline, not a detection"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := load(tc.yml)
			require.NoError(t, err)
			assert.Equal(t, tc.skipped, res.Skipped)
			if tc.skipped != "" {
				return
			}
			require.Len(t, res.Rules, 1)
			r := res.Rules[0]
			assert.Equal(t, tc.status, r.ParseStatus)
			assert.Equal(t, tc.errText, r.ParseError)
			assert.Equal(t, tc.preds, rule.Format(r.Predicates))
			assert.Equal(t, tc.notes, res.Notes)
		})
	}
	_, err = load("name: [unclosed\n")
	assert.Error(t, err, "broken YAML is a load error")
}

func TestSeverityBands(t *testing.T) {
	s, err := splunk.Frontend{}.Open(t.TempDir())
	require.NoError(t, err)
	for score, want := range map[string]string{"0": "informational", "20": "informational", "21": "low", "49": "medium",
		"64": "high", "80": "high", "81": "critical", "": ""} {
		yml := "name: a\nsearch: a=1\ntags:\n  mitre_attack_id: T1595\n"
		if score != "" {
			yml += "  risk_score: " + score + "\n"
		}
		res, err := s.Load(rule.File{Path: "r.yml", Data: []byte(yml)})
		require.NoError(t, err)
		assert.Equal(t, want, res.Rules[0].Severity, score)
		assert.Equal(t, []string{"T1595"}, res.Rules[0].Techniques)
	}
}

func TestInternalVulnerabilityScan(t *testing.T) {
	root := pipetest.SharedCorpus(t, "splunk")
	s, err := splunk.Frontend{}.Open(root)
	require.NoError(t, err)
	rel := "detections/network/internal_vulnerability_scan.yml"
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Skipf("%s not in the shared corpus", rel)
	}
	res, err := s.Load(rule.File{Root: root, Path: rel, Data: data})
	require.NoError(t, err)
	r := res.Rules[0]
	assert.Equal(t, "Internal Vulnerability Scan", r.Title)
	assert.Equal(t, rule.StatusOK, r.ParseStatus)
	got := rule.Format(r.Predicates)
	for _, want := range []string{
		`IDS_Attacks.src cidr_match "10.0.0.0/8"`, `IDS_Attacks.src cidr_match "192.168.0.0/16"`,
		`IDS_Attacks.src cidr_match "172.16.0.0/12"`, `IDS_Attacks.severity in "critical"`,
		`IDS_Attacks.severity in "high"`, `IDS_Attacks.severity in "medium"`,
	} {
		assert.Contains(t, got, want+"\n")
	}
	assert.Contains(t, r.LogSources, "datamodel:Intrusion_Detection.IDS_Attacks")
}

func TestKinds(t *testing.T) {
	s, err := splunk.Frontend{}.Open(t.TempDir())
	require.NoError(t, err)
	for typ, want := range map[string]rule.Kind{"TTP": rule.KindDetection, "Anomaly": rule.KindDetection,
		"Hunting": rule.KindHunting, "hunting": rule.KindHunting, "Correlation": rule.KindCorrelation, "": rule.KindDetection} {
		res, err := s.Load(rule.File{Path: "r.yml", Data: []byte("name: a\ntype: " + typ + "\nsearch: a=1\n")})
		require.NoError(t, err)
		assert.Equal(t, want, res.Rules[0].Kind, typ)
		assert.Equal(t, typ, res.Rules[0].RuleType, "rule_type as written")
	}
}
