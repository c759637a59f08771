package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Aggregate computes the coverage, fields, indicators, exclusions and events
// tables (SPEC §6) from the rules and predicates records. String columns are
// dictionary-encoded once; every count is over integer codes, and every
// count is of distinct rules (a rule contributes at most once per row).
//
// Only the rules of the counted kinds (Options.Kinds, the alerting kinds by
// default) are counted; the rules and predicates tables keep every rule.
// Rows are keyed by (field, role): a field that is a logged event's field in
// one rule and a computed column in another gives two rows. Indicator
// identity is (field, role, op, lower(value)) with eq and in one equality
// (shown as eq); existence checks (is_null, is_not_null) count in the
// fields' "how" and in exclusions, but are not indicator values, and an
// empty value is never a sample value.
type Aggregate struct{}

func (Aggregate) String() string { return "aggregating per technique" }

// maxSampleValues is the number of sample values per field row.
const maxSampleValues = 5

// Run adds the aggregate records to st.Tables.
func (Aggregate) Run(ctx context.Context, st *State) error {
	set := st.Tables
	if set == nil || set.Rules == nil || set.Predicates == nil {
		return fmt.Errorf("tables not built")
	}
	set.Meta.Kinds = kindNames(countedKinds(st.Opts.Kinds))
	a := newAggregator(set, countedKinds(st.Opts.Kinds))
	set.Coverage = a.coverage(st, set.Meta.Vendors)
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	if set.Fields, set.Indicators, set.Exclusions, set.Events, err = a.perTechnique(st); err != nil {
		return err
	}
	set.DataComponents, set.Actors, set.Groups, set.RuleComponents, err = a.telemetry(st) // telemetry.go
	return err
}

// dict interns strings to dense int32 codes.
type dict struct {
	codes  map[string]int32
	values []string
}

func newDict() *dict { return &dict{codes: map[string]int32{}} }

func (d *dict) code(s string) int32 {
	if c, ok := d.codes[s]; ok {
		return c
	}
	c := int32(len(d.values))
	d.codes[s] = c
	d.values = append(d.values, s)
	return c
}

// encode dictionary-encodes a string column.
func (d *dict) encode(col *array.String) []int32 {
	out := make([]int32, col.Len())
	for i := range out {
		out[i] = d.code(col.Value(i))
	}
	return out
}

// identity is an indicator's identity: field key (field and role), the
// operator with in folded into eq, and the lower-cased value.
type identity struct{ field, op, lower int32 }

// countedKinds returns the kinds the aggregates count: kinds, or the
// alerting kinds when kinds is empty.
func countedKinds(kinds []rule.Kind) []rule.Kind {
	if len(kinds) == 0 {
		return rule.AlertingKinds
	}
	return kinds
}

// kindNames lists kinds as strings in rule.Kinds order, each once.
func kindNames(kinds []rule.Kind) []string {
	var out []string
	for _, k := range rule.Kinds {
		if slices.Contains(kinds, k) {
			out = append(out, string(k))
		}
	}
	return out
}

type aggregator struct {
	nRules     int
	ruleVendor []int32 // vendor code per rule
	vendors    *dict
	predStart  []int32 // predicates of rule i are [predStart[i], predStart[i+1])

	fields, roles, ops, lowers, spellings *dict
	// A field key is a (field, role) pair: fkField and fkRole give its
	// parts; pField is the field key of each predicate.
	fkField, fkRole                    []int32
	pField, pOp, pLower, pIdent, pRole []int32
	// equalOp maps an operator code to itself, and in to eq: equality
	// against a list is one equality (SPEC §4 gives one predicate a value).
	equalOp              []int32
	pNegated, pExclusion *array.Boolean
	existence            []bool // op code → is_null or is_not_null
	emptyLower           int32  // code of the empty value; -1 when none
	identities           []identity
	identSpelling        []int32 // most common spelling code per identity
	lowerSpelling        []int32 // most common spelling code per lower-cased value

	counted []bool // rule → its kind is counted

	identRank []int32 // identity code → position in (field, role, op, value) order
	fieldRank []int32 // field key → position in (name, role) order
	opRank    []int32
	eventRank []int32

	byTechnique map[string][]int32 // technique → rules (sub-technique roll-up, each rule once)
	ruleEvents  [][]int32
	events      *dict
}

