package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Result is the difference between two snapshots; every slice is sorted.
type Result struct {
	Old, New       string // the folders compared
	OldRun, NewRun Run

	Vendors     []VendorCount     // rules per vendor in either run, by vendor
	Coverage    []TechniqueChange // by Kind order (lost first), then technique id
	Added       []*Rule           // by vendor, rule id, path
	Removed     []*Rule
	Changed     []RuleChange
	ParseStatus []StatusChange
	Indicators  []PatternChange // by technique, change, field, op, value
	Exclusions  []PatternChange
}

// VendorCount is the number of rules of a vendor in each run.
type VendorCount struct {
	Vendor   string
	Old, New int
}

// Kind classifies a technique's coverage change.
type Kind string

// Kinds of coverage change, in report order.
const (
	Lost   Kind = "lost"   // from one or more rules in total to none
	Gained Kind = "gained" // from no rule to one or more
	Fewer  Kind = "fewer"  // fewer rules in total, still covered
	More   Kind = "more"   // more rules in total
	Moved  Kind = "moved"  // same total, different vendors
)

var kindOrder = map[Kind]int{Lost: 0, Gained: 1, Fewer: 2, More: 3, Moved: 4}

// TechniqueChange is a technique whose rule count changed for at least one
// vendor.
type TechniqueChange struct {
	ID, Name string
	Old, New int64          // rules in total (the sum over vendors)
	Vendors  []VendorChange // the vendors whose count changed, by vendor
}

// Kind says how the total changed.
func (t TechniqueChange) Kind() Kind {
	switch {
	case t.Old > 0 && t.New == 0:
		return Lost
	case t.Old == 0 && t.New > 0:
		return Gained
	case t.New < t.Old:
		return Fewer
	case t.New > t.Old:
		return More
	}
	return Moved
}

// VendorsLost lists the vendors that had rules for the technique and have
// none now (whether or not another vendor still covers it).
func (t TechniqueChange) VendorsLost() []string {
	var out []string
	for _, v := range t.Vendors {
		if v.Lost() {
			out = append(out, v.Vendor)
		}
	}
	return out
}

// VendorChange is one vendor's rule count for a technique in each run.
type VendorChange struct {
	Vendor   string
	Old, New int64
}

// Lost reports a vendor that no longer covers the technique.
func (v VendorChange) Lost() bool { return v.Old > 0 && v.New == 0 }

// RuleChange is a rule present in both runs whose content differs.
type RuleChange struct {
	Old, New *Rule
	Fields   []FieldChange // title, status, severity, techniques, parse_status, in that order
	// Predicate lines (rule.FormatOne) only in the new or only in the old
	// rule, sorted; compared as multisets, so a line that occurs twice in
	// one rule and once in the other is listed once.
	PredicatesAdded, PredicatesRemoved []string
}

// FieldChange is one changed rule attribute; lists are comma-joined.
type FieldChange struct {
	Name, Old, New string
}

// StatusChange is a rule whose parse status changed.
type StatusChange struct {
	Rule     *Rule // the new rule
	Old, New string
	OldError string
}

// Change says whether an indicator or exclusion appeared or disappeared.
type Change string

// Pattern changes.
const (
	Appeared    Change = "appeared"
	Disappeared Change = "disappeared"
)

// PatternChange is an indicator or exclusion of a technique that exists in
// only one of the runs; Rules is its rule count in that run.
type PatternChange struct {
	Pattern
	Name   string // technique name
	Change Change
}

// Empty reports whether the runs agree on everything diff compares.
func (r *Result) Empty() bool {
	return len(r.Coverage) == 0 && len(r.Added) == 0 && len(r.Removed) == 0 && len(r.Changed) == 0 &&
		len(r.ParseStatus) == 0 && len(r.Indicators) == 0 && len(r.Exclusions) == 0
}

