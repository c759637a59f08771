// Package html writes the static catalog site of a run (SPEC §6 `html/`):
// index.html (totals, coverage by tactic), a page per ATT&CK technique and
// sub-technique of the bundle, covered or not, laid out like SPEC §8 (rules
// and hunting queries expandable to their details, filters by platform,
// domain, vendor and kind that recount every count of the page), a page
// per tactic, gaps.html (the uncovered techniques by tactic), a page per
// ATT&CK group (gaps first, shaded by rule count) and groups.html,
// search.html (techniques, rules, fields and values, over search.js),
// field pages (every value with the rules that use it, fields packed into
// sheets), unmapped.html (rules on no technique page) and problems.html
// (files.parquet's outcomes and the rules' problems). Rule details
// (predicates as written and normalized, the query, the source link) are in
// rules/cNNN.js, loaded when a rule opens: one file per 100 rules instead of
// a page per rule.
//
// Pages are rendered from the embedded templates/html folder: whole pages
// with html/template, and the markup repeated per rule or per row through
// fragments, templates compiled once whose holes are filled in Go and
// proven to escape as html/template would (frag.go). Every string from the
// rules is escaped for its context (JSON data files escape <, > and &);
// links are relative and data files load through script elements, so the
// site works from file:// and any static host; file names are sanitised to
// be valid on every OS. Output is deterministic.
package html

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
	"github.com/ruleatlas/ruleatlas/templates"
)

// Dir is the folder of the site inside the output folder.
const Dir = "html"

// Exporter writes the static HTML site.
type Exporter struct{}

// Name is the --format key.
func (Exporter) Name() string { return "html" }

// renderer is the parsed templates and their compiled fragments.
type renderer struct {
	t *template.Template
	f *fragments
}

var parsed = sync.OnceValues(func() (*renderer, error) {
	t, err := template.New("site").Option("missingkey=error").Funcs(template.FuncMap{
		"pct":  pct,
		"join": func(xs []string) string { return strings.Join(xs, ", ") },
	}).ParseFS(templates.HTML, "html/*.tmpl")
	if err != nil {
		return nil, err
	}
	f, err := compileFragments(t)
	if err != nil {
		return nil, err
	}
	return &renderer{t, f}, nil
})

// page is one file of the site: its path below html/ and how to render it
// (the bytes returned are valid until the worker renders its next page).
type page struct {
	rel    string
	render func(w *worker) ([]byte, error)
}

// Export writes the site below dir/html and returns the files written.
//
// Files are written in place, without a temporary name each: the pipeline
// writes every export into a temporary output folder that it swaps into
// place as a whole, so a half-written site is never visible.
func (Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	r, err := parsed()
	if err != nil {
		return nil, fmt.Errorf("parsing templates: %w", err)
	}
	s := newSite(set, r.t, r.f)
	var foot bytes.Buffer
	if err := r.t.ExecuteTemplate(&foot, "foot", s.base("", "")); err != nil {
		return nil, fmt.Errorf("rendering the page foot: %w", err)
	}
	s.foot = foot.Bytes()
	pages := s.pages()

	// Every folder once, then every file with a single create and write.
	root := filepath.Join(dir, Dir)
	folders := map[string]bool{"assets": true}
	for _, p := range pages {
		folders[path.Dir(p.rel)] = true
	}
	for _, f := range sortedKeys(folders) {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(f)), 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", f, err)
		}
	}
	write := func(rel string, b []byte) error {
		return outfile.WriteNew(ctx, dir, Dir+"/"+rel, b)
	}

	var files []string
	assets, err := fs.Sub(templates.HTML, "html/assets")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		files = append(files, Dir+"/assets/"+p)
		return write("assets/"+p, b)
	})
	if err != nil {
		return nil, fmt.Errorf("writing assets: %w", err)
	}

	if err := s.prepareRules(ctx); err != nil {
		return nil, err
	}
	// Render and write pages on every core; each page is independent.
	err = parallel(ctx, len(pages), func(i int, w *worker) error {
		p := pages[i]
		b, err := p.render(w)
		if err != nil {
			return fmt.Errorf("rendering %s: %w", p.rel, err)
		}
		return write(p.rel, b)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		files = append(files, Dir+"/"+p.rel)
	}
	slices.Sort(files)
	return files, nil
}

// parallel calls f(i, w) for i in [0, n) on every core, each goroutine with
// its own worker state, and returns the first error.
func parallel(ctx context.Context, n int, f func(i int, w *worker) error) error {
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
		failed   atomic.Bool
	)
	for range min(runtime.GOMAXPROCS(0), max(n, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = f(i, &w)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// pct formats a/b as a whole percentage (view.PercentText: the rounding
// rule of every output).
func pct(a, b int) string { return view.PercentText(int64(a), int64(b)) }

// clean makes a string from the wild safe to show as text: invalid UTF-8 is
// replaced and control characters become their visible Unicode pictures
// (U+2400 block), so values keep their meaning without breaking layout.
func clean(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] == 0x7f {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20:
			return 0x2400 + r
		case r == 0x7f:
			return 0x2421
		}
		return r
	}, s)
}

// token turns a platform or domain into a filter token (no spaces).
func token(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(clean(s))), "_")
}

// tokens joins filter tokens; rules that state none get "unspecified".
func tokens(xs []string) string {
	if len(xs) == 0 {
		return unspecified
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = token(x)
	}
	return strings.Join(out, " ")
}

const unspecified = "unspecified"

func itoa(n int) string { return strconv.Itoa(n) }

var _ pipeline.Exporter = Exporter{}
