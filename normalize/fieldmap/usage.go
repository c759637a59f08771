package fieldmap

import (
	"cmp"
	"slices"

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
			if p.Negated {
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
