package html

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// maxRows bounds the rows of each table of a technique page (the totals
// are given; every value is on its field's pages and in the site search).
// The filters recount and reorder the rows shown.
const maxRows = 100

type link struct {
	ID, Name, Href string
	Rules          int
	R              string // the page positions of the rules counted (members.go)
}

// facet is one filter button: a value and the page's rules with it.
type facet struct {
	Name, Token string
	Rules       int
}

// facetGroup is one filter: the rule attribute it reads and its buttons.
type facetGroup struct {
	Attr, Label string
	Facets      []facet
}

// countRow is a count of rules with the page positions of those rules.
type countRow struct {
	Name  string
	Rules int64
	R     string
}

// computedRow is a row of "Thresholds and computed columns".
type computedRow struct {
	Field, How, R string
	Rules         int64
	Samples       []string
}

// techniqueRules splits a technique's shown rules into the rules section
// (counted, not hunting) and the hunting queries, as view.Page does.
func (s *site) techniqueRules(id string) (rules, hunting []int) {
	for _, i := range s.byTech[id] {
		if s.rules[i].Kind == string(rule.KindHunting) {
			hunting = append(hunting, i)
		} else if s.counted[i] {
			rules = append(rules, i)
		}
	}
	return rules, hunting
}

func (s *site) techniqueData(w *worker, from, id string, onPage []int, nRules int) any {
	var vendors []string
	var countedPos []int
	for pos, ri := range onPage {
		if s.counted[ri] {
			vendors = append(vendors, s.rules[ri].Vendor)
			countedPos = append(countedPos, pos)
		}
	}
	m := s.keys.pageMembers(&w.members, onPage)
	p, nFields, nInd, nExcl := s.tt.page(id, vendors, maxRows)
	// ATT&CK prose marks code with <code> tags; show it as plain text.
	p.Name, p.Description = clean(p.Name), clean(codeTags.Replace(p.Description))
	d := struct {
		base
		P                                          view.Page
		Filters                                    string
		Parent                                     *link
		Tactics, Subs                              []link
		FacetGroups                                []facetGroup
		Total                                      string // the positions of the counted rules
		Vendors, Kinds                             []countRow
		Computed                                   []computedRow
		EventRows, FieldRows                       template.HTML
		IndicatorRows, ExclusionRows               template.HTML
		NFields, NIndicators, NExclusions          int
		MoreFields, MoreIndicators, MoreExclusions int
		NRules, NHunting, MaxRows                  int
		Telemetry                                  telemetryTable // telemetry.tmpl
	}{P: p, Filters: p.Filters.String(), Telemetry: s.telemetryTable(id, onPage, countedPos),
		NFields: nFields, NIndicators: nInd, NExclusions: nExcl, NRules: nRules, NHunting: len(onPage) - nRules, MaxRows: maxRows,
		Total: membersText(countedPos)}
	title := p.ID
	if p.Name != "" {
		title += " " + p.Name
	}
	d.base = s.base(from, title)
	if p.ParentID != "" {
		l := link{ID: p.ParentID, Name: s.techName(p.ParentID)}
		if f, ok := s.techFile[p.ParentID]; ok {
			l.Href = href(from, f)
		}
		d.Parent = &l
	}
	for _, t := range p.Tactics {
		l := link{Name: t}
		if f, ok := s.tacticFile[t]; ok {
			l.Href = href(from, f)
		}
		d.Tactics = append(d.Tactics, l)
	}
	for _, sub := range s.subs[id] {
		var pos []int
		for _, k := range countedPos {
			if slices.Contains(s.rules[onPage[k]].Techniques, sub) {
				pos = append(pos, k)
			}
		}
		d.Subs = append(d.Subs, link{ID: sub, Name: s.techName(sub), Href: href(from, s.techFile[sub]), Rules: len(pos), R: membersText(pos)})
	}
	for _, v := range p.Vendors {
		var pos []int
		for _, k := range countedPos {
			if s.rules[onPage[k]].Vendor == clean(v.Name) {
				pos = append(pos, k)
			}
		}
		d.Vendors = append(d.Vendors, countRow{Name: clean(v.Name), Rules: v.Rules, R: membersText(pos)})
	}
	for _, k := range p.Kinds {
		var pos []int
		for j, ri := range onPage {
			if s.rules[ri].Kind == k.Name {
				pos = append(pos, j)
			}
		}
		row := countRow{Name: strings.ReplaceAll(k.Name, "_", " "), Rules: k.Rules}
		if len(pos) == int(k.Rules) { // every rule of the kind is on the page: it recounts
			row.R = membersText(pos)
		}
		d.Kinds = append(d.Kinds, row)
	}
	for _, c := range p.Computed {
		row := computedRow{Field: clean(c.Field), How: clean(c.How), Rules: c.Rules,
			R: membersText(s.keys.of(m, memberField, fieldRowKey(c.Field, c.Role)))}
		for _, v := range c.Samples {
			row.Samples = append(row.Samples, clean(v))
		}
		d.Computed = append(d.Computed, row)
	}

	// The tables' rows, with fragments (at most maxRows each).
	const root = "../"
	sc := w.scratch[:0]
	for _, e := range p.Events {
		sc = s.f.eventRow.fill(sc, membersText(s.keys.of(m, memberEvent, e.Name)), clean(e.Name), strconv.FormatInt(e.Rules, 10))
	}
	eventsEnd := len(sc)
	d.MoreFields = nFields - len(p.Fields)
	for _, f := range p.Fields {
		samples := len(sc)
		for i, v := range f.Samples {
			sep := ""
			if i > 0 {
				sep = s.f.sampleSep.literal()
			}
			sc = s.f.sample.fill(sc, sep, clean(v))
		}
		// The samples are moved behind the row's start.
		cells := string(sc[samples:])
		r, file := root, s.fieldHref[fieldKeyOf(f.Field)]
		if file == "" {
			r = ""
		}
		sc = s.f.fieldRow.fill(sc[:samples], membersText(s.keys.of(m, memberField, fieldRowKey(f.Field, f.Role))), r, file,
			clean(f.Field), strconv.FormatInt(f.Rules, 10), clean(f.How), cells)
	}
	fieldsEnd := len(sc)
	rows := func(rows []view.IndicatorRow, kind int) {
		for _, r := range rows {
			value := len(sc)
			if file, anchor := s.identLink(fieldKeyOf(r.Field), r.Op, r.Value); file != "" {
				sc = s.f.valueLink.fill(sc, root, file, anchor, clean(r.Value))
			} else {
				sc = s.f.value.fill(sc, clean(r.Value))
			}
			cell := string(sc[value:])
			sc = sc[:value]
			members := membersText(s.keys.of(m, kind, identRowKey(r.Field, r.Role, r.Op, r.Value)))
			if kind == memberExclusion {
				sc = s.f.exclRow.fill(sc, members, clean(r.Field), clean(r.Op), cell, strconv.FormatInt(r.Rules, 10))
				continue
			}
			reach := ""
			if !r.Specific() {
				reach = strconv.FormatInt(r.Reach, 10)
			}
			sc = s.f.indRow.fill(sc, members, clean(r.Field), clean(r.Op), cell, strconv.FormatInt(r.Rules, 10), reach)
		}
	}
	rows(p.Indicators, memberIndicator)
	indEnd := len(sc)
	rows(p.Exclusions, memberExclusion)
	d.MoreIndicators, d.MoreExclusions = nInd-len(p.Indicators), nExcl-len(p.Exclusions)
	w.scratch = sc
	all := string(sc)
	d.EventRows, d.FieldRows = template.HTML(all[:eventsEnd]), template.HTML(all[eventsEnd:fieldsEnd])
	d.IndicatorRows, d.ExclusionRows = template.HTML(all[fieldsEnd:indEnd]), template.HTML(all[indEnd:])

	plat, dom, ven, kin := map[string]*facet{}, map[string]*facet{}, map[string]*facet{}, map[string]*facet{}
	// The kind buttons count every kind on the page; the others, like the
	// page's tables, the kinds the run counts (site.js recounts the same
	// way), with a button for every value on the page.
	for _, ri := range onPage {
		r := &s.rules[ri]
		n := 0
		if slices.Contains(p.CountedKinds, r.Kind) {
			n = 1
		}
		countFacets(plat, r.Platforms, n)
		countFacets(dom, r.Domains, n)
		countFacets(ven, []string{r.Vendor}, n)
		countFacets(kin, []string{r.Kind}, 1)
	}
	for _, g := range []facetGroup{{"platforms", "Platform", facets(plat)}, {"domains", "Domain", facets(dom)},
		{"vendor", "Vendor", facets(ven)}, {"kind", "Kind", facets(kin)}} {
		if len(g.Facets) > 0 {
			d.FacetGroups = append(d.FacetGroups, g)
		}
	}
	return d
}

