package view

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// TextOptions tune the text page.
type TextOptions struct {
	MaxRows int // rows per table section; 0 = all
}

// WriteText renders the page as plain-text tables for a terminal (SPEC §8).
func WriteText(w io.Writer, p Page, o TextOptions) error {
	ew := &errWriter{w: w}
	title := p.ID
	if p.Name != "" {
		title += " " + p.Name
	}
	ew.printf("%s\n%s\n", title, strings.Repeat("=", len([]rune(title))))
	if !p.Known {
		ew.printf("(not in the ATT&CK data of this run)\n")
	} else if p.Revoked {
		ew.printf("(revoked in ATT&CK)\n")
	}
	if len(p.Tactics) > 0 {
		ew.printf("Tactics:   %s\n", strings.Join(p.Tactics, ", "))
	}
	if len(p.Platforms) > 0 {
		ew.printf("Platforms: %s\n", strings.Join(p.Platforms, ", "))
	}
	if p.Description != "" {
		ew.printf("\n%s\n", p.Description)
	}

	ew.printf("\nRules by vendor (%d distinct)%s\n", p.Total, filterText(p))
	tw := ew.table()
	for _, v := range p.Vendors {
		fmt.Fprintf(tw, "  %s\t%d\n", v.Name, v.Rules)
	}
	ew.flush(tw)

	ew.printf("\nEvents covered\n")
	tw = ew.table()
	for _, e := range limit(p.Events, o.MaxRows) {
		fmt.Fprintf(tw, "  %s\t%d\n", e.Name, e.Rules)
	}
	ew.flush(tw)
	ew.more(len(p.Events), o.MaxRows)

	ew.printf("\nFields filtered most (%d distinct)\n", len(p.Fields))
	tw = ew.table()
	fmt.Fprintf(tw, "  FIELD\tRULES\tHOW\tSAMPLE VALUES\n")
	for _, f := range limit(p.Fields, o.MaxRows) {
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\n", clean(f.Field), f.Rules, f.How, clean(strings.Join(f.Samples, " | ")))
	}
	ew.flush(tw)
	ew.more(len(p.Fields), o.MaxRows)

	ew.printf("\nTop indicator values (%d distinct)\n", len(p.Indicators))
	tw = ew.table()
	fmt.Fprintf(tw, "  FIELD\tKIND\tVALUE\tRULES\tCORPUS REACH\n")
	for _, r := range limit(p.Indicators, o.MaxRows) {
		reach := ""
		if !r.Specific() {
			reach = strconv.FormatInt(r.Reach, 10)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", clean(r.Field), r.Op, clean(r.Value), r.Rules, reach)
	}
	ew.flush(tw)
	ew.more(len(p.Indicators), o.MaxRows)

	ew.printf("\nExclusions (%d distinct)\n", len(p.Exclusions))
	tw = ew.table()
	fmt.Fprintf(tw, "  FIELD\tKIND\tVALUE\tRULES EXCLUDING\n")
	for _, r := range limit(p.Exclusions, o.MaxRows) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\n", clean(r.Field), r.Op, clean(r.Value), r.Rules)
	}
	ew.flush(tw)
	ew.more(len(p.Exclusions), o.MaxRows)

	ew.printf("\nRules\n")
	vendor := ""
	for _, r := range p.Rules {
		if r.Vendor != vendor {
			vendor = r.Vendor
			ew.printf("\n  [%s]\n", vendor)
		}
		ew.printf("  - %s\n      id: %s  path: %s  severity: %s  status: %s  parse: %s\n",
			clean(r.Title), r.ID, r.Path, dash(r.Severity), dash(r.Status), r.ParseStatus)
		if r.ParseError != "" {
			ew.printf("      parse error: %s\n", clean(r.ParseError))
		}
		for _, pr := range r.Predicates {
			mark := "    "
			if pr.Exclusion {
				mark = "  ✗ "
			} else if pr.Negated {
				mark = "  ! "
			}
			ew.printf("    %s%s %s %q\n", mark, clean(pr.Field), pr.Op, pr.Value)
		}
	}
	return ew.err
}

func filterText(p Page) string {
	var parts []string
	f := p.Filters
	for _, x := range []struct {
		name string
		vals []string
	}{{"platform", f.Platforms}, {"domain", f.Domains}, {"vendor", f.Vendors}, {"technique", f.Techniques}} {
		if len(x.vals) > 0 {
			parts = append(parts, x.name+"="+strings.Join(x.vals, ","))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " — filters: " + strings.Join(parts, "; ")
}

func limit[T any](xs []T, n int) []T {
	if n > 0 && len(xs) > n {
		return xs[:n]
	}
	return xs
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clean removes control characters (tabs and newlines break tables).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func (e *errWriter) table() *tabwriter.Writer { return tabwriter.NewWriter(e.w, 0, 0, 2, ' ', 0) }

func (e *errWriter) flush(tw *tabwriter.Writer) {
	if err := tw.Flush(); err != nil && e.err == nil {
		e.err = err
	}
}

func (e *errWriter) more(n, max int) {
	if max > 0 && n > max {
		e.printf("  … %d more\n", n-max)
	}
}
