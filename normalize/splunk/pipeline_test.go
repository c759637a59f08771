package splunk_test

import (
	"context"
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

// independentCounts decodes every detection under root/detections on its
// own (without the frontend) and counts, per ATT&CK technique, the
// non-deprecated detections whose tags.mitre_attack_id name it or one of
// its sub-techniques (each detection once per technique), leaving out
// `type: Hunting` searches, which coverage does not count by default. It
// also returns the ids of every non-deprecated detection.
func independentCounts(t *testing.T, root string) (map[string]int64, map[string]bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "detections", "*", "*.yml"))
	require.NoError(t, err)
	counts := map[string]int64{}
	active := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc struct {
			ID     string `yaml:"id"`
			Status string `yaml:"status"`
			Type   string `yaml:"type"`
			Tags   struct {
				MitreAttackID []string `yaml:"mitre_attack_id"`
			} `yaml:"tags"`
		}
		require.NoError(t, yaml.Unmarshal(data, &doc), f)
		if strings.EqualFold(doc.Status, "deprecated") {
			continue
		}
		active[doc.ID] = true
		if strings.EqualFold(doc.Type, "hunting") {
			continue
		}
		ids := map[string]bool{}
		for _, tc := range doc.Tags.MitreAttackID {
			id := strings.ToUpper(strings.TrimSpace(tc))
			ids[id] = true
			ids[strings.SplitN(id, ".", 2)[0]] = true // roll up to the parent
		}
		for id := range ids {
			counts[id]++
		}
	}
	return counts, active
}

// TestPipelineCoverage runs the whole pipeline on the shared Splunk corpus
// and checks that every non-deprecated detection is in the rules table,
// that the per-technique counts of the coverage table equal an independent
// count over tags.mitre_attack_id, and that tstats rules on
// Endpoint.Processes end up with process.name predicates.
func TestPipelineCoverage(t *testing.T) {
	root := pipetest.SharedCorpus(t, "splunk")
	want, active := independentCounts(t, root)
	require.NotEmpty(t, want)
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "splunk", Root: root}},
		Workers: 2,
	})
	require.NoError(t, err)
	defer st.Tables.Release()

	rules := st.Tables.Rules
	assert.Equal(t, int64(len(active)), rules.NumRows(), "rules table rows")
	ruleIDs := tables.Strings(rules, tables.Column(rules, "rule_id"))
	for i := 0; i < int(rules.NumRows()); i++ {
		assert.True(t, active[ruleIDs.Value(i)], "unexpected rule %s", ruleIDs.Value(i))
	}

	cov := st.Tables.Coverage
	ids := tables.Strings(cov, tables.Column(cov, "technique_id"))
	vendors := tables.Strings(cov, tables.Column(cov, "vendor"))
	counts := tables.Int64s(cov, tables.Column(cov, "rules"))
	got := map[string]int64{}
	for i := 0; i < int(cov.NumRows()); i++ {
		if vendors.Value(i) == "splunk" && counts.Value(i) > 0 {
			got[ids.Value(i)] += counts.Value(i)
		}
	}
	assert.Equal(t, want, got)
	t.Logf("%d detections, %d techniques covered; e.g. T1059 %d, T1595 %d, T1046 %d",
		len(active), len(want), want["T1059"], want["T1595"], want["T1046"])

	// A tstats rule on Endpoint.Processes: process.name after normalization.
	withName := 0
	for _, r := range st.Rules {
		isProc := false
		for _, ls := range r.LogSources {
			isProc = isProc || ls == "datamodel:Endpoint.Processes"
		}
		if !isProc {
			continue
		}
		for _, p := range r.Predicates {
			if p.FieldRaw == "Processes.process_name" && p.Field == "process.name" {
				withName++
				break
			}
		}
	}
	assert.Greater(t, withName, 100, "Endpoint.Processes rules with a process.name predicate")
	t.Logf("%d Endpoint.Processes rules test process.name", withName)
}