// Lost lists the techniques that lost coverage: in total, or with
// perVendor also those that some vendor no longer covers.
func (r *Result) Lost(perVendor bool) []TechniqueChange {
	var out []TechniqueChange
	for _, t := range r.Coverage {
		if t.Kind() == Lost || perVendor && len(t.VendorsLost()) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// Count returns the number of coverage changes of kind k.
func (r *Result) Count(k Kind) int {
	n := 0
	for _, t := range r.Coverage {
		if t.Kind() == k {
			n++
		}
	}
	return n
}

// PatternCounts returns how many patterns appeared and disappeared.
func PatternCounts(ps []PatternChange) (appeared, disappeared int) {
	for _, p := range ps {
		if p.Change == Appeared {
			appeared++
		} else {
			disappeared++
		}
	}
	return
}

// Compare reports what changed from old to new.
func Compare(old, new *Snapshot) *Result {
	r := &Result{Old: old.Dir, New: new.Dir, OldRun: old.Run, NewRun: new.Run}
	names := techniqueNames(old, new)
	r.Vendors = vendorCounts(old, new)
	r.Coverage = compareCoverage(old, new, names)
	// Both forms of the predicates, and roles, are compared when both
	// outputs have them.
	form := predicateForm{raw: old.HasRaw && new.HasRaw, role: old.HasRole && new.HasRole}
	compareRules(r, old, new, form)
	r.Indicators = comparePatterns(old.Indicators, new.Indicators, names, form.role)
	r.Exclusions = comparePatterns(old.Exclusions, new.Exclusions, names, form.role)
	return r
}

func techniqueNames(snaps ...*Snapshot) map[string]string {
	names := map[string]string{}
	for _, s := range snaps { // the new name wins
		for _, c := range s.Coverage {
			if c.Name != "" {
				names[c.TechniqueID] = c.Name
			}
		}
	}
	return names
}

func vendorCounts(old, new *Snapshot) []VendorCount {
	m := map[string]*VendorCount{}
	get := func(v string) *VendorCount {
		if m[v] == nil {
			m[v] = &VendorCount{Vendor: v}
		}
		return m[v]
	}
	for _, r := range old.Rules {
		get(r.Vendor).Old++
	}
	for _, r := range new.Rules {
		get(r.Vendor).New++
	}
	out := make([]VendorCount, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b VendorCount) int { return strings.Compare(a.Vendor, b.Vendor) })
	return out
}

func compareCoverage(old, new *Snapshot, names map[string]string) []TechniqueChange {
	type counts struct{ old, new int64 }
	per := map[string]map[string]*counts{} // technique → vendor
	add := func(cs []Coverage, isNew bool) {
		for _, c := range cs {
			vs := per[c.TechniqueID]
			if vs == nil {
				vs = map[string]*counts{}
				per[c.TechniqueID] = vs
			}
			n := vs[c.Vendor]
			if n == nil {
				n = &counts{}
				vs[c.Vendor] = n
			}
			if isNew {
				n.new += c.Rules
			} else {
				n.old += c.Rules
			}
		}
	}
	add(old.Coverage, false)
	add(new.Coverage, true)
	var out []TechniqueChange
	for id, vs := range per {
		t := TechniqueChange{ID: id, Name: names[id]}
		for v, n := range vs {
			t.Old += n.old
			t.New += n.new
			if n.old != n.new {
				t.Vendors = append(t.Vendors, VendorChange{Vendor: v, Old: n.old, New: n.new})
			}
		}
		if len(t.Vendors) == 0 {
			continue
		}
		slices.SortFunc(t.Vendors, func(a, b VendorChange) int { return strings.Compare(a.Vendor, b.Vendor) })
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b TechniqueChange) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind()], kindOrder[b.Kind()]), strings.Compare(a.ID, b.ID))
	})
	return out
}

func ruleOrder(a, b *Rule) int {
	return cmp.Or(strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.Path, b.Path))
}

