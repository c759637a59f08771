package integration_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

var techRE = regexp.MustCompile(`T\d{4}(?:\.\d{3})?`)

// independentTechniques reads every rule, scheduled rule, policy and
// correlation rule of a Panther tree (not its templates/) with plain YAML decoding and returns, per non-deprecated rule, the
// technique ids of its Reports (MITRE ATT&CK entries and tactic-id keys).
func independentTechniques(t *testing.T, root string) map[string][]string {
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc struct {
			AnalysisType string                 `yaml:"AnalysisType"`
			RuleID       string                 `yaml:"RuleID"`
			PolicyID     string                 `yaml:"PolicyID"`
			Status       string                 `yaml:"Status"`
			Reports      map[string][]yaml.Node `yaml:"Reports"`
		}
		require.NoError(t, yaml.Unmarshal(data, &doc), p)
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(filepath.ToSlash(rel), "templates/") { // examples, not rules
			return nil
		}
		switch doc.AnalysisType {
		case "rule", "scheduled_rule", "policy", "correlation_rule":
		default:
			return nil
		}
		if strings.EqualFold(doc.Status, "deprecated") {
			return nil
		}
		if doc.AnalysisType == "policy" {
			doc.RuleID = doc.PolicyID
		}
		seen := map[string]bool{}
		for key, entries := range doc.Reports {
			if key != "MITRE ATT&CK" && !regexp.MustCompile(`^TA\d+$`).MatchString(key) {
				continue
			}
			for _, e := range entries {
				if id := techRE.FindString(e.Value); id != "" && !seen[id] {
					seen[id] = true
					out[doc.RuleID] = append(out[doc.RuleID], id)
				}
			}
		}
		if _, ok := out[doc.RuleID]; !ok {
			out[doc.RuleID] = nil
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestPipelineCoverage runs the whole pipeline on a Panther corpus and
// checks that every technique's rule count in the coverage table equals
// an independent count over Reports (a technique counts the rules tagged
// with it or any of its sub-techniques, each rule once).
func TestPipelineCoverage(t *testing.T) {
	roots := map[string]string{"sample": filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "panther")}
	shared := os.Getenv("RULEATLAS_SHARED")
	if shared == "" {
		shared = filepath.Join(pipetest.RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(shared, "corpora", "panther")); err == nil {
		roots["shared"] = filepath.Join(shared, "corpora", "panther")
	} else {
		t.Log("shared Panther corpus absent: only the sample corpus is checked")
	}
	for name, root := range roots {
		t.Run(name, func(t *testing.T) {
			st, err := pipeline.Run(context.Background(), pipeline.Options{
				Sources: []pipeline.Source{{Vendor: "panther", Root: root}}, Workers: 2})
			require.NoError(t, err)
			defer st.Tables.Release()

			want := independentTechniques(t, root)
			assert.Len(t, st.Rules, len(want), "every non-deprecated rule and scheduled rule is loaded")
			notFound := 0
			for _, r := range st.Rules {
				if strings.HasPrefix(r.ParseError, "python file not found") {
					notFound++
				}
			}
			t.Logf("%d rules, %d with python file not found", len(st.Rules), notFound)

			cov := st.Tables.Coverage
			ids := tables.Strings(cov, tables.Column(cov, "technique_id"))
			vendors := tables.Strings(cov, tables.Column(cov, "vendor"))
			counts := tables.Int64s(cov, tables.Column(cov, "rules"))
			checked, nonzero := 0, 0
			for i := 0; i < int(cov.NumRows()); i++ {
				if vendors.Value(i) != "panther" {
					continue
				}
				tech := ids.Value(i)
				expect := 0
				for _, techs := range want {
					for _, x := range techs {
						if x == tech || !strings.Contains(tech, ".") && strings.HasPrefix(x, tech+".") {
							expect++
							break
						}
					}
				}
				assert.Equal(t, int64(expect), counts.Value(i), "technique %s", tech)
				checked++
				if expect > 0 {
					nonzero++
				}
			}
			t.Logf("%d coverage rows checked, %d techniques with rules", checked, nonzero)
			assert.Positive(t, nonzero)
		})
	}
}