func newAggregator(set *tables.Set, kinds []rule.Kind) *aggregator {
	rules, preds := set.Rules, set.Predicates
	a := &aggregator{nRules: int(rules.NumRows()), vendors: newDict(), fields: newDict(), roles: newDict(), ops: newDict(),
		lowers: newDict(), spellings: newDict(), events: newDict(), byTechnique: map[string][]int32{}}
	a.pNegated = preds.Column(tables.PredNegated).(*array.Boolean)
	a.pExclusion = preds.Column(tables.PredExclusion).(*array.Boolean)

	// The dictionaries are independent: each is filled by one goroutine,
	// in row order, so its codes do not depend on scheduling.
	var wg sync.WaitGroup
	wg.Go(func() { // per rule: vendor, predicate offsets, techniques, events
		a.ruleVendor = a.vendors.encode(tables.Strings(rules, 0))
		a.counted = make([]bool, a.nRules)
		kindCol := tables.Strings(rules, tables.RuleKind)
		for i := range a.nRules {
			k := rule.Kind(kindCol.Value(i))
			if k == "" {
				k = rule.KindDetection
			}
			a.counted[i] = slices.Contains(kinds, k)
		}
		counts := rules.Column(14).(*array.Int32)
		a.predStart = make([]int32, a.nRules+1)
		for i := range a.nRules {
			a.predStart[i+1] = a.predStart[i] + counts.Value(i)
		}
		// Technique → rules, with sub-techniques rolled up to their parent.
		techs := tables.Lists(rules, 7)
		evs := tables.Lists(rules, 11)
		a.ruleEvents = make([][]int32, a.nRules)
		for i := range a.nRules {
			if !a.counted[i] {
				continue
			}
			for _, t := range tables.ListAt(techs, i) {
				a.addTechniqueRule(t, int32(i))
				if p := attack.Parent(t); p != "" {
					a.addTechniqueRule(p, int32(i))
				}
			}
			for _, e := range tables.ListAt(evs, i) {
				a.ruleEvents[i] = append(a.ruleEvents[i], a.events.code(e))
			}
		}
		a.eventRank = rank(a.events.values)
	})
	wg.Go(func() { // the predicates' field keys (field, role) and operators
		fields := a.fields.encode(tables.Strings(preds, tables.PredField))
		a.pRole = a.roles.encode(tables.Strings(preds, tables.PredRole))
		a.pField = a.fieldKeys(fields, a.pRole)
		a.pOp = a.ops.encode(tables.Strings(preds, tables.PredOp))
		a.ops.code(string(rule.OpEq)) // in folds into eq
		a.existence = make([]bool, len(a.ops.values))
		for c, op := range a.ops.values {
			a.existence[c] = op == string(rule.OpIsNull) || op == string(rule.OpIsNotNull)
		}
		a.fieldRank = a.fieldKeyRank()
		a.opRank = rank(a.ops.values)
	})
	// The predicates' values, as spelled and lower-cased.
	values := tables.Strings(preds, tables.PredValue)
	n := values.Len()
	a.pLower = make([]int32, n)
	spell := make([]int32, n)
	for i := range n {
		v := values.Value(i)
		spell[i] = a.spellings.code(v)
		a.pLower[i] = a.lowers.code(strings.ToLower(v))
	}
	wg.Go(func() {
		a.lowerSpelling = mostCommon(a.pLower, spell, len(a.lowers.values), a.spellings.values)
	})
	lowerRank := rank(a.lowers.values)
	a.emptyLower = -1
	if c, ok := a.lowers.codes[""]; ok {
		a.emptyLower = c
	}
	wg.Wait()

	// Indicator identity is (field key, op with in folded into eq,
	// lower(value)).
	a.equalOp = make([]int32, len(a.ops.values))
	for c, op := range a.ops.values {
		a.equalOp[c] = int32(c)
		if op == string(rule.OpIn) {
			a.equalOp[c] = a.ops.codes[string(rule.OpEq)]
		}
	}
	idents := map[identity]int32{}
	a.pIdent = make([]int32, n)
	for i := range n {
		k := identity{a.pField[i], a.equalOp[a.pOp[i]], a.pLower[i]}
		c, ok := idents[k]
		if !ok {
			c = int32(len(a.identities))
			idents[k] = c
			a.identities = append(a.identities, k)
		}
		a.pIdent[i] = c
	}
	wg.Go(func() {
		a.identSpelling = mostCommon(a.pIdent, spell, len(a.identities), a.spellings.values)
	})
	order := make([]int32, len(a.identities))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		ix, iy := a.identities[x], a.identities[y]
		return cmp.Or(cmp.Compare(a.fieldRank[ix.field], a.fieldRank[iy.field]),
			cmp.Compare(a.opRank[ix.op], a.opRank[iy.op]), cmp.Compare(lowerRank[ix.lower], lowerRank[iy.lower]))
	})
	a.identRank = make([]int32, len(order))
	for pos, code := range order {
		a.identRank[code] = int32(pos)
	}
	wg.Wait()
	return a
}

