package pipeline_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// independentSigmaCount walks the Sigma YAML itself (plain map decoding,
// nothing shared with the frontend) and counts, per technique with
// sub-technique roll-up, the non-deprecated rules tagged with it.
func independentSigmaCount(t *testing.T, root string) (rules int, perTechnique map[string]int) {
	perTechnique = map[string]int{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		for {
			var doc map[string]any
			if dec.Decode(&doc) != nil {
				break
			}
			if doc["title"] == nil || (doc["detection"] == nil && doc["correlation"] == nil) {
				continue
			}
			if s, _ := doc["status"].(string); s == "deprecated" || s == "unsupported" {
				continue
			}
			rules++
			seen := map[string]bool{}
			tags, _ := doc["tags"].([]any)
			for _, tag := range tags {
				s, _ := tag.(string)
				s = strings.ToLower(s)
				if !strings.HasPrefix(s, "attack.t") || len(s) < 12 {
					continue
				}
				id := strings.ToUpper(s[len("attack."):])
				for _, k := range []string{id, attack.Parent(id)} {
					if k != "" && !seen[k] {
						seen[k] = true
						perTechnique[k]++
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	return rules, perTechnique
}

// TestSharedSigmaCorpus runs the whole pipeline on the shared Sigma corpus
// and checks rules, ids, parse rate and coverage against an independent count.
func TestSharedSigmaCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "sigma")
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "sigma", Root: root}}, AttackFile: pipetest.SharedAttack(t)})
	require.NoError(t, err)
	defer st.Tables.Release()

	wantRules, wantCov := independentSigmaCount(t, root)
	assert.Equal(t, wantRules, int(st.Tables.Rules.NumRows()), "every non-deprecated rule has one row")

	ids := tables.Strings(st.Tables.Rules, 1)
	seen := map[string]bool{}
	for i := 0; i < ids.Len(); i++ {
		assert.False(t, seen[ids.Value(i)], "duplicate rule id %s", ids.Value(i))
		seen[ids.Value(i)] = true
	}

	statuses := map[rule.Status]int{}
	var failures []string
	for _, r := range st.Rules {
		statuses[r.ParseStatus]++
		if r.ParseStatus != rule.StatusOK {
			assert.NotEmpty(t, r.ParseError, r.Path)
			failures = append(failures, r.Path+": "+r.ParseError)
		}
	}
	okRate := float64(statuses[rule.StatusOK]) / float64(len(st.Rules))
	t.Logf("sigma: %d rules, statuses %v, ok %.2f%%", len(st.Rules), statuses, 100*okRate)
	sort.Strings(failures)
	for _, f := range failures[:min(len(failures), 20)] {
		t.Log("  ", f)
	}
	assert.GreaterOrEqual(t, okRate, 0.995)

	got := map[string]int{}
	cov := st.Tables.Coverage
	tid, n := tables.Strings(cov, 0), tables.Int64s(cov, 5)
	for i := 0; i < tid.Len(); i++ {
		got[tid.Value(i)] += int(n.Value(i))
	}
	for id, want := range wantCov {
		assert.Equal(t, want, got[id], "coverage of %s", id)
	}
	for id, g := range got {
		if g > 0 {
			assert.Contains(t, wantCov, id, "coverage of %s has rules the tags do not name", id)
		}
	}
	t.Logf("sigma: %d techniques covered", len(wantCov))
}
