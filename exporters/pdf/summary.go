package pdf

import (
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// summary renders the executive summary of the run.
func (r *renderer) summary() ([]byte, error) {
	l := r.l
	spec := l.Summary
	c := view.NewCatalog(r.set)
	name := l.Labels["summary_doc"]
	d := newDoc(l, r.st, r.meta, name, l.Labels["summary_title"])
	d.newPage("")
	for _, sec := range spec.Sections {
		if d.pw > d.ph && sec != "heatmap" {
			d.newPage("") // back to portrait after the heat map
		}
		switch sec {
		case "overview":
			r.overview(d, c)
		case "trend":
			r.trend(d) // trend.go; nothing without a history
		case "vendors":
			d.heading(l.Labels["vendors_heading"], 15)
			cols := spec.Columns["vendors"]
			var rows []row
			for _, v := range c.Vendors {
				rows = append(rows, vendorRow(cols, v.Name, v.Rules, v.Parse, int64(v.Techniques), int64(v.Problems)))
			}
			total := vendorRow(cols, l.Labels["total"], c.Rules, c.Parse, int64(len(c.CoveredTechniques())), int64(c.Problems))
			total.total = true
			d.table(l.Labels["vendors_heading"], cols, append(rows, total))
			d.y += 0.8
			d.para("note", l.Labels["vendors_note"], d.left())
		case "kinds":
			r.kindsTable(d, c) // kinds.go
		case "tactics":
			d.heading(l.Labels["tactics_heading"], 20)
			d.para("note", l.Labels["tactics_note"], d.left())
			d.y += 1
			items := make([]bar, 0, len(c.Tactics))
			for _, t := range c.Tactics {
				items = append(items, bar{label: t.Name, value: float64(t.Covered), max: float64(t.Techniques),
					text: l.label("tactic_value", "{covered}", strconv.Itoa(t.Covered), "{total}", strconv.Itoa(t.Techniques),
						"{pct}", pct(int64(t.Covered), int64(t.Techniques)))})
			}
			d.bars(items)
		case "callouts":
			r.drawCallouts(d, r.callouts(c))
		case "heatmap":
			r.heatmap(d, c)
		case "gaps":
			d.heading(l.Labels["gaps_heading"], 15)
			d.para("note", l.Labels["gaps_note"], d.left())
			d.y += 1
			cols := spec.Columns["gaps"]
			var rows []row
			for i, g := range c.BiggestGaps(r.set.Attack, spec.Limits["gaps"]) {
				rows = append(rows, cellsOf(cols, func(key string) string {
					switch key {
					case "rank":
						return strconv.Itoa(i + 1)
					case "id":
						return g.ID
					case "name":
						return g.Name
					case "tactics":
						return strings.Join(g.Tactics, ", ")
					case "subtechniques":
						return strconv.Itoa(g.SubTechniques)
					case "platforms":
						return strings.Join(g.Platforms, ", ")
					}
					return ""
				}))
			}
			d.table(l.Labels["gaps_heading"], cols, rows)
		case "covered":
			d.heading(l.Labels["covered_heading"], 15)
			cols := spec.Columns["covered"]
			var rows []row
			for i, t := range c.MostCovered(spec.Limits["covered"]) {
				rows = append(rows, cellsOf(cols, func(key string) string {
					switch key {
					case "rank":
						return strconv.Itoa(i + 1)
					case "id":
						return t.ID
					case "name":
						return t.Name
					case "tactics":
						return strings.Join(t.Tactics, ", ")
					case "rules":
						return itoa(t.Rules)
					case "vendors":
						return vendorCounts(t.Vendors)
					}
					return ""
				}))
			}
			d.table(l.Labels["covered_heading"], cols, rows)
		case "telemetry_gaps":
			r.telemetryGaps(d) // telemetry.go
		case "health":
			r.health(d, c)
		}
	}
	return d.bytes()
}

func vendorRow(cols []Column, name string, rules int64, p view.ParseCounts, techniques, problems int64) row {
	return cellsOf(cols, func(key string) string {
		switch key {
		case "vendor":
			return name
		case "rules":
			return itoa(rules)
		case "ok":
			return itoa(p.OK)
		case "partial":
			return itoa(p.Partial)
		case "failed":
			return itoa(p.Failed)
		case "no_query":
			return itoa(p.NoQuery)
		case "techniques":
			return itoa(techniques)
		case "problems":
			return itoa(problems)
		}
		return ""
	})
}

func (r *renderer) overview(d *doc, c *view.Catalog) {
	l := r.l
	ts := d.st["title"]
	lh := ts.mm * 1.25
	for _, line := range d.wrap(ts, l.Labels["summary_title"], d.width(), 3) {
		d.text(ts, d.left(), d.y, lh, line)
		d.y += lh
	}
	d.para("subtitle", l.label("summary_subtitle", "{rules}", itoa(c.Rules), "{vendors}", strconv.Itoa(len(c.Vendors)),
		"{date}", r.meta.ReportDate), d.left())
	d.heading(l.Labels["overview"], 15)
	var sources []string
	for _, s := range r.meta.Sources {
		src := s.Vendor + ": " + s.Root
		if s.Commit != "" {
			src += " @ " + s.Commit[:min(len(s.Commit), 12)]
			if s.Dirty {
				src += " (dirty)"
			}
		}
		sources = append(sources, src)
	}
	facts := [][2]string{{l.Labels["sources"], strings.Join(sources, "; ")}}
	if r.meta.AttackVersion != "" {
		facts = append(facts, [2]string{l.Labels["attack_version"], r.meta.AttackVersion})
	}
	// The report date is in the subtitle; the tool version in the document
	// properties and the manifest: the first page keeps to the figures.
	if f := r.meta.Filters.String(); f != "" {
		facts = append(facts, [2]string{l.Labels["filters"], f})
	}
	facts = append(facts,
		[2]string{l.Labels["techniques_covered"], l.label("covered_of", "{covered}", strconv.Itoa(c.Covered),
			"{total}", strconv.Itoa(c.Total), "{pct}", pct(int64(c.Covered), int64(c.Total)))},
		[2]string{l.Labels["subtechniques_covered"], l.label("covered_of", "{covered}", strconv.Itoa(c.SubCovered),
			"{total}", strconv.Itoa(c.SubTotal), "{pct}", pct(int64(c.SubCovered), int64(c.SubTotal)))})
	if k := r.kindsFact(); k != "" {
		facts = append(facts, [2]string{r.tlabel("kinds_fact"), k})
	}
	if len(c.Other) > 0 {
		var ids []string
		for _, t := range c.Other {
			ids = append(ids, t.ID)
		}
		// The ids themselves are in the callouts, with the rules per id.
		facts = append(facts, [2]string{l.Labels["other_ids"], l.label("other_ids_value", "{n}", strconv.Itoa(len(ids)))})
	}
	problems := strconv.Itoa(c.Problems)
	if len(c.ProblemKinds) > 0 {
		var kinds []string
		for _, k := range c.ProblemKinds {
			kinds = append(kinds, k.Name+" "+itoa(k.Rules))
		}
		problems += " (" + strings.Join(kinds, ", ") + ")"
	}
	facts = append(facts, [2]string{l.Labels["problems_total"], problems})
	cols := l.Summary.Columns["overview"]
	rows := make([]row, len(facts))
	for i, f := range facts {
		rows[i] = cellsOf(cols, func(key string) string {
			if key == "name" {
				return f[0]
			}
			return f[1]
		})
	}
	d.table(l.Labels["overview"], cols, rows)
}

func (r *renderer) health(d *doc, c *view.Catalog) {
	l := r.l
	spec := l.Summary
	d.heading(l.Labels["health_heading"], 15)
	cols := spec.Columns["health"]
	line := func(name string, rules int64, p view.ParseCounts, problems int64, total bool) row {
		rw := cellsOf(cols, func(key string) string {
			switch key {
			case "vendor":
				return name
			case "rules":
				return itoa(rules)
			case "ok_pct":
				return pct(p.OK, rules)
			case "partial":
				return itoa(p.Partial)
			case "failed":
				return itoa(p.Failed)
			case "no_query":
				return itoa(p.NoQuery)
			case "problems":
				return itoa(problems)
			}
			return ""
		})
		rw.total = total
		return rw
	}
	var rows []row
	for _, v := range c.Vendors {
		rows = append(rows, line(v.Name, v.Rules, v.Parse, int64(v.Problems), false))
	}
	rows = append(rows, line(l.Labels["total"], c.Rules, c.Parse, int64(c.Problems), true))
	d.table(l.Labels["health_heading"], cols, rows)

	top := view.TopProblems(r.set.Problems, r.meta.Vendors, spec.Limits["problems"])
	if len(top) == 0 {
		return
	}
	d.heading(l.Labels["problems_heading"], 15)
	pcols := spec.Columns["problems"]
	prow := make([]row, len(top))
	for i, p := range top {
		prow[i] = cellsOf(pcols, func(key string) string {
			switch key {
			case "vendor":
				return p.Vendor
			case "kind":
				return p.Kind
			case "message":
				return p.Message
			case "count":
				return strconv.Itoa(p.Count)
			}
			return ""
		})
	}
	d.table(l.Labels["problems_heading"], pcols, prow)
}

// heatmap draws the ATT&CK matrix: tactics as columns (at most
// columns_per_page side by side, further tactics on the next pages),
// top-level techniques as cells shaded by rule count with their full names
// wrapped on up to name_lines lines, continued on further pages when a
// column is longer than a page holds.
func (r *renderer) heatmap(d *doc, c *view.Catalog) {
	l := r.l
	h := l.Heatmap
	matrix := c.Matrix()
	d.newPage(h.Orientation)
	d.heading(l.Labels["heatmap_heading"], 30)
	d.para("note", l.Labels["heatmap_note"], d.left())
	r.legend(d)
	if len(matrix) == 0 {
		d.para("note", l.Labels["none"], d.left())
		return
	}
	per := h.ColumnsPerPage
	if per <= 0 || per > len(matrix) {
		per = len(matrix)
	}
	for band := 0; band < len(matrix); band += per {
		if band > 0 {
			d.newPage(h.Orientation)
			d.para("note", l.label("continued", "{caption}", l.Labels["heatmap_heading"]), d.left())
			r.legend(d)
		}
		r.heatBand(d, c, matrix[band:min(len(matrix), band+per)], band)
	}
}

// heatBand draws the tactic columns cols (the first being tactic number
// first of the catalog).
func (r *renderer) heatBand(d *doc, c *view.Catalog, cols []view.MatrixColumn, first int) {
	l := r.l
	h := l.Heatmap
	n := float64(len(cols))
	colW := (d.width() - h.Gap*(n-1)) / n
	hs := d.st["heat_header"]
	pad := 0.6
	header := make([][]string, len(cols))
	headH := h.HeaderHeight
	for i, col := range cols {
		t := c.Tactics[first+i]
		text := l.label("heatmap_tactic", "{tactic}", col.Tactic, "{covered}", strconv.Itoa(t.Covered),
			"{total}", strconv.Itoa(t.Techniques))
		header[i] = d.wrap(hs, text, colW-2*pad, 3)
		headH = max(headH, float64(len(header[i]))*d.pitch(hs)+2*pad)
	}
	rows := 0
	for _, col := range cols {
		rows = max(rows, len(col.Cells))
	}
	drawHeader := func() {
		for i := range cols {
			x := d.left() + float64(i)*(colW+h.Gap)
			d.fill(l.colors["th_fill"], x, d.y, colW, headH-h.Gap)
			y := d.y + pad
			for _, line := range header[i] {
				d.text(hs, x+pad, y, d.pitch(hs), line)
				y += d.pitch(hs)
			}
		}
		d.y += headH
	}
	light, dark := d.st["heat_cell_light"], d.st["heat_cell"]
	lines := max(1, h.NameLines)
	ch := max(h.CellHeight, float64(lines)*d.pitch(dark)+2*pad)
	for start := 0; start < rows; {
		if start > 0 {
			d.newPage(h.Orientation)
			d.para("note", l.label("continued", "{caption}", l.Labels["heatmap_heading"]), d.left())
		}
		drawHeader()
		fit := max(1, int((d.bottom()-d.y)/ch))
		end := min(rows, start+fit)
		for i, col := range cols {
			x := d.left() + float64(i)*(colW+h.Gap)
			for j := start; j < min(end, len(col.Cells)); j++ {
				cell := col.Cells[j]
				y := d.y + float64(j-start)*ch
				step := heatStep(h.Steps, cell.Rules)
				fill, _ := l.color(step.Color)
				d.fill(fill, x, y, colW, ch-h.Gap)
				s := dark
				if step.LightText {
					s = light
				}
				count := itoa(cell.Rules)
				cw := s.width(count)
				ty := y + pad
				for k, line := range d.wrap(s, cell.ID+" "+cell.Name, colW-2*pad-cw-1, lines) {
					d.text(s, x+pad, ty+float64(k)*d.pitch(s), d.pitch(s), line)
				}
				d.text(s, x+colW-pad-cw, ty, d.pitch(s), count)
			}
		}
		d.y += float64(end-start) * ch
		start = end
	}
}

func heatStep(steps []HeatStep, n int64) HeatStep {
	s := steps[0]
	for _, st := range steps {
		if n >= st.Min {
			s = st
		}
	}
	return s
}

// legend draws the colour steps of the heat map on one line.
func (r *renderer) legend(d *doc) {
	l := r.l
	s := d.st["legend"]
	lh := d.pitch(s) + 2
	d.ensure(lh)
	x := d.left()
	steps := l.Heatmap.Steps
	for i, st := range steps {
		var text string
		switch {
		case i == len(steps)-1:
			text = l.label("heatmap_last_step", "{from}", itoa(st.Min))
		case steps[i+1].Min-1 == st.Min:
			text = itoa(st.Min)
		default:
			text = l.label("heatmap_step", "{from}", itoa(st.Min), "{to}", itoa(steps[i+1].Min-1))
		}
		text = s.m.clean(text)
		fill, _ := l.color(st.Color)
		d.fill(fill, x, d.y+1, 6, lh-2)
		d.text(s, x+7, d.y, lh, text)
		x += 7 + s.width(text) + 4
	}
	d.y += lh + 1
}
