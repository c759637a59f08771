package esql

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

// corpusCache holds the decoded corpus per root: several tests read it.
var corpusCache sync.Map // root → []corpusRule

func loadCorpus(t testing.TB, root string) []corpusRule {
	t.Helper()
	if c, ok := corpusCache.Load(root); ok {
		return c.([]corpusRule)
	}
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
	corpusCache.Store(root, out)
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

// TestWebServerScanners checks the rule named in issue 3: the scanner user
// agents become user_agent.original predicates (through the to_lower eval
// alias) and the aggregation gives the threshold Esql.event_count gt 50.
func TestWebServerScanners(t *testing.T) {
	var found *corpusRule
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
	files, err := filepath.Glob("testdata/*.esql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			q, err := Parse(string(pipetest.Read(t, f)))
			require.NoError(t, err)
			ps, skipped := rule.Flatten(Lower(q))
			got := "# " + q.String() + "\n# indices: " + strings.Join(q.Indices(), ", ") + "\n" + rule.Format(ps)
			for _, s := range skipped {
				got += "skipped: " + s + "\n"
			}
			pipetest.Golden(t, strings.TrimSuffix(f, ".esql")+".golden", got)
		})
	}
}

// FuzzParse checks that parsing and lowering never panic, that errors are
// *rule.SyntaxError values, and that printing is a fixed point: parse →
// print → parse → print gives the same text. It is seeded with the
// hand-written queries and, when the shared corpus is present, its ES|QL
// queries.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.esql")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		`from a-*, "b c" metadata _id | where x like ("*a*", "b") and not y in (1, 2)`,
		`from x | eval a = to_lower(b) | stats c = count(*) where a == "x" by d | where c > 5`,
		`row a = [1, 2] | where a::long > -1 hour | keep a.*`,
		`from x | where KQL("""a : b""") and match(c, "d", {"k": 1}) and e : "f" and ?p == 1`,
		"from x | rename `a``b` as c, d = e | grok m \"%{WORD:w}\" | where w is not null",
	} {
		f.Add(s)
	}
	if dir := sharedCorpusDir(); dir != "" {
		for _, r := range loadCorpus(f, dir) {
			f.Add(r.Query)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var se *rule.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		rule.Flatten(Lower(q))
		q.Indices()
		s := q.String()
		q2, err := Parse(s)
		if err != nil {
			t.Fatalf("reparse of %q (from %q): %v", s, src, err)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("print not stable:\n%q\n%q\n(from %q)", s, s2, src)
		}
	})
}
