package xlsx

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// pageSheetName is the sheet name of a technique page: the id with the
// characters sheet names cannot hold replaced, cut to 31 characters and made
// unique among taken.
func pageSheetName(id string, taken map[string]string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, id)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	used := func(n string) bool {
		for _, v := range taken {
			if strings.EqualFold(v, n) {
				return true
			}
		}
		for _, v := range []string{SummarySheet, CoverageSheet, GapsSheet, RulesSheet, FieldsSheet, IndicatorsSheet, ExclusionsSheet, ProblemsSheet} {
			if strings.EqualFold(v, n) {
				return true
			}
		}
		return false
	}
	base := name
	for i := 2; used(name); i++ {
		suffix := fmt.Sprintf("~%d", i)
		r := []rune(base)
		name = string(r[:min(len(r), 31-len(suffix))]) + suffix
	}
	return name
}

// techniquePages writes one sheet per technique with rules, laid out like
// the SPEC §8 page (view.Page).
func (b *book) techniquePages() error {
	ix := view.NewIndex(b.set)
	for _, id := range ix.Techniques() {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		if err := b.page(ix.Page(id)); err != nil {
			return fmt.Errorf("sheet %s: %w", id, err)
		}
	}
	return nil
}

// Page sheet columns: A field/title, B kind/rules, C value/how/id, D and E
// counts and flags, F role / as written.
var pageWidths = []float64{38, 16, 60, 16, 14, 40}

// xmlLines writes a free-form sheet's rows as XML, put into its part when
// the package is assembled (sheetRows.xml): technique sheets are many and
// long, and excelize's stream writer spent more than its share on them.
type xmlLines struct {
	rows *sheetRows // column letters
	buf  []byte
	row  int
}

func (l *xmlLines) add(a rowAttrs, cells ...any) error {
	l.row++
	var err error
	l.buf, err = l.rows.appendRow(l.buf, l.row, a, cells)
	return err
}

func (l *xmlLines) skip() { l.row++ }

// pageWriter writes the rows of one technique sheet.
type pageWriter struct {
	b     *book
	l     *xmlLines
	errs  []error
	links [][2]string // cell, target
}

func (w *pageWriter) add(cells ...any) { w.errs = append(w.errs, w.l.add(rowAttrs{}, cells...)) }

func (w *pageWriter) section(s string) {
	w.l.skip()
	w.add(excelize.Cell{StyleID: w.b.st.section, Value: Sanitize(s)})
}

func (w *pageWriter) head(titles ...string) {
	cells := make([]any, len(titles))
	for i, t := range titles {
		cells[i] = excelize.Cell{StyleID: w.b.st.header, Value: t}
	}
	w.add(cells...)
}

