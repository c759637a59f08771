package integration_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// independentCounts decodes every YAML file under root on its own (without
// the frontend) and counts, per ATT&CK technique, the analytic rules whose
// relevantTechniques name it or one of its sub-techniques (each rule once
// per technique). It also returns the number of YAML files.
func independentCounts(t *testing.T, root string) (map[string]int64, int) {
	t.Helper()
	counts := map[string]int64{}
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc struct {
			Query              string   `yaml:"query"`
			Kind               string   `yaml:"kind"`
			RelevantTechniques []string `yaml:"relevantTechniques"`
		}
		if yaml.Unmarshal(data, &doc) != nil {
			return nil // broken YAML: one failed row without techniques
		}
		ids := map[string]bool{}
		for _, tc := range doc.RelevantTechniques {
			id := strings.ToUpper(strings.TrimSpace(tc))
			ids[id] = true
			ids[strings.SplitN(id, ".", 2)[0]] = true // roll up to the parent
		}
		for id := range ids {
			counts[id]++
		}
		return nil
	})
	require.NoError(t, err)
	return counts, files
}

// TestPipelineCoverage runs the whole pipeline on the shared Sentinel
// corpus and checks that every analytic rule is in the rules table and that
// the per-technique rule counts of the coverage table equal an independent
// count over relevantTechniques.
func TestPipelineCoverage(t *testing.T) {
	root := pipetest.SharedCorpus(t, "sentinel")
	want, nFiles := independentCounts(t, root)
	require.NotEmpty(t, want)
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "sentinel", Root: root}},
		Workers: 2,
	})
	require.NoError(t, err)
	defer st.Tables.Release()

	// Every file of the shared corpus is an analytic rule: one row each,
	// the file that is not valid YAML as a failed row.
	assert.Equal(t, int64(nFiles), st.Tables.Rules.NumRows(), "rules table rows")

	cov := st.Tables.Coverage
	ids := tables.Strings(cov, tables.Column(cov, "technique_id"))
	vendors := tables.Strings(cov, tables.Column(cov, "vendor"))
	counts := tables.Int64s(cov, tables.Column(cov, "rules"))
	got := map[string]int64{}
	for i := 0; i < int(cov.NumRows()); i++ {
		if vendors.Value(i) == "sentinel" && counts.Value(i) > 0 {
			got[ids.Value(i)] += counts.Value(i)
		}
	}
	assert.Equal(t, want, got)
	t.Logf("%d rules, %d techniques covered; e.g. T1078 %d, T1190 %d, T1595 %d",
		nFiles, len(want), want["T1078"], want["T1190"], want["T1595"])
}
