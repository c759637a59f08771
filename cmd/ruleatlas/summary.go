package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// summaryWidth is the terminal width the closing summary fits.
const summaryWidth = 80

// summary is the closing report of a run: a headline, then one labelled line
// per fact (vendors, parse status, kinds, files, output), each wrapped at
// list separators to fit summaryWidth columns (a single item longer than
// that, such as a long output path, stays whole).
func summary(st *pipeline.State, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ruleatlas: %d rules in %.2fs", st.Counts.Total(), took.Seconds())
	row := func(label, sep string, items ...string) {
		if len(items) > 0 {
			b.WriteString("\n")
			b.WriteString(wrapItems(fmt.Sprintf("  %-9s", label), items, sep, summaryWidth))
		}
	}
	var vs, ss, ks, fs []string
	for _, v := range pipeline.Vendors {
		if n := st.Counts.Vendor(v); n > 0 {
			vs = append(vs, fmt.Sprintf("%s %d", v, n))
		}
	}
	row("vendors", ", ", vs...)
	for _, s := range rule.Statuses {
		if n := st.Counts.Of(s); n > 0 {
			ss = append(ss, fmt.Sprintf("%s %d", s, n))
		}
	}
	row("parse", ", ", ss...)
	counted := map[string]bool{}
	if st.Tables != nil {
		for _, k := range st.Tables.Meta.Kinds {
			counted[k] = true
		}
	}
	for _, k := range rule.Kinds {
		if n := st.KindCounts.Of(k); n > 0 {
			item := fmt.Sprintf("%s %d", k, n)
			if st.Tables != nil && !counted[string(k)] {
				item += " (not in coverage)"
			}
			ks = append(ks, item)
		}
	}
	row("kinds", ", ", ks...)
	for _, o := range tables.Outcomes {
		if n := st.FileCounts.Of(o); n > 0 {
			fs = append(fs, fmt.Sprintf("%s %d", o, n))
		}
	}
	if len(fs) > 0 {
		fs[0] = fmt.Sprintf("%d candidates: %s", st.FileCounts.Total(), fs[0])
	}
	row("files", ", ", fs...)
	if st.Deprecated > 0 {
		row("left out", ", ", fmt.Sprintf("%d deprecated rules (--include-deprecated keeps them)", st.Deprecated))
	}
	if st.Opts.OutDir != "" {
		row("written", " ", fmt.Sprintf("%d files to", len(st.Written)), st.Opts.OutDir)
	}
	return b.String()
}

// wrapItems writes prefix and items joined by sep, starting a new line
// indented like the first item whenever the next item (with what ends the
// line before a break: sep without its trailing spaces) would pass width.
func wrapItems(prefix string, items []string, sep string, width int) string {
	var b strings.Builder
	indent := strings.Repeat(" ", len(prefix))
	brk := strings.TrimRight(sep, " ") // what ends a line that breaks after an item
	b.WriteString(prefix)
	col := len(prefix)
	for i, it := range items {
		n := len([]rune(it))
		if i < len(items)-1 {
			n += len(brk)
		}
		s := sep
		if i == 0 {
			s = ""
		} else if col+len(sep)+n > width {
			b.WriteString(brk + "\n" + indent)
			col, s = len(indent), ""
		}
		b.WriteString(s + it)
		col += len(s) + len([]rune(it))
	}
	return b.String()
}
