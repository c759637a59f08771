package attack

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefault(t *testing.T) {
	m, err := Default()
	require.NoError(t, err)
	assert.Equal(t, "18.1", m.Version)
	require.Len(t, m.Tactics, 14)
	sub := m.Techniques["T1595.002"]
	require.NotNil(t, sub)
	assert.Equal(t, "Vulnerability Scanning", sub.Name)
	assert.Equal(t, "T1595", sub.ParentID)
	assert.Equal(t, []string{"Reconnaissance"}, sub.Tactics)
	assert.Empty(t, sub.Description, "the embedded default carries no ATT&CK prose")
	for raw, want := range map[string]string{
		"TA0043": "Reconnaissance", "reconnaissance": "Reconnaissance",
		"attack.defense_evasion": "Defense Evasion", "DefenseEvasion": "Defense Evasion",
		"Command and Control": "Command and Control", "command-and-control": "Command and Control",
	} {
		got, ok := m.TacticName(raw)
		assert.True(t, ok, raw)
		assert.Equal(t, want, got, raw)
	}
	_, ok := m.TacticName("nonsense")
	assert.False(t, ok)
}

func TestLoadSharedBundle(t *testing.T) {
	m, err := Load(pipetest.SharedAttack(t))
	require.NoError(t, err)
	t1059 := m.Techniques["T1059"]
	require.NotNil(t, t1059)
	assert.Contains(t, t1059.Description, "command and script interpreters")
	assert.NotContains(t, t1059.Description, "(Citation:")
	revoked := 0
	for _, tq := range m.List {
		if tq.Revoked {
			revoked++
		}
	}
	assert.Equal(t, 132, revoked)
}

func TestParent(t *testing.T) {
	assert.Equal(t, "T1595", Parent("T1595.002"))
	assert.Equal(t, "", Parent("T1595"))
}
