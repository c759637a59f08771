package html

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
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

	rules   []view.Rule // every rule, cleaned for display, in view order
	tags    []string    // per rule: its tags (prepareRules)
	cards   []string    // per rule shown on a page: its <details> (prepareRules)
	uses    []string    // per rule: its item in field page lists (prepareRules)
	anchor  []string    // per rule: its anchor on the pages that show it
	home    []string    // per rule: the page that shows it first (a technique page or unmapped.html)
	counted []bool      // per rule: its kind is counted by the aggregates
	shown   []bool      // per rule: it is on technique pages (counted, or a hunting query)
	keys    *ruleKeys   // per rule: the aggregate rows it counts in (members.go)
	// predIdent holds the identity of every predicate, rule after rule:
	// those of rule i start at predOff[i]; nil for existence checks.
	predIdent []*ident
	predOff   []int
	byTech    map[string][]int // technique id → shown rules (with roll-up to the parent), in view order
	unmapped  []int            // rules on no technique page, in view order

	fields     []*fieldPage      // every field, by name (fields.go)
	sheets     []*fieldSheet     // the pages of the fields, in name order
	fieldHref  map[string]string // field → its section on its first page
	idents     map[identKey]*ident
	techIDs    []string          // every technique with a page, sorted
	techFile   map[string]string // technique id → techniques/<stem>.html
	subs       map[string][]string
	tacticFile map[string]string // tactic name → tactics/<stem>.html
	groupFile  map[string]string // ATT&CK group id → groups/<stem>.html

	groupSummaries []view.GroupSummary
	groups         *view.Groups
	ruleRow        []int    // per rule: its row of the rules table (and of Texts)
	rawVendor      []string // per rule: vendor and path as the tables hold them
	rawPath        []string
	sources        *sourceURLs
}

type identKey struct{ field, op, lower string }

