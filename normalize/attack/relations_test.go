package attack

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"testing"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// small loads testdata/small-bundle.json, a hand-made bundle with a
// sub-technique, a revoked technique with and without a replacement, a
// deprecated technique, a deprecated data component and strategy, a revoked
// group merged into its replacement, a deprecated group and a revoked
// relationship.
func small(t *testing.T) *Model {
	t.Helper()
	m, err := Load("testdata/small-bundle.json")
	require.NoError(t, err)
	return m
}

// roundTrip writes the compact form and reads it back like Default does.
func roundTrip(t *testing.T, m *Model) *Model {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, m.Compact(&buf))
	zr, err := gzip.NewReader(&buf)
	require.NoError(t, err)
	var c Model
	require.NoError(t, json.NewDecoder(zr).Decode(&c))
	c.index()
	return &c
}

func TestRelationsSmallBundle(t *testing.T) {
	full := small(t)
	for name, m := range map[string]*Model{"bundle": full, "compact": roundTrip(t, full)} {
		t.Run(name, func(t *testing.T) {
			// Sub-technique links.
			sub := m.Techniques["T1901.001"]
			require.NotNil(t, sub)
			assert.Equal(t, "T1901", sub.ParentID)
			assert.Equal(t, "T1903", m.Techniques["T1902"].RevokedBy)

			// Data components: the deprecated one is left out.
			assert.Equal(t, []DataComponent{{"DC0032", "Process Creation"}, {"DC0064", "Command Execution"}}, m.DataComponents)
			assert.Nil(t, m.Component("DC0121"))

			// Strategies: detects to a revoked technique follows revoked-by,
			// to a deprecated one is dropped; the deprecated strategy is skipped.
			require.Len(t, m.Strategies, 2)
			assert.Equal(t, []string{"T1901.001"}, m.Strategies[0].Techniques)
			assert.Equal(t, []string{"T1903"}, m.Strategies[1].Techniques)
			assert.Equal(t, []string{"AN0002"}, m.Strategies[1].Analytics, "the missing analytic is dropped")
			assert.Equal(t, []string{"DC0032", "DC0064"}, m.Recommended("T1901.001"))
			assert.Equal(t, []string{"DC0032"}, m.Recommended("T1903"))
			assert.Empty(t, m.Recommended("T1904"))
			assert.Empty(t, m.Recommended("T1901"), "no roll-up from sub-techniques, and DET0003 is deprecated")
			assert.Equal(t, []LogSource{{"DC0032", "WinEventLog:Sysmon", "EventCode=1"}}, m.RecommendedSources("T1901.001", "DC0032"))

			// Groups: uses follow revoked techniques, drop deprecated and
			// dangling ones and revoked relationships; the revoked group's
			// uses and names go to its replacement; the deprecated group is out.
			require.Len(t, m.Groups, 2)
			alpha := m.Groups[0]
			assert.Equal(t, "G9001", alpha.ID)
			assert.Equal(t, []string{"T1901", "T1901.001", "T1903"}, alpha.Techniques)
			assert.Equal(t, []string{"Cozy Test", "UNC0001"}, alpha.Aliases)
			for _, key := range []string{"G9001", "g9001", "Alpha Bear", "ALPHA BEAR", " unc0001 ", "cozy test", "Old Crew", "rusty kitten", "G9003"} {
				g, ok := m.Group(key)
				if assert.True(t, ok, key) {
					assert.Equal(t, "G9001", g.ID, key)
				}
			}
			g, ok := m.Group("beta panda")
			require.True(t, ok)
			assert.Equal(t, []string{"T1903"}, g.Techniques, "software targets are not techniques")
			for _, key := range []string{"Retired Crew", "G9004", "", "nobody"} {
				_, ok := m.Group(key)
				assert.False(t, ok, key)
			}

			assert.Equal(t, Skipped{RevokedTechniques: 2, DeprecatedTechniques: 1, RevokedGroups: 1, DeprecatedGroups: 1,
				DeprecatedComponents: 1, DeprecatedOther: 1, Followed: 2, Dropped: 8}, m.Skipped)
		})
	}
}

func TestCompactDropsProse(t *testing.T) {
	c := roundTrip(t, small(t))
	an := c.Analytic("AN0001")
	require.NotNil(t, an)
	assert.Equal(t, []LogSource{{"DC0032", "WinEventLog:Sysmon", "EventCode=1"}, {"DC0064", "WinEventLog:PowerShell", ""}}, an.LogSources)
	assert.Empty(t, c.Techniques["T1901"].Description)
	assert.True(t, identifierList("EventCode=4103, 4104, 4105, 4106"))
	assert.True(t, identifierList("socket/connect"))
	assert.False(t, identifierList("Unusual kinit or klist activity"))
}

func TestDefaultRelations(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	assert.Equal(t, []string{"DC0016", "DC0032", "DC0034", "DC0064"}, m.Recommended("T1059.001"))
	g, ok := m.Group("Cozy Bear")
	require.True(t, ok)
	assert.Equal(t, "G0016", g.ID)
	assert.Equal(t, "APT29", g.Name)
	assert.Len(t, g.Techniques, 66)
	assert.Equal(t, "Process Creation", m.Component("DC0032").Name)
	for _, an := range m.Analytics {
		for _, ls := range an.LogSources {
			assert.NotEqual(t, "None", ls.Channel, an.ID)
		}
	}
}

// TestSharedBundleRelations checks the counts of the v18.1 bundle and that
// the embedded default carries the same links.
func TestSharedBundleRelations(t *testing.T) {
	m, err := Load(pipetest.SharedAttack(t))
	require.NoError(t, err)
	assert.Len(t, m.DataComponents, 106)
	assert.Len(t, m.Strategies, 691)
	assert.Len(t, m.Analytics, 1739)
	assert.Len(t, m.Groups, 187-6-9)
	assert.Equal(t, 132, m.Skipped.RevokedTechniques)
	assert.Equal(t, 6, m.Skipped.RevokedGroups)
	assert.Equal(t, 9, m.Skipped.DeprecatedGroups)
	assert.Equal(t, 3, m.Skipped.DeprecatedComponents)
	t.Logf("skipped: %+v", m.Skipped)
	d, err := Default()
	require.NoError(t, err)
	assert.Equal(t, len(m.Groups), len(d.Groups))
	for i := range m.Groups {
		assert.Equal(t, m.Groups[i], d.Groups[i])
	}
	assert.Equal(t, m.Strategies, d.Strategies)
}
