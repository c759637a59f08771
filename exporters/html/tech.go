package html

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// techTables reads a technique's rows of the aggregate tables (events,
// fields, indicators, exclusions: sorted by technique id) for its page.
// view.Index.Page builds the same model but also materializes every rule
// of the technique with its predicates, and every indicator row; the site
// renders rules from its own cards and shows at most maxRows rows, so it
// reads only those (T1059 alone rolls up over a thousand rules and
// thousands of indicators).
type techTables struct {
	set                                    *tables.Set
	events, fields, indicators, exclusions map[string][2]int
}

func newTechTables(set *tables.Set) *techTables {
	return &techTables{set: set, events: tables.TechniqueRanges(set.Events), fields: tables.TechniqueRanges(set.Fields),
		indicators: tables.TechniqueRanges(set.Indicators), exclusions: tables.TechniqueRanges(set.Exclusions)}
}

// page returns the view.Page of technique id as view.Index.Page would, with
// at most limit fields, indicators and exclusions (the totals are returned
// apart) and no rules: rules are the site's (vendor order, then title), of
// which it gets the vendors to count.
func (tt *techTables) page(id string, vendors []string, limit int) (p view.Page, nFields, nInd, nExcl int) {
	s := tt.set
	p = view.Page{ID: id, ParentID: attack.Parent(id), Filters: s.Meta.Filters, Total: len(vendors)}
	if s.Attack != nil {
		if t := s.Attack.Techniques[id]; t != nil {
			p.Name, p.Tactics, p.Platforms, p.Description = t.Name, t.Tactics, t.Platforms, t.Description
			p.Known, p.Revoked = true, t.Revoked
		}
	}
	perVendor := map[string]int64{}
	for _, v := range vendors {
		perVendor[v]++
	}
	for _, v := range s.Meta.Vendors {
		p.Vendors = append(p.Vendors, view.Count{Name: v, Rules: perVendor[v]})
	}
	if r, ok := tt.events[id]; ok {
		ev, n := tables.Strings(s.Events, 1), tables.Int64s(s.Events, 2)
		for i := r[0]; i < r[1]; i++ {
			p.Events = append(p.Events, view.Count{Name: ev.Value(i), Rules: n.Value(i)})
		}
	}
	if r, ok := tt.fields[id]; ok {
		nFields = r[1] - r[0]
		f, n, how, samples := tables.Strings(s.Fields, 1), tables.Int64s(s.Fields, 2), tables.Strings(s.Fields, 3), tables.Lists(s.Fields, 4)
		for i := r[0]; i < min(r[1], r[0]+limit); i++ {
			p.Fields = append(p.Fields, view.FieldRow{Field: f.Value(i), Rules: n.Value(i), How: how.Value(i), Samples: tables.ListAt(samples, i)})
		}
	}
	p.Indicators, nInd = identities(s.Indicators, tt.indicators[id], true, limit)
	p.Exclusions, nExcl = identities(s.Exclusions, tt.exclusions[id], false, limit)
	return p, nFields, nInd, nExcl
}

// identities reads at most limit rows of range r of the indicators or
// exclusions table and returns them with the range's size.
func identities(rec arrow.RecordBatch, r [2]int, reach bool, limit int) ([]view.IndicatorRow, int) {
	if r[1] == 0 {
		return nil, 0
	}
	f, op, v, n := tables.Strings(rec, 1), tables.Strings(rec, 2), tables.Strings(rec, 3), tables.Int64s(rec, 4)
	var out []view.IndicatorRow
	for i := r[0]; i < min(r[1], r[0]+limit); i++ {
		row := view.IndicatorRow{Field: f.Value(i), Op: op.Value(i), Value: v.Value(i), Rules: n.Value(i)}
		if reach {
			row.Reach = tables.Int64s(rec, 5).Value(i)
		}
		out = append(out, row)
	}
	return out, r[1] - r[0]
}
