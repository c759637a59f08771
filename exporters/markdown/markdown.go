// Package markdown writes report.md: a Markdown summary of a run (totals,
// coverage by tactic, gaps, parse health) sized for a CI job summary or a
// pull-request comment. Rendered with text/template from the embedded
// templates/markdown folder; every string from the rules or the file system
// is escaped so it renders as text. Output is deterministic.
package markdown

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template"
	"unicode/utf8"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
	"github.com/ruleatlas/ruleatlas/templates"
)

// File is the name of the report.
const File = "report.md"

// Limits that keep the report well under a PR comment's 65,536 characters.
const (
	maxMessages = 15  // distinct problem messages listed
	maxOther    = 25  // non-ATT&CK ids listed
	maxText     = 160 // runes of any one string
)

// Exporter writes report.md.
type Exporter struct{}

// Name is the --format key.
func (Exporter) Name() string { return "markdown" }

var parsed = sync.OnceValues(func() (*template.Template, error) {
	return template.New("report.md.tmpl").Funcs(template.FuncMap{
		"md":     Escape,
		"pct":    func(a, b int) string { return pct(int64(a), int64(b)) },
		"pct64":  pct,
		"plural": plural,
	}).ParseFS(templates.Markdown, "markdown/report.md.tmpl")
})

// Export writes report.md.
func (Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	b, err := Render(set, dir)
	if err != nil {
		return nil, err
	}
	if err := outfile.WriteFile(ctx, dir, File, b); err != nil {
		return nil, err
	}
	return []string{File}, nil
}

// source is one rule repository as the report shows it.
type source struct {
	tables.Source
	Path string // the root relative to the output folder
}

// Render returns the report of a run written to the output folder dir
// (source folders are shown relative to it).
func Render(set *tables.Set, dir string) ([]byte, error) {
	t, err := parsed()
	if err != nil {
		return nil, fmt.Errorf("parsing template: %w", err)
	}
	cat := view.NewCatalog(set)
	d := struct {
		Meta         tables.Meta
		Cat          *view.Catalog
		Sources      []source
		Filters      string
		Counted      string // the kinds coverage counts
		Failing      []view.VendorSummary
		FailPercent  int
		Covered      int // techniques and sub-techniques with rules
		Other        []view.TechniqueCoverage
		OtherMore    int
		Messages     []view.Count
		MessagesMore int
		Groups       []group
	}{Meta: set.Meta, Cat: cat, Filters: set.Meta.Filters.String(), FailPercent: view.MostlyFailedPercent}
	for _, s := range set.Meta.Sources {
		d.Sources = append(d.Sources, source{s, relative(dir, s.Root)})
	}
	counted := set.Meta.Kinds
	if len(counted) == 0 {
		for _, k := range rule.AlertingKinds {
			counted = append(counted, string(k))
		}
	}
	d.Counted = strings.Join(counted, ", ")
	for _, v := range cat.Vendors {
		if v.MostlyFailed() {
			d.Failing = append(d.Failing, v)
		}
	}
	d.Groups = groups(set)
	d.Covered = len(cat.CoveredTechniques())
	d.Other = cat.Other
	if len(d.Other) > maxOther {
		d.Other, d.OtherMore = d.Other[:maxOther], len(d.Other)-maxOther
	}
	d.Messages = messages(set.Problems)
	if len(d.Messages) > maxMessages {
		d.Messages, d.MessagesMore = d.Messages[:maxMessages], len(d.Messages)-maxMessages
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", File, err)
	}
	return b.Bytes(), nil
}

// positions strip line/column details so problems group by their cause.
var positions = regexp.MustCompile(`(?i)\b(line|column|col|offset|position)\s*\d+|\d+:\d+|"[^"]*"|'[^']*'|` + "`[^`]*`" + `|[^\s:]*[/\\][^\s:]*`)

// messages groups problems by kind and message (positions, quoted text
// and paths removed) and counts files, most frequent first.
func messages(ps []tables.Problem) []view.Count {
	counts := map[string]int64{}
	for _, p := range ps {
		msg := positions.ReplaceAllStringFunc(p.Msg, func(s string) string {
			switch {
			case s[0] == '"' || s[0] == '\'' || s[0] == '`' || strings.ContainsAny(s, "/\\"):
				return "…"
			}
			return strings.TrimRight(strings.TrimRightFunc(s, func(r rune) bool { return r >= '0' && r <= '9' || r == ':' }), " ") + " N"
		})
		counts[p.Kind+": "+truncate(msg)]++
	}
	out := make([]view.Count, 0, len(counts))
	for k, n := range counts {
		out = append(out, view.Count{Name: k, Rules: n})
	}
	slices.SortFunc(out, func(a, b view.Count) int {
		return cmp.Or(cmp.Compare(b.Rules, a.Rules), strings.Compare(a.Name, b.Name))
	})
	return out
}

// relative is path relative to the output folder dir; a path that has no
// relative form (another volume) is shown by its last element, so that no
// absolute path of the machine is written.
func relative(dir, path string) string {
	if path == "" {
		return ""
	}
	absDir, err1 := filepath.Abs(dir)
	absPath, err2 := filepath.Abs(path)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absDir, absPath); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(path)
}

// plural is "1 rule" or "n rules": the count with the noun in the number
// it takes (nouns ending in y take ies, in s take es).
func plural(n any, noun string) string {
	var k int64
	switch x := n.(type) {
	case int:
		k = int64(x)
	case int64:
		k = x
	}
	if k == 1 {
		return "1 " + noun
	}
	switch {
	case strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey"):
		noun = strings.TrimSuffix(noun, "y") + "ies"
	case strings.HasSuffix(noun, "s"):
		noun += "es"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", k, noun)
}

// pct is view.PercentText: the rounding rule of every output.
func pct(a, b int64) string { return view.PercentText(a, b) }

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	r := []rune(s)
	return string(r[:maxText]) + "…"
}

// Escape makes any string render as literal text in a Markdown table cell
// or paragraph (GitHub-flavoured): control characters become spaces, HTML
// special characters become entities, the Markdown punctuation that
// takes effect mid-line (emphasis, code, links, tables, strike-through, math)
// is backslash-escaped, and the string is cut to a bounded length.
func Escape(s string) string {
	s = truncate(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case strings.ContainsRune("\\`*_[]|~$", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var _ pipeline.Exporter = Exporter{}
