package html

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// site holds everything the pages of one run link to. Paths are relative
// to the html/ folder; href turns them into links relative to a page.
type site struct {
	set *tables.Set
	ix  *view.Index
	tt  *techTables
	cat *view.Catalog

	t    *template.Template
	f    *fragments
	foot []byte // the foot of every page (it depends on the run only)

	rules    []view.Rule // every rule, cleaned for display, in view order
	tags     []string    // per rule: its tags (prepareRules)
	cards    []string    // per rule with techniques: its card on technique pages (prepareRules)
	uses     []string    // per rule: its item in field page lists (prepareRules)
	ruleFile []string    // per rule: rules/<vendor>/<stem>.html
	anchor   []string    // per rule: its anchor on technique pages
	// predIdent holds the identity of every predicate, rule after rule:
	// those of rule i start at predOff[i].
	predIdent []*ident
	predOff   []int
	byTech    map[string][]int // technique id → rules (with roll-up to the parent), in view order

	fields     []*fieldPage      // fields with a page of their own, by name
	groups     []*fieldGroup     // the pages of the other fields, by key
	fieldHref  map[string]string // field → fields/<stem>.html, or its section on a group page
	idents     map[identKey]*ident
	techFile   map[string]string // technique id with rules → techniques/<stem>.html
	subs       map[string][]string
	tacticFile map[string]string // tactic name → tactics/<stem>.html
}

type identKey struct{ field, op, lower string }

// fieldPage is a field with every value; its page is a file of its own or,
// for a field with fewer than minFieldPage values, a section of the group
// page of fields with the same first letter (anchor set).
type fieldPage struct {
	field, file, anchor string
	idents              []*ident
}

// fieldGroup is a page of the fields with few values whose names start
// with the same letter or digit (key; "other" for the rest).
type fieldGroup struct {
	key, file string
	fields    []*fieldPage
}

// minFieldPage is the number of values from which a field has a page of its
// own. Most fields have one or two values (1,129 of 1,911 fields of the
// shared corpora have one): a file each would be mostly page boilerplate.
const minFieldPage = 10

// groupKey is the group page key of a field with few values.
func groupKey(field string) string {
	if c := field[0] | 0x20; c >= 'a' && c <= 'z' || field[0] >= '0' && field[0] <= '9' {
		return string(field[0] | 0x20)
	}
	return "other"
}

// ident is one indicator identity (field, op, lower-cased value) with the
// rules that use it.
type ident struct {
	Op, Value, Anchor string
	lower             string // Value in lower case, the sort key
	page              *fieldPage
	Uses              []use
	lastRule          int
}

// use is one rule using an identity.
type use struct {
	rule                        int
	Positive, Excluded, Negated bool
}

func ruleKey(r *view.Rule) string { return r.Vendor + "\x00" + r.ID + "\x00" + r.Path }

// fieldKey is the field name a predicate is filed under: its normalized
// field, as in the aggregate tables.
func fieldKey(p view.Pred) string { return fieldKeyOf(p.Field) }

