package diff

import (
	"fmt"
	"io"
	"strings"
)

// DefaultMarkdownRows is a good Options.MaxRows for the Markdown
// rendering: a PR comment must stay short (GitHub takes at most 65,536
// characters).
const DefaultMarkdownRows = 100

// WriteMarkdown renders the result for a pull-request comment or a CI job
// summary: the summary counts and any lost coverage first, then each
// section in a collapsed <details> block.
func WriteMarkdown(w io.Writer, r *Result, o Options) error {
	max := o.MaxRows
	p := &printer{w: w}
	p.printf("### ruleatlas diff\n\n%s%s → %s%s\n\n", code(r.Old), mdText(paren(r.OldRun.String())), code(r.New), mdText(paren(r.NewRun.String())))
	p.printf("| | old | new | change |\n|---|---:|---:|---|\n")
	p.printf("| **rules** | %d | %d | %s |\n", total(r.Vendors, true), total(r.Vendors, false),
		fmt.Sprintf("%d added, %d removed, %d changed", len(r.Added), len(r.Removed), len(r.Changed)))
	for _, v := range r.Vendors {
		p.printf("| %s | %d | %d | %s |\n", cell(v.Vendor), v.Old, v.New, signed(v.New-v.Old))
	}
	p.printf("\n**Coverage:** %s · **Parse status:** %d changed", coverageSummary(r), len(r.ParseStatus))
	a, d := PatternCounts(r.Indicators)
	p.printf(" · **Indicators:** %d appeared, %d disappeared", a, d)
	a, d = PatternCounts(r.Exclusions)
	p.printf(" · **Exclusions:** %d appeared, %d disappeared\n", a, d)
	if r.Empty() {
		p.printf("\nNo differences.\n")
		return p.err
	}
	if lost := r.Lost(false); len(lost) > 0 {
		p.printf("\n> [!WARNING]\n> **%s lost coverage:** ", plural(int64(len(lost)), "technique"))
		var ids []string
		for _, t := range limit(lost, 20) {
			ids = append(ids, fmt.Sprintf("%s %s", t.ID, mdText(t.Name)))
		}
		p.printf("%s", strings.Join(ids, ", "))
		if len(lost) > 20 {
			p.printf(" and %d more", len(lost)-20)
		}
		p.printf("\n")
	}

	details := func(summary string, n int, body func()) {
		if n == 0 {
			return
		}
		p.printf("\n<details><summary>%s</summary>\n\n", summary)
		body()
		if max > 0 && n > max {
			p.printf("\n… %d more not shown.\n", n-max)
		}
		p.printf("\n</details>\n")
	}
	details(fmt.Sprintf("Coverage changes (%d techniques)", len(r.Coverage)), len(r.Coverage), func() {
		p.printf("| change | technique | name | total | by vendor |\n|---|---|---|---:|---|\n")
		for _, t := range limit(r.Coverage, max) {
			p.printf("| %s | %s | %s | %d → %d | %s |\n", t.Kind(), t.ID, cell(t.Name), t.Old, t.New, cell(vendorText(t.Vendors)))
		}
	})
	rules := func(title string, rs []*Rule) {
		details(fmt.Sprintf("%s (%d)", title, len(rs)), len(rs), func() {
			p.printf("| vendor | rule id | title | parse | path |\n|---|---|---|---|---|\n")
			for _, x := range limit(rs, max) {
				p.printf("| %s | %s | %s | %s | %s |\n", cell(x.Vendor), cellCode(x.RuleID), cell(x.Title), cell(x.ParseStatus), cellCode(x.Path))
			}
		})
	}
	rules("Rules added", r.Added)
	rules("Rules removed", r.Removed)
	details(fmt.Sprintf("Rules changed (%d)", len(r.Changed)), len(r.Changed), func() {
		for i, c := range limit(r.Changed, max) {
			if i > 0 {
				p.printf("\n")
			}
			p.printf("**%s %s** %s — %s\n", mdText(c.New.Vendor), code(c.New.RuleID), mdText(c.New.Title), code(c.New.Path))
			for _, f := range c.Fields {
				p.printf("- %s: %s → %s\n", f.Name, code(dash(f.Old)), code(dash(f.New)))
			}
			if len(c.PredicatesAdded)+len(c.PredicatesRemoved) > 0 {
				var b strings.Builder
				for _, l := range c.PredicatesRemoved {
					b.WriteString("- " + l + "\n")
				}
				for _, l := range c.PredicatesAdded {
					b.WriteString("+ " + l + "\n")
				}
				fence := strings.Repeat("`", max3(longestRun(b.String(), '`')+1))
				p.printf("\n%sdiff\n%s%s\n", fence, b.String(), fence)
			}
		}
	})
	details(fmt.Sprintf("Parse status changes (%d)", len(r.ParseStatus)), len(r.ParseStatus), func() {
		p.printf("| vendor | rule id | title | old → new | error |\n|---|---|---|---|---|\n")
		for _, s := range limit(r.ParseStatus, max) {
			p.printf("| %s | %s | %s | %s → %s | %s |\n", cell(s.Rule.Vendor), cellCode(s.Rule.RuleID), cell(s.Rule.Title),
				s.Old, s.New, cell(clip(s.Rule.ParseError, 200)))
		}
	})
	patterns := func(title, what string, ps []PatternChange) {
		a, d := PatternCounts(ps)
		details(fmt.Sprintf("%s (%d appeared, %d disappeared)", title, a, d), len(ps), func() {
			p.printf("| technique | | %s | rules |\n|---|---|---|---:|\n", what)
			for _, x := range limit(ps, max) {
				sign := "+"
				if x.Change == Disappeared {
					sign = "−"
				}
				p.printf("| %s %s | %s | %s | %d |\n", x.TechniqueID, cell(x.Name), sign, cellCode(PatternLine(x.Pattern)), x.Rules)
			}
		})
	}
	patterns("Indicators", "indicator", r.Indicators)
	patterns("Exclusions", "exclusion", r.Exclusions)
	return p.err
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	if n < 0 {
		return fmt.Sprintf("−%d", -n)
	}
	return "0"
}

// mdText escapes Markdown and HTML syntax in plain text.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`, "~", `\~`)

func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

// cell is plain text in a table cell.
func cell(s string) string { return mdText(s) }

// code is s as an inline code span, outside tables.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// cellCode is s as an inline code span inside a table cell: GFM splits
// cells on | before it reads code spans, so the pipe is escaped.
func cellCode(s string) string { return strings.ReplaceAll(code(s), "|", `\|`) }

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

func max3(n int) int { return max(n, 3) }
