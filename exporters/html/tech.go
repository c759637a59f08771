package html

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
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
	kinds                                  map[string]map[string]int64 // technique → kind → rules (with roll-up), every kind
	counted                                []string                    // the kinds the counts count
}

func newTechTables(set *tables.Set) *techTables {
	tt := &techTables{set: set, events: tables.TechniqueRanges(set.Events), fields: tables.TechniqueRanges(set.Fields),
		indicators: tables.TechniqueRanges(set.Indicators), exclusions: tables.TechniqueRanges(set.Exclusions),
		kinds: map[string]map[string]int64{}, counted: set.Meta.Kinds}
	if len(tt.counted) == 0 {
		for _, k := range rule.AlertingKinds {
			tt.counted = append(tt.counted, string(k))
		}
	}
	techs, kinds := tables.Lists(set.Rules, 7), tables.Strings(set.Rules, tables.RuleKind)
	for i := range int(set.Rules.NumRows()) {
		k := kinds.Value(i)
		if k == "" {
			k = string(rule.KindDetection)
		}
		seen := map[string]bool{}
		for _, t := range tables.ListAt(techs, i) {
			for _, id := range []string{t, attack.Parent(t)} {
				if id == "" || seen[id] {
					continue
				}
				seen[id] = true
				if tt.kinds[id] == nil {
					tt.kinds[id] = map[string]int64{}
				}
				tt.kinds[id][k]++
			}
		}
	}
	return tt
}

// page returns the view.Page of technique id as view.Index.Page would, with
// at most limit event fields, indicators and exclusions (the totals are
// returned apart; computed columns are all kept) and no rules: rules are
// the site's (vendor order, then title), of which it gets the vendors to
// count.
func (tt *techTables) page(id string, vendors []string, limit int) (p view.Page, nFields, nInd, nExcl int) {
	s := tt.set
	p = view.Page{ID: id, ParentID: attack.Parent(id), Filters: s.Meta.Filters, Total: len(vendors), CountedKinds: tt.counted}
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
	for _, k := range rule.Kinds {
		p.Kinds = append(p.Kinds, view.Count{Name: string(k), Rules: tt.kinds[id][string(k)]})
	}
	if r, ok := tt.events[id]; ok {
		ev, n := tables.Strings(s.Events, 1), tables.Int64s(s.Events, 2)
		for i := r[0]; i < r[1]; i++ {
			p.Events = append(p.Events, view.Count{Name: ev.Value(i), Rules: n.Value(i)})
		}
	}
	if r, ok := tt.fields[id]; ok {
		fc := s.Fields
		f, n, how := tables.Strings(fc, tables.FieldField), tables.Int64s(fc, tables.FieldRules), tables.Strings(fc, tables.FieldHow)
		samples, role := tables.Lists(fc, tables.FieldSamples), tables.Strings(fc, tables.FieldRole)
		for i := r[0]; i < r[1]; i++ {
			computed := role.Value(i) == string(rule.RoleComputed)
			if !computed {
				nFields++
				if nFields > limit {
					continue
				}
			}
			row := view.FieldRow{Field: f.Value(i), Rules: n.Value(i), How: how.Value(i), Samples: tables.ListAt(samples, i),
				Role: role.Value(i)}
			if computed {
				p.Computed = append(p.Computed, row)
			} else {
				p.Fields = append(p.Fields, row)
			}
		}
	}
	p.Indicators, nInd = identities(s.Indicators, tt.indicators[id], tables.IndReach, tables.IndRole, true, limit)
	p.Exclusions, nExcl = identities(s.Exclusions, tt.exclusions[id], -1, tables.ExclRole, false, limit)
	return p, nFields, nInd, nExcl
}

// identities reads at most limit rows of range r of the indicators or
// exclusions table (reach: the corpus_reach column, -1 when none; event
// only leaves computed columns out) and returns them with the number of
// rows kept before the limit.
func identities(rec arrow.RecordBatch, r [2]int, reach, roleCol int, eventOnly bool, limit int) ([]view.IndicatorRow, int) {
	if r[1] == 0 {
		return nil, 0
	}
	f, op, v := tables.Strings(rec, tables.IndField), tables.Strings(rec, tables.IndOp), tables.Strings(rec, tables.IndValue)
	n, role := tables.Int64s(rec, tables.IndRules), tables.Strings(rec, roleCol)
	var out []view.IndicatorRow
	total := 0
	for i := r[0]; i < r[1]; i++ {
		if eventOnly && role.Value(i) == string(rule.RoleComputed) {
			continue
		}
		total++
		if total > limit {
			continue
		}
		row := view.IndicatorRow{Field: f.Value(i), Op: op.Value(i), Value: v.Value(i), Rules: n.Value(i), Role: role.Value(i)}
		if reach >= 0 {
			row.Reach = tables.Int64s(rec, reach).Value(i)
		}
		out = append(out, row)
	}
	return out, total
}
