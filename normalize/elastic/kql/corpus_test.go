package kql

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

// corpusQueries returns the path → query of every rule of the shared Elastic
// corpus written in lang (skipping the test when the corpus is absent).
func corpusQueries(t testing.TB, lang string) map[string]string {
	t.Helper()
	root := pipetest.SharedCorpus(t, "elastic")
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".toml") {
			return err
		}
		var m struct {
			Rule struct{ Language, Query string } `toml:"rule"`
		}
		if _, err := toml.DecodeFile(p, &m); err != nil {
			return nil // the loader's tests cover undecodable files
		}
		if m.Rule.Language == lang {
			rel, _ := filepath.Rel(root, p)
			out[filepath.ToSlash(rel)] = m.Rule.Query
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestCorpus parses every kuery query of the shared corpus, checks the
// parse rate and the printer round trip, and logs the failures.
func TestCorpus(t *testing.T) {
	qs := corpusQueries(t, "kuery")
	require.NotEmpty(t, qs)
	failures := map[string][]string{}
	ok := 0
	for path, src := range qs {
		q, err := Parse(src)
		if err != nil {
			failures[err.(*rule.SyntaxError).Msg] = append(failures[err.(*rule.SyntaxError).Msg], path)
			continue
		}
		ok++
		s := q.String()
		q2, err := Parse(s)
		if assert.NoError(t, err, "%s: reparse of %q", path, s) {
			assert.Equal(t, s, q2.String(), path)
		}
		_, skipped := rule.Flatten(Lower(q))
		assert.Empty(t, skipped, path)
	}
	rate := float64(ok) / float64(len(qs))
	t.Logf("kuery: %d/%d parsed (%.2f%%)", ok, len(qs), 100*rate)
	msgs := make([]string, 0, len(failures))
	for m := range failures {
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return len(failures[msgs[i]]) > len(failures[msgs[j]]) })
	for _, m := range msgs {
		t.Logf("  %d× %s (e.g. %s)", len(failures[m]), m, failures[m][0])
	}
	assert.GreaterOrEqual(t, rate, 0.98)
}

func BenchmarkParseCorpus(b *testing.B) {
	qs := corpusQueries(b, "kuery")
	srcs := make([]string, 0, len(qs))
	n := 0
	for _, s := range qs {
		srcs = append(srcs, s)
		n += len(s)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		for _, s := range srcs {
			q, err := Parse(s)
			if err == nil {
				rule.Flatten(Lower(q))
			}
		}
	}
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.kql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			q, err := Parse(string(pipetest.Read(t, f)))
			require.NoError(t, err)
			ps, skipped := rule.Flatten(Lower(q))
			got := "# " + q.String() + "\n" + rule.Format(ps)
			for _, s := range skipped {
				got += "skipped: " + s + "\n"
			}
			pipetest.Golden(t, strings.TrimSuffix(f, ".kql")+".golden", got)
		})
	}
}

// FuzzParse checks that parsing never panics and that printing is a fixed
// point: parse → print → parse → print gives the same text.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.kql")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{`a:b`, `a:(b or "c*")`, `not x:{y:z}`, `p >= 5`, `a:\u0041\*`, `"free" text`,
		`not destination.ip:(10.0.0.0/8 or "fe80::/10")`, `a : " -e " and b :   x y  `} {
		f.Add(s)
	}
	if os.Getenv("RULEATLAS_SHARED") != "" || sharedExists() {
		n := 0
		for _, s := range corpusQueries(f, "kuery") {
			if n++; n > 300 {
				break
			}
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			if _, ok := err.(*rule.SyntaxError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		rule.Flatten(Lower(q))
		s := q.String()
		q2, err := Parse(s)
		if err != nil {
			t.Fatalf("reparse of %q (from %q): %v", s, src, err)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("print not stable: %q → %q (from %q)", s, s2, src)
		}
	})
}

func sharedExists() bool {
	_, err := os.Stat(filepath.Join("..", "..", "..", "..", "shared", "corpora", "elastic"))
	return err == nil
}