func (b *book) page(p view.Page) error {
	name := b.pageSheet[p.ID]
	if name == "" {
		return nil
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, w := range pageWidths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	st := b.st
	cols := make([]string, len(pageWidths))
	for i := range cols {
		cols[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	w := &pageWriter{b: b, l: &xmlLines{rows: &sheetRows{cols: cols}}}
	label := func(s string) any { return excelize.Cell{StyleID: st.label, Value: s} }

	title := p.ID
	if p.Name != "" {
		title += " " + p.Name
	}
	w.errs = append(w.errs, w.l.add(rowAttrs{height: 24}, b.str(title, st.title)))
	if r, ok := b.coverageRow[p.ID]; ok {
		w.add(b.str("← Coverage", st.link))
		w.links = append(w.links, [2]string{cellName(1, w.l.row), ref(CoverageSheet, 1, r)})
	}
	switch {
	case !p.Known:
		w.add(b.str("not in the ATT&CK data of this run", st.italic))
	case p.Revoked:
		w.add(b.str("revoked in ATT&CK", st.italic))
	}
	if len(p.Tactics) > 0 {
		w.add(label("Tactics"), b.str(strings.Join(p.Tactics, ", "), st.text))
	}
	if len(p.Platforms) > 0 {
		w.add(label("Platforms"), b.str(strings.Join(p.Platforms, ", "), st.text))
	}
	if p.ParentID != "" {
		parent := p.ParentID
		if n := b.techName(p.ParentID); n != "" {
			parent += " " + n
		}
		style := st.text
		if s, ok := b.pageSheet[p.ParentID]; ok {
			style = st.link
			w.links = append(w.links, [2]string{cellName(2, w.l.row+1), ref(s, 1, 1)})
		}
		w.add(label("Parent"), b.str(parent, style))
	}
	if d := Sanitize(p.Description); d != "" {
		w.l.skip()
		total := 0.0
		for _, pw := range pageWidths {
			total += pw
		}
		lines := int(float64(len([]rune(d)))/(total*1.1)) + 1
		w.errs = append(w.errs, w.l.add(rowAttrs{height: min(409, float64(lines)*15+4)}, b.str(d, st.wrap)))
		w.errs = append(w.errs, sw.MergeCell(cellName(1, w.l.row), cellName(len(pageWidths), w.l.row)))
	}

	w.section(fmt.Sprintf("Rules by vendor (%d distinct; kinds counted: %s)%s", p.Total, strings.Join(p.CountedKinds, ", "), pageFilters(p)))
	for _, v := range p.Vendors {
		w.add(b.str(v.Name, st.text), b.num(v.Rules))
	}

	w.section("Rules by kind")
	w.head("Kind", "Rules", "Counted")
	for _, k := range p.Kinds {
		counted := "yes"
		if !slices.Contains(p.CountedKinds, k.Name) {
			counted = "no (--kind " + k.Name + " or --kind all counts it)"
		}
		w.add(b.str(k.Name, st.text), b.num(k.Rules), b.str(counted, st.text))
	}

	w.section(fmt.Sprintf("Events covered (%d)", len(p.Events)))
	if len(p.Events) > 0 {
		w.head("Event", "Rules")
	}
	for _, e := range p.Events {
		w.add(b.str(e.Name, st.text), b.num(e.Rules))
	}

	w.section(fmt.Sprintf("Fields filtered most (%d distinct)", len(p.Fields)))
	w.fieldRows(p.Fields, true)
	w.section(fmt.Sprintf("Thresholds and computed columns (%d distinct)", len(p.Computed)))
	w.fieldRows(p.Computed, false)

	w.section(fmt.Sprintf("Top indicator values (%d distinct)", len(p.Indicators)))
	if len(p.Indicators) > 0 {
		w.head("Field", "Kind", "Value", "Rules here", "Corpus reach", "Role")
	}
	for _, r := range p.Indicators {
		var reach any // blank where specific to this technique
		if !r.Specific() {
			reach = b.num(r.Reach)
		}
		w.add(b.str(r.Field, st.text), b.str(r.Op, st.text), b.str(r.Value, st.text), b.num(r.Rules), reach, b.str(r.Role, st.text))
	}

	w.section(fmt.Sprintf("Exclusions (%d distinct)", len(p.Exclusions)))
	if len(p.Exclusions) > 0 {
		w.head("Field", "Kind", "Value", "Rules excluding", "", "Role")
	}
	for _, r := range p.Exclusions {
		w.add(b.str(r.Field, st.text), b.str(r.Op, st.text), b.str(r.Value, st.text), b.num(r.Rules), nil, b.str(r.Role, st.text))
	}

	w.section(fmt.Sprintf("Rules (%d)", len(p.Rules)))
	w.rules(p.Rules)
	if len(p.Hunting) > 0 {
		w.section(fmt.Sprintf("Hunting queries (%d; kind hunting: listed apart, counted only with --kind hunting or --kind all)", len(p.Hunting)))
		w.rules(p.Hunting)
	}
	if err := firstErr(w.errs); err != nil {
		return err
	}
	for _, lk := range w.links {
		if err := b.link(name, lk[0], lk[1]); err != nil {
			return err
		}
	}
	if err := b.addXMLRows(name, w.l); err != nil {
		return err
	}
	return sw.Flush()
}

// addXMLRows registers the rows written by l to be put into the part of
// sheet when the package is assembled.
func (b *book) addXMLRows(sheet string, l *xmlLines) error {
	part := b.partOf(sheet)
	if part == "" {
		return fmt.Errorf("no part for sheet %s", sheet)
	}
	l.rows.ctx, l.rows.first, l.rows.n, l.rows.xml = b.ctx, 1, l.row, l.buf
	l.rows.last = cellName(len(l.rows.cols), max(l.row, 1))
	if l.buf == nil {
		l.rows.xml = []byte{}
	}
	b.rows[part] = l.rows
	return nil
}

// fieldRows writes a "Fields filtered most" or "Thresholds and computed
// columns" table; withRole adds the role column (event or logsource).
func (w *pageWriter) fieldRows(rows []view.FieldRow, withRole bool) {
	if len(rows) == 0 {
		return
	}
	b, st := w.b, w.b.st
	if withRole {
		w.head("Field", "Rules", "How", "Sample values", "", "Role")
	} else {
		w.head("Column", "Rules", "How", "Sample values")
	}
	for _, f := range rows {
		cells := []any{b.str(f.Field, st.text), b.num(f.Rules), b.str(f.How, st.text), b.str(strings.Join(f.Samples, " | "), st.text)}
		if withRole {
			cells = append(cells, nil, b.str(f.Role, st.text))
		}
		w.add(cells...)
	}
}

// rules lists rules grouped by vendor, each with its predicates: the
// normalized form, flags (exclusion, negated, a role other than event) and
// the form as written when it differs.
func (w *pageWriter) rules(rules []view.Rule) {
	b, st := w.b, w.b.st
	vendor := ""
	for _, r := range rules {
		if r.Vendor != vendor {
			vendor = r.Vendor
			w.l.skip()
			w.add(b.str(vendor, st.section))
			w.head("Title / field", "Severity / op", "Rule ID / path / value", "Status / flags", "Parse", "Kind / as written")
		}
		kind := r.Kind
		if r.RuleType != "" && !strings.EqualFold(r.RuleType, r.Kind) {
			kind += " (" + r.RuleType + ")"
		}
		w.add(b.str(r.Title, st.bold), b.str(r.Severity, st.text), b.str(r.ID, st.text), b.str(r.Status, st.text),
			b.str(r.ParseStatus, st.text), b.str(kind, st.text))
		w.add(nil, nil, b.str(r.Path, st.italic))
		if r.ParseError != "" {
			w.add(nil, b.str("parse error", st.italic), b.str(r.ParseError, st.italic))
		}
		for _, pr := range r.Predicates {
			var flags []string
			switch {
			case pr.Exclusion:
				flags = append(flags, "exclusion")
			case pr.Negated:
				flags = append(flags, "negated")
			}
			if pr.Role != "" && pr.Role != "event" {
				flags = append(flags, pr.Role)
			}
			field := pr.Field
			if field == "" {
				field = pr.FieldRaw
			}
			written := ""
			switch {
			case pr.OpRaw != "" && (pr.OpRaw != pr.Op || pr.ValueRaw != pr.Value):
				written = pr.FieldRaw + " " + pr.OpRaw + " " + strconv.Quote(pr.ValueRaw)
			case pr.FieldRaw != "" && pr.FieldRaw != field:
				written = pr.FieldRaw
			}
			w.add(b.str(field, st.indent), b.str(pr.Op, st.text), b.str(pr.Value, st.text), b.str(strings.Join(flags, ", "), st.text),
				nil, b.str(written, st.text))
		}
	}
}

func pageFilters(p view.Page) string {
	t := filterText(p.Filters)
	if t == "none" {
		return ""
	}
	return " — filters: " + t
}
