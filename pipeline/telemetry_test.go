package pipeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// dcRow is one row of datacomponents.parquet.
type dcRow struct {
	Recommended bool
	Rules       int64
	Vendors     []string
}

func dataComponents(set *tables.Set) map[string]map[string]dcRow {
	rec := set.DataComponents
	out := map[string]map[string]dcRow{}
	tid, dc := tables.Strings(rec, 0), tables.Strings(rec, 1)
	recd := rec.Column(3).(*array.Boolean)
	rules, vendors := tables.Int64s(rec, 4), tables.Lists(rec, 5)
	for i := range int(rec.NumRows()) {
		t := tid.Value(i)
		if out[t] == nil {
			out[t] = map[string]dcRow{}
		}
		out[t][dc.Value(i)] = dcRow{recd.Value(i), rules.Value(i), tables.ListAt(vendors, i)}
	}
	return out
}

// coverageTotals sums coverage.parquet's rules per technique over vendors.
func coverageTotals(set *tables.Set) map[string]int64 {
	out := map[string]int64{}
	ids, rules := tables.Strings(set.Coverage, 0), tables.Int64s(set.Coverage, 5)
	for i := range int(set.Coverage.NumRows()) {
		out[ids.Value(i)] += rules.Value(i)
	}
	return out
}

// checkActors checks that every group's rows are exactly its uses
// techniques and every row's rules equal coverage for the technique.
func checkActors(t *testing.T, set *tables.Set) map[string][]string {
	t.Helper()
	cov := coverageTotals(set)
	byGroup := map[string][]string{}
	rec := set.Actors
	gid, tid, rules := tables.Strings(rec, 0), tables.Strings(rec, 2), tables.Int64s(rec, 4)
	for i := range int(rec.NumRows()) {
		byGroup[gid.Value(i)] = append(byGroup[gid.Value(i)], tid.Value(i))
		assert.Equal(t, cov[tid.Value(i)], rules.Value(i), "%s %s", gid.Value(i), tid.Value(i))
	}
	for _, g := range set.Attack.Groups {
		if len(g.Techniques) > 0 {
			assert.Equal(t, g.Techniques, byGroup[g.ID], g.ID)
		}
	}
	return byGroup
}

func TestTelemetrySampleCorpus(t *testing.T) {
	root := pipetest.RepoRoot(t)
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(root, "testdata/corpus/sigma")}},
		Groups:  []string{"cozy bear", "G0016", "FIN7"},
	})
	require.NoError(t, err)
	defer st.Tables.Release()
	set := st.Tables
	assert.Equal(t, []string{"G0016", "G0046"}, set.Groups)
	dcs := dataComponents(set)
	ps := dcs["T1059.001"]
	for _, id := range []string{"DC0032", "DC0064", "DC0034", "DC0016"} {
		assert.True(t, ps[id].Recommended, id)
	}
	byGroup := checkActors(t, set)
	assert.Len(t, byGroup["G0016"], 66)

	_, err = pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(root, "testdata/corpus/sigma")}},
		Groups:  []string{"Nobody Bear"},
	})
	assert.ErrorContains(t, err, "unknown ATT&CK group Nobody Bear")
}

// TestTelemetryShared checks the issue 14 figures on the shared corpora: the
// recommended data components of T1059.001 and Process Creation read by at
// least three vendors; APT29's 66 techniques with coverage's rule counts.
func TestTelemetryShared(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-catalog run")
	}
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: allShared(t), AttackFile: pipetest.SharedAttack(t), AttackVersion: "18.1"})
	require.NoError(t, err)
	defer st.Tables.Release()
	set := st.Tables
	dcs := dataComponents(set)
	ps := dcs["T1059.001"]
	var recommended []string
	for id, r := range ps {
		if r.Recommended {
			recommended = append(recommended, id)
		}
		t.Logf("T1059.001 %s %s recommended=%v rules=%d vendors=%v", id, set.Attack.Component(id).Name, r.Recommended, r.Rules, r.Vendors)
	}
	assert.ElementsMatch(t, []string{"DC0032", "DC0064", "DC0034", "DC0016"}, recommended)
	assert.GreaterOrEqual(t, len(ps["DC0032"].Vendors), 3, "Process Creation read by rules of at least three vendors")

	g, ok := set.Attack.Group("apt29")
	require.True(t, ok)
	byGroup := checkActors(t, set)
	assert.Len(t, byGroup[g.ID], 66)
	covered := 0
	for _, r := range byGroup[g.ID] {
		if coverageTotals(set)[r] > 0 {
			covered++
		}
	}
	t.Logf("APT29: %d of %d techniques with rules", covered, len(byGroup[g.ID]))

	// Telemetry gaps across the catalog.
	gaps := 0
	for _, row := range dcs {
		for _, r := range row {
			if r.Recommended && r.Rules == 0 {
				gaps++
			}
		}
	}
	t.Logf("%d technique × data component rows, %d telemetry gaps", set.DataComponents.NumRows(), gaps)
}