func newSite(set *tables.Set, t *template.Template, f *fragments) *site {
	s := &site{set: set, t: t, f: f, ix: view.NewIndex(set), tt: newTechTables(set), cat: view.NewCatalog(set), byTech: map[string][]int{},
		fieldHref: map[string]string{}, idents: map[identKey]*ident{}, techFile: map[string]string{},
		subs: map[string][]string{}, tacticFile: map[string]string{}}
	raw := s.ix.Rules()

	// Rule files: named per vendor folder from the rule id, allocated in
	// (vendor, id, path) order so names do not depend on titles.
	order := make([]int, len(raw))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &raw[a], &raw[b]
		return cmp.Or(strings.Compare(ra.Vendor, rb.Vendor), strings.Compare(ra.ID, rb.ID), strings.Compare(ra.Path, rb.Path), a-b)
	})
	vendorDirs, perVendor := newNamer(), map[string]*namer{}
	s.ruleFile = make([]string, len(raw))
	s.anchor = make([]string, len(raw))
	for _, i := range order {
		r := &raw[i]
		n := perVendor[r.Vendor]
		if n == nil {
			n = newNamer()
			perVendor[r.Vendor] = n
		}
		want := r.ID
		if want == "" {
			want = r.Path
		}
		stem := n.name(ruleKey(r)+"\x00"+strconv.Itoa(i), want)
		vdir := vendorDirs.name(r.Vendor, r.Vendor)
		s.ruleFile[i] = "rules/" + vdir + "/" + stem + ".html"
		s.anchor[i] = "r-" + vdir + "-" + stem
	}

	// Field pages and indicator identities, from every predicate.
	byField := map[string]*fieldPage{}
	s.predOff = make([]int, len(raw)+1)
	for i := range raw {
		r := &raw[i]
		for _, t := range r.Techniques {
			s.addTech(t, i)
			if p := attack.Parent(t); p != "" {
				s.addTech(p, i)
			}
		}
		s.predOff[i+1] = s.predOff[i] + len(r.Predicates)
		for _, p := range r.Predicates {
			// eq and in are one equality, as in the indicator tables.
			op := p.Op
			if op == "in" {
				op = "eq"
			}
			k := identKey{fieldKey(p), op, strings.ToLower(p.Value)}
			id := s.idents[k]
			if id == nil {
				fp := byField[k.field]
				if fp == nil {
					fp = &fieldPage{field: k.field}
					byField[k.field] = fp
				}
				id = &ident{Op: clean(op), Value: clean(p.Value), page: fp, lastRule: -1}
				id.lower = strings.ToLower(id.Value)
				s.idents[k] = id
				fp.idents = append(fp.idents, id)
			}
			s.predIdent = append(s.predIdent, id)
			if id.lastRule != i {
				id.lastRule = i
				id.Uses = append(id.Uses, use{rule: i})
			}
			u := &id.Uses[len(id.Uses)-1]
			switch {
			case p.Exclusion:
				u.Excluded = true
			case p.Negated:
				u.Negated = true
			default:
				u.Positive = true
			}
		}
	}
	// Group pages take their names first ("_a"), then fields with a page of
	// their own; a field's section anchor is unique on its group page.
	fieldNames, groups := newNamer(), map[string]*fieldGroup{}
	for _, f := range sortedKeys(byField) {
		if fp := byField[f]; len(fp.idents) < minFieldPage {
			k := groupKey(f)
			g := groups[k]
			if g == nil {
				g = &fieldGroup{key: k, file: "fields/" + fieldNames.name("\x00group\x00"+k, "_"+k) + ".html"}
				groups[k] = g
				s.groups = append(s.groups, g)
			}
			g.fields = append(g.fields, fp)
		}
	}
	slices.SortFunc(s.groups, func(a, b *fieldGroup) int { return strings.Compare(a.key, b.key) })
	for _, g := range s.groups {
		an := newNamer()
		for _, fp := range g.fields {
			fp.file, fp.anchor = g.file, an.name(fp.field, "f-"+fp.field)
			s.fieldHref[fp.field] = fp.file + "#" + fp.anchor
		}
	}
	for _, f := range sortedKeys(byField) {
		if fp := byField[f]; fp.file == "" {
			fp.file = "fields/" + fieldNames.name(f, f) + ".html"
			s.fieldHref[f] = fp.file
			s.fields = append(s.fields, fp)
		}
	}
	for _, fp := range byField {
		for _, id := range fp.idents {
			// A positive use wins over the markers.
			for u := range id.Uses {
				if id.Uses[u].Positive {
					id.Uses[u].Excluded, id.Uses[u].Negated = false, false
				}
			}
		}
		slices.SortFunc(fp.idents, func(a, b *ident) int {
			return cmp.Or(strings.Compare(a.lower, b.lower),
				strings.Compare(a.Op, b.Op), strings.Compare(a.Value, b.Value))
		})
	}
	// Anchors from a hash of (op, value) so links survive catalog changes
	// (with the field too on group pages, which hold several fields).
	for _, fp := range s.fields {
		an := newNamer()
		for _, id := range fp.idents {
			key := id.Op + "\x00" + id.lower
			id.Anchor = an.name(key, "v-"+hash8(key))
		}
	}
	for _, g := range s.groups {
		an := newNamer()
		for _, fp := range g.fields {
			for _, id := range fp.idents {
				key := fp.field + "\x00" + id.Op + "\x00" + id.lower
				id.Anchor = an.name(key, "v-"+hash8(key))
			}
		}
	}

	// Cleaned rules for display.
	s.rules = raw
	for i := range s.rules {
		cleanRule(&s.rules[i])
	}

	techNames := newNamer()
	for _, id := range s.ix.Techniques() {
		s.techFile[id] = "techniques/" + techNames.name(id, id) + ".html"
		if p := attack.Parent(id); p != "" {
			s.subs[p] = append(s.subs[p], id)
		}
	}
	tacticNames := newNamer()
	for _, t := range s.cat.Tactics {
		s.tacticFile[t.Name] = "tactics/" + tacticNames.name(t.Name, t.ShortName) + ".html"
	}
	return s
}

