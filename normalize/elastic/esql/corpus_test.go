package esql

import (
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/elastic/internal/langtest"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lang is ES|QL for the shared corpus-test helpers.
var lang = langtest.Lang[*Query]{Name: "esql", Ext: ".esql", Parse: Parse, Print: (*Query).String, Lower: Lower}

// corpusQueries returns the ES|QL rules of the shared Elastic corpus,
// sorted by path (skipping the test when the corpus is absent).
func corpusQueries(t testing.TB) []langtest.Rule {
	t.Helper()
	return langtest.Queries(t, "esql")
}

// TestCorpus parses every ES|QL query of the shared corpus, checks the parse
// rate (no error and nothing skipped), the printer round trip, and logs the
// failure reasons.
func TestCorpus(t *testing.T) {
	langtest.CheckCorpus(t, lang, corpusQueries(t), func(q *Query, path string) {
		assert.NotEmpty(t, q.Indices(), path)
	})
}

// BenchmarkParseCorpus parses and lowers every ES|QL query of the corpus.
func BenchmarkParseCorpus(b *testing.B) { langtest.Bench(b, lang, corpusQueries(b)) }

// TestWebServerScanners checks the rule named in issue 3: the scanner user
// agents become user_agent.original predicates (through the to_lower eval
// alias) and the aggregation gives the threshold Esql.event_count gt 50.
func TestWebServerScanners(t *testing.T) {
	var found *langtest.Rule
	for _, r := range corpusQueries(t) {
		if r.Name == "Web Server Suspicious User Agent Requests" {
			found = &r
			break
		}
	}
	require.NotNil(t, found, "rule not in the corpus")
	q, err := Parse(found.Query)
	require.NoError(t, err)
	ps, skipped := rule.Flatten(Lower(q))
	assert.Empty(t, skipped)
	got := rule.Format(ps)
	for _, want := range []string{
		`user_agent.original contains "nessus"`,
		`user_agent.original startswith "nikto"`,
		`user_agent.original startswith "sqlmap/"`,
		`user_agent.original contains "nmap"`,
		`Esql.event_count gt "50" computed`,
	} {
		assert.Contains(t, got, want+"\n")
	}
	assert.NotContains(t, got, "Esql.user_agent_original_to_lower")
	assert.Contains(t, q.Indices(), "logs-nginx.access-*")
}

// TestGolden lowers the hand-written queries in testdata/*.esql and
// compares the canonical form, indices and predicates with testdata/*.golden.
func TestGolden(t *testing.T) {
	langtest.Golden(t, lang, func(q *Query) string {
		return "# indices: " + strings.Join(q.Indices(), ", ") + "\n"
	})
}

// FuzzParse checks that parsing and lowering never panic, that errors are
// *rule.SyntaxError values, and that printing is a fixed point (see
// langtest.Fuzz). It is seeded with the hand-written queries and, when
// the shared corpus is present, its ES|QL queries.
func FuzzParse(f *testing.F) {
	langtest.Seed(f, lang,
		`from a-*, "b c" metadata _id | where x like ("*a*", "b") and not y in (1, 2)`,
		`from x | eval a = to_lower(b) | stats c = count(*) where a == "x" by d | where c > 5`,
		`row a = [1, 2] | where a::long > -1 hour | keep a.*`,
		`from x | where KQL("""a : b""") and match(c, "d", {"k": 1}) and e : "f" and ?p == 1`,
		"from x | rename `a``b` as c, d = e | grok m \"%{WORD:w}\" | where w is not null",
	)
	if dir := langtest.SharedDir(); dir != "" {
		for _, r := range langtest.Load(f, dir, "esql") {
			f.Add(r.Query)
		}
	}
	langtest.Fuzz(f, lang, func(q *Query) { q.Indices() })
}
