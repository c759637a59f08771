package view_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

func sample(t *testing.T) *tables.Set {
	t.Helper()
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{
		{Vendor: "sigma", Root: filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma")}}})
	require.NoError(t, err)
	t.Cleanup(st.Tables.Release)
	return st.Tables
}

func ids(rows []view.TelemetryRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestTechniqueTelemetry(t *testing.T) {
	set := sample(t)
	tel := view.TechniqueTelemetry(set, "T1059.001")
	all := append(ids(tel.Read), ids(tel.Gaps)...)
	assert.ElementsMatch(t, []string{"DC0016", "DC0032", "DC0034", "DC0064"}, all)
	for _, r := range tel.Read {
		assert.True(t, r.Recommended && r.Rules > 0, r.ID)
		assert.NotEmpty(t, r.Vendors, r.ID)
	}
	for _, r := range tel.Gaps {
		assert.Zero(t, r.Rules, r.ID)
		assert.Equal(t, "gap", r.Status())
	}
	for _, r := range tel.Extra {
		assert.False(t, r.Recommended, r.ID)
		assert.Positive(t, r.Rules, r.ID)
	}
	for _, r := range tel.Rows() {
		if r.ID == "DC0032" {
			assert.Contains(t, r.Sources, "WinEventLog:Sysmon EventCode=1")
		}
	}
	assert.True(t, view.TechniqueTelemetry(set, "T0000").Empty())
	var buf bytes.Buffer
	require.NoError(t, view.WriteTelemetryText(&buf, tel))
	assert.Contains(t, buf.String(), "DC0032 Process Creation")

	gaps := view.TelemetryGaps(set)
	require.NotEmpty(t, gaps)
	for i := 1; i < len(gaps); i++ {
		assert.GreaterOrEqual(t, gaps[i-1].Techniques, gaps[i].Techniques)
	}
	assert.LessOrEqual(t, gaps[0].Uncovered, gaps[0].Techniques)
}

func TestGroupView(t *testing.T) {
	set := sample(t)
	for _, key := range []string{"G0016", "apt29", "Cozy Bear", "MIDNIGHT BLIZZARD"} {
		g, ok := view.Group(set, key)
		require.True(t, ok, key)
		assert.Equal(t, "G0016", g.ID, key)
		assert.Len(t, g.Rows, 66, key)
	}
	_, ok := view.Group(set, "nobody")
	assert.False(t, ok)

	g, _ := view.Group(set, "G0016")
	covered := 0
	for _, r := range g.Rows {
		var sum int64
		for _, v := range r.Vendors {
			sum += v.Rules
		}
		assert.Equal(t, r.Rules, sum, r.ID)
		if r.Covered() {
			covered++
		}
	}
	assert.Equal(t, covered, g.Covered)
	var buf bytes.Buffer
	require.NoError(t, view.WriteGroupText(&buf, g))
	pipetest.Golden(t, "testdata/group-G0016.golden", buf.String())

	sums := view.GroupSummaries(set)
	assert.Len(t, sums, len(set.Attack.Groups))
	for i := 1; i < len(sums); i++ {
		assert.LessOrEqual(t, sums[i-1].Ratio(), sums[i].Ratio())
	}
}
