package coverage_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// independentCounts decodes every rule file under root on its own (without
// the frontend) and counts, per ATT&CK technique, the non-deprecated rules
// whose MITRE ATT&CK threat tables name it or one of its sub-techniques
// (each rule once per technique), and apart from them the hunting queries
// whose `[hunt] mitre` list names it or a sub-technique. It also returns
// the number of non-deprecated rules and of hunts.
func independentCounts(t *testing.T, root string) (rulesPer, huntsPer map[string]int64, rules, hunts int) {
	t.Helper()
	counts := map[string]int64{}
	huntsPer = map[string]int64{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".toml") {
			return err
		}
		var doc map[string]any
		_, err = toml.DecodeFile(p, &doc)
		require.NoError(t, err, p)
		if h, ok := doc["hunt"].(map[string]any); ok {
			hunts++
			ids := map[string]bool{}
			for _, m := range h["mitre"].([]any) {
				id := strings.ToUpper(strings.TrimSpace(m.(string)))
				if !strings.HasPrefix(id, "T") {
					continue // MITRE ATLAS ids (AML.T…) are not ATT&CK techniques
				}
				ids[id] = true
				ids[strings.SplitN(id, ".", 2)[0]] = true
			}
			for id := range ids {
				huntsPer[id]++
			}
			return nil
		}
		meta, _ := doc["metadata"].(map[string]any)
		r, ok := doc["rule"].(map[string]any)
		if !ok || meta["maturity"] == "deprecated" {
			return nil
		}
		rules++
		ids := map[string]bool{}
		threats, _ := r["threat"].([]map[string]any)
		for _, th := range threats {
			if th["framework"] != "MITRE ATT&CK" {
				continue
			}
			techs, _ := th["technique"].([]map[string]any)
			for _, tc := range techs {
				id := strings.ToUpper(strings.TrimSpace(tc["id"].(string)))
				ids[id] = true
				subs, _ := tc["subtechnique"].([]map[string]any)
				for _, s := range subs {
					sid := strings.ToUpper(strings.TrimSpace(s["id"].(string)))
					ids[sid] = true
					ids[strings.SplitN(sid, ".", 2)[0]] = true // roll up to the parent
				}
			}
		}
		for id := range ids {
			counts[id]++
		}
		return nil
	})
	require.NoError(t, err)
	return counts, huntsPer, rules, hunts
}

// TestPipelineCoverage runs the whole pipeline on the shared Elastic corpus
// and checks that every non-deprecated rule and every hunt is in the rules
// table and that the per-technique rule counts of the coverage table equal
// an independent count over the TOML [[rule.threat]] tables and [hunt]
// mitre lists. Coverage counts the kinds that raise alerts by default
// (issue 23): hunts are in the rules table but not in coverage.
func TestPipelineCoverage(t *testing.T) {
	root := pipetest.SharedCorpus(t, "elastic")
	want, huntsPer, nRules, nHunts := independentCounts(t, root)
	require.NotEmpty(t, want)
	require.NotEmpty(t, huntsPer)
	nRules += nHunts
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "elastic", Root: root}},
		Workers: 2,
	})
	require.NoError(t, err)
	defer st.Tables.Release()

	assert.Equal(t, int64(nRules), st.Tables.Rules.NumRows(), "rules table rows")
	assert.Len(t, st.Rules, nRules)

	cov := st.Tables.Coverage
	ids := tables.Strings(cov, tables.Column(cov, "technique_id"))
	vendors := tables.Strings(cov, tables.Column(cov, "vendor"))
	counts := tables.Int64s(cov, tables.Column(cov, "rules"))
	got := map[string]int64{}
	for i := 0; i < int(cov.NumRows()); i++ {
		if vendors.Value(i) == "elastic" && counts.Value(i) > 0 {
			got[ids.Value(i)] += counts.Value(i)
		}
	}
	assert.Equal(t, want, got)
	t.Logf("%d rules, %d techniques covered; e.g. T1059 %d, T1059.001 %d, T1595 %d",
		nRules, len(want), want["T1059"], want["T1059.001"], want["T1595"])
}
