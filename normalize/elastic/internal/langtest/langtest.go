// Package langtest holds the test helpers the Elastic query languages
// (EQL, ES|QL, KQL, Lucene) share: reading the rules of one language from
// the shared Elastic corpus, the corpus parse-rate check, the benchmark,
// the golden test of testdata queries, the parse/print fuzz target, and
// the table runners of print, error and lowering tests. Only tests import
// it.
package langtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lang is what the helpers need of a query language with query type Q.
type Lang[Q any] struct {
	// Name is the language as the rules name it ("eql", "esql", "kuery",
	// "lucene").
	Name string
	// Ext is the extension of its testdata queries (".eql", …).
	Ext string
	// Parse parses a query; errors are *rule.SyntaxError values.
	Parse func(string) (Q, error)
	// Print prints a query in canonical form.
	Print func(Q) string
	// Lower lowers a query to its boolean tree.
	Lower func(Q) rule.Expr
	// Strict makes CheckCorpus fail on every query whose lowering skips a
	// clause, not only count it.
	Strict bool
}

// Rule is one rule of the shared corpus.
type Rule struct {
	Path, Name, Query string
}

// Queries returns the rules of the shared Elastic corpus written in lang,
// sorted by path (skipping the test when the corpus is absent).
func Queries(t testing.TB, lang string) []Rule {
	t.Helper()
	return Load(t, pipetest.SharedCorpus(t, "elastic"), lang)
}

// cache holds the decoded corpus per root and language: several tests
// read it.
var cache sync.Map // root + "\x00" + lang → []Rule

// Load returns the rules under root written in lang, sorted by path.
func Load(t testing.TB, root, lang string) []Rule {
	t.Helper()
	key := root + "\x00" + lang
	if c, ok := cache.Load(key); ok {
		return c.([]Rule)
	}
	var out []Rule
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
		if m.Rule.Language == lang {
			rel, _ := filepath.Rel(root, p)
			out = append(out, Rule{filepath.ToSlash(rel), m.Rule.Name, m.Rule.Query})
		}
		return nil
	})
	require.NoError(t, err)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	cache.Store(key, out)
	return out
}

// SharedDir returns the shared Elastic corpus folder, or "" when absent
// (for fuzz targets, which must not skip).
func SharedDir() string {
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

// CheckCorpus parses every rule, checks the printer round trip and lowers
// it; check (nil for none) runs on each query parsed and lowered with
// nothing skipped.
// It logs the parse rate (no error and nothing skipped) and the failure
// reasons, most frequent first, and asserts a rate of at least 98%.
func CheckCorpus[Q any](t *testing.T, l Lang[Q], rules []Rule, check func(q Q, path string)) {
	require.NotEmpty(t, rules)
	failures := map[string][]string{}
	fail := func(reason, path string) { failures[reason] = append(failures[reason], path) }
	ok, partial, failed, preds := 0, 0, 0, 0
	for _, r := range rules {
		q, err := l.Parse(r.Query)
		if err != nil {
			var se *rule.SyntaxError
			require.ErrorAs(t, err, &se, r.Path)
			failed++
			fail("error: "+se.Msg, r.Path+" ("+se.Error()+")")
			continue
		}
		s := l.Print(q)
		q2, err := l.Parse(s)
		if assert.NoError(t, err, "%s: reparse of %q", r.Path, s) {
			assert.Equal(t, s, l.Print(q2), r.Path)
		}
		ps, skipped := rule.Flatten(l.Lower(q))
		preds += len(ps)
		if l.Strict {
			assert.Empty(t, skipped, r.Path)
		}
		if len(skipped) > 0 {
			partial++
			fail("skipped: "+reasonOf(skipped[0]), r.Path+" ("+skipped[0]+")")
			continue
		}
		if check != nil {
			check(q, r.Path)
		}
		ok++
	}
	rate := float64(ok) / float64(len(rules))
	t.Logf("%s: %d queries: %d ok (%.2f%%), %d partial, %d failed; %d predicates",
		l.Name, len(rules), ok, 100*rate, partial, failed, preds)
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

// reasonOf cuts a skip reason "lang: why: clause" to "lang: why".
func reasonOf(s string) string {
	if i := strings.Index(s, ": "); i >= 0 {
		if j := strings.Index(s[i+2:], ": "); j >= 0 {
			return s[:i+2+j]
		}
	}
	return s
}

// Bench parses and lowers every rule per iteration.
func Bench[Q any](b *testing.B, l Lang[Q], rules []Rule) {
	n := 0
	for _, r := range rules {
		n += len(r.Query)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range rules {
			if q, err := l.Parse(r.Query); err == nil {
				rule.Flatten(l.Lower(q))
			}
		}
	}
}

// Golden lowers the hand-written queries testdata/*Ext and compares
// "# canonical form", the lines header gives, the predicates and the skip
// reasons with testdata/*.golden.
func Golden[Q any](t *testing.T, l Lang[Q], header func(Q) string) {
	files, err := filepath.Glob("testdata/*" + l.Ext)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			q, err := l.Parse(string(pipetest.Read(t, f)))
			require.NoError(t, err)
			got := "# " + l.Print(q) + "\n"
			if header != nil {
				got += header(q)
			}
			pipetest.Golden(t, strings.TrimSuffix(f, l.Ext)+".golden", got+lowered(l, q))
		})
	}
}

// Seed adds the testdata/*Ext queries and the given ones to the seed
// corpus of f.
func Seed[Q any](f *testing.F, l Lang[Q], seeds ...string) {
	files, _ := filepath.Glob("testdata/*" + l.Ext)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
}

// Fuzz checks that parsing and lowering never panic, that errors are
// *rule.SyntaxError values, and that printing is a fixed point: parse →
// print → parse → print gives the same text. also runs on every query
// parsed (nil for none).
func Fuzz[Q any](f *testing.F, l Lang[Q], also func(Q)) {
	f.Fuzz(func(t *testing.T, src string) {
		q, err := l.Parse(src)
		if err != nil {
			var se *rule.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		rule.Flatten(l.Lower(q))
		if also != nil {
			also(q)
		}
		s := l.Print(q)
		q2, err := l.Parse(s)
		if err != nil {
			t.Fatalf("reparse of %q (from %q): %v", s, src, err)
		}
		if s2 := l.Print(q2); s2 != s {
			t.Fatalf("print not stable:\n%q\n%q\n(from %q)", s, s2, src)
		}
	})
}
