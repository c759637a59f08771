package xlsx

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// lines writes a free-form sheet row by row.
type lines struct {
	sw  *excelize.StreamWriter
	row int
}

func (l *lines) add(cells ...any) error {
	l.row++
	return l.sw.SetRow("A"+strconv.Itoa(l.row), cells)
}

func (l *lines) skip() { l.row++ }

// addOpts writes one row with row options (height).
func (l *lines) addOpts(o excelize.RowOpts, cells ...any) error {
	l.row++
	return l.sw.SetRow("A"+strconv.Itoa(l.row), cells, o)
}

// summary writes the Summary sheet: run facts, rules per vendor and parse
// status, rules per tactic and vendor with a stacked bar chart.
func (b *book) summary() error {
	const name = SummarySheet
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	c, m, st := b.cat, b.set.Meta, b.st
	vendors := m.Vendors
	nv := len(vendors)
	if err := sw.SetColWidth(1, 1, 34); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, nv+6, 13); err != nil {
		return err
	}
	l := &lines{sw: sw}
	label := func(s string) any { return excelize.Cell{StyleID: st.label, Value: s} }
	head := func(s string) any { return excelize.Cell{StyleID: st.header, Value: s} }
	section := func(s string) error { l.skip(); return l.add(excelize.Cell{StyleID: st.section, Value: s}) }

	var errs []error
	add := func(cells ...any) { errs = append(errs, l.add(cells...)) }
	errs = append(errs, l.addOpts(excelize.RowOpts{Height: 24}, excelize.Cell{StyleID: st.title, Value: "ruleatlas — detection-rule catalog"}))
	add(label("Report date"), b.str(orDash(m.ReportDate), st.text))
	add(label("ATT&CK version"), b.str(orDash(m.AttackVersion), st.text))
	add(label("Filters"), b.str(filterText(m.Filters), st.text))
	if m.ToolVersion != "" {
		add(label("Tool version"), b.str(m.ToolVersion, st.text))
	}
	add(label("Rules"), b.num(c.Rules))
	share := func(n, of int) any { return excelize.Cell{StyleID: st.percent, Value: view.Share(int64(n), int64(of))} }
	add(label("Techniques with rules"), b.num(int64(c.Covered)), b.str(fmt.Sprintf("of %d current techniques", c.Total), st.text),
		share(c.Covered, c.Total))
	add(label("Sub-techniques with rules"), b.num(int64(c.SubCovered)), b.str(fmt.Sprintf("of %d current sub-techniques", c.SubTotal), st.text),
		share(c.SubCovered, c.SubTotal))
	if len(c.Other) > 0 {
		add(label("Other tagged ids with rules"), b.num(int64(len(c.Other))), b.str("not current ATT&CK techniques (unknown, revoked or deprecated)", st.text))
	}
	var kinds []string
	for _, k := range c.ProblemKinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k.Name, k.Rules))
	}
	add(label("Problems"), b.num(int64(c.Problems)), b.str(strings.Join(kinds, ", "), st.text))
	if err := firstErr(errs); err != nil {
		return err
	}

	if err := section("Sources"); err != nil {
		return err
	}
	add(head("Vendor"), head("Commit"), head("Folder"))
	for _, s := range m.Sources {
		commit := s.Commit
		if commit != "" && s.Dirty {
			commit += " (modified)"
		}
		add(b.str(s.Vendor, st.text), b.str(commit, st.text), b.str(s.Root, st.text))
	}

	if err := section("Rules by vendor and parse status"); err != nil {
		return err
	}
	add(head("Vendor"), head("Rules"), head("ok"), head("partial"), head("no_query"), head("failed"),
		head("Techniques"), head("Problems"))
	for _, v := range c.Vendors {
		add(b.str(v.Name, st.text), b.num(v.Rules), b.num(v.Parse.OK), b.num(v.Parse.Partial), b.num(v.Parse.NoQuery),
			b.num(v.Parse.Failed), b.num(int64(v.Techniques)), b.num(int64(v.Problems)))
	}
	tot := func(n int64) any { return excelize.Cell{StyleID: st.countBold, Value: n} }
	add(label("Total"), tot(c.Rules), tot(c.Parse.OK), tot(c.Parse.Partial), tot(c.Parse.NoQuery), tot(c.Parse.Failed),
		tot(int64(c.Covered+c.SubCovered+len(c.Other))), tot(int64(c.Problems)))
	if err := firstErr(errs); err != nil {
		return err
	}

	if err := b.kindsAndFiles(add, section, head, label, tot); err != nil {
		return err
	}

	// Rules per tactic: the chart's data.
	if err := section("Rules per tactic and vendor (distinct rules tagged with a technique of the tactic)"); err != nil {
		return err
	}
	hdr := []any{head("Tactic")}
	for _, v := range vendors {
		hdr = append(hdr, head(v))
	}
	hdr = append(hdr, head("Rules"), head("Techniques"), head("With rules"), head("Coverage"))
	add(hdr...)
	headerRow := l.row
	for _, t := range c.Tactics {
		cells := []any{b.str(t.Name, st.text)}
		for _, v := range t.Vendors {
			cells = append(cells, b.num(v.Rules))
		}
		cells = append(cells, b.num(t.Rules), b.num(int64(t.Techniques)), b.num(int64(t.Covered)))
		if t.Techniques > 0 {
			cells = append(cells, excelize.Cell{StyleID: st.percent, Value: view.Share(int64(t.Covered), int64(t.Techniques))})
		}
		add(cells...)
	}
	if err := firstErr(errs); err != nil {
		return err
	}
	first, last := headerRow+1, l.row
	if len(c.Tactics) > 0 && nv > 0 {
		chart := &excelize.Chart{
			Type:      excelize.BarStacked,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Rules per tactic and vendor"}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 720, Height: uint(160 + 26*len(c.Tactics))},
			XAxis:     excelize.ChartAxis{ReverseOrder: true},
			YAxis:     excelize.ChartAxis{MajorGridLines: true},
			Format:    excelize.GraphicOptions{OffsetX: 10, OffsetY: 10},
		}
		for i := range vendors {
			col, _ := excelize.ColumnNumberToName(i + 2)
			chart.Series = append(chart.Series, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$%s$%d", name, col, headerRow),
				Categories: fmt.Sprintf("%s!$A$%d:$A$%d", name, first, last),
				Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", name, col, first, col, last),
			})
		}
		if err := b.f.AddChart(name, cellName(nv+7, 2), chart); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
	}
	return sw.Flush()
}

