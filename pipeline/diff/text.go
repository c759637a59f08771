package diff

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Options tune the text and Markdown renderings.
type Options struct {
	MaxRows int // rows per section; 0 = all
}

// WriteText renders the result for a terminal: a summary, then one
// section per kind of change (empty sections are left out).
func WriteText(w io.Writer, r *Result, o Options) error {
	p := &printer{w: w}
	p.printf("ruleatlas diff\n  old: %s%s\n  new: %s%s\n\n", r.Old, paren(r.OldRun.String()), r.New, paren(r.NewRun.String()))
	p.printf("Summary\n")
	tw := p.table()
	p.row(tw, "  Rules:", fmt.Sprintf("%d → %d; %d added, %d removed, %d changed, %d parse-status changes",
		total(r.Vendors, true), total(r.Vendors, false), len(r.Added), len(r.Removed), len(r.Changed), len(r.ParseStatus)))
	for _, v := range r.Vendors {
		p.row(tw, "    "+v.Vendor+":", fmt.Sprintf("%d → %d", v.Old, v.New))
	}
	p.row(tw, "  Coverage:", coverageSummary(r))
	a, d := PatternCounts(r.Indicators)
	p.row(tw, "  Indicators:", fmt.Sprintf("%d appeared, %d disappeared", a, d))
	a, d = PatternCounts(r.Exclusions)
	p.row(tw, "  Exclusions:", fmt.Sprintf("%d appeared, %d disappeared", a, d))
	p.flush(tw)
	if r.Empty() {
		p.printf("\nNo differences.\n")
		return p.err
	}

	if len(r.Coverage) > 0 {
		p.printf("\nCoverage changes (%d techniques; total and per vendor, old → new)\n", len(r.Coverage))
		tw = p.table()
		for _, t := range limit(r.Coverage, o.MaxRows) {
			p.row(tw, "  "+string(t.Kind()), t.ID, clip(t.Name, 50), fmt.Sprintf("%d → %d", t.Old, t.New), vendorText(t.Vendors))
		}
		p.flush(tw)
		p.more(len(r.Coverage), o.MaxRows)
	}
	rules := func(title, sign string, rs []*Rule) {
		if len(rs) == 0 {
			return
		}
		p.printf("\n%s (%d)\n", title, len(rs))
		tw := p.table()
		for _, x := range limit(rs, o.MaxRows) {
			p.row(tw, "  "+sign+" "+x.Vendor, x.RuleID, clip(x.Title, 60), x.ParseStatus, x.Path)
		}
		p.flush(tw)
		p.more(len(rs), o.MaxRows)
	}
	rules("Rules added", "+", r.Added)
	rules("Rules removed", "-", r.Removed)
	if len(r.Changed) > 0 {
		p.printf("\nRules changed (%d)\n", len(r.Changed))
		for _, c := range limit(r.Changed, o.MaxRows) {
			p.printf("  ~ %s %s  %s  (%s)\n", c.New.Vendor, c.New.RuleID, oneLine(c.New.Title), c.New.Path)
			for _, f := range c.Fields {
				p.printf("      %s: %s → %s\n", f.Name, dash(f.Old), dash(f.New))
			}
			for _, l := range c.PredicatesRemoved {
				p.printf("      - %s\n", l)
			}
			for _, l := range c.PredicatesAdded {
				p.printf("      + %s\n", l)
			}
		}
		p.more(len(r.Changed), o.MaxRows)
	}
	if len(r.ParseStatus) > 0 {
		p.printf("\nParse status changes (%d)\n", len(r.ParseStatus))
		tw := p.table()
		for _, s := range limit(r.ParseStatus, o.MaxRows) {
			p.row(tw, "  "+s.Rule.Vendor, s.Rule.RuleID, clip(s.Rule.Title, 50), s.Old+" → "+s.New, clip(oneLine(s.Rule.ParseError), 80))
		}
		p.flush(tw)
		p.more(len(r.ParseStatus), o.MaxRows)
	}
	patterns := func(title string, ps []PatternChange) {
		if len(ps) == 0 {
			return
		}
		a, d := PatternCounts(ps)
		p.printf("\n%s (%d appeared, %d disappeared)\n", title, a, d)
		last := ""
		for _, x := range limit(ps, o.MaxRows) {
			if x.TechniqueID != last {
				p.printf("  %s %s\n", x.TechniqueID, oneLine(x.Name))
				last = x.TechniqueID
			}
			sign := "+"
			if x.Change == Disappeared {
				sign = "-"
			}
			p.printf("    %s %s  (%s)\n", sign, PatternLine(x.Pattern), plural(x.Rules, "rule"))
		}
		p.more(len(ps), o.MaxRows)
	}
	patterns("Indicators", r.Indicators)
	patterns("Exclusions", r.Exclusions)
	return p.err
}

// PatternLine renders an indicator or exclusion like a predicate:
// field op "value".
func PatternLine(p Pattern) string {
	return rule.FormatOne(rule.Predicate{FieldRaw: p.Field, Op: rule.Op(p.Op), Value: p.Value})
}

func coverageSummary(r *Result) string {
	if len(r.Coverage) == 0 {
		return "no technique changed"
	}
	var parts []string
	for _, k := range []Kind{Lost, Gained, Fewer, More, Moved} {
		if n := r.Count(k); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, kindText[k]))
		}
	}
	if n := len(r.Lost(true)) - r.Count(Lost); n > 0 {
		parts = append(parts, fmt.Sprintf("%d lost by a vendor but still covered", n))
	}
	return strings.Join(parts, ", ")
}

var kindText = map[Kind]string{
	Lost: "lost coverage", Gained: "gained coverage", Fewer: "with fewer rules", More: "with more rules",
	Moved: "with the same total over other vendors",
}

func vendorText(vs []VendorChange) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%s %d → %d", v.Vendor, v.Old, v.New)
		if v.Lost() {
			parts[i] += " (lost)"
		}
	}
	return strings.Join(parts, ", ")
}

func total(vs []VendorCount, old bool) int {
	n := 0
	for _, v := range vs {
		if old {
			n += v.Old
		} else {
			n += v.New
		}
	}
	return n
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func limit[T any](xs []T, n int) []T {
	if n > 0 && len(xs) > n {
		return xs[:n]
	}
	return xs
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func dash(s string) string {
	if s == "" {
		return "(none)"
	}
	return oneLine(s)
}

// oneLine keeps a value on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	s = oneLine(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// printer writes text and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) table() *tabwriter.Writer { return tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0) }

func (p *printer) row(tw *tabwriter.Writer, cells ...any) {
	if p.err != nil {
		return
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	for i, c := range cells {
		if i > 0 {
			tw.Write([]byte{'\t'})
		}
		fmt.Fprint(tw, c)
	}
	_, p.err = tw.Write([]byte{'\n'})
}

func (p *printer) flush(tw *tabwriter.Writer) {
	if err := tw.Flush(); err != nil && p.err == nil {
		p.err = err
	}
}

func (p *printer) more(n, max int) {
	if max > 0 && n > max {
		p.printf("  … %d more (--max-rows 0 shows all)\n", n-max)
	}
}