// ident is one value of a field (field, op, lower-cased value; eq and in
// one equality) with the rules that use it.
type ident struct {
	Op, Value, Anchor string
	file              string // the field page (sheet) that lists it
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

// isExistence reports whether op is an existence check (not a value).
func isExistence(op string) bool {
	return op == string(rule.OpIsNull) || op == string(rule.OpIsNotNull)
}

func newSite(set *tables.Set, t *template.Template, f *fragments) *site {
	s := &site{set: set, t: t, f: f, ix: view.NewIndex(set), tt: newTechTables(set), cat: view.NewCatalog(set), byTech: map[string][]int{},
		fieldHref: map[string]string{}, idents: map[identKey]*ident{}, techFile: map[string]string{},
		subs: map[string][]string{}, tacticFile: map[string]string{}, groupFile: map[string]string{}}
	raw := s.ix.Rules()
	s.counted, s.shown = make([]bool, len(raw)), make([]bool, len(raw))
	for i := range raw {
		k := raw[i].Kind
		if k == "" {
			k = string(rule.KindDetection)
		}
		s.counted[i] = slices.Contains(s.tt.counted, k)
		s.shown[i] = s.counted[i] || k == string(rule.KindHunting)
	}
	s.keys = newRuleKeys(raw, s.counted)
	s.ruleRow, s.sources = ruleRows(set, raw), newSourceURLs(set)
	s.rawVendor, s.rawPath = make([]string, len(raw)), make([]string, len(raw))
	for i := range raw {
		s.rawVendor[i], s.rawPath[i] = raw[i].Vendor, raw[i].Path
	}

	// Rule anchors: named per vendor from the rule id, allocated in
	// (vendor, id, path) order so names do not depend on titles.
	order := make([]int, len(raw))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &raw[a], &raw[b]
		return cmp.Or(strings.Compare(ra.Vendor, rb.Vendor), strings.Compare(ra.ID, rb.ID), strings.Compare(ra.Path, rb.Path), a-b)
	})
	vendorNames, perVendor := newNamer(), map[string]*namer{}
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
		s.anchor[i] = "r-" + vendorNames.name(r.Vendor, r.Vendor) + "-" + stem
	}

	// Field pages and indicator identities, from every predicate.
	byField := map[string]*fieldPage{}
	s.predOff = make([]int, len(raw)+1)
	for i := range raw {
		r := &raw[i]
		if s.shown[i] {
			for _, t := range r.Techniques {
				s.addTech(t, i)
				if p := attack.Parent(t); p != "" {
					s.addTech(p, i)
				}
			}
		}
		if !s.shown[i] || len(r.Techniques) == 0 {
			s.unmapped = append(s.unmapped, i)
		}
		s.predOff[i+1] = s.predOff[i] + len(r.Predicates)
		for _, p := range r.Predicates {
			if isExistence(p.Op) {
				s.predIdent = append(s.predIdent, nil) // not a value
				continue
			}
			// eq and in are one equality, as in the indicator tables.
			op := p.Op
			if op == string(rule.OpIn) {
				op = string(rule.OpEq)
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
	s.nameFieldPages(byField)

	// Cleaned rules for display.
	s.rules = raw
	for i := range s.rules {
		cleanRule(&s.rules[i])
	}

	// A page for every technique of the ATT&CK data (covered or not) and
	// every tagged id with a rule shown.
	ids := map[string]bool{}
	for _, tc := range s.cat.Techniques {
		if tc.Current || tc.Rules > 0 {
			ids[tc.ID] = true
		}
	}
	for _, id := range s.ix.Techniques() {
		ids[id] = true
	}
	s.techIDs = sortedKeys(ids)
	techNames := newNamer()
	for _, id := range s.techIDs {
		s.techFile[id] = "techniques/" + techNames.name(id, id) + ".html"
		if p := attack.Parent(id); p != "" {
			s.subs[p] = append(s.subs[p], id)
		}
	}
	s.home = make([]string, len(raw))
	for i := range s.rules {
		s.home[i] = unmappedFile
		if s.shown[i] && len(s.rules[i].Techniques) > 0 {
			s.home[i] = s.techFile[raw[i].Techniques[0]]
		}
	}
	tacticNames := newNamer()
	for _, t := range s.cat.Tactics {
		s.tacticFile[t.Name] = "tactics/" + tacticNames.name(t.Name, t.ShortName) + ".html"
	}
	s.groupSummaries = view.GroupSummaries(set)
	s.groups = view.NewGroups(set)
	groupNames := newNamer()
	for _, g := range s.groupList() {
		s.groupFile[g.ID] = "groups/" + groupNames.name(g.ID, g.ID) + ".html"
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
	r.Kind, r.RuleType = clean(r.Kind), clean(r.RuleType)
	if r.Kind == "" {
		r.Kind = string(rule.KindDetection)
	}
	for _, l := range [][]string{r.Techniques, r.Platforms, r.Domains, r.Events} {
		for i := range l {
			l[i] = clean(l[i])
		}
	}
	for i := range r.Predicates {
		p := &r.Predicates[i]
		p.Field, p.FieldRaw, p.Op, p.Value = clean(fieldKey(*p)), clean(p.FieldRaw), clean(p.Op), clean(p.Value)
		p.OpRaw, p.ValueRaw, p.Role = clean(p.OpRaw), clean(p.ValueRaw), clean(p.Role)
	}
}

// href returns the link from page `from` to site path `to` (both relative
// to html/).
func href(from, to string) string {
	return strings.Repeat("../", strings.Count(from, "/")) + to
}

// identLink returns the field page and anchor of an indicator identity, or
// "" when the predicates have none.
func (s *site) identLink(field, op, value string) (file, anchor string) {
	id, ok := s.idents[identKey{field, op, strings.ToLower(value)}]
	if !ok {
		return "", ""
	}
	return id.file, id.Anchor
}

// fieldKeyOf maps an aggregate table's field to the field page key.
func fieldKeyOf(f string) string {
	if f == "" {
		return "(no field)"
	}
	return f
}
