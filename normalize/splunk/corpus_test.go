package splunk_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/splunk"
	"github.com/ruleatlas/ruleatlas/normalize/splunk/macro"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// loadAll loads every candidate file of root with the frontend.
func loadAll(t testing.TB, root string) (rules []rule.Rule, notes []string, src *splunk.Source) {
	t.Helper()
	s, err := splunk.Frontend{}.Open(root)
	require.NoError(t, err)
	src = s.(*splunk.Source)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
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
		rules = append(rules, res.Rules...)
		notes = append(notes, res.Notes...)
		return nil
	})
	require.NoError(t, err)
	return rules, notes, src
}

type count struct {
	key string
	n   int
}

func top(m map[string]int, n int) []count {
	var out []count
	for k, v := range m {
		out = append(out, count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].key < out[j].key
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// reason strips positions and quoted snippets so failures group by kind.
func reason(s string) string {
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "search line") {
		s = s[i+2:]
	}
	if i := strings.IndexByte(s, '`'); i >= 0 {
		s = s[:i]
	}
	return s
}

func TestSharedCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "splunk")
	rules, _, src := loadAll(t, root)
	require.NotZero(t, src.Macros.Len(), "macros found at %s", src.MacroDir)

	statuses := map[rule.Status]int{}
	reasons := map[string]int{}
	active := 0
	for _, r := range rules {
		if r.Deprecated {
			continue
		}
		active++
		statuses[r.ParseStatus]++
		if r.ParseStatus != rule.StatusOK {
			reasons[string(r.ParseStatus)+": "+reason(r.ParseError)]++
			assert.NotEmpty(t, r.ParseError, r.Path)
		}
	}
	okShare := float64(statuses[rule.StatusOK]) / float64(active)
	t.Logf("rules %d (non-deprecated %d): ok %d, partial %d, failed %d, no_query %d; ok share %.2f%%",
		len(rules), active, statuses[rule.StatusOK], statuses[rule.StatusPartial],
		statuses[rule.StatusFailed], statuses[rule.StatusNoQuery], 100*okShare)
	for _, c := range top(reasons, 15) {
		t.Logf("  %4d  %s", c.n, c.key)
	}
	assert.GreaterOrEqual(t, okShare, 0.97, "parse_status ok share")

	// Macro references over every detection's search.
	st := map[macro.Status]int{}
	missing := map[string]int{}
	for _, p := range detectionSearches(t, root) {
		exp := src.Macros.Expand(p)
		for _, r := range exp.Refs {
			st[r.Status]++
			if r.Status == macro.Missing {
				missing[r.Name]++
			}
		}
	}
	total := 0
	for _, n := range st {
		total += n
	}
	nonFilter := total - st[macro.FilterEmpty]
	t.Logf("macro references %d: expanded %d (%.2f%% of %d non-filter references), filter macros empty/absent %d, missing %d, other %d",
		total, st[macro.Expanded], 100*float64(st[macro.Expanded])/float64(max(nonFilter, 1)), nonFilter,
		st[macro.FilterEmpty], st[macro.Missing], total-st[macro.Expanded]-st[macro.FilterEmpty]-st[macro.Missing])
	for _, c := range top(missing, 10) {
		t.Logf("  missing %4d  %s", c.n, c.key)
	}
}