// kindsAndFiles writes the Summary's "Rules by vendor and kind" and
// "Files by vendor and outcome" tables (view.Catalog's counts of
// rules.parquet and files.parquet).
func (b *book) kindsAndFiles(add func(...any), section func(string) error, head, label func(string) any, tot func(int64) any) error {
	c, st := b.cat, b.st
	counted := b.set.Meta.Kinds
	if len(counted) == 0 {
		for _, k := range rule.AlertingKinds {
			counted = append(counted, string(k))
		}
	}
	if err := section("Rules by vendor and kind (every rule of rules.parquet; kinds counted in coverage: " +
		strings.Join(counted, ", ") + ")"); err != nil {
		return err
	}
	hdr := []any{head("Vendor"), head("Rules")}
	for _, k := range c.Kinds {
		hdr = append(hdr, head(k.Name))
	}
	add(hdr...)
	for _, v := range c.Vendors {
		cells := []any{b.str(v.Name, st.text), b.num(v.Rules)}
		for _, k := range v.Kinds {
			cells = append(cells, b.num(k.Rules))
		}
		add(cells...)
	}
	cells := []any{label("Total"), tot(c.Rules)}
	for _, k := range c.Kinds {
		cells = append(cells, tot(k.Rules))
	}
	add(cells...)
	if len(c.Files) == 0 {
		return nil
	}
	if err := section("Files by vendor and outcome (files.parquet; every file but the rule ones is on " + ProblemsSheet + ")"); err != nil {
		return err
	}
	hdr = []any{head("Vendor"), head("Files")}
	for _, o := range c.Files {
		hdr = append(hdr, head(o.Name))
	}
	add(hdr...)
	sum := func(cs []view.Count) (n int64) {
		for _, x := range cs {
			n += x.Rules
		}
		return n
	}
	for _, v := range c.Vendors {
		cells := []any{b.str(v.Name, st.text), b.num(sum(v.Files))}
		for _, o := range v.Files {
			cells = append(cells, b.num(o.Rules))
		}
		add(cells...)
	}
	cells = []any{label("Total"), tot(sum(c.Files))}
	for _, o := range c.Files {
		cells = append(cells, tot(o.Rules))
	}
	add(cells...)
	return nil
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// filterText shows the active filters, "none" when there are none.
func filterText(f tables.Filters) string {
	if s := f.String(); s != "" {
		return s
	}
	return "none"
}

// coverage writes one row per technique of coverage.parquet.
func (b *book) coverage() error {
	const name = CoverageSheet
	techs := b.cat.Techniques
	vendors := b.set.Meta.Vendors
	nv := len(vendors)
	cols := []column{{title: "Technique", max: 14}, {title: "Name", max: 50}, {title: "Parent", max: 11}}
	for _, v := range vendors {
		cols = append(cols, column{title: v, max: 12})
	}
	totalCol := 4 + nv
	cols = append(cols, column{title: "Total", max: 10}, column{title: "Tactics", max: 40},
		column{title: "Fields", max: 10}, column{title: "Indicators", max: 12}, column{title: "Note", max: 30})
	fieldsCol, indCol := totalCol+2, totalCol+3
	for i, t := range techs {
		b.coverageRow[t.ID] = i + 2
	}
	off := func(on bool) *bool { return &on }(false)
	return b.table(table{
		name: name, cols: cols, rows: len(techs), freezeCols: 1, source: tables.CoverageName,
		setup: func() error {
			return b.f.SetSheetProps(name, &excelize.SheetPropsOptions{OutlineSummaryBelow: off})
		},
		fill: func(i int, row []any) {
			t := techs[i]
			sub := t.ParentID != ""
			idStyle, nameStyle := b.st.text, b.st.text
			if sub {
				idStyle, nameStyle = b.st.indent, b.st.indent
			}
			if b.target(t.ID) != "" {
				idStyle = b.st.link
				if sub {
					idStyle = b.st.linkIndent
				}
			}
			row[0], row[1], row[2] = b.str(t.ID, idStyle), b.str(t.Name, nameStyle), b.str(t.ParentID, b.st.text)
			for k, v := range t.Vendors {
				if k < nv {
					row[3+k] = b.num(v.Rules)
				}
			}
			row[totalCol-1] = excelize.Cell{StyleID: b.st.countBold, Value: t.Rules}
			row[totalCol] = b.str(strings.Join(t.Tactics, ", "), b.st.text)
			if r, ok := b.fieldRows[t.ID]; ok {
				row[fieldsCol-1] = excelize.Cell{StyleID: b.st.link, Value: int64(r[1] - r[0])}
			}
			if r, ok := b.indicatorRows[t.ID]; ok {
				row[indCol-1] = excelize.Cell{StyleID: b.st.link, Value: int64(r[1] - r[0])}
			}
			switch {
			case !t.Known:
				row[indCol] = b.str("not in the ATT&CK data", b.st.italic)
			case !t.Current:
				row[indCol] = b.str("revoked or deprecated", b.st.italic)
			}
		},
		outline: func(i int) int {
			if techs[i].ParentID != "" {
				return 1
			}
			return 0
		},
		links: func(i int, add func(int, string)) {
			id := techs[i].ID
			if t := b.target(id); t != "" {
				add(1, t)
			}
			if fr, ok := b.fieldRows[id]; ok {
				add(fieldsCol, ref(FieldsSheet, 1, fr[0]))
			}
			if ir, ok := b.indicatorRows[id]; ok {
				add(indCol, ref(IndicatorsSheet, 1, ir[0]))
			}
		},
		finish: func(last int) error {
			if last < 2 {
				return nil
			}
			scale := []excelize.ConditionalFormatOptions{{Type: "3_color_scale", Criteria: "=",
				MinType: "min", MidType: "percentile", MidValue: "50", MaxType: "max",
				MinColor: "#FBE2D5", MidColor: "#FFF2CC", MaxColor: "#63BE7B"}}
			// One scale per vendor column: each reads against its own
			// range (one vendor's T1059 would otherwise make every other
			// column one colour).
			for k := range nv {
				if err := b.f.SetConditionalFormat(name, cellName(4+k, 2)+":"+cellName(4+k, last), scale); err != nil {
					return err
				}
			}
			return b.f.SetConditionalFormat(name, cellName(totalCol, 2)+":"+cellName(totalCol, last), scale)
		},
	})
}

// target is where a technique id on Coverage links to: its own sheet, else
// its first row on Fields, else on Indicators, else nowhere.
func (b *book) target(id string) string {
	if s, ok := b.pageSheet[id]; ok {
		return ref(s, 1, 1)
	}
	if r, ok := b.fieldRows[id]; ok {
		return ref(FieldsSheet, 1, r[0])
	}
	if r, ok := b.indicatorRows[id]; ok {
		return ref(IndicatorsSheet, 1, r[0])
	}
	return ""
}

// gap is one row of the Gaps sheet.
type gap struct {
	tactic string
	t      view.TechniqueCoverage
}

// gaps writes the current techniques without rules, grouped by tactic in
// matrix order (a technique of several tactics appears under each).
func (b *book) gaps() error {
	const name = GapsSheet
	var rows []gap
	known := map[string]bool{}
	for _, tc := range b.cat.Tactics {
		known[tc.Name] = true
		for _, t := range b.cat.Techniques {
			if t.Current && t.Rules == 0 && slices.Contains(t.Tactics, tc.Name) {
				rows = append(rows, gap{tc.Name, t})
			}
		}
	}
	for _, t := range b.cat.Techniques {
		if t.Current && t.Rules == 0 && !slices.ContainsFunc(t.Tactics, func(s string) bool { return known[s] }) {
			rows = append(rows, gap{"(no tactic)", t})
		}
	}
	cols := []column{{title: "Tactic", max: 24}, {title: "Technique", max: 14}, {title: "Name", max: 50},
		{title: "Parent", max: 11}, {title: "Rules on parent", max: 10}, {title: "Platforms", max: 50}}
	return b.table(table{
		name: name, cols: cols, rows: len(rows), source: tables.CoverageName,
		fill: func(i int, row []any) {
			g := rows[i]
			style := b.st.text
			if _, ok := b.coverageRow[g.t.ID]; ok {
				style = b.st.link
			}
			row[0], row[1], row[2], row[3] = b.str(g.tactic, b.st.text), b.str(g.t.ID, style), b.str(g.t.Name, b.st.text), b.str(g.t.ParentID, b.st.text)
			if g.t.ParentID != "" {
				if p, ok := b.cat.Technique(g.t.ParentID); ok {
					row[4] = b.num(p.Rules)
				}
			}
			if b.set.Attack != nil {
				if t := b.set.Attack.Techniques[g.t.ID]; t != nil {
					row[5] = b.str(strings.Join(t.Platforms, ", "), b.st.text)
				}
			}
		},
		links: func(i int, add func(int, string)) {
			if cr, ok := b.coverageRow[rows[i].t.ID]; ok {
				add(2, ref(CoverageSheet, 1, cr))
			}
		},
	})
}

// rules writes rules.parquet, one row per rule in table order.
func (b *book) rules() error {
	rc := b.set.Rules
	s := func(c int) *array.String { return tables.Strings(rc, c) }
	l := func(c int) *array.List { return tables.Lists(rc, c) }
	vendor, id, path, title, status, severity, lang := s(0), s(1), s(2), s(3), s(4), s(5), s(6)
	techs, tactics, platforms, domains, events := l(7), l(8), l(9), l(10), l(11)
	pstatus, perr := s(12), s(13)
	preds := rc.Column(14).(*array.Int32)
	list := func(a *array.List, i int) string { return strings.Join(tables.ListAt(a, i), ", ") }
	cols := []column{{title: "Vendor", max: 10}, {title: "Rule ID", max: 40}, {title: "Title", max: 60},
		{title: "Path", max: 50}, {title: "Status", max: 12}, {title: "Severity", max: 10}, {title: "Language", max: 10},
		{title: "Techniques", max: 30}, {title: "Tactics", max: 30}, {title: "Platforms", max: 20},
		{title: "Domains", max: 14}, {title: "Events", max: 30}, {title: "Parse status", max: 12},
		{title: "Parse error", max: 60}, {title: "Predicates", max: 11}}
	t := b.st.text
	dv, ds, dsev, dl, dps := b.dict(vendor, t), b.dict(status, t), b.dict(severity, t), b.dict(lang, t), b.dict(pstatus, t)
	return b.table(table{
		name: RulesSheet, cols: cols, rows: int(rc.NumRows()), freezeCols: 0, source: tables.RulesName,
		fill: func(i int, row []any) {
			row[0], row[1], row[2], row[3] = dv.cells[i], b.str(id.Value(i), t), b.str(title.Value(i), t), b.str(path.Value(i), t)
			row[4], row[5], row[6] = ds.cells[i], dsev.cells[i], dl.cells[i]
			row[7], row[8], row[9] = b.str(list(techs, i), t), b.str(list(tactics, i), t), b.str(list(platforms, i), t)
			row[10], row[11] = b.str(list(domains, i), t), b.str(list(events, i), t)
			row[12], row[13] = dps.cells[i], b.str(perr.Value(i), t)
			row[14] = b.num(int64(preds.Value(i)))
		},
	})
}

// techName returns the ATT&CK name of a technique id, or "".
func (b *book) techName(id string) string {
	if b.set.Attack != nil {
		if t := b.set.Attack.Techniques[id]; t != nil {
			return t.Name
		}
	}
	return ""
}

// fields writes fields.parquet.
func (b *book) fields() error {
	rc := b.set.Fields
	tech, field, n, how, samples := tables.Strings(rc, 0), tables.Strings(rc, 1), tables.Int64s(rc, 2), tables.Strings(rc, 3), tables.Lists(rc, 4)
	role := tables.Strings(rc, tables.FieldRole)
	cols := []column{{title: "Technique", max: 12}, {title: "Field", max: 40},
		{title: "Rules", max: 9}, {title: "How", max: 40}, {title: "Sample values", max: 70}, {title: "Role", max: 10}}
	t := b.st.text
	dt, df, dh, dr := b.dict(tech, t), b.dict(field, t), b.dict(how, t), b.dict(role, t)
	return b.table(table{
		name: FieldsSheet, cols: cols, rows: int(rc.NumRows()), source: tables.FieldsName,
		fill: func(i int, row []any) {
			row[0], row[1] = dt.cells[i], df.cells[i]
			row[2], row[3] = b.num(n.Value(i)), dh.cells[i]
			row[4] = b.str(strings.Join(tables.ListAt(samples, i), " | "), t)
			row[5] = dr.cells[i]
		},
	})
}

// indicators writes indicators.parquet: rules here beside corpus reach.
func (b *book) indicators() error {
	rc := b.set.Indicators
	tech, field, op, value, n, reach := tables.Strings(rc, 0), tables.Strings(rc, 1), tables.Strings(rc, 2),
		tables.Strings(rc, 3), tables.Int64s(rc, 4), tables.Int64s(rc, 5)
	role := tables.Strings(rc, tables.IndRole)
	cols := []column{{title: "Technique", max: 12}, {title: "Field", max: 36},
		{title: "Kind", max: 12}, {title: "Value", max: 70}, {title: "Rules here", max: 11}, {title: "Corpus reach", max: 13},
		{title: "Role", max: 10}}
	t := b.st.text
	dt, df, do, dv, dr := b.dict(tech, t), b.dict(field, t), b.dict(op, t), b.dict(value, t), b.dict(role, t)
	return b.table(table{
		name: IndicatorsSheet, cols: cols, rows: int(rc.NumRows()), source: tables.IndicatorsName,
		fill: func(i int, row []any) {
			row[0], row[1], row[2] = dt.cells[i], df.cells[i], do.cells[i]
			row[3], row[4], row[5] = dv.cells[i], b.num(n.Value(i)), b.num(reach.Value(i))
			row[6] = dr.cells[i]
		},
	})
}

// exclusions writes exclusions.parquet.
func (b *book) exclusions() error {
	rc := b.set.Exclusions
	tech, field, op, value, n := tables.Strings(rc, 0), tables.Strings(rc, 1), tables.Strings(rc, 2),
		tables.Strings(rc, 3), tables.Int64s(rc, 4)
	role := tables.Strings(rc, tables.ExclRole)
	cols := []column{{title: "Technique", max: 12}, {title: "Field", max: 36},
		{title: "Kind", max: 12}, {title: "Value", max: 70}, {title: "Rules excluding", max: 11}, {title: "Role", max: 10}}
	t := b.st.text
	dt, df, do, dv, dr := b.dict(tech, t), b.dict(field, t), b.dict(op, t), b.dict(value, t), b.dict(role, t)
	return b.table(table{
		name: ExclusionsSheet, cols: cols, rows: int(rc.NumRows()), source: tables.ExclusionsName,
		fill: func(i int, row []any) {
			row[0], row[1], row[2] = dt.cells[i], df.cells[i], do.cells[i]
			row[3], row[4], row[5] = dv.cells[i], b.num(n.Value(i)), dr.cells[i]
		},
	})
}