// compareRules matches rules by vendor and rule id. (vendor, rule id) is
// unique in a ruleatlas run; should an output hold duplicates, the rules
// sharing a key are matched by path.
func compareRules(r *Result, old, new *Snapshot, form predicateForm) {
	group := func(rs []*Rule) map[string][]*Rule {
		m := make(map[string][]*Rule, len(rs))
		for _, x := range rs {
			m[x.Key()] = append(m[x.Key()], x)
		}
		return m
	}
	om, nm := group(old.Rules), group(new.Rules)
	pair := func(o, n *Rule) {
		if c, ok := compareRule(o, n, form); ok {
			r.Changed = append(r.Changed, c)
		}
		if o.ParseStatus != n.ParseStatus {
			r.ParseStatus = append(r.ParseStatus, StatusChange{Rule: n, Old: o.ParseStatus, New: n.ParseStatus, OldError: o.ParseError})
		}
	}
	for k, os := range om {
		ns := nm[k]
		if len(os) == 1 && len(ns) == 1 {
			pair(os[0], ns[0])
			continue
		}
		used := make([]bool, len(ns))
	next:
		for _, o := range os {
			for j, n := range ns {
				if !used[j] && n.Path == o.Path {
					used[j] = true
					pair(o, n)
					continue next
				}
			}
			r.Removed = append(r.Removed, o)
		}
		for j, n := range ns {
			if !used[j] {
				r.Added = append(r.Added, n)
			}
		}
	}
	for k, ns := range nm {
		if _, ok := om[k]; !ok {
			r.Added = append(r.Added, ns...)
		}
	}
	slices.SortFunc(r.Added, ruleOrder)
	slices.SortFunc(r.Removed, ruleOrder)
	slices.SortFunc(r.Changed, func(a, b RuleChange) int { return ruleOrder(a.New, b.New) })
	slices.SortFunc(r.ParseStatus, func(a, b StatusChange) int { return ruleOrder(a.Rule, b.Rule) })
}

func compareRule(o, n *Rule, form predicateForm) (RuleChange, bool) {
	c := RuleChange{Old: o, New: n}
	field := func(name, a, b string) {
		if a != b {
			c.Fields = append(c.Fields, FieldChange{Name: name, Old: a, New: b})
		}
	}
	field("title", o.Title, n.Title)
	field("status", o.Status, n.Status)
	field("severity", o.Severity, n.Severity)
	field("techniques", sortedList(o.Techniques), sortedList(n.Techniques))
	field("parse_status", o.ParseStatus, n.ParseStatus)
	c.PredicatesAdded = minus(n.Predicates, o.Predicates, form)
	c.PredicatesRemoved = minus(o.Predicates, n.Predicates, form)
	return c, len(c.Fields) > 0 || len(c.PredicatesAdded) > 0 || len(c.PredicatesRemoved) > 0
}

// predicateForm says which parts of a predicate both outputs hold: the
// form as written (raw) and the role.
type predicateForm struct{ raw, role bool }

// of keeps the parts of p both outputs hold.
func (f predicateForm) of(p rule.Predicate) rule.Predicate {
	if !f.raw {
		p.OpRaw, p.ValueRaw = "", ""
	}
	if !f.role {
		p.Role = ""
	}
	return p
}

// minus returns the predicates of a that b does not have, as multisets
// (a predicate twice in a and once in b is returned once), as sorted
// rule.FormatOne lines. Both forms (as written and normalized) and the
// role are compared where form says both outputs have them.
func minus(a, b []rule.Predicate, form predicateForm) []string {
	n := make(map[rule.Predicate]int, len(b))
	for _, p := range b {
		n[form.of(p)]++
	}
	var out []string
	for _, p := range a {
		p = form.of(p)
		if n[p] > 0 {
			n[p]--
		} else {
			out = append(out, rule.FormatOne(p))
		}
	}
	slices.Sort(out)
	return out
}

func comparePatterns(old, new []Pattern, names map[string]string, withRole bool) []PatternChange {
	keys := func(ps []Pattern) map[string]bool {
		m := make(map[string]bool, len(ps))
		for _, p := range ps {
			m[p.key(withRole)] = true
		}
		return m
	}
	ok, nk := keys(old), keys(new)
	var out []PatternChange
	for _, p := range new {
		if !ok[p.key(withRole)] {
			out = append(out, PatternChange{Pattern: p, Name: names[p.TechniqueID], Change: Appeared})
		}
	}
	for _, p := range old {
		if !nk[p.key(withRole)] {
			out = append(out, PatternChange{Pattern: p, Name: names[p.TechniqueID], Change: Disappeared})
		}
	}
	slices.SortFunc(out, func(a, b PatternChange) int {
		return cmp.Or(strings.Compare(a.TechniqueID, b.TechniqueID), strings.Compare(string(a.Change), string(b.Change)),
			strings.Compare(a.Field, b.Field), strings.Compare(a.Op, b.Op), strings.Compare(a.Value, b.Value))
	})
	return out
}

func sortedList(xs []string) string {
	return strings.Join(slices.Sorted(slices.Values(xs)), ", ")
}
