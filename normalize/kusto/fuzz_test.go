package kusto

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// seedQueries returns the queries of the sample corpus and, when present,
// of the shared Sentinel corpus.
func seedQueries(t testing.TB) []string {
	var out []string
	files, _ := filepath.Glob("testdata/*.kusto")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		out = append(out, string(b))
	}
	roots := []string{filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sentinel")}
	shared := filepath.Join(pipetest.RepoRoot(t), "..", "shared", "corpora", "sentinel")
	if d := os.Getenv("RULEATLAS_SHARED"); d != "" {
		shared = filepath.Join(d, "corpora", "sentinel")
	}
	roots = append(roots, shared)
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || len(out) > 400 {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			var doc struct {
				Query string `yaml:"query"`
			}
			if yaml.Unmarshal(b, &doc) == nil && doc.Query != "" {
				out = append(out, doc.Query)
			}
			return nil
		})
	}
	return out
}

// FuzzParse checks that no input makes Parse or Analyze panic or hang, and
// that printing a parsed query and parsing the print is stable.
func FuzzParse(f *testing.F) {
	for _, q := range seedQueries(f) {
		f.Add(q)
	}
	f.Add("T | where a in~ (dynamic(['x'])) and not(b !has_cs 'y')")
	f.Add("T | mv-apply r = R on (where r.t =~ 'U' | extend p = r.x) | where p == 'a'")
	f.Add("T | extend n = toscalar(U | where u == 1 | count) | partition by k (where a == 1 | top 1 by t)")
	f.Add("union (A | where a == 1)\n(B | where b == 2)")
	f.Add("T\u00a0| where\u202fa\u2003==\u3000' /s '\u00a0and notempty(b) | summarize dcount(x) by k | where dcount_x > 2")
	f.Add("T | parse m with * 'u=' U:string ' ' * | project-rename V = w | extend (a, b) = f() | where ['c\u00a0d'] == 1")
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			return
		}
		Predicates(Analyze(q))
		s1 := q.String()
		q2, err := Parse(s1)
		if err != nil {
			t.Fatalf("reparsing the print failed: %v\ninput: %q\nprint: %q", err, src, s1)
		}
		if s2 := q2.String(); s1 != s2 {
			t.Fatalf("print not stable:\ninput: %q\nfirst: %q\nsecond: %q", src, s1, s2)
		}
	})
}
