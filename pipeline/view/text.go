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

	ew.printf("\nRules by vendor (%d distinct; kinds counted: %s)%s\n", p.Total, strings.Join(p.CountedKinds, ", "), filterText(p))
	tw := ew.table()
	for _, v := range p.Vendors {
		fmt.Fprintf(tw, "  %s\t%d\n", v.Name, v.Rules)
	}
	ew.flush(tw)

	ew.printf("\nRules by kind\n")
	tw = ew.table()
	for _, k := range p.Kinds {
		if k.Rules > 0 {
			fmt.Fprintf(tw, "  %s\t%d%s\n", k.Name, k.Rules, notCounted(p, k.Name))
		}
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
	ew.fieldRows(p.Fields, o.MaxRows, true)

	ew.printf("\nThresholds and computed columns (%d distinct)\n", len(p.Computed))
	ew.fieldRows(p.Computed, o.MaxRows, false)

	ew.printf("\nTop indicator values (%d distinct)\n", len(p.Indicators))
	tw = ew.table()
	fmt.Fprintf(tw, "  FIELD\tKIND\tVALUE\tRULES\tCORPUS REACH\n")
	for _, r := range limit(p.Indicators, o.MaxRows) {
		reach := ""
		if !r.Specific() {
			reach = strconv.FormatInt(r.Reach, 10)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\n", clean(r.Field)+roleMark(r.Role), r.Op, clean(r.Value), r.Rules, reach)
	}
	ew.flush(tw)
	ew.more(len(p.Indicators), o.MaxRows)

	ew.printf("\nExclusions (%d distinct)\n", len(p.Exclusions))
	tw = ew.table()
	fmt.Fprintf(tw, "  FIELD\tKIND\tVALUE\tRULES EXCLUDING\n")
	for _, r := range limit(p.Exclusions, o.MaxRows) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\n", clean(r.Field)+roleMark(r.Role), r.Op, clean(r.Value), r.Rules)
	}
	ew.flush(tw)
	ew.more(len(p.Exclusions), o.MaxRows)

	ew.printf("\nRules\n")
	ew.rules(p.Rules)
	if len(p.Hunting) > 0 {
		ew.printf("\nHunting queries (%d)\n", len(p.Hunting))
		ew.rules(p.Hunting)
	}
	return ew.err
}

// fieldRows prints a table of field rows; withRole marks log-source fields.
func (ew *errWriter) fieldRows(rows []FieldRow, maxRows int, withRole bool) {
	tw := ew.table()
	fmt.Fprintf(tw, "  FIELD\tRULES\tHOW\tSAMPLE VALUES\n")
	for _, f := range limit(rows, maxRows) {
		name := clean(f.Field)
		if withRole {
			name += roleMark(f.Role)
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\n", name, f.Rules, f.How, clean(strings.Join(f.Samples, " | ")))
	}
	ew.flush(tw)
	ew.more(len(rows), maxRows)
}

// rules prints rules grouped by vendor, each with its predicates: the
// normalized form, the form as written when it differs, and the role when
// it is not event.
func (ew *errWriter) rules(rules []Rule) {
	vendor := ""
	for _, r := range rules {
		if r.Vendor != vendor {
			vendor = r.Vendor
			ew.printf("\n  [%s]\n", vendor)
		}
		kind := r.Kind
		if r.RuleType != "" {
			kind += " (" + r.RuleType + ")"
		}
		ew.printf("  - %s\n      id: %s  path: %s  kind: %s  severity: %s  status: %s  parse: %s\n",
			clean(r.Title), r.ID, r.Path, dash(kind), dash(r.Severity), dash(r.Status), r.ParseStatus)
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
			line := fmt.Sprintf("%s %s %q", clean(pr.Field), pr.Op, pr.Value)
			switch {
			case pr.OpRaw != "" && (pr.OpRaw != pr.Op || pr.ValueRaw != pr.Value):
				line += fmt.Sprintf("  (as written: %s %s %q)", clean(pr.FieldRaw), pr.OpRaw, pr.ValueRaw)
			case pr.FieldRaw != "" && pr.FieldRaw != pr.Field:
				line += "  (" + clean(pr.FieldRaw) + ")"
			}
			if pr.Role != "" && pr.Role != "event" {
				line += "  [" + pr.Role + "]"
			}
			ew.printf("    %s%s\n", mark, line)
		}
	}
}

// roleMark marks a role other than event after a field name.
func roleMark(role string) string {
	if role == "" || role == "event" {
		return ""
	}
	return " [" + role + "]"
}

// notCounted says when a kind is not among the counted kinds.
func notCounted(p Page, kind string) string {
	for _, k := range p.CountedKinds {
		if k == kind {
			return ""
		}
	}
	return "\t(not counted; --kind " + kind + " or --kind all counts it)"
}

func filterText(p Page) string {
	if s := p.Filters.String(); s != "" {
		return " — filters: " + s
	}
	return ""
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
