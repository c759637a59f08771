package sigma

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// loadRoot loads every file of root the way the pipeline does: Match picks
// the candidates, Load reads them. It returns the rules and the skip reason
// of each skipped file, by relative path.
func loadRoot(t *testing.T, root string) ([]rule.Rule, map[string]string) {
	t.Helper()
	src, err := Frontend{}.Open(root)
	require.NoError(t, err)
	var rules []rule.Rule
	skipped := map[string]string{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !src.Match(rel, d) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		res, err := src.Load(rule.File{Root: root, Path: rel, Data: data})
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if len(res.Rules) == 0 {
			skipped[rel] = res.Skipped
		}
		rules = append(rules, res.Rules...)
		return nil
	})
	require.NoError(t, err)
	return rules, skipped
}

// TestRepositoryRootFixture loads a hand-written tree laid out like
// SigmaHQ's root: only rules/ (and other/) give live rules; deprecated/ and
// unsupported/ give deprecated ones; tests/ holds a scanner config that is
// skipped with its reason.
func TestRepositoryRootFixture(t *testing.T) {
	rules, skipped := loadRoot(t, filepath.Join("testdata", "root"))
	live := map[string]bool{}
	for _, r := range rules {
		top := strings.SplitN(r.Path, "/", 2)[0]
		switch top {
		case "deprecated", "unsupported":
			assert.True(t, r.Deprecated, "%s must be deprecated", r.Path)
		case "tests":
			t.Errorf("%s: a config became a rule", r.Path)
		}
		if !r.Deprecated {
			live[r.RuleID] = true
		}
		assert.NotEqual(t, rule.StatusFailed, r.ParseStatus, r.Path)
	}
	assert.Equal(t, map[string]bool{
		"5b0b8a46-0d56-4b53-9d5e-3b4c0a1f0001":                              true,
		"5b0b8a46-0d56-4b53-9d5e-3b4c0a1f0004":                              true,
		"5b0b8a46-0d56-4b53-9d5e-3b4c0a1f0004#other/two_rules_one_id.yml#2": true,
	}, live)
	assert.Len(t, rules, 5)
	require.Contains(t, skipped, "tests/scanner_config.yml")
	assert.Contains(t, skipped["tests/scanner_config.yml"], "not a Sigma rule")
	assert.Len(t, skipped, 1)
}