// addTech files rule i under technique t, once, as view.Index does: rules
// are added in view order, so each technique's list is in page order.
func (s *site) addTech(t string, i int) {
	l := s.byTech[t]
	if len(l) > 0 && l[len(l)-1] == i {
		return
	}
	s.byTech[t] = append(l, i)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func cleanRule(r *view.Rule) {
	r.Vendor, r.ID, r.Title, r.Path = clean(r.Vendor), clean(r.ID), clean(r.Title), clean(r.Path)
	r.Severity, r.Status, r.Language = clean(r.Severity), clean(r.Status), clean(r.Language)
	r.ParseStatus, r.ParseError = clean(r.ParseStatus), clean(r.ParseError)
	for _, l := range [][]string{r.Techniques, r.Platforms, r.Domains, r.Events} {
		for i := range l {
			l[i] = clean(l[i])
		}
	}
	for i := range r.Predicates {
		p := &r.Predicates[i]
		p.Field, p.FieldRaw, p.Op, p.Value = clean(fieldKey(*p)), clean(p.FieldRaw), clean(p.Op), clean(p.Value)
	}
}

// href returns the link from page `from` to site path `to` (both relative
// to html/).
func href(from, to string) string {
	return strings.Repeat("../", strings.Count(from, "/")) + to
}

// ---- page models ----

type base struct {
	Root, Title string
	Meta        tables.Meta
	Trend       bool // the site has a trend page (trend.go)
}

func (s *site) base(from, title string) base {
	return base{Root: href(from, ""), Title: clean(title), Meta: s.set.Meta, Trend: hasTrend(s.set)}
}

type link struct {
	ID, Name, Href string
	Rules          int
}

type facet struct {
	Name, Token string
	Rules       int
}

// maxInlinePreds bounds the predicates (and as many exclusions) a rule's
// card on technique pages shows, without links — the rule's own page has
// them all, linked to their field pages; maxRows bounds the rows of each
// table of a technique page. Field pages list every value. This keeps the
// largest technique pages (T1059 rolls up over a thousand rules) small.
const (
	maxInlinePreds = 12
	maxRows        = 100
)

type techRow struct {
	ID, Name, Href, Tactics, Search string
	Rules                           int64
	Sub                             bool
	Vendors                         []view.Count
}

type tacticRow struct {
	T    view.TacticCoverage
	Href string
}

// identLink returns the field page and anchor of an indicator identity, or
// "" when the predicates have none.
func (s *site) identLink(field, op, value string) (file, anchor string) {
	id, ok := s.idents[identKey{field, op, strings.ToLower(value)}]
	if !ok {
		return "", ""
	}
	return id.page.file, id.Anchor
}

// pages lists every page of the site in a stable order.
func (s *site) pages() []page {
	var out []page
	add := func(rel, name string, data func(from string) any) {
		out = append(out, page{rel: rel, render: func(w *worker) ([]byte, error) {
			w.bb.Reset()
			err := s.t.ExecuteTemplate(&w.bb, name, data(rel))
			return w.bb.Bytes(), err
		}})
	}
	add("index.html", "index", s.indexData)
	if hasTrend(s.set) {
		add(TrendFile, "trend", s.trendData)
	}
	add("problems.html", "problems", func(from string) any {
		ps := slices.Clone(s.set.Problems)
		for i := range ps {
			ps[i].Path, ps[i].Msg, ps[i].Vendor, ps[i].Kind = clean(ps[i].Path), clean(ps[i].Msg), clean(ps[i].Vendor), clean(ps[i].Kind)
		}
		return struct {
			base
			Problems []tables.Problem
		}{s.base(from, "Parse problems"), ps}
	})
	for _, t := range s.cat.Tactics {
		add(s.tacticFile[t.Name], "tactic", func(from string) any { return s.tacticData(from, t) })
	}
	for _, id := range s.ix.Techniques() {
		rel := s.techFile[id]
		out = append(out, page{rel: rel, render: func(w *worker) ([]byte, error) { return s.techniquePage(w, rel, id) }})
	}
	for i := range s.rules {
		out = append(out, page{rel: s.ruleFile[i], render: func(w *worker) ([]byte, error) { return s.rulePage(w, i), nil }})
	}
	for _, fp := range s.fields {
		out = append(out, page{rel: fp.file, render: func(w *worker) ([]byte, error) { return s.fieldPage(w, fp), nil }})
	}
	for _, g := range s.groups {
		out = append(out, page{rel: g.file, render: func(w *worker) ([]byte, error) { return s.groupPage(w, g), nil }})
	}
	return out
}

func (s *site) indexData(from string) any {
	d := struct {
		base
		Cat           *view.Catalog
		Filters       string
		Tactics       []tacticRow
		Techniques    []techRow
		TelemetryGaps []view.ComponentGap // telemetry.tmpl
	}{base: s.base(from, "Catalog"), Cat: s.cat, Filters: filtersText(s.set.Meta.Filters), TelemetryGaps: telemetryGaps(s.set)}
	for _, t := range s.cat.Tactics {
		d.Tactics = append(d.Tactics, tacticRow{T: t, Href: href(from, s.tacticFile[t.Name])})
	}
	for _, t := range s.cat.CoveredTechniques() {
		tactics := strings.Join(t.Tactics, ", ")
		row := techRow{ID: t.ID, Name: clean(t.Name), Tactics: tactics, Rules: t.Rules, Sub: t.ParentID != "", Vendors: t.Vendors,
			Search: strings.ToLower(t.ID + " " + clean(t.Name) + " " + tactics)}
		if f, ok := s.techFile[t.ID]; ok {
			row.Href = href(from, f)
		}
		d.Techniques = append(d.Techniques, row)
	}
	return d
}

func (s *site) tacticData(from string, t view.TacticCoverage) any {
	d := struct {
		base
		T    view.TacticCoverage
		Rows []techRow
	}{base: s.base(from, t.Name), T: t}
	for _, tc := range s.cat.Techniques {
		if !tc.Current || !slices.Contains(tc.Tactics, t.Name) {
			continue
		}
		row := techRow{ID: tc.ID, Name: clean(tc.Name), Rules: tc.Rules, Sub: tc.ParentID != "", Vendors: tc.Vendors}
		if f, ok := s.techFile[tc.ID]; ok && tc.Rules > 0 {
			row.Href = href(from, f)
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

func (s *site) techniqueData(w *worker, from, id string) any {
	rules := s.byTech[id]
	vendors := make([]string, len(rules))
	for i, ri := range rules {
		vendors[i] = s.rules[ri].Vendor
	}
	p, nFields, nInd, nExcl := s.tt.page(id, vendors, maxRows)
	// ATT&CK prose marks code with <code> tags; show it as plain text.
	p.Name, p.Description = clean(p.Name), clean(codeTags.Replace(p.Description))
	d := struct {
		base
		P                                          view.Page
		Filters                                    string
		Parent                                     *link
		Tactics, Subs                              []link
		Platforms, Domains                         []facet
		EventRows, FieldRows                       template.HTML
		IndicatorRows, ExclusionRows               template.HTML
		NFields, NIndicators, NExclusions          int
		MoreFields, MoreIndicators, MoreExclusions int
		NRules                                     int
		Telemetry                                  view.Telemetry // telemetry.tmpl
	}{P: p, Filters: filtersText(p.Filters), Telemetry: view.TechniqueTelemetry(s.set, id),
		NFields: nFields, NIndicators: nInd, NExclusions: nExcl}
	title := p.ID
	if p.Name != "" {
		title += " " + p.Name
	}
	d.base = s.base(from, title)
	if p.ParentID != "" {
		l := link{ID: p.ParentID}
		if f, ok := s.techFile[p.ParentID]; ok {
			l.Href = href(from, f)
		}
		if s.set.Attack != nil {
			if t := s.set.Attack.Techniques[p.ParentID]; t != nil {
				l.Name = t.Name
			}
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
		l := link{ID: sub, Href: href(from, s.techFile[sub]), Rules: s.ix.RuleCount(sub)}
		if tc, ok := s.cat.Technique(sub); ok {
			l.Name = clean(tc.Name)
		}
		d.Subs = append(d.Subs, l)
	}
	// The tables' rows, with fragments (at most maxRows each).
	const root = "../"
	sc := w.scratch[:0]
	for _, e := range p.Events {
		sc = s.f.eventRow.fill(sc, clean(e.Name), strconv.FormatInt(e.Rules, 10))
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
			if v == "" {
				v = "(empty)"
			}
			sc = s.f.sample.fill(sc, sep, clean(v))
		}
		// The samples are moved behind the row's start.
		cells := string(sc[samples:])
		r, file := root, s.fieldHref[fieldKeyOf(f.Field)]
		if file == "" {
			r = ""
		}
		sc = s.f.fieldRow.fill(sc[:samples], r, file, clean(f.Field),
			strconv.FormatInt(f.Rules, 10), clean(f.How), cells)
	}
	fieldsEnd := len(sc)
	rows := func(rows []view.IndicatorRow, excl bool) {
		for _, r := range rows {
			value := len(sc)
			if file, anchor := s.identLink(fieldKeyOf(r.Field), r.Op, r.Value); file != "" {
				sc = s.f.valueLink.fill(sc, root, file, anchor, clean(r.Value))
			} else {
				sc = s.f.value.fill(sc, clean(r.Value))
			}
			cell := string(sc[value:])
			sc = sc[:value]
			if excl {
				sc = s.f.exclRow.fill(sc, clean(r.Field), clean(r.Op), cell, strconv.FormatInt(r.Rules, 10))
				continue
			}
			reach := ""
			if !r.Specific() {
				reach = strconv.FormatInt(r.Reach, 10)
			}
			sc = s.f.indRow.fill(sc, clean(r.Field), clean(r.Op), cell, strconv.FormatInt(r.Rules, 10), reach)
		}
	}
	rows(p.Indicators, false)
	indEnd := len(sc)
	rows(p.Exclusions, true)
	d.MoreIndicators, d.MoreExclusions = nInd-len(p.Indicators), nExcl-len(p.Exclusions)
	w.scratch = sc
	all := string(sc)
	d.EventRows, d.FieldRows = template.HTML(all[:eventsEnd]), template.HTML(all[eventsEnd:fieldsEnd])
	d.IndicatorRows, d.ExclusionRows = template.HTML(all[fieldsEnd:indEnd]), template.HTML(all[indEnd:])

	plat, dom := map[string]*facet{}, map[string]*facet{}
	for _, ri := range rules {
		countFacets(plat, s.rules[ri].Platforms)
		countFacets(dom, s.rules[ri].Domains)
	}
	d.NRules = len(rules)
	d.Platforms, d.Domains = facets(plat), facets(dom)
	return d
}

var codeTags = strings.NewReplacer("<code>", "", "</code>", "")

// fieldKeyOf maps an aggregate table's field to the field page key.
func fieldKeyOf(f string) string {
	if f == "" {
		return "(no field)"
	}
	return f
}

func countFacets(m map[string]*facet, vals []string) {
	if len(vals) == 0 {
		vals = []string{unspecified}
	}
	for _, v := range vals {
		t := token(v)
		f := m[t]
		if f == nil {
			f = &facet{Name: v, Token: t}
			m[t] = f
		}
		f.Rules++
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
