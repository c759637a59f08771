package elastic

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadTree loads every matching file under root with the frontend, in
// parallel like the pipeline does, and returns the rules in path order.
func loadTree(t testing.TB, root string) (rules []rule.Rule, skipped []string, errs map[string]error) {
	t.Helper()
	src, err := Frontend{}.Open(root)
	require.NoError(t, err)
	var files []rule.File
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
		files = append(files, rule.File{Root: root, Path: rel, Data: data})
		return nil
	})
	require.NoError(t, err)
	results := make([]rule.Result, len(files))
	loadErrs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				results[i], loadErrs[i] = src.Load(files[i])
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	errs = map[string]error{}
	for i, f := range files {
		if loadErrs[i] != nil {
			errs[f.Path] = loadErrs[i]
			continue
		}
		if results[i].Skipped != "" {
			skipped = append(skipped, f.Path)
		}
		rules = append(rules, results[i].Rules...)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Path < rules[j].Path })
	return rules, skipped, errs
}

// TestSharedCorpus loads the shared Elastic corpus and checks the issue's
// thresholds: every non-deprecated rule loads, and at least 98% of the rules
// of each query language parse completely.
func TestSharedCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "elastic")
	rules, skipped, errs := loadTree(t, root)
	assert.Empty(t, errs, "files that did not decode")
	assert.Empty(t, skipped, "files with neither [rule] nor [hunt]")
	type tally struct{ total, ok, partial, failed, noQuery int }
	byLang := map[string]*tally{}
	reasons := map[string]map[string]int{}
	live := 0
	for _, r := range rules {
		require.NotEmpty(t, r.RuleID, r.Path)
		if r.Deprecated {
			continue
		}
		live++
		lang := r.Language
		if r.Kind == rule.KindHunting {
			lang = "hunting/" + lang // hunts are checked in TestSharedCorpusHunting
		}
		tl := byLang[lang]
		if tl == nil {
			tl = &tally{}
			byLang[lang] = tl
		}
		tl.total++
		switch r.ParseStatus {
		case rule.StatusOK:
			tl.ok++
		case rule.StatusPartial:
			tl.partial++
		case rule.StatusFailed:
			tl.failed++
		case rule.StatusNoQuery:
			tl.noQuery++
		}
		if r.ParseStatus == rule.StatusFailed || r.ParseStatus == rule.StatusPartial {
			assert.NotEmpty(t, r.ParseError, r.Path)
			if reasons[lang] == nil {
				reasons[lang] = map[string]int{}
			}
			msg := r.ParseError
			if i := strings.Index(msg, ": "); i > 0 && strings.Contains(msg[:i], "column") {
				msg = msg[i+2:]
			}
			reasons[lang][msg]++
		}
	}
	t.Logf("%d rules (%d not deprecated)", len(rules), live)
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		tl := byLang[l]
		withQuery := tl.total - tl.noQuery
		rate := 1.0
		if withQuery > 0 {
			rate = float64(tl.ok) / float64(withQuery)
		}
		t.Logf("%-6s %4d rules: ok %d, partial %d, failed %d, no_query %d — ok %.2f%% of rules with a query",
			l, tl.total, tl.ok, tl.partial, tl.failed, tl.noQuery, 100*rate)
		type kv struct {
			k string
			v int
		}
		var top []kv
		for k, v := range reasons[l] {
			top = append(top, kv{k, v})
		}
		sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v || top[i].v == top[j].v && top[i].k < top[j].k })
		for i, x := range top {
			if i == 8 {
				break
			}
			t.Logf("    %3d× %s", x.v, x.k)
		}
		if reasons[l][l+" parser not available"] > 0 {
			t.Logf("    (%s parser not available yet: threshold not checked)", l)
			continue
		}
		if withQuery > 0 && !strings.HasPrefix(l, "hunting/") {
			assert.GreaterOrEqual(t, rate, 0.98, "parse rate of %s", l)
		}
	}
}

// BenchmarkLoadCorpus measures TOML decoding plus query parsing of the whole
// shared Elastic corpus (files already in memory) with two workers, as the
// pipeline runs on this 2-core machine.
func BenchmarkLoadCorpus(b *testing.B) {
	root := pipetest.SharedCorpus(b, "elastic")
	var files []rule.File
	size := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".toml") {
			return err
		}
		data, err := os.ReadFile(p)
		size += len(data)
		files = append(files, rule.File{Root: root, Path: p, Data: data})
		return err
	})
	require.NoError(b, err)
	b.SetBytes(int64(size))
	src := Source{}
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		next := make(chan int, len(files))
		for i := range files {
			next <- i
		}
		close(next)
		for range 2 {
			wg.Go(func() {
				for i := range next {
					if _, err := src.Load(files[i]); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
	}
}

// TestSharedCorpusWebScanner checks the ES|QL example: the rule
// "Web Server Suspicious User Agent Requests" yields user agent predicates
// for scanners and the event-count threshold.
func TestSharedCorpusWebScanner(t *testing.T) {
	rules, _, _ := loadTree(t, pipetest.SharedCorpus(t, "elastic"))
	for _, r := range rules {
		if r.Title != "Web Server Suspicious User Agent Requests" {
			continue
		}
		require.Equal(t, rule.StatusOK, r.ParseStatus, r.ParseError)
		got := rule.Format(r.Predicates)
		assert.Contains(t, got, `user_agent.original contains "nessus"`)
		assert.Contains(t, got, `Esql.event_count gt "50"`)
		assert.Contains(t, r.LogSources, "index:logs-nginx.access-*")
		return
	}
	t.Fatal("rule not found in the shared corpus")
}
