package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

func sampleSigma(t *testing.T) pipeline.Source {
	return pipeline.Source{Vendor: "sigma", Root: filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma")}
}

func TestStageNames(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range pipeline.Stages {
		name := s.String()
		require.NotEmpty(t, name)
		require.False(t, seen[name], "duplicate stage name %q", name)
		seen[name] = true
	}
}

// TestSampleTablesGolden checks the tables of the Sigma sample corpus
// against golden text dumps.
func TestSampleTablesGolden(t *testing.T) {
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)}})
	require.NoError(t, err)
	defer st.Tables.Release()
	for _, n := range st.Tables.Named() {
		t.Run(n.Name, func(t *testing.T) {
			dump := tables.Dump(n.Record)
			if n.Name == tables.FilesName { // the root as given: an absolute path
				dump = strings.ReplaceAll(dump, sampleSigma(t).Root, "<sample>/sigma")
			}
			pipetest.Golden(t, filepath.Join("testdata", "golden", "sigma-"+n.Name+".tsv"), dump)
		})
	}
}

func TestDeprecatedLeftOutByDefault(t *testing.T) {
	for _, keep := range []bool{false, true} {
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)}, IncludeDeprecated: keep})
		require.NoError(t, err)
		found := false
		for _, r := range st.Rules {
			found = found || r.RuleID == "4b5c6d7e-8f9a-4b0c-9d1e-3f4a5b6c7d8e"
		}
		assert.Equal(t, keep, found)
		st.Tables.Release()
	}
}

func TestFilters(t *testing.T) {
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)},
		Filters: tables.Filters{Platforms: []string{"linux"}}})
	require.NoError(t, err)
	defer st.Tables.Release()
	require.NotEmpty(t, st.Rules)
	for _, r := range st.Rules {
		assert.Contains(t, r.Platforms, "linux", r.Title)
	}
	assert.Equal(t, int64(len(st.Rules)), st.Tables.Rules.NumRows())

	st2, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)},
		Filters: tables.Filters{Techniques: []string{"T1595"}}})
	require.NoError(t, err)
	defer st2.Tables.Release()
	for _, r := range st2.Rules {
		ok := false
		for _, id := range r.Techniques {
			ok = ok || id == "T1595" || len(id) > 5 && id[:5] == "T1595"
		}
		assert.True(t, ok, r.Title)
	}
}

// TestBadFilesNeverStopTheBatch puts a malformed YAML file, a non-UTF-8 file
// and a rule with an unknown modifier beside the sample corpus: each yields
// one problem naming the file and line, and every other rule is reported.
func TestBadFilesNeverStopTheBatch(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(sampleSigma(t).Root)))
	bad := map[string]string{
		"bad/broken.yml":  "title: Broken\nid: x\ndetection:\n  selection:\n    a: [1, 2\n  condition: selection\n",
		"bad/latin1.yml":  "title: caf\xe9\nid: y\n",
		"bad/unknown.yml": "title: Unknown Modifier\nid: 11111111-2222-4333-8444-555555555555\nlogsource: {product: windows}\ndetection:\n  selection:\n    Image|sideways: x\n  condition: selection\n",
	}
	for name, body := range bad {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	clean, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)}})
	require.NoError(t, err)
	defer clean.Tables.Release()
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: dir}}})
	require.NoError(t, err)
	defer st.Tables.Release()

	assert.Len(t, st.Rules, len(clean.Rules)+3)
	byPath := map[string][]tables.Problem{}
	for _, p := range st.Tables.Problems {
		byPath[p.Path] = append(byPath[p.Path], p)
	}
	for name, line := range map[string]int{"bad/broken.yml": 4, "bad/latin1.yml": 1, "bad/unknown.yml": 6} {
		require.Len(t, byPath[name], 1, name)
		assert.Equal(t, line, byPath[name][0].Line, name+": "+byPath[name][0].Msg)
		assert.Equal(t, "failed", byPath[name][0].Kind)
	}
	failed := map[string]rule.Rule{}
	for _, r := range st.Rules {
		if r.ParseStatus == rule.StatusFailed {
			failed[r.Path] = r
		}
	}
	assert.Len(t, failed, 3)
	assert.Contains(t, failed["bad/unknown.yml"].ParseError, `unknown modifier "sideways"`)
	assert.Equal(t, "bad/latin1.yml", failed["bad/latin1.yml"].RuleID, "an undecodable file is kept under its path")
}

// TestRuleTextsFollowTheRulesRows checks the query and logic outline of
// every rule of the sample corpus sit on its own row of the Rules table:
// the outline names the raw field of each of the rule's predicates, and
// the query is the text the frontend read.
func TestRuleTextsFollowTheRulesRows(t *testing.T) {
	var srcs []pipeline.Source
	for _, v := range []string{"sigma", "elastic", "splunk", "sentinel", "panther"} {
		srcs = append(srcs, pipeline.Source{Vendor: v, Root: filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", v)})
	}
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: srcs})
	require.NoError(t, err)
	defer st.Tables.Release()
	set := st.Tables
	require.Len(t, set.Texts, int(set.Rules.NumRows()))
	ids := set.Rules.Column(1).(*array.String)
	byID := map[string]rule.Rule{}
	for _, r := range st.Rules {
		byID[r.Vendor+"/"+r.RuleID] = r
	}
	vendors := set.Rules.Column(0).(*array.String)
	withLogic := map[string]int{}
	for i := range set.Texts {
		r, ok := byID[vendors.Value(i)+"/"+ids.Value(i)]
		require.True(t, ok, ids.Value(i))
		require.Equal(t, r.Query, set.Texts[i].Query, r.RuleID)
		for _, p := range r.Predicates {
			if set.Texts[i].Logic == "" {
				break // correlation thresholds and a few others come without a tree
			}
			require.Contains(t, set.Texts[i].Logic, p.FieldRaw, "%s: the outline on row %d misses a predicate", r.RuleID, i)
		}
		if set.Texts[i].Logic != "" {
			withLogic[r.Vendor]++
		}
	}
	for _, v := range []string{"sigma", "elastic", "splunk", "sentinel", "panther"} {
		require.Positive(t, withLogic[v], "no %s rule has a logic outline", v)
	}
}
