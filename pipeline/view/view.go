// Package view builds the per-technique page of SPEC §8 from a run's tables:
// the model every export (text, PDF, HTML, workbook) renders in its own
// medium. Build an Index once, then ask it for pages.
package view

import (
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Count is a name with a number of rules.
type Count struct {
	Name  string
	Rules int64
}

// FieldRow is one row of "Fields filtered most" or of "Thresholds and
// computed columns".
type FieldRow struct {
	Field   string
	Rules   int64
	How     string // "eq 9, contains 3" (in counts as eq)
	Samples []string
	Role    string // event, logsource or computed
}

// IndicatorRow is one row of "Top indicator values" or "Exclusions".
type IndicatorRow struct {
	Field, Op, Value string
	Rules            int64
	Reach            int64  // corpus reach; 0 for exclusions
	Role             string // event, logsource or computed
}

// Specific reports whether the indicator is specific to this technique
// (corpus reach equals rules here), in which case pages leave reach blank.
func (r IndicatorRow) Specific() bool { return r.Reach == r.Rules }

// Pred is one predicate of a rule.
type Pred struct {
	Field, FieldRaw, Op, Value string
	OpRaw, ValueRaw            string // the rule as written (SPEC §4)
	Role                       string // event, logsource or computed
	Negated, Exclusion         bool
}

// Rule is one rule on a page.
type Rule struct {
	Vendor, ID, Title, Path, Severity, Status, Language, ParseStatus, ParseError string
	Kind, RuleType                                                               string
	Techniques, Platforms, Domains, Events                                       []string
	Predicates                                                                   []Pred
}

// Page is the SPEC §8 technique page. Its counts and tables are of the
// counted kinds (CountedKinds: the alerting kinds unless --kind says
// otherwise); hunting queries are listed apart in Hunting.
type Page struct {
	ID, Name, ParentID string
	Tactics, Platforms []string
	Description        string // first paragraph, when the ATT&CK bundle had prose
	Known              bool   // the id is in the ATT&CK data
	Revoked            bool

	Filters      tables.Filters
	CountedKinds []string // the kinds the counts and tables count, in rule.Kinds order
	Vendors      []Count  // every vendor of the run, in run order, zeros included (counted kinds)
	Total        int      // distinct rules of the counted kinds
	// Kinds counts the technique's rules per kind, every kind of rule.Kinds
	// in that order, zeros included, counted or not.
	Kinds  []Count
	Events []Count
	// Fields are the event and log-source fields (roles event and
	// logsource), most rules first; Computed the columns the queries
	// compute (role computed: aggregation outputs, thresholds), for the
	// "Thresholds and computed columns" table.
	Fields   []FieldRow
	Computed []FieldRow
	// Indicators are the indicator values of event and log-source fields;
	// values compared on computed columns are in Computed's samples.
	Indicators []IndicatorRow
	Exclusions []IndicatorRow // every role, with its role
	Rules      []Rule         // the counted rules but hunting ones, grouped by vendor (run order), then by title
	// Hunting are the technique's hunting queries (kind hunting), counted or
	// not, grouped like Rules: exporters show them in their own section.
	Hunting []Rule
}

// Index gives fast access to the pages of one run.
type Index struct {
	set        *tables.Set
	rows       map[string]map[string][2]int // table → technique → [start, end)
	byTech     map[string][]int             // technique → rule rows (with roll-up), every kind
	counted    []bool                       // rule row → its kind is counted
	kinds      []string                     // rule row → kind
	predStart  []int
	techniques []string // technique ids with at least one counted or hunting rule, sorted
}

// NewIndex indexes a run's tables.
func NewIndex(set *tables.Set) *Index {
	ix := &Index{set: set, rows: map[string]map[string][2]int{}, byTech: map[string][]int{}}
	for _, t := range []tables.Named{{Name: tables.FieldsName, Record: set.Fields},
		{Name: tables.IndicatorsName, Record: set.Indicators}, {Name: tables.ExclusionsName, Record: set.Exclusions},
		{Name: tables.EventsName, Record: set.Events}} {
		ix.rows[t.Name] = tables.TechniqueRanges(t.Record)
	}
	n := int(set.Rules.NumRows())
	counts := set.Rules.Column(14).(*array.Int32)
	ix.predStart = make([]int, n+1)
	techs := tables.Lists(set.Rules, 7)
	counted := set.Meta.Kinds
	if len(counted) == 0 {
		counted = alerting
	}
	kindCol := tables.Strings(set.Rules, tables.RuleKind)
	ix.counted = make([]bool, n)
	ix.kinds = make([]string, n)
	listed := map[string]bool{}
	for i := range n {
		ix.predStart[i+1] = ix.predStart[i] + int(counts.Value(i))
		k := kindCol.Value(i)
		if k == "" {
			k = string(rule.KindDetection)
		}
		ix.kinds[i] = k
		ix.counted[i] = slices.Contains(counted, k)
		for _, t := range tables.ListAt(techs, i) {
			ix.add(t, i)
			if p := attack.Parent(t); p != "" {
				ix.add(p, i)
			}
			if ix.counted[i] || k == string(rule.KindHunting) {
				listed[t] = true
				if p := attack.Parent(t); p != "" {
					listed[p] = true
				}
			}
		}
	}
	for t := range listed {
		ix.techniques = append(ix.techniques, t)
	}
	slices.Sort(ix.techniques)
	return ix
}

func (ix *Index) add(t string, r int) {
	l := ix.byTech[t]
	if len(l) > 0 && l[len(l)-1] == r {
		return
	}
	ix.byTech[t] = append(l, r)
}

// alerting are the kinds counted when the tables do not say (rule.AlertingKinds).
var alerting = func() []string {
	var out []string
	for _, k := range rule.AlertingKinds {
		out = append(out, string(k))
	}
	return out
}()

// Techniques lists the technique ids that have at least one rule of a
// counted kind or a hunting query, sorted.
func (ix *Index) Techniques() []string { return ix.techniques }

// RuleCount returns the number of distinct rules of the counted kinds of a
// technique (with roll-up).
func (ix *Index) RuleCount(id string) int {
	n := 0
	for _, r := range ix.byTech[id] {
		if ix.counted[r] {
			n++
		}
	}
	return n
}

// Page builds the page of one technique id (upper-case T-number).
func (ix *Index) Page(id string) Page {
	id = strings.ToUpper(strings.TrimSpace(id))
	s := ix.set
	p := Page{ID: id, ParentID: attack.Parent(id), Filters: s.Meta.Filters}
	if s.Attack != nil {
		if t := s.Attack.Techniques[id]; t != nil {
			p.Name, p.Tactics, p.Platforms, p.Description = t.Name, t.Tactics, t.Platforms, t.Description
			p.Known, p.Revoked = true, t.Revoked
		}
	}
	p.CountedKinds = s.Meta.Kinds
	if len(p.CountedKinds) == 0 {
		p.CountedKinds = alerting
	}
	var ruleRows, huntRows []int
	perVendor := map[string]int64{}
	perKind := map[string]int64{}
	vendorCol := tables.Strings(s.Rules, 0)
	for _, r := range ix.byTech[id] {
		perKind[ix.kinds[r]]++
		if ix.counted[r] {
			p.Total++
			perVendor[vendorCol.Value(r)]++
		}
		switch {
		case ix.kinds[r] == string(rule.KindHunting):
			huntRows = append(huntRows, r)
		case ix.counted[r]:
			ruleRows = append(ruleRows, r)
		}
	}
	for _, v := range s.Meta.Vendors {
		p.Vendors = append(p.Vendors, Count{v, perVendor[v]})
	}
	for _, k := range rule.Kinds {
		p.Kinds = append(p.Kinds, Count{string(k), perKind[string(k)]})
	}

	if r, ok := ix.rows[tables.EventsName][id]; ok {
		ev, n := tables.Strings(s.Events, 1), tables.Int64s(s.Events, 2)
		for i := r[0]; i < r[1]; i++ {
			p.Events = append(p.Events, Count{ev.Value(i), n.Value(i)})
		}
	}
	if r, ok := ix.rows[tables.FieldsName][id]; ok {
		fc := s.Fields
		f, n, how := tables.Strings(fc, tables.FieldField), tables.Int64s(fc, tables.FieldRules), tables.Strings(fc, tables.FieldHow)
		samples, role := tables.Lists(fc, tables.FieldSamples), tables.Strings(fc, tables.FieldRole)
		for i := r[0]; i < r[1]; i++ {
			row := FieldRow{f.Value(i), n.Value(i), how.Value(i), tables.ListAt(samples, i), role.Value(i)}
			if row.Role == string(rule.RoleComputed) {
				p.Computed = append(p.Computed, row)
			} else {
				p.Fields = append(p.Fields, row)
			}
		}
	}
	for _, row := range identityRows(s.Indicators, ix.rows[tables.IndicatorsName][id], tables.IndReach, tables.IndRole) {
		if row.Role != string(rule.RoleComputed) {
			p.Indicators = append(p.Indicators, row)
		}
	}
	p.Exclusions = identityRows(s.Exclusions, ix.rows[tables.ExclusionsName][id], -1, tables.ExclRole)
	p.Rules = ix.rules(ruleRows)
	p.Hunting = ix.rules(huntRows)
	return p
}

// identityRows reads rows r of the indicators or exclusions table; reach
// is the corpus_reach column, -1 when there is none.
func identityRows(rec arrow.RecordBatch, r [2]int, reach, roleCol int) []IndicatorRow {
	if r[1] == 0 {
		return nil
	}
	f, op, v := tables.Strings(rec, tables.IndField), tables.Strings(rec, tables.IndOp), tables.Strings(rec, tables.IndValue)
	n, role := tables.Int64s(rec, tables.IndRules), tables.Strings(rec, roleCol)
	var out []IndicatorRow
	for i := r[0]; i < r[1]; i++ {
		row := IndicatorRow{Field: f.Value(i), Op: op.Value(i), Value: v.Value(i), Rules: n.Value(i), Role: role.Value(i)}
		if reach >= 0 {
			row.Reach = tables.Int64s(rec, reach).Value(i)
		}
		out = append(out, row)
	}
	return out
}

// Rules returns every rule of the run (rows of the rules table) as page rules.
func (ix *Index) Rules() []Rule {
	rows := make([]int, ix.set.Rules.NumRows())
	for i := range rows {
		rows[i] = i
	}
	return ix.rules(rows)
}

func (ix *Index) rules(rows []int) []Rule {
	s := ix.set
	rc := s.Rules
	str := func(c int) *array.String { return tables.Strings(rc, c) }
	lst := func(c int) *array.List { return tables.Lists(rc, c) }
	pc := s.Predicates
	// Sort the rows first, on keys made once per rule (vendor order, title
	// without case, id), then build the rules in that order.
	order := map[string]int{}
	for i, v := range s.Meta.Vendors {
		order[v] = i
	}
	type key struct {
		vendor    int
		title, id string
		row       int
	}
	keys := make([]key, len(rows))
	for i, r := range rows {
		keys[i] = key{order[str(0).Value(r)], strings.ToLower(str(3).Value(r)), str(1).Value(r), r}
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		if d := a.vendor - b.vendor; d != 0 {
			return d
		}
		if c := strings.Compare(a.title, b.title); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	field, fieldRaw, op, value := tables.Strings(pc, tables.PredField), tables.Strings(pc, tables.PredFieldRaw),
		tables.Strings(pc, tables.PredOp), tables.Strings(pc, tables.PredValue)
	opRaw, valueRaw, role := tables.Strings(pc, tables.PredOpRaw), tables.Strings(pc, tables.PredValueRaw),
		tables.Strings(pc, tables.PredRole)
	negated, exclusion := pc.Column(tables.PredNegated).(*array.Boolean), pc.Column(tables.PredExclusion).(*array.Boolean)
	out := make([]Rule, 0, len(rows))
	for _, k := range keys {
		r := k.row
		rr := Rule{Vendor: str(0).Value(r), ID: str(1).Value(r), Path: str(2).Value(r), Title: str(3).Value(r),
			Status: str(4).Value(r), Severity: str(5).Value(r), Language: str(6).Value(r),
			Techniques: tables.ListAt(lst(7), r), Platforms: tables.ListAt(lst(9), r),
			Domains: tables.ListAt(lst(10), r), Events: tables.ListAt(lst(11), r),
			ParseStatus: str(12).Value(r), ParseError: str(13).Value(r),
			Kind: str(tables.RuleKind).Value(r), RuleType: str(tables.RuleRuleType).Value(r)}
		if n := ix.predStart[r+1] - ix.predStart[r]; n > 0 {
			rr.Predicates = make([]Pred, 0, n)
		}
		for i := ix.predStart[r]; i < ix.predStart[r+1]; i++ {
			rr.Predicates = append(rr.Predicates, Pred{
				Field: field.Value(i), FieldRaw: fieldRaw.Value(i), Op: op.Value(i), Value: value.Value(i),
				OpRaw: opRaw.Value(i), ValueRaw: valueRaw.Value(i), Role: role.Value(i),
				Negated: negated.Value(i), Exclusion: exclusion.Value(i)})
		}
		out = append(out, rr)
	}
	return out
}
