package kql

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"
)

// lang is KQL for the shared corpus-test helpers: every kuery query of the
// corpus must lower with nothing skipped.
var lang = langtest.Lang[*Query]{Name: "kuery", Ext: ".kql", Parse: Parse, Print: (*Query).String, Lower: Lower, Strict: true}

// TestCorpus parses every kuery query of the shared corpus, checks the
// parse rate and the printer round trip, and logs the failures.
func TestCorpus(t *testing.T) {
	langtest.CheckCorpus(t, lang, langtest.Queries(t, "kuery"), nil)
}

// BenchmarkParseCorpus parses and lowers every kuery query of the corpus.
func BenchmarkParseCorpus(b *testing.B) { langtest.Bench(b, lang, langtest.Queries(b, "kuery")) }

// TestGolden lowers the hand-written queries in testdata/*.kql and compares
// the canonical form and predicates with testdata/*.golden.
func TestGolden(t *testing.T) { langtest.Golden(t, lang, nil) }

// FuzzParse checks that parsing never panics and that printing is a fixed
// point (see langtest.Fuzz), seeded with the hand-written queries and
// 300 of the corpus's when it is present.
func FuzzParse(f *testing.F) {
	langtest.Seed(f, lang, `a:b`, `a:(b or "c*")`, `not x:{y:z}`, `p >= 5`, `a:\u0041\*`, `"free" text`,
		`not destination.ip:(10.0.0.0/8 or "fe80::/10")`, `a : " -e " and b :   x y  `)
	if dir := langtest.SharedDir(); dir != "" {
		for i, r := range langtest.Load(f, dir, "kuery") {
			if i%3 == 0 && i < 900 {
				f.Add(r.Query)
			}
		}
	}
	langtest.Fuzz(f, lang, nil)
}
