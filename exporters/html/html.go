// Package html writes the static catalog site of a run (SPEC §6 `html/`):
// index.html (totals, coverage by tactic, a client-side technique search),
// one page per tactic, one page per technique laid out like SPEC §8 with
// client-side platform/domain filters and rules expandable to their
// predicates, one page per rule, one page per field listing every value with
// the rules that use it (indicator values link there), and problems.html.
//
// Pages are rendered with html/template from the embedded templates/html
// folder, so every string from the rules is escaped for its context; links
// are relative, so the site works from file:// and any static host; file
// names are sanitised to be valid on every OS. Output is deterministic.
package html

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/exporters"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/templates"
)

// Dir is the folder of the site inside the output folder.
const Dir = "html"

// Exporter writes the static HTML site.
type Exporter struct{}

// Name is the --format key.
func (Exporter) Name() string { return "html" }

var parsed = sync.OnceValues(func() (*template.Template, error) {
	return template.New("site").Funcs(template.FuncMap{
		"pct":  pct,
		"sub":  func(a, b int) int { return a - b },
		"join": func(xs []string) string { return strings.Join(xs, ", ") },
		"dash": func(s string) string {
			if s == "" {
				return "-"
			}
			return s
		},
	}).ParseFS(templates.HTML, "html/*.tmpl")
})

// page is one file of the site: its path below html/ and how to render it.
type page struct {
	rel    string
	render func(t *template.Template, b *bytes.Buffer) error
}

// Export writes the site below dir/html and returns the files written.
func (Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	t, err := parsed()
	if err != nil {
		return nil, fmt.Errorf("parsing templates: %w", err)
	}
	s := newSite(set)
	pages := s.pages()

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
		rel := Dir + "/assets/" + p
		files = append(files, rel)
		return exporters.WriteFile(dir, rel, b)
	})
	if err != nil {
		return nil, fmt.Errorf("writing assets: %w", err)
	}

	if err := s.renderCards(ctx, t); err != nil {
		return nil, err
	}
	// Render and write pages on every core; each page is independent.
	err = parallel(ctx, len(pages), func(i int, b *bytes.Buffer) error {
		p := pages[i]
		if err := p.render(t, b); err != nil {
			return fmt.Errorf("rendering %s: %w", p.rel, err)
		}
		return exporters.WriteFile(dir, Dir+"/"+p.rel, b.Bytes())
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

// parallel calls f(i, buf) for i in [0, n) on every core, each worker
// with its own reset buffer, and returns the first error.
func parallel(ctx context.Context, n int, f func(i int, b *bytes.Buffer) error) error {
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
			var b bytes.Buffer
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				err := ctx.Err()
				if err == nil {
					b.Reset()
					err = f(i, &b)
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

// pct formats a/b as a whole percentage.
func pct(a, b int) string {
	if b == 0 {
		return "–"
	}
	return strconv.Itoa(a*100/b) + "%"
}

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

// filtersText describes the run's filters, or "" when there are none.
func filtersText(f tables.Filters) string {
	var parts []string
	for _, x := range []struct {
		name string
		vals []string
	}{{"platform", f.Platforms}, {"domain", f.Domains}, {"vendor", f.Vendors}, {"technique", f.Techniques}} {
		if len(x.vals) > 0 {
			parts = append(parts, x.name+"="+strings.Join(x.vals, ","))
		}
	}
	return strings.Join(parts, "; ")
}

var _ exporters.Exporter = Exporter{}
