package html

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
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
	cat *view.Catalog

	rules    []view.Rule     // every rule, cleaned for display, in view order
	cards    []template.HTML // per rule: its card on technique pages (renderCards)
	links    []template.HTML // per rule: its link from field pages (renderCards)
	ruleIdx  map[string]int
	ruleFile []string   // per rule: rules/<vendor>/<stem>.html
	anchor   []string   // per rule: its anchor on technique pages
	predLink [][]string // per rule, per predicate: its field page anchor

	fields     []*fieldPage
	fieldFile  map[string]string // field → fields/<stem>.html
	idents     map[identKey]*ident
	techFile   map[string]string // technique id with rules → techniques/<stem>.html
	subs       map[string][]string
	tacticFile map[string]string // tactic name → tactics/<stem>.html
}

type identKey struct{ field, op, lower string }

type fieldPage struct {
	field, file string
	idents      []*ident
}

// ident is one indicator identity (field, op, lower-cased value) with the
// rules that use it.
type ident struct {
	Op, Value, Anchor string
	Uses              []use
	lastRule          int
}

// use is one rule using an identity.
type use struct {
	rule                        int
	Positive, Excluded, Negated bool
}

// useView is a use as the field page shows it.
type useView struct {
	Link              template.HTML // the rule's link, rendered once (renderCards)
	Excluded, Negated bool
}

// identView is an identity as the field page shows it.
type identView struct {
	Op, Value, Anchor string
	Uses              []useView
}

func ruleKey(r *view.Rule) string { return r.Vendor + "\x00" + r.ID + "\x00" + r.Path }

// fieldKey is the field name a predicate is filed under: its normalized
// field, as in the aggregate tables.
func fieldKey(p view.Pred) string { return fieldKeyOf(p.Field) }

