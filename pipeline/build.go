package pipeline

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// BuildTables sorts the rules by (vendor, rule_id) and builds the rules and
// predicates Arrow records.
type BuildTables struct{}

func (BuildTables) String() string { return "building Arrow tables" }

// Run fills st.Tables with the rules and predicates records and the run facts.
func (BuildTables) Run(_ context.Context, st *State) error {
	// What became of each file, from the rules it gave (before the sort
	// loses the rules' order).
	perFile := make([]int, len(st.Files))
	if len(st.ruleFile) == len(st.Rules) {
		for _, f := range st.ruleFile {
			perFile[f]++
		}
	}
	var files []fileRow
	if len(st.fileStats) == len(st.Files) {
		files = st.fileRows(perFile)
	}
	st.ruleFile = nil
	slices.SortFunc(st.Rules, func(a, b rule.Rule) int {
		return cmp.Or(cmp.Compare(a.Vendor, b.Vendor), cmp.Compare(a.RuleID, b.RuleID))
	})
	set := &tables.Set{Attack: st.Attack, Problems: st.Problems.Sorted()}
	// The two records read the rules and nothing else: build them side by
	// side.
	var wg sync.WaitGroup
	wg.Go(func() { set.Rules = buildRules(st, st.Rules) })
	wg.Go(func() { set.Files = buildFiles(st, files) })
	set.Predicates = buildPredicates(st, st.Rules)
	set.Texts = make([]tables.RuleText, len(st.Rules))
	for i, r := range st.Rules {
		set.Texts[i] = tables.RuleText{Query: r.Query, Logic: r.Logic}
	}
	wg.Wait()
	set.Meta = tables.Meta{
		Vendors:       sortedVendors(st.Opts.Sources),
		Filters:       st.Opts.Filters,
		AttackVersion: st.Attack.Version,
		ReportDate:    reportDate(st.Opts.ReportDate, st.Rules),
		ToolVersion:   st.Opts.ToolVersion,
	}
	for _, s := range st.Opts.Sources {
		commit, dirty := gitState(s.Root)
		set.Meta.Sources = append(set.Meta.Sources, tables.Source{Vendor: s.Vendor, Root: s.Root, Commit: commit,
			Dirty: dirty != nil && *dirty, WebURL: webURL(s.Root, commit)})
	}
	st.Tables = set
	st.Counts = tallyRules(st.Rules, func(r *rule.Rule) rule.Status { return r.ParseStatus })
	st.KindCounts = tallyRules(st.Rules, func(r *rule.Rule) rule.Kind { return r.Kind })
	st.FileCounts = countFiles(files)
	if files != nil {
		st.Skipped = st.FileCounts.Of(tables.OutcomeSkipped)
	}
	return nil
}

// reportDate is the given date, else the newest rule date, else "".
func reportDate(given string, rules []rule.Rule) string {
	if given != "" {
		return given
	}
	best := ""
	for _, r := range rules {
		best = max(best, r.Date)
	}
	return best
}

func buildRules(st *State, rules []rule.Rule) arrow.RecordBatch {
	b := tables.NewBuilder(st.Mem, tables.RulesSchema)
	b.Reserve(len(rules))
	for _, r := range rules {
		b.Str(0, r.Vendor)
		b.Str(1, r.RuleID)
		b.Str(2, r.Path)
		b.Str(3, r.Title)
		b.Str(4, r.Status)
		b.Str(5, r.Severity)
		b.Str(6, r.Language)
		b.List(7, r.Techniques)
		b.List(8, r.Tactics)
		b.List(9, r.Platforms)
		b.List(10, r.Domains)
		b.List(11, r.Events)
		b.Str(12, string(r.ParseStatus))
		b.Str(13, r.ParseError)
		b.Int32(14, int32(len(r.Predicates)))
		b.Str(tables.RuleKind, string(r.Kind))
		b.Str(tables.RuleRuleType, r.RuleType)
	}
	return b.Finish()
}

func buildPredicates(st *State, rules []rule.Rule) arrow.RecordBatch {
	n := 0
	for _, r := range rules {
		n += len(r.Predicates)
	}
	b := tables.NewBuilder(st.Mem, tables.PredicatesSchema)
	b.Reserve(n)
	for _, r := range rules {
		for _, p := range r.Predicates {
			b.Str(tables.PredVendor, r.Vendor)
			b.Str(tables.PredRuleID, r.RuleID)
			b.Str(tables.PredFieldRaw, p.FieldRaw)
			b.Str(tables.PredOpRaw, string(p.OpRaw))
			b.Str(tables.PredValueRaw, p.ValueRaw)
			b.Str(tables.PredField, p.Field)
			b.Str(tables.PredOp, string(p.Op))
			b.Str(tables.PredValue, p.Value)
			b.Str(tables.PredRole, string(p.Role))
			b.Bool(tables.PredNegated, p.Negated)
			b.Bool(tables.PredExclusion, p.Exclusion)
		}
	}
	return b.Finish()
}
