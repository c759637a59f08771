package pdf

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// renderer renders the reports of one run with one layout.
type renderer struct {
	l    *Layout
	st   map[string]*style
	set  *tables.Set
	meta tables.Meta
}

// techniqueName returns the ATT&CK name of an id, or "".
func (r *renderer) techniqueName(id string) string {
	if r.set.Attack != nil {
		if t := r.set.Attack.Techniques[id]; t != nil {
			return t.Name
		}
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Technique renders the SPEC §8 page of one technique as a PDF.
func (r *renderer) technique(p view.Page) ([]byte, error) {
	l := r.l
	name := l.label("technique_doc", "{id}", p.ID, "{name}", p.Name)
	name = strings.TrimSpace(name)
	d := newDoc(l, r.st, r.meta, name, name)
	d.f.SetSubject(d.clean("body", l.label("technique_subtitle", "{date}", r.meta.ReportDate, "{attack}", orUnknown(r.meta.AttackVersion))), true)
	d.newPage("")
	spec := l.Technique
	for _, sec := range spec.Sections {
		switch sec {
		case "title":
			r.techTitle(d, p)
		case "vendors":
			d.heading(l.label("vendors", "{n}", strconv.Itoa(p.Total))+filterSuffix(p.Filters), 12)
			var most int64 = 1
			for _, v := range p.Vendors {
				most = max(most, v.Rules)
			}
			listed := map[string]int{} // rules per vendor in the rules section
			for _, ru := range p.Rules {
				listed[ru.Vendor]++
			}
			items := make([]bar, len(p.Vendors))
			for i, v := range p.Vendors {
				items[i] = bar{label: v.Name, value: float64(v.Rules), max: float64(most), text: itoa(v.Rules)}
				if n := listed[v.Name]; n > 0 && slices.Contains(spec.Sections, "rules") {
					items[i].target = vendorGroupTitle(l, v.Name, n) // its rules, in the rules section
				}
			}
			d.bars(items)
			if k := r.techniqueKinds(p); k != "" {
				d.y += 0.5
				d.para("note", k, d.left())
			}
		case "events":
			d.heading(l.label("events", "{n}", strconv.Itoa(len(p.Events))), 10)
			if len(p.Events) == 0 {
				d.para("note", l.Labels["none"], d.left())
				continue
			}
			shown := p.Events[:min(len(p.Events), spec.Limits["events"])]
			var most int64 = 1
			for _, e := range shown {
				most = max(most, e.Rules)
			}
			items := make([]bar, len(shown))
			for i, e := range shown {
				items[i] = bar{label: e.Name, value: float64(e.Rules), max: float64(most), text: itoa(e.Rules)}
			}
			d.bars(items)
			r.shown(d, len(shown), len(p.Events))
		case "fields":
			r.fieldTable(d, l.label("fields", "{n}", strconv.Itoa(len(p.Fields))), p.Fields)
		case "computed":
			// Columns the queries compute (thresholds, stats and eval
			// outputs) apart from the fields of the logged event.
			if len(p.Computed) > 0 {
				r.fieldTable(d, l.label("computed", "{n}", strconv.Itoa(len(p.Computed))), p.Computed)
				d.para("note", l.Labels["computed_note"], d.left())
			}
		case "hunting":
			r.techHunting(d, p)
		case "indicators":
			caption := l.label("indicators", "{n}", strconv.Itoa(len(p.Indicators)))
			d.heading(caption, 15)
			shown := p.Indicators[:min(len(p.Indicators), spec.Limits["indicators"])]
			d.table(caption, spec.Columns["indicators"], indicatorRows(spec.Columns["indicators"], shown, true))
			r.shown(d, len(shown), len(p.Indicators))
			if len(shown) > 0 {
				d.para("note", l.Labels["reach_note"], d.left())
			}
		case "exclusions":
			caption := l.label("exclusions", "{n}", strconv.Itoa(len(p.Exclusions)))
			d.heading(caption, 15)
			shown := p.Exclusions[:min(len(p.Exclusions), spec.Limits["exclusions"])]
			d.table(caption, spec.Columns["exclusions"], indicatorRows(spec.Columns["exclusions"], shown, false))
			r.shown(d, len(shown), len(p.Exclusions))
		case "telemetry":
			r.techTelemetry(d, p) // telemetry.go
		case "rules":
			r.techRules(d, p)
		}
	}
	return d.bytes()
}

// fieldTable prints a fields table (field, rules, how, samples) under its
// heading, at most the layout's limit of rows.
func (r *renderer) fieldTable(d *doc, caption string, fields []view.FieldRow) {
	spec := r.l.Technique
	d.heading(caption, 15)
	shown := fields[:min(len(fields), spec.Limits["fields"])]
	cols := spec.Columns["fields"]
	rows := make([]row, len(shown))
	for i, f := range shown {
		rows[i] = cellsOf(cols, func(key string) string {
			switch key {
			case "field":
				return f.Field
			case "rules":
				return itoa(f.Rules)
			case "how":
				return f.How
			case "samples":
				return strings.Join(f.Samples, " | ")
			}
			return ""
		})
	}
	d.table(caption, cols, rows)
	r.shown(d, len(shown), len(fields))
}

// techHunting lists the technique's hunting queries, which coverage does
// not count by default: title, vendor, id and path.
func (r *renderer) techHunting(d *doc, p view.Page) {
	if len(p.Hunting) == 0 {
		return
	}
	l := r.l
	caption := l.label("hunting", "{n}", strconv.Itoa(len(p.Hunting)))
	d.heading(caption, 15)
	d.para("note", l.Labels["hunting_note"], d.left())
	d.y += 1
	cols := []Column{{Key: "vendor", Label: "Vendor", Width: 12}, {Key: "title", Label: "Title", Width: 45},
		{Key: "path", Label: "Path", Width: 43, Style: "td_code"}}
	rows := make([]row, 0, len(p.Hunting))
	for _, h := range p.Hunting {
		rows = append(rows, cellsOf(cols, func(key string) string {
			switch key {
			case "vendor":
				return h.Vendor
			case "title":
				return h.Title
			case "path":
				return h.Path
			}
			return ""
		}))
	}
	d.table(caption, cols, rows)
}

func (r *renderer) techTitle(d *doc, p view.Page) {
	l := r.l
	ts := d.st["title"]
	lh := ts.mm * 1.25
	title := p.ID
	if p.Name != "" {
		title += "  " + p.Name
	}
	for _, line := range d.wrap(ts, title, d.width(), 3) {
		d.text(ts, d.left(), d.y, lh, line)
		d.y += lh
	}
	d.para("subtitle", l.label("technique_subtitle", "{date}", r.meta.ReportDate, "{attack}", orUnknown(r.meta.AttackVersion)), d.left())
	d.y += 2
	keyW := 30.0
	if !p.Known {
		d.para("note", l.Labels["not_in_attack"], d.left())
	} else if p.Revoked {
		d.para("note", l.Labels["revoked"], d.left())
	}
	if p.ParentID != "" {
		parent := p.ParentID
		if n := r.techniqueName(p.ParentID); n != "" {
			parent += " " + n
		}
		d.keyValue(l.Labels["parent"], parent, keyW)
	}
	if len(p.Tactics) > 0 {
		d.keyValue(l.Labels["tactics"], strings.Join(p.Tactics, ", "), keyW)
	}
	if len(p.Platforms) > 0 {
		d.keyValue(l.Labels["platforms"], strings.Join(p.Platforms, ", "), keyW)
	}
	if f := p.Filters.String(); f != "" {
		d.keyValue(l.Labels["filters"], f, keyW)
	}
	if p.Description != "" {
		d.y += 2
		d.para("body", plainDescription(p.Description), d.left())
	}
}

func (r *renderer) techRules(d *doc, p view.Page) {
	l := r.l
	cols := l.Technique.Columns["rules"]
	caption := l.label("rules", "{n}", strconv.Itoa(p.Total))
	d.heading(caption, 15)
	if len(p.Rules) == 0 {
		d.para("note", l.Labels["none"], d.left())
		return
	}
	for start := 0; start < len(p.Rules); {
		vendor := p.Rules[start].Vendor
		end := start
		for end < len(p.Rules) && p.Rules[end].Vendor == vendor {
			end++
		}
		group := vendorGroupTitle(l, vendor, end-start)
		ss := d.st["subheading"]
		lh := d.pitch(ss) + 1.5
		d.ensure(lh + 12)
		d.y += 1
		d.mark(group, 1) // an outline entry under the rules heading; the vendor's bar links here
		d.text(ss, d.left(), d.y, lh, d.fit(ss, group, d.width()))
		d.y += lh
		rows := make([]row, 0, end-start)
		for _, ru := range p.Rules[start:end] {
			rows = append(rows, cellsOf(cols, func(key string) string {
				switch key {
				case "title":
					return ru.Title
				case "id":
					return ru.ID
				case "severity":
					return ru.Severity
				case "status":
					return ru.Status
				case "path":
					return ru.Path
				case "language":
					return ru.Language
				case "parse":
					return ru.ParseStatus
				case "platforms":
					return strings.Join(ru.Platforms, ", ")
				}
				return ""
			}))
		}
		d.table(group, cols, rows)
		start = end
	}
}

// vendorGroupTitle is the subheading of a vendor's rules ("sigma — 3
// rules"), also the name of its link target.
func vendorGroupTitle(l *Layout, vendor string, n int) string {
	key := "vendor_rules"
	if n == 1 {
		key = "vendor_rule"
	}
	return l.label(key, "{vendor}", vendor, "{n}", strconv.Itoa(n))
}

func (r *renderer) shown(d *doc, shown, n int) {
	if shown < n {
		d.para("note", r.l.label("shown", "{shown}", strconv.Itoa(shown), "{n}", strconv.Itoa(n)), d.left())
	}
}

func indicatorRows(cols []Column, in []view.IndicatorRow, reach bool) []row {
	rows := make([]row, len(in))
	for i, x := range in {
		rows[i] = cellsOf(cols, func(key string) string {
			switch key {
			case "field":
				return x.Field
			case "op":
				return x.Op
			case "value":
				return x.Value
			case "rules":
				return itoa(x.Rules)
			case "reach":
				if reach && !x.Specific() {
					return itoa(x.Reach)
				}
			}
			return ""
		})
	}
	return rows
}

// cellsOf builds a row from a value per column key.
func cellsOf(cols []Column, value func(key string) string) row {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = value(c.Key)
	}
	return row{cells: cells}
}

func filterSuffix(f tables.Filters) string {
	if t := f.String(); t != "" {
		return " — " + t
	}
	return ""
}

var (
	mdLink   = regexp.MustCompile(`\[([^\]]*)\]\((?:https?://|/)[^)\s]*\)`)
	citation = regexp.MustCompile(`\s*\(Citation:[^)]*\)`)
	codeTag  = regexp.MustCompile(`</?code>`)
)

// plainDescription turns the Markdown of an ATT&CK description into plain
// text: links keep their text, citations and <code> tags go.
func plainDescription(s string) string {
	s = citation.ReplaceAllString(s, "")
	s = codeTag.ReplaceAllString(s, "")
	return mdLink.ReplaceAllString(s, "$1")
}