func newSite(set *tables.Set) *site {
	s := &site{set: set, ix: view.NewIndex(set), cat: view.NewCatalog(set), ruleIdx: map[string]int{},
		fieldFile: map[string]string{}, idents: map[identKey]*ident{}, techFile: map[string]string{},
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
	s.predLink = make([][]string, len(raw))
	keys := make([][]identKey, len(raw))
	for i := range raw {
		r := &raw[i]
		s.ruleIdx[ruleKey(r)] = i
		keys[i] = make([]identKey, len(r.Predicates))
		for j, p := range r.Predicates {
			k := identKey{fieldKey(p), p.Op, strings.ToLower(p.Value)}
			keys[i][j] = k
			id := s.idents[k]
			if id == nil {
				fp := byField[k.field]
				if fp == nil {
					fp = &fieldPage{field: k.field}
					byField[k.field] = fp
				}
				id = &ident{Op: clean(p.Op), Value: clean(p.Value), lastRule: -1}
				s.idents[k] = id
				fp.idents = append(fp.idents, id)
			}
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
	fieldNames := newNamer()
	for _, f := range sortedKeys(byField) {
		fp := byField[f]
		fp.file = "fields/" + fieldNames.name(f, f) + ".html"
		s.fieldFile[f] = fp.file
		s.fields = append(s.fields, fp)
	}
	for _, fp := range s.fields {
		for _, id := range fp.idents {
			// A positive use wins over the markers.
			for u := range id.Uses {
				if id.Uses[u].Positive {
					id.Uses[u].Excluded, id.Uses[u].Negated = false, false
				}
			}
		}
		slices.SortFunc(fp.idents, func(a, b *ident) int {
			return cmp.Or(strings.Compare(strings.ToLower(a.Value), strings.ToLower(b.Value)),
				strings.Compare(a.Op, b.Op), strings.Compare(a.Value, b.Value))
		})
	}
	// Anchors from a hash of (op, value) so links survive catalog changes.
	for _, f := range sortedKeys(byField) {
		an := newNamer()
		for _, id := range byField[f].idents {
			key := id.Op + "\x00" + strings.ToLower(id.Value)
			id.Anchor = an.name(key, "v-"+hash8(key))
		}
	}
	for i := range raw {
		s.predLink[i] = make([]string, len(keys[i]))
		for j, k := range keys[i] {
			s.predLink[i][j] = s.fieldFile[k.field] + "#" + s.idents[k].Anchor
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
}

func (s *site) base(from, title string) base {
	return base{Root: href(from, ""), Title: clean(title), Meta: s.set.Meta}
}

type link struct {
	ID, Name, Href string
	Rules          int
}

type facet struct {
	Name, Token string
	Rules       int
}

type predRow struct {
	Field, FieldRaw, OpText, Value, Href string
	Exclusion                            bool
}

// Page size bounds: a technique page shows at most maxInlinePreds
// predicates (and as many exclusions) per rule, without links — the rule's
// own page has them all, linked to their field pages — and at most maxRows
// rows per table; field pages list every value. This keeps the largest
// technique pages (T1059 rolls up over a thousand rules) to a few MB.
const (
	maxInlinePreds = 12
	maxRows        = 100
)

type ruleView struct {
	R                  *view.Rule
	Href, Anchor       string
	Platforms, Domains string // filter tokens
	Match, Excl        []predRow
	NMatch, NExcl      int // before the inline limit
	Techniques         []link
}

type ruleGroup struct {
	Vendor string
	Cards  []template.HTML // rendered by the rulecard template
}

type indRow struct {
	view.IndicatorRow
	Href string
}

type fieldRow struct {
	view.FieldRow
	Href string
}

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

// ruleView builds the view of rule i for page from; limit > 0 bounds the
// predicates and exclusions shown.
func (s *site) ruleView(i int, from string, withTechniques bool, limit int) ruleView {
	r := &s.rules[i]
	v := ruleView{R: r, Href: href(from, s.ruleFile[i]), Anchor: s.anchor[i],
		Platforms: tokens(r.Platforms), Domains: tokens(r.Domains)}
	for j, p := range r.Predicates {
		row := predRow{Field: p.Field, FieldRaw: p.FieldRaw, OpText: p.Op, Value: p.Value, Exclusion: p.Exclusion}
		if limit == 0 {
			row.Href = href(from, s.predLink[i][j])
		}
		if p.Negated && !p.Exclusion {
			row.OpText = "not " + p.Op
		}
		if p.Exclusion {
			if v.NExcl++; limit == 0 || v.NExcl <= limit {
				v.Excl = append(v.Excl, row)
			}
		} else {
			if v.NMatch++; limit == 0 || v.NMatch <= limit {
				v.Match = append(v.Match, row)
			}
		}
	}
	if withTechniques {
		for _, t := range r.Techniques {
			l := link{ID: t}
			if f, ok := s.techFile[t]; ok {
				l.Href = href(from, f)
			}
			if s.set.Attack != nil {
				if at := s.set.Attack.Techniques[t]; at != nil {
					l.Name = at.Name
				}
			}
			v.Techniques = append(v.Techniques, l)
		}
	}
	return v
}

func (s *site) identHref(from, field, op, value string) string {
	k := identKey{field, op, strings.ToLower(value)}
	id, ok := s.idents[k]
	if !ok {
		return ""
	}
	return href(from, s.fieldFile[field]+"#"+id.Anchor)
}

// renderCards renders the card of every rule that has a technique page,
// once, with links relative to techniques/.
func (s *site) renderCards(ctx context.Context, t *template.Template) error {
	s.cards = make([]template.HTML, len(s.rules))
	s.links = make([]template.HTML, len(s.rules))
	const from = "techniques/x.html" // fields/ is at the same depth
	return parallel(ctx, len(s.rules), func(i int, b *bytes.Buffer) error {
		v := s.ruleView(i, from, false, maxInlinePreds)
		if err := t.ExecuteTemplate(b, "rulelink", v); err != nil {
			return fmt.Errorf("rendering the link of %s: %w", s.rules[i].Path, err)
		}
		s.links[i] = template.HTML(b.String())
		if len(s.rules[i].Techniques) == 0 {
			return nil
		}
		b.Reset()
		if err := t.ExecuteTemplate(b, "rulecard", v); err != nil {
			return fmt.Errorf("rendering the card of %s: %w", s.rules[i].Path, err)
		}
		s.cards[i] = template.HTML(b.String())
		return nil
	})
}

// pages lists every page of the site in a stable order.
func (s *site) pages() []page {
	var out []page
	add := func(rel, name string, data func(from string) any) {
		out = append(out, page{rel: rel, render: func(t *template.Template, b *bytes.Buffer) error {
			return t.ExecuteTemplate(b, name, data(rel))
		}})
	}
	add("index.html", "index", s.indexData)
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
		add(s.techFile[id], "technique", func(from string) any { return s.techniqueData(from, id) })
	}
	for i := range s.rules {
		add(s.ruleFile[i], "rule", func(from string) any {
			return struct {
				base
				R ruleView
			}{s.base(from, s.rules[i].Title), s.ruleView(i, from, true, 0)}
		})
	}
	for _, fp := range s.fields {
		add(fp.file, "field", func(from string) any {
			idents := make([]identView, len(fp.idents))
			for i, id := range fp.idents {
				v := identView{Op: id.Op, Value: id.Value, Anchor: id.Anchor, Uses: make([]useView, len(id.Uses))}
				for j, u := range id.Uses {
					v.Uses[j] = useView{Link: s.links[u.rule], Excluded: u.Excluded, Negated: u.Negated}
				}
				idents[i] = v
			}
			return struct {
				base
				Field  string
				Idents []identView
			}{s.base(from, "Field "+fp.field), clean(fp.field), idents}
		})
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

func (s *site) techniqueData(from, id string) any {
	p := s.ix.Page(id)
	// ATT&CK prose marks code with <code> tags; show it as plain text.
	p.Name, p.Description = clean(p.Name), clean(codeTags.Replace(p.Description))
	d := struct {
		base
		P                                          view.Page
		Filters                                    string
		Parent                                     *link
		Tactics, Subs                              []link
		Platforms, Domains                         []facet
		Fields                                     []fieldRow
		MoreFields, MoreIndicators, MoreExclusions int
		Indicators                                 []indRow
		Exclusions                                 []indRow
		Groups                                     []ruleGroup
		NRules                                     int
		Telemetry                                  view.Telemetry // telemetry.tmpl
	}{P: p, Filters: filtersText(p.Filters), Telemetry: view.TechniqueTelemetry(s.set, id)}
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
	for _, f := range p.Fields {
		row := fieldRow{FieldRow: f}
		row.Field = clean(f.Field)
		row.Samples = make([]string, len(f.Samples))
		for i, v := range f.Samples {
			row.Samples[i] = clean(v)
			if v == "" {
				row.Samples[i] = "(empty)"
			}
		}
		if ff, ok := s.fieldFile[fieldKeyOf(f.Field)]; ok {
			row.Href = href(from, ff)
		}
		d.Fields = append(d.Fields, row)
	}
	ind := func(rows []view.IndicatorRow) []indRow {
		out := make([]indRow, len(rows))
		for i, r := range rows {
			out[i] = indRow{IndicatorRow: r, Href: s.identHref(from, fieldKeyOf(r.Field), r.Op, r.Value)}
			out[i].Field, out[i].Op, out[i].Value = clean(r.Field), clean(r.Op), clean(r.Value)
		}
		return out
	}
	d.Indicators, d.MoreIndicators = limitRows(ind(p.Indicators))
	d.Exclusions, d.MoreExclusions = limitRows(ind(p.Exclusions))
	d.Fields, d.MoreFields = limitRows(d.Fields)

	plat, dom := map[string]*facet{}, map[string]*facet{}
	for i := range p.Rules {
		ri, ok := s.ruleIdx[ruleKey(&p.Rules[i])]
		if !ok {
			continue
		}
		vendor := s.rules[ri].Vendor
		d.NRules++
		if n := len(d.Groups); n == 0 || d.Groups[n-1].Vendor != vendor {
			d.Groups = append(d.Groups, ruleGroup{Vendor: vendor})
		}
		g := &d.Groups[len(d.Groups)-1]
		g.Cards = append(g.Cards, s.cards[ri])
		countFacets(plat, s.rules[ri].Platforms)
		countFacets(dom, s.rules[ri].Domains)
	}
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

// limitRows keeps the first maxRows rows and says how many were left out.
func limitRows[T any](rows []T) ([]T, int) {
	if len(rows) > maxRows {
		return rows[:maxRows], len(rows) - maxRows
	}
	return rows, 0
}
