package pdf

import (
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// This file adds the rule kinds (issue 23): the summary's table of rules
// per vendor and kind (section "kinds") and the kinds line under a
// technique report's rules by vendor.

func init() {
	for k, v := range map[string]string{
		"kinds_heading":    "Rules by vendor and kind",
		"kinds_note":       "Coverage (techniques and sub-techniques covered, tactics, heat map, gaps) counts the kinds marked *: {counted}; rule totals and parse health count every kind. Hunting queries are listed on their technique's report; --kind changes the counted kinds.",
		"kinds_counted":    "{kind} *",
		"technique_kinds":  "By kind: {kinds}.",
		"kinds_fact":       "Rules counted",
		"kinds_fact_value": "{counted} of {rules} ({kinds}); not counted: {others} (see Rules by vendor and kind)",
		"kind_uncounted":   "{kind} {n} (not counted)",
	} {
		telemetryLabels[k] = v
	}
}

// kindCounts counts the rules of the run per vendor and kind, every kind
// (counted or not), from rules.parquet.
func kindCounts(set *tables.Set) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	if set.Rules == nil {
		return out
	}
	vendors, kinds := tables.Strings(set.Rules, 0), tables.Strings(set.Rules, tables.RuleKind)
	for i := range vendors.Len() {
		v := vendors.Value(i)
		if out[v] == nil {
			out[v] = map[string]int64{}
		}
		out[v][kinds.Value(i)]++
	}
	return out
}

// kindsFact is the overview's line on the counted kinds, or "" when
// every rule is of a counted kind.
func (r *renderer) kindsFact() string {
	counts := kindCounts(r.set)
	by := map[string]int64{}
	var all, counted int64
	for _, m := range counts {
		for k, n := range m {
			by[k] += n
			all += n
			if slices.Contains(r.meta.Kinds, k) {
				counted += n
			}
		}
	}
	if counted == all {
		return ""
	}
	var kinds, others []string
	for _, k := range rule.Kinds {
		n := by[string(k)]
		switch {
		case slices.Contains(r.meta.Kinds, string(k)):
			kinds = append(kinds, kindLabel(string(k))+" "+itoa(n))
		case n > 0:
			others = append(others, kindLabel(string(k))+" "+itoa(n))
		}
	}
	return r.tlabel("kinds_fact_value", "{counted}", itoa(counted), "{rules}", itoa(all),
		"{kinds}", strings.Join(kinds, ", "), "{others}", strings.Join(others, ", "))
}

// kindLabel is a kind as a column title ("building_block" → "Building block").
func kindLabel(k string) string {
	s := strings.ReplaceAll(k, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// kindsTable draws the summary's rules per vendor and kind, with a total
// row and column.
func (r *renderer) kindsTable(d *doc, c *view.Catalog) {
	caption := r.tlabel("kinds_heading")
	d.heading(caption, 15)
	counts := kindCounts(r.set)
	counted := r.meta.Kinds
	cols := []Column{{Key: "vendor", Label: "Vendor", Width: 2.2, Style: "td_bold"}}
	for _, k := range rule.Kinds {
		label := kindLabel(string(k))
		if slices.Contains(counted, string(k)) {
			label = r.tlabel("kinds_counted", "{kind}", label)
		}
		cols = append(cols, Column{Key: string(k), Label: label, Width: 1.3, Align: "R"})
	}
	cols = append(cols, Column{Key: "total", Label: r.l.Labels["total"], Width: 1.2, Align: "R"})
	line := func(name string, by map[string]int64) row {
		return cellsOf(cols, func(key string) string {
			switch key {
			case "vendor":
				return name
			case "total":
				var n int64
				for _, v := range by {
					n += v
				}
				return itoa(n)
			}
			return itoa(by[key])
		})
	}
	var rows []row
	all := map[string]int64{}
	for _, v := range c.Vendors {
		rows = append(rows, line(v.Name, counts[v.Name]))
		for k, n := range counts[v.Name] {
			all[k] += n
		}
	}
	total := line(r.l.Labels["total"], all)
	total.total = true
	d.table(caption, cols, append(rows, total))
	var names []string
	for _, k := range counted {
		names = append(names, kindLabel(k))
	}
	d.y += 0.8
	d.para("note", r.tlabel("kinds_note", "{counted}", strings.Join(names, ", ")), d.left())
}

// techniqueKinds is the line under a technique report's rules by vendor:
// the technique's rules per kind, the kinds not counted marked.
func (r *renderer) techniqueKinds(p view.Page) string {
	var parts []string
	for _, k := range p.Kinds {
		if k.Rules == 0 {
			continue
		}
		if slices.Contains(p.CountedKinds, k.Name) {
			parts = append(parts, kindLabel(k.Name)+" "+itoa(k.Rules))
		} else {
			parts = append(parts, r.tlabel("kind_uncounted", "{kind}", kindLabel(k.Name), "{n}", itoa(k.Rules)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return r.tlabel("technique_kinds", "{kinds}", strings.Join(parts, ", "))
}
