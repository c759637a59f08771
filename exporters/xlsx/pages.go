package xlsx

import (
	"fmt"
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
// counts and flags.
var pageWidths = []float64{38, 16, 60, 16, 14}

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
	l := &lines{sw: sw}
	var errs []error
	add := func(cells ...any) { errs = append(errs, l.add(cells...)) }
	label := func(s string) any { return excelize.Cell{StyleID: st.label, Value: s} }
	head := func(s string) any { return excelize.Cell{StyleID: st.header, Value: s} }
	section := func(s string) { l.skip(); add(excelize.Cell{StyleID: st.section, Value: s}) }
	var links [][2]string // cell, target

	title := p.ID
	if p.Name != "" {
		title += " " + p.Name
	}
	errs = append(errs, l.addOpts(excelize.RowOpts{Height: 24}, b.str(title, st.title)))
	if r, ok := b.coverageRow[p.ID]; ok {
		add(b.str("← Coverage", st.link))
		links = append(links, [2]string{cellName(1, l.row), ref(CoverageSheet, 1, r)})
	}
	switch {
	case !p.Known:
		add(b.str("not in the ATT&CK data of this run", st.italic))
	case p.Revoked:
		add(b.str("revoked in ATT&CK", st.italic))
	}
	if len(p.Tactics) > 0 {
		add(label("Tactics"), b.str(strings.Join(p.Tactics, ", "), st.text))
	}
	if len(p.Platforms) > 0 {
		add(label("Platforms"), b.str(strings.Join(p.Platforms, ", "), st.text))
	}
	if p.ParentID != "" {
		parent := p.ParentID
		if n := b.techName(p.ParentID); n != "" {
			parent += " " + n
		}
		style := st.text
		if s, ok := b.pageSheet[p.ParentID]; ok {
			style = st.link
			links = append(links, [2]string{cellName(2, l.row+1), ref(s, 1, 1)})
		}
		add(label("Parent"), b.str(parent, style))
	}
	if d := Sanitize(p.Description); d != "" {
		l.skip()
		l.row++
		total := 0.0
		for _, w := range pageWidths {
			total += w
		}
		lines := int(float64(len([]rune(d)))/(total*1.1)) + 1
		errs = append(errs, sw.SetRow(cellName(1, l.row), []any{b.str(d, st.wrap)},
			excelize.RowOpts{Height: min(409, float64(lines)*15+4)}))
		errs = append(errs, sw.MergeCell(cellName(1, l.row), cellName(len(pageWidths), l.row)))
	}

	section(fmt.Sprintf("Rules by vendor (%d distinct)%s", p.Total, pageFilters(p)))
	for _, v := range p.Vendors {
		add(b.str(v.Name, st.text), b.num(v.Rules))
	}

	section(fmt.Sprintf("Events covered (%d)", len(p.Events)))
	if len(p.Events) > 0 {
		add(head("Event"), head("Rules"))
	}
	for _, e := range p.Events {
		add(b.str(e.Name, st.text), b.num(e.Rules))
	}

	section(fmt.Sprintf("Fields filtered most (%d distinct)", len(p.Fields)))
	if len(p.Fields) > 0 {
		add(head("Field"), head("Rules"), head("How"), head("Sample values"))
	}
	for _, f := range p.Fields {
		add(b.str(f.Field, st.text), b.num(f.Rules), b.str(f.How, st.text), b.str(strings.Join(f.Samples, " | "), st.text))
	}

	section(fmt.Sprintf("Top indicator values (%d distinct)", len(p.Indicators)))
	if len(p.Indicators) > 0 {
		add(head("Field"), head("Kind"), head("Value"), head("Rules here"), head("Corpus reach"))
	}
	for _, r := range p.Indicators {
		var reach any // blank where specific to this technique
		if !r.Specific() {
			reach = b.num(r.Reach)
		}
		add(b.str(r.Field, st.text), b.str(r.Op, st.text), b.str(r.Value, st.text), b.num(r.Rules), reach)
	}

	section(fmt.Sprintf("Exclusions (%d distinct)", len(p.Exclusions)))
	if len(p.Exclusions) > 0 {
		add(head("Field"), head("Kind"), head("Value"), head("Rules excluding"))
	}
	for _, r := range p.Exclusions {
		add(b.str(r.Field, st.text), b.str(r.Op, st.text), b.str(r.Value, st.text), b.num(r.Rules))
	}

	section(fmt.Sprintf("Rules (%d)", len(p.Rules)))
	vendor := ""
	for _, r := range p.Rules {
		if r.Vendor != vendor {
			vendor = r.Vendor
			l.skip()
			add(b.str(vendor, st.section))
			add(head("Title / field"), head("Severity / kind"), head("Rule ID / path / value"), head("Status / flags"), head("Parse"))
		}
		add(b.str(r.Title, st.bold), b.str(r.Severity, st.text), b.str(r.ID, st.text), b.str(r.Status, st.text), b.str(r.ParseStatus, st.text))
		add(nil, nil, b.str(r.Path, st.italic))
		if r.ParseError != "" {
			add(nil, b.str("parse error", st.italic), b.str(r.ParseError, st.italic))
		}
		for _, pr := range r.Predicates {
			flag := ""
			switch {
			case pr.Exclusion:
				flag = "exclusion"
			case pr.Negated:
				flag = "negated"
			}
			field := pr.Field
			if field == "" {
				field = pr.FieldRaw
			}
			add(b.str(field, st.indent), b.str(pr.Op, st.text), b.str(pr.Value, st.text), b.str(flag, st.text))
		}
	}
	if err := firstErr(errs); err != nil {
		return err
	}
	for _, lk := range links {
		if err := b.link(name, lk[0], lk[1]); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func pageFilters(p view.Page) string {
	t := filterText(p.Filters)
	if t == "none" {
		return ""
	}
	return " — filters: " + t
}
