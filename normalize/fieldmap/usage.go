package fieldmap

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// FieldCount is a raw field with the number of non-negated predicates on it.
type FieldCount struct {
	Field      string
	Predicates int
	Canonical  string // the field it maps to ("" when unmapped)
	Kept       bool   // listed under kept: deliberately unmapped
}

// VendorUsage summarises how well the map covers one vendor's predicates.
type VendorUsage struct {
	Vendor     string
	Predicates int          // non-negated predicates
	Canonical  int          // of those, on a canonical field after mapping
	Top        []FieldCount // raw fields by predicate count
	Unmapped   []FieldCount // raw fields that land on no canonical field and are not kept
}

// Share is the fraction of non-negated predicates on a canonical field.
func (u VendorUsage) Share() float64 {
	if u.Predicates == 0 {
		return 0
	}
	return float64(u.Canonical) / float64(u.Predicates)
}

// Usage counts, per vendor, the raw fields of the rules' non-negated
// predicates (whose Field is already mapped) and which of them the map
// covers. Vendors come out in first-seen order.
func Usage(rules []rule.Rule, m *Map) []VendorUsage {
	type key struct{ vendor, raw string }
	counts := map[key]*FieldCount{}
	var vendors []string
	usage := map[string]*VendorUsage{}
	for _, r := range rules {
		u := usage[r.Vendor]
		if u == nil {
			u = &VendorUsage{Vendor: r.Vendor}
			usage[r.Vendor] = u
			vendors = append(vendors, r.Vendor)
		}
		for _, p := range r.Predicates {
			// Only fields of the logged event want a canonical name: a
			// log-source selector (Splunk sourcetype) or a column the query
			// computes is not one.
			if p.Negated || p.Role != "" && p.Role != rule.RoleEvent {
				continue
			}
			u.Predicates++
			canonical := m.IsCanonical(p.Field)
			if canonical {
				u.Canonical++
			}
			k := key{r.Vendor, p.FieldRaw}
			fc := counts[k]
			if fc == nil {
				fc = &FieldCount{Field: p.FieldRaw, Kept: m.Kept(r.Vendor, p.FieldRaw)}
				counts[k] = fc
			}
			fc.Predicates++
			if canonical {
				fc.Canonical = p.Field
			}
		}
	}
	for k, fc := range counts {
		u := usage[k.vendor]
		u.Top = append(u.Top, *fc)
		if fc.Canonical == "" && !fc.Kept {
			u.Unmapped = append(u.Unmapped, *fc)
		}
	}
	out := make([]VendorUsage, 0, len(vendors))
	for _, v := range vendors {
		u := usage[v]
		byCount := func(a, b FieldCount) int {
			return cmp.Or(cmp.Compare(b.Predicates, a.Predicates), cmp.Compare(a.Field, b.Field))
		}
		slices.SortFunc(u.Top, byCount)
		slices.SortFunc(u.Unmapped, byCount)
		out = append(out, *u)
	}
	return out
}

// RawField is one vendor's raw field feeding a canonical name: through a
// layer of the map (Layer, Gate), or as counted in rules (Predicates).
type RawField struct {
	Vendor     string
	Field      string
	Layer      string // the map layer, when read from the map
	Gate       string // the layer's log-source gate ("key=a,b …"), when it has one
	Predicates int    // non-negated predicates, when counted in rules
}

// CanonicalFields is one canonical name with where it comes from and the
// raw fields that map to it.
type CanonicalFields struct {
	Field  string
	Origin Origin
	Raw    []RawField
}

// AsWritten is the Layer of a RawField that is canonical as written.
const AsWritten = "(as written)"

// MapSources lists, per canonical name a layer maps to, the raw fields of
// each vendor that map to it, sorted by name, then vendor and field.
func (m *Map) MapSources() []CanonicalFields {
	by := map[string][]RawField{}
	for _, l := range m.Layers() {
		gate := GateText(l.When)
		for raw, c := range l.Map {
			by[c] = append(by[c], RawField{Vendor: cmp.Or(l.Vendor, "any"), Field: raw, Layer: l.ID, Gate: gate})
		}
	}
	// An integration field is the name Elastic's rules write.
	for c := range by {
		if m.Origin(c).Kind == OriginIntegration {
			by[c] = append(by[c], RawField{Vendor: "elastic", Field: c, Layer: AsWritten})
		}
	}
	return m.canonicalList(by)
}

// RuleSources lists, per canonical name the rules' non-negated predicates
// land on, the raw fields of each vendor that fed it, with counts.
func (m *Map) RuleSources(rules []rule.Rule) []CanonicalFields {
	type key struct{ canonical, vendor, raw string }
	counts := map[key]int{}
	for _, r := range rules {
		for _, p := range r.Predicates {
			if !p.Negated && m.IsCanonical(p.Field) {
				counts[key{p.Field, r.Vendor, p.FieldRaw}]++
			}
		}
	}
	by := map[string][]RawField{}
	for k, n := range counts {
		by[k.canonical] = append(by[k.canonical], RawField{Vendor: k.vendor, Field: k.raw, Predicates: n})
	}
	out := m.canonicalList(by)
	for _, c := range out {
		slices.SortFunc(c.Raw, func(a, b RawField) int {
			return cmp.Or(cmp.Compare(a.Vendor, b.Vendor), cmp.Compare(b.Predicates, a.Predicates), cmp.Compare(a.Field, b.Field))
		})
	}
	return out
}

func (m *Map) canonicalList(by map[string][]RawField) []CanonicalFields {
	out := make([]CanonicalFields, 0, len(by))
	for name, raw := range by {
		slices.SortFunc(raw, func(a, b RawField) int {
			return cmp.Or(cmp.Compare(a.Vendor, b.Vendor), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Layer, b.Layer))
		})
		out = append(out, CanonicalFields{Field: name, Origin: m.Origin(name), Raw: raw})
	}
	slices.SortFunc(out, func(a, b CanonicalFields) int { return cmp.Compare(a.Field, b.Field) })
	return out
}

// GateText renders a layer's `when` gate as "key=a,b key2=c", keys sorted.
func GateText(when map[string][]string) string {
	keys := make([]string, 0, len(when))
	for k := range when {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strings.Join(when[k], ","))
	}
	return strings.Join(parts, " ")
}

// Describe says where a canonical name comes from, for people: "ECS",
// "integration windows", "exception: <reason>".
func (o Origin) Describe() string {
	switch o.Kind {
	case OriginECS:
		return "ECS"
	case OriginIntegration:
		return "integration " + cmp.Or(o.Integration, "(none declared)")
	case OriginException:
		return "exception: " + o.Reason
	}
	return "not canonical"
}