var codeTags = strings.NewReplacer("<code>", "", "</code>", "")

// countFacets adds n rules to the buttons of vals, creating them.
func countFacets(m map[string]*facet, vals []string, n int) {
	if len(vals) == 0 {
		vals = []string{unspecified}
	}
	for _, v := range vals {
		t := token(v)
		f := m[t]
		if f == nil {
			f = &facet{Name: strings.ReplaceAll(v, "_", " "), Token: t}
			m[t] = f
		}
		f.Rules += n
	}
}

// facets sorts filter buttons by rule count, then name; "unspecified" last.
func facets(m map[string]*facet) []facet {
	out := make([]facet, 0, len(m))
	for _, f := range m {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b facet) int {
		if (a.Token == unspecified) != (b.Token == unspecified) {
			if a.Token == unspecified {
				return 1
			}
			return -1
		}
		return cmp.Or(b.Rules-a.Rules, strings.Compare(a.Token, b.Token))
	})
	return out
}

// techniquePage renders a technique's page: the technique template, then
// its rules and its hunting queries by vendor (the cards of prepareRules),
// then the foot.
func (s *site) techniquePage(w *worker, rel, id string) ([]byte, error) {
	rules, hunting := s.techniqueRules(id)
	onPage := slices.Concat(rules, hunting)
	w.bb.Reset()
	if err := s.t.ExecuteTemplate(&w.bb, "technique", s.techniqueData(w, rel, id, onPage, len(rules))); err != nil {
		return nil, err
	}
	b := append(w.buf[:0], w.bb.Bytes()...)
	b = s.appendRuleGroups(b, rules)
	if len(hunting) > 0 {
		b = s.f.huntingHead.fill(b, strconv.Itoa(len(hunting)))
		b = s.appendRuleGroups(b, hunting)
	}
	b = append(b, s.foot...)
	w.buf = b
	return b, nil
}

// appendRuleGroups appends the cards of rules (in view order) by vendor.
func (s *site) appendRuleGroups(b []byte, rules []int) []byte {
	for k := 0; k < len(rules); {
		vendor := s.rules[rules[k]].Vendor
		n := 1
		for k+n < len(rules) && s.rules[rules[k+n]].Vendor == vendor {
			n++
		}
		b = s.f.group.fill(b, vendor, strconv.Itoa(n))
		for _, ri := range rules[k : k+n] {
			b = append(b, s.cards[ri]...)
		}
		b = s.f.groupEnd.fill(b)
		k += n
	}
	return b
}