// fieldKeys gives each predicate the code of its (field, role) pair, in
// row order.
func (a *aggregator) fieldKeys(fields, roles []int32) []int32 {
	keys := map[[2]int32]int32{}
	out := make([]int32, len(fields))
	for i, f := range fields {
		k := [2]int32{f, roles[i]}
		c, ok := keys[k]
		if !ok {
			c = int32(len(a.fkField))
			keys[k] = c
			a.fkField = append(a.fkField, f)
			a.fkRole = append(a.fkRole, roles[i])
		}
		out[i] = c
	}
	return out
}

// fieldKeyRank orders the field keys by field name, then role (in
// rule.Roles order).
func (a *aggregator) fieldKeyRank() []int32 {
	names := rank(a.fields.values)
	roleOrder := make([]int, len(a.roles.values))
	for c, r := range a.roles.values {
		roleOrder[c] = slices.Index(rule.Roles, rule.Role(r))
	}
	order := make([]int32, len(a.fkField))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		return cmp.Or(cmp.Compare(names[a.fkField[x]], names[a.fkField[y]]),
			cmp.Compare(roleOrder[a.fkRole[x]], roleOrder[a.fkRole[y]]),
			cmp.Compare(a.roles.values[a.fkRole[x]], a.roles.values[a.fkRole[y]]))
	})
	r := make([]int32, len(order))
	for pos, code := range order {
		r[code] = int32(pos)
	}
	return r
}

// rank returns, for each code of a dictionary, its position in name order,
// so sorts compare integers instead of strings.
func rank(values []string) []int32 {
	order := make([]int32, len(values))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return cmp.Compare(values[x], values[y]) })
	r := make([]int32, len(values))
	for pos, code := range order {
		r[code] = int32(pos)
	}
	return r
}

func (a *aggregator) addTechniqueRule(t string, r int32) {
	l := a.byTechnique[t]
	if len(l) > 0 && l[len(l)-1] == r {
		return
	}
	a.byTechnique[t] = append(l, r)
}

