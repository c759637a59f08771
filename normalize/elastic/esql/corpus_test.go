package esql

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusRule is one ES|QL rule of the shared corpus.
type corpusRule struct {
	Path, Name, Query string
}

// corpusQueries returns the ES|QL rules of the shared Elastic corpus, sorted
// by path (skipping the test when the corpus is absent).
func corpusQueries(t testing.TB) []corpusRule {
	t.Helper()
	return loadCorpus(t, pipetest.SharedCorpus(t, "elastic"))
}

func loadCorpus(t testing.TB, root string) []corpusRule {
	t.Helper()
	var out []corpusRule
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".toml") {
			return err
		}
		var m struct {
			Rule struct{ Language, Query, Name string } `toml:"rule"`
		}
		if _, err := toml.DecodeFile(p, &m); err != nil {
			return nil // the loader's tests cover undecodable files
		}
		if m.Rule.Language == "esql" {
			rel, _ := filepath.Rel(root, p)
			out = append(out, corpusRule{filepath.ToSlash(rel), m.Rule.Name, m.Rule.Query})
		}
		return nil
	})
	require.NoError(t, err)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// TestCorpus parses every ES|QL query of the shared corpus, checks the parse
// rate (no error and nothing skipped), the printer round trip, and logs the
// failure reasons.
func TestCorpus(t *testing.T) {
	rules := corpusQueries(t)
	require.NotEmpty(t, rules)
	failures := map[string][]string{}
	fail := func(reason, path string) { failures[reason] = append(failures[reason], path) }
	ok, partial, failed, preds := 0, 0, 0, 0
	for _, r := range rules {
		q, err := Parse(r.Query)
		if err != nil {
			var se *rule.SyntaxError
			require.ErrorAs(t, err, &se, r.Path)
			failed++
			fail("error: "+se.Msg, r.Path+" ("+se.Error()+")")
			continue
		}
		s := q.String()
		q2, err := Parse(s)
		if assert.NoError(t, err, "%s: reparse of %q", r.Path, s) {
			assert.Equal(t, s, q2.String(), r.Path)
		}
		ps, skipped := rule.Flatten(Lower(q))
		preds += len(ps)
		if len(skipped) > 0 {
			partial++
			reason := skipped[0]
			if i := strings.Index(reason, ": "); i >= 0 {
				if j := strings.Index(reason[i+2:], ": "); j >= 0 {
					reason = reason[:i+2+j]
				}
			}
			fail("skipped: "+reason, r.Path+" ("+skipped[0]+")")
			continue
		}
		assert.NotEmpty(t, q.Indices(), r.Path)
		ok++
	}
	rate := float64(ok) / float64(len(rules))
	t.Logf("esql: %d queries: %d ok (%.2f%%), %d partial, %d failed; %d predicates",
		len(rules), ok, 100*rate, partial, failed, preds)
	reasons := make([]string, 0, len(failures))
	for m := range failures {
		reasons = append(reasons, m)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if len(failures[reasons[i]]) != len(failures[reasons[j]]) {
			return len(failures[reasons[i]]) > len(failures[reasons[j]])
		}
		return reasons[i] < reasons[j]
	})
	for _, m := range reasons {
		t.Logf("  %d× %s (e.g. %s)", len(failures[m]), m, failures[m][0])
	}
	assert.GreaterOrEqual(t, rate, 0.98)
}

// BenchmarkParseCorpus parses and lowers every ES|QL query of the corpus.
func BenchmarkParseCorpus(b *testing.B) {
	rules := corpusQueries(b)
	n := 0
	for _, r := range rules {
		n += len(r.Query)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range rules {
			if q, err := Parse(r.Query); err == nil {
				rule.Flatten(Lower(q))
			}
		}
	}
}

// sharedCorpusDir returns the shared Elastic corpus folder, or "" when absent
// (for the fuzz target, which must not skip).
func sharedCorpusDir() string {
	dir := os.Getenv("RULEATLAS_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared")
	}
	dir = filepath.Join(dir, "corpora", "elastic")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}
