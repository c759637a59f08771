package eql

import (
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"
	"github.com/stretchr/testify/assert"
)

// lang is EQL for the shared corpus-test helpers.
var lang = langtest.Lang[*Query]{Name: "eql", Ext: ".eql", Parse: Parse, Print: (*Query).String, Lower: Lower}

// corpusQueries returns the EQL rules of the shared Elastic corpus, sorted
// by path (skipping the test when the corpus is absent).
func corpusQueries(t testing.TB) []langtest.Rule {
	t.Helper()
	return langtest.Queries(t, "eql")
}

// TestCorpus parses every EQL query of the shared corpus, checks the parse
// rate (no error and nothing skipped), the printer round trip, and logs the
// failure reasons.
func TestCorpus(t *testing.T) {
	langtest.CheckCorpus(t, lang, corpusQueries(t), func(q *Query, path string) {
		assert.NotEmpty(t, q.Categories(), path)
	})
}

// BenchmarkParseCorpus parses and lowers every EQL query of the corpus.
func BenchmarkParseCorpus(b *testing.B) { langtest.Bench(b, lang, corpusQueries(b)) }

// TestGolden lowers the hand-written queries in testdata/*.eql and compares
// the canonical form, categories and predicates with testdata/*.golden.
func TestGolden(t *testing.T) {
	langtest.Golden(t, lang, func(q *Query) string {
		return "# categories: " + strings.Join(q.Categories(), ", ") + "\n"
	})
}

// FuzzParse checks that parsing and lowering never panic, that errors are
// *rule.SyntaxError values, and that printing is a fixed point (see
// langtest.Fuzz). It is seeded with the hand-written queries and, when
// the shared corpus is present, its EQL queries.
func FuzzParse(f *testing.F) {
	langtest.Seed(f, lang,
		`process where a : ("x*", "y")`, `any where ?a.b == null`, "any where `a``b`.c != 1",
		`sequence by a with maxspan=5m [any where true] ![file where x] until [any where y]`,
		`sample [any where a like~ "x"] | head 5`, `any where startsWith~(a, "b") and length(c) > 1`,
		`any where a == """x""""`, `any where a == ?"\x"`, `any where a == "\u{1F600}"`,
	)
	if dir := langtest.SharedDir(); dir != "" {
		for i, r := range langtest.Load(f, dir, "eql") {
			if i%3 == 0 { // about 360 of them
				f.Add(r.Query)
			}
		}
	}
	langtest.Fuzz(f, lang, func(q *Query) { q.Categories() })
}