// mostCommon returns, for each group code, the spelling code seen most often
// (ties to the lexically smallest spelling).
func mostCommon(group, spell []int32, nGroups int, spellings []string) []int32 {
	type gs struct{ g, s int32 }
	counts := map[gs]int{}
	for i := range group {
		counts[gs{group[i], spell[i]}]++
	}
	best := make([]int32, nGroups)
	bestN := make([]int, nGroups)
	for k, n := range counts {
		if n > bestN[k.g] || n == bestN[k.g] && spellings[k.s] < spellings[best[k.g]] {
			best[k.g], bestN[k.g] = k.s, n
		}
	}
	return best
}

// techniqueIDs returns every technique of the ATT&CK data that is current,
// plus every tagged id (known or not, revoked included), sorted.
func (a *aggregator) techniqueIDs(m *attack.Model) []string {
	var ids []string
	for _, t := range m.List {
		if t.Current() {
			ids = append(ids, t.ID)
		}
	}
	for t := range a.byTechnique {
		ids = append(ids, t)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (a *aggregator) coverage(st *State, vendors []string) arrow.RecordBatch {
	m := st.Attack
	ids := a.techniqueIDs(m)
	b := tables.NewBuilder(st.Mem, tables.CoverageSchema)
	b.Reserve(len(ids) * len(vendors))
	perVendor := make([]int64, len(a.vendors.values))
	for _, id := range ids {
		clear(perVendor)
		for _, r := range a.byTechnique[id] {
			perVendor[a.ruleVendor[r]]++
		}
		name, parent, tactics := "", attack.Parent(id), []string(nil)
		if t := m.Techniques[id]; t != nil {
			name, tactics = t.Name, t.Tactics
		}
		for _, v := range vendors {
			var n int64
			if c, ok := a.vendors.codes[v]; ok {
				n = perVendor[c]
			}
			b.Str(0, id)
			b.Str(1, name)
			b.Str(2, parent)
			b.List(3, tactics)
			b.Str(4, v)
			b.Int64(5, n)
		}
	}
	return b.Finish()
}

// counter counts distinct rules per code within one technique: stamp holds
// the last visit that counted a code, touched the codes to emit.
type counter struct {
	n       []int64
	stamp   []int64
	touched []int32
}

func newCounter(size int) *counter {
	c := &counter{n: make([]int64, size), stamp: make([]int64, size)}
	for i := range c.stamp {
		c.stamp[i] = -1
	}
	return c
}

func (c *counter) add(code int32, visit int64) {
	if c.stamp[code] == visit {
		return
	}
	if c.n[code] == 0 {
		c.touched = append(c.touched, code)
	}
	c.stamp[code] = visit
	c.n[code]++
}

// drain returns the touched codes with their counts, resetting the counter.
func (c *counter) drain() []codeCount {
	out := make([]codeCount, len(c.touched))
	for i, code := range c.touched {
		out[i] = codeCount{code, c.n[code]}
		c.n[code] = 0
	}
	c.touched = c.touched[:0]
	return out
}

type codeCount struct {
	code int32
	n    int64
}

// sparse counts distinct rules per 64-bit key within one technique.
type sparse struct {
	n     map[uint64]int64
	stamp map[uint64]int64
}

func (s *sparse) add(k uint64, visit int64) {
	if s.stamp[k] == visit+1 {
		return
	}
	s.stamp[k] = visit + 1
	s.n[k]++
}

func (a *aggregator) perTechnique(st *State) (fields, indicators, exclusions, events arrow.RecordBatch, err error) {
	nIdent := len(a.identities)
	reach := make([]int64, nIdent)
	seen := make([]int32, nIdent)
	for i := range seen {
		seen[i] = -1
	}
	for r := range a.nRules {
		if !a.counted[r] {
			continue
		}
		for p := a.predStart[r]; p < a.predStart[r+1]; p++ {
			if a.pNegated.Value(int(p)) || a.existence[a.pOp[p]] {
				continue
			}
			if id := a.pIdent[p]; seen[id] != int32(r) {
				seen[id] = int32(r)
				reach[id]++
			}
		}
	}

	ids := make([]string, 0, len(a.byTechnique))
	for t := range a.byTechnique {
		ids = append(ids, t)
	}
	slices.Sort(ids)

	// Techniques are cut into contiguous shards of about equal work
	// (predicate visits), aggregated side by side, and the shards' records
	// joined in technique order.
	shards := shardTechniques(ids, a, runtime.GOMAXPROCS(0))
	out := make([][4]arrow.RecordBatch, len(shards))
	var wg sync.WaitGroup
	for i, part := range shards {
		wg.Go(func() { out[i] = a.aggregateShard(st, part, reach) })
	}
	wg.Wait()
	var joined [4]arrow.RecordBatch
	var errs []error
	for c := range joined {
		recs := make([]arrow.RecordBatch, len(out))
		for i := range out {
			recs[i] = out[i][c]
		}
		joined[c], err = joinRecords(recs)
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		for _, rec := range joined {
			if rec != nil {
				rec.Release()
			}
		}
		return nil, nil, nil, nil, fmt.Errorf("joining aggregate shards: %w", err)
	}
	return joined[0], joined[1], joined[2], joined[3], nil
}

// shardTechniques cuts ids into at most n contiguous runs of about equal
// work, counted in predicates of their rules.
func shardTechniques(ids []string, a *aggregator, n int) [][]string {
	if n <= 1 || len(ids) < 2*n {
		return [][]string{ids}
	}
	work := make([]int64, len(ids))
	var total int64
	for i, t := range ids {
		for _, r := range a.byTechnique[t] {
			work[i] += int64(a.predStart[r+1]-a.predStart[r]) + 1
		}
		total += work[i]
	}
	var shards [][]string
	start, acc := 0, int64(0)
	for i := range ids {
		acc += work[i]
		if len(shards) < n-1 && acc*int64(n) >= total*int64(len(shards)+1) {
			shards = append(shards, ids[start:i+1])
			start = i + 1
		}
	}
	return append(shards, ids[start:])
}

// joinRecords concatenates records of one schema in order and releases
// them.
func joinRecords(recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 1 {
		return recs[0], nil
	}
	tbl := array.NewTableFromRecords(recs[0].Schema(), recs)
	for _, r := range recs {
		r.Release()
	}
	defer tbl.Release()
	return tables.Concat(tbl)
}

// aggregateShard writes the fields, indicators, exclusions and events rows
// of the techniques ids (sorted).
func (a *aggregator) aggregateShard(st *State, ids []string, reach []int64) [4]arrow.RecordBatch {
	nIdent := len(a.identities)
	nOps := int32(len(a.ops.values))
	fieldRules := newCounter(len(a.fkField))
	fieldOpRules := newCounter(len(a.fkField) * int(nOps))
	indRules := newCounter(nIdent)
	exclRules := newCounter(nIdent)
	eventRules := newCounter(len(a.events.values))
	samples := &sparse{n: map[uint64]int64{}, stamp: map[uint64]int64{}}

	fb := tables.NewBuilder(st.Mem, tables.FieldsSchema)
	ib := tables.NewBuilder(st.Mem, tables.IndicatorsSchema)
	xb := tables.NewBuilder(st.Mem, tables.ExclusionsSchema)
	eb := tables.NewBuilder(st.Mem, tables.EventsSchema)
	var visit int64
	for _, t := range ids {
		clear(samples.n)
		clear(samples.stamp)
		for _, r := range a.byTechnique[t] {
			visit++
			for _, e := range a.ruleEvents[r] {
				eventRules.add(e, visit)
			}
			for p := a.predStart[r]; p < a.predStart[r+1]; p++ {
				if a.pExclusion.Value(int(p)) {
					exclRules.add(a.pIdent[p], visit)
				}
				if a.pNegated.Value(int(p)) {
					continue
				}
				f := a.pField[p]
				fieldRules.add(f, visit)
				fieldOpRules.add(f*nOps+a.equalOp[a.pOp[p]], visit) // one equality, as in indicators
				if a.existence[a.pOp[p]] {
					continue // not a value: in "how" only
				}
				indRules.add(a.pIdent[p], visit)
				if a.pLower[p] != a.emptyLower {
					samples.add(uint64(f)<<32|uint64(a.pLower[p]), visit)
				}
			}
		}
		a.emitFields(fb, t, fieldRules.drain(), fieldOpRules, nOps, samples)
		a.emitIdentities(ib, t, indRules.drain(), reach, tables.IndRole)
		a.emitIdentities(xb, t, exclRules.drain(), nil, tables.ExclRole)
		for _, ec := range sortCounts(eventRules.drain(), a.eventRank) {
			eb.Str(0, t)
			eb.Str(1, a.events.values[ec.code])
			eb.Int64(2, ec.n)
		}
	}
	return [4]arrow.RecordBatch{fb.Finish(), ib.Finish(), xb.Finish(), eb.Finish()}
}

// sortCounts orders by count descending, then name (by its rank).
func sortCounts(cs []codeCount, ranks []int32) []codeCount {
	slices.SortFunc(cs, func(x, y codeCount) int {
		return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(ranks[x.code], ranks[y.code]))
	})
	return cs
}

func (a *aggregator) emitFields(b *tables.Builder, t string, fcs []codeCount, fieldOps *counter, nOps int32, samples *sparse) {
	// Per field: its op counts and sample values.
	opsOf := map[int32][]codeCount{}
	for _, fo := range fieldOps.drain() {
		f, op := fo.code/nOps, fo.code%nOps
		opsOf[f] = append(opsOf[f], codeCount{op, fo.n})
	}
	valsOf := map[int32][]codeCount{}
	for k, n := range samples.n {
		f, v := int32(k>>32), int32(uint32(k))
		valsOf[f] = append(valsOf[f], codeCount{v, n})
	}
	for _, fc := range sortCounts(fcs, a.fieldRank) {
		var how []string
		for _, oc := range sortCounts(opsOf[fc.code], a.opRank) {
			how = append(how, fmt.Sprintf("%s %d", a.ops.values[oc.code], oc.n))
		}
		vals := valsOf[fc.code]
		slices.SortFunc(vals, func(x, y codeCount) int {
			return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(a.lowers.values[x.code], a.lowers.values[y.code]))
		})
		var sample []string
		for _, v := range vals[:min(len(vals), maxSampleValues)] {
			sample = append(sample, a.spellings.values[a.lowerSpelling[v.code]])
		}
		b.Str(tables.FieldTechnique, t)
		b.Str(tables.FieldField, a.fields.values[a.fkField[fc.code]])
		b.Int64(tables.FieldRules, fc.n)
		b.Str(tables.FieldHow, strings.Join(how, ", "))
		b.List(tables.FieldSamples, sample)
		b.Str(tables.FieldRole, a.roles.values[a.fkRole[fc.code]])
	}
}

// emitIdentities writes (field, op, value, rules) rows in the column order
// the indicators and exclusions tables share; reach adds corpus_reach, and
// the role goes in column roleCol.
func (a *aggregator) emitIdentities(b *tables.Builder, t string, ics []codeCount, reach []int64, roleCol int) {
	sortCounts(ics, a.identRank)
	for _, ic := range ics {
		id := a.identities[ic.code]
		b.Str(tables.IndTechnique, t)
		b.Str(tables.IndField, a.fields.values[a.fkField[id.field]])
		b.Str(tables.IndOp, a.ops.values[id.op])
		b.Str(tables.IndValue, a.spellings.values[a.identSpelling[ic.code]])
		b.Int64(tables.IndRules, ic.n)
		if reach != nil {
			b.Int64(tables.IndReach, reach[ic.code])
		}
		b.Str(roleCol, a.roles.values[a.fkRole[id.field]])
	}
}
