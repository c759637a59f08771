package pipeline

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/telemetry"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// ResolveGroups maps --group keys (ATT&CK id, name or alias,
// case-insensitive) to group ids, in request order, each once.
func ResolveGroups(m *attack.Model, keys []string) ([]string, error) {
	var ids, unknown []string
	for _, k := range keys {
		g, ok := m.Group(k)
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		if !slices.Contains(ids, g.ID) {
			ids = append(ids, g.ID)
		}
	}
	if len(unknown) > 0 {
		return ids, fmt.Errorf("unknown ATT&CK group %s (ATT&CK %s)", strings.Join(unknown, ", "), m.Version)
	}
	return ids, nil
}

// telemetry builds the datacomponents and actors tables and resolves the
// requested groups. Called from Aggregate.Run after coverage, so it shares
// the technique → rules roll-up.
func (a *aggregator) telemetry(st *State) (dcs, actors arrow.RecordBatch, groups []string, ruleComponents [][]string, err error) {
	m := st.Attack
	groups, err = ResolveGroups(m, st.Opts.Groups)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	tm, err := telemetry.Default()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	// Data components per rule (rows of the rules record are st.Rules in order).
	comps := newDict()
	ruleComps := make([][]int32, a.nRules)
	if len(st.Rules) == a.nRules {
		for i := range st.Rules {
			for _, id := range tm.Rule(&st.Rules[i]) {
				ruleComps[i] = append(ruleComps[i], comps.code(id))
			}
		}
	}
	ruleComponents = make([][]string, len(ruleComps))
	for i, cs := range ruleComps {
		for _, c := range cs {
			ruleComponents[i] = append(ruleComponents[i], comps.values[c])
		}
	}
	name := func(id string) string {
		if dc := m.Component(id); dc != nil {
			return dc.Name
		}
		return tm.Name(id)
	}
	vendorsOf := func(rules []int32, keep func(int32) bool) []string {
		seen := make([]bool, len(a.vendors.values))
		for _, r := range rules {
			if keep(r) {
				seen[a.ruleVendor[r]] = true
			}
		}
		var out []string
		for c, ok := range seen {
			if ok {
				out = append(out, a.vendors.values[c])
			}
		}
		slices.Sort(out)
		return out
	}

	b := tables.NewBuilder(st.Mem, tables.DataComponentsSchema)
	count := make([]int64, len(comps.values))
	for _, tid := range a.techniqueIDs(m) {
		clear(count)
		rules := a.byTechnique[tid]
		for _, r := range rules {
			for _, c := range ruleComps[r] {
				count[c]++
			}
		}
		ids := slices.Clone(m.Recommended(tid))
		for c, n := range count {
			if n > 0 {
				ids = append(ids, comps.values[c])
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		recommended := m.Recommended(tid)
		for _, id := range ids {
			var n int64
			var vendors []string
			if c, ok := comps.codes[id]; ok && count[c] > 0 {
				n = count[c]
				vendors = vendorsOf(rules, func(r int32) bool { return slices.Contains(ruleComps[r], c) })
			}
			b.Str(0, tid)
			b.Str(1, id)
			b.Str(2, name(id))
			b.Bool(3, slices.Contains(recommended, id))
			b.Int64(4, n)
			b.List(5, vendors)
		}
	}
	dcs = b.Finish()

	ab := tables.NewBuilder(st.Mem, tables.ActorsSchema)
	all := func(int32) bool { return true }
	for _, g := range m.Groups {
		for _, tid := range g.Techniques {
			tname := ""
			if t := m.Techniques[tid]; t != nil {
				tname = t.Name
			}
			rules := a.byTechnique[tid]
			ab.Str(0, g.ID)
			ab.Str(1, g.Name)
			ab.Str(2, tid)
			ab.Str(3, tname)
			ab.Int64(4, int64(len(rules)))
			ab.List(5, vendorsOf(rules, all))
		}
	}
	return dcs, ab.Finish(), groups, ruleComponents, nil
}
