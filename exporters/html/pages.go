package html

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Pages of the site besides technique and field pages: the index, tactics,
// gaps, groups, problems, the rules on no technique page, and search.

const (
	unmappedFile = "unmapped.html"
	gapsFile     = "gaps.html"
	groupsFile   = "groups.html"
	searchFile   = "search.html"
	problemsFile = "problems.html"
)

type base struct {
	Root, Title string
	Meta        tables.Meta
	Trend       bool // the site has a trend page (trend.go)
}

func (s *site) base(from, title string) base {
	return base{Root: href(from, ""), Title: clean(title), Meta: s.set.Meta, Trend: hasTrend(s.set)}
}

type techRow struct {
	ID, Name, Href, Tactics, Search string
	Rules                           int64
	Sub                             bool
	Vendors                         []view.Count
}

type tacticRow struct {
	T    view.TacticCoverage
	Href string
}

// pages lists every page of the site in a stable order.
func (s *site) pages() []page {
	var out []page
	add := func(rel, name string, data func(from string) any) {
		out = append(out, page{rel: rel, render: func(w *worker) ([]byte, error) {
			w.bb.Reset()
			err := s.t.ExecuteTemplate(&w.bb, name, data(rel))
			return w.bb.Bytes(), err
		}})
	}
	add("index.html", "index", s.indexData)
	if hasTrend(s.set) {
		add(TrendFile, "trend", s.trendData)
	}
	add(problemsFile, "problems", s.problemsData)
	add(gapsFile, "gaps", s.gapsData)
	add(searchFile, "search", func(from string) any { return s.base(from, "Search") })
	out = append(out, page{rel: searchData, render: s.searchIndex})
	add(groupsFile, "groups", s.groupsData)
	for _, g := range s.groupList() {
		add(s.groupFile[g.ID], "group", func(from string) any { return s.groupData(from, g.ID) })
	}
	out = append(out, page{rel: unmappedFile, render: s.unmappedPage})
	for _, t := range s.cat.Tactics {
		add(s.tacticFile[t.Name], "tactic", func(from string) any { return s.tacticData(from, t) })
	}
	for _, id := range s.techIDs {
		rel := s.techFile[id]
		out = append(out, page{rel: rel, render: func(w *worker) ([]byte, error) { return s.techniquePage(w, rel, id) }})
	}
	out = append(out, s.ruleChunks()...)
	for _, sh := range s.sheets {
		out = append(out, page{rel: sh.file, render: func(w *worker) ([]byte, error) { return s.sheetPage(w, sh), nil }})
	}
	return out
}

func (s *site) indexData(from string) any {
	d := struct {
		base
		Cat           *view.Catalog
		Filters       string
		Tactics       []tacticRow
		Techniques    []techRow
		Gaps          int
		Groups        int
		Unmapped      int
		TelemetryGaps []view.ComponentGap // telemetry.tmpl
	}{base: s.base(from, "Catalog"), Cat: s.cat, Filters: s.set.Meta.Filters.String(), TelemetryGaps: telemetryGaps(s.set),
		Gaps: s.cat.Total - s.cat.Covered + s.cat.SubTotal - s.cat.SubCovered, Groups: len(s.groupFile), Unmapped: len(s.unmapped)}
	for _, t := range s.cat.Tactics {
		d.Tactics = append(d.Tactics, tacticRow{T: t, Href: href(from, s.tacticFile[t.Name])})
	}
	for _, t := range s.cat.CoveredTechniques() {
		tactics := strings.Join(t.Tactics, ", ")
		row := techRow{ID: t.ID, Name: clean(t.Name), Tactics: tactics, Rules: t.Rules, Sub: t.ParentID != "", Vendors: t.Vendors,
			Search: strings.ToLower(t.ID + " " + clean(t.Name) + " " + tactics)}
		if f, ok := s.techFile[t.ID]; ok {
			row.Href = href(from, f)
		}
		d.Techniques = append(d.Techniques, row)
	}
	return d
}

func (s *site) tacticData(from string, t view.TacticCoverage) any {
	d := struct {
		base
		T    view.TacticCoverage
		Rows []techRow
	}{base: s.base(from, t.Name), T: t}
	for _, tc := range s.cat.Techniques {
		if !tc.Current || !slices.Contains(tc.Tactics, t.Name) {
			continue
		}
		row := techRow{ID: tc.ID, Name: clean(tc.Name), Rules: tc.Rules, Sub: tc.ParentID != "", Vendors: tc.Vendors}
		if f, ok := s.techFile[tc.ID]; ok {
			row.Href = href(from, f)
		}
		d.Rows = append(d.Rows, row)
	}
	return d
}

// gapTactic is one tactic of the gaps page: its current techniques and
// sub-techniques without a rule.
type gapTactic struct {
	Name, ID, Href string
	Techniques     int // current techniques and sub-techniques of the tactic
	Rows           []techRow
}

// gapsData lists, per tactic in matrix order, the current techniques and
// sub-techniques no counted rule covers (a technique of several tactics is
// listed under each).
func (s *site) gapsData(from string) any {
	d := struct {
		base
		Tactics                []gapTactic
		Uncovered, Total       int // techniques and sub-techniques, each once
		UncoveredSub, TotalSub int
	}{base: s.base(from, "Gaps")}
	d.Total, d.TotalSub = s.cat.Total, s.cat.SubTotal
	d.Uncovered, d.UncoveredSub = s.cat.Total-s.cat.Covered, s.cat.SubTotal-s.cat.SubCovered
	for _, t := range s.cat.Tactics {
		g := gapTactic{Name: t.Name, ID: t.ID, Href: href(from, s.tacticFile[t.Name]), Techniques: t.Techniques + t.SubTechniques}
		for _, tc := range s.cat.Techniques {
			if !tc.Current || tc.Rules > 0 || !slices.Contains(tc.Tactics, t.Name) {
				continue
			}
			g.Rows = append(g.Rows, techRow{ID: tc.ID, Name: clean(tc.Name), Sub: tc.ParentID != "", Href: href(from, s.techFile[tc.ID])})
		}
		d.Tactics = append(d.Tactics, g)
	}
	return d
}

// outcomeRow is one outcome of files.parquet with its files per vendor.
type outcomeRow struct {
	Outcome string
	Vendors []int64 // per vendor of the run
	Files   int64
	Rules   int64
}

// fileRow is a candidate file that gave no rule, or a rule-level problem.
type fileRow struct {
	Vendor, Path, Outcome, Reason string
}

// problemsData reads files.parquet (one row per candidate file: what
// became of it) and the rule-level problems.
func (s *site) problemsData(from string) any {
	d := struct {
		base
		Vendors  []string
		Outcomes []outcomeRow
		Total    outcomeRow
		Files    []fileRow
		Problems []tables.Problem
		Kinds    []view.Count
	}{base: s.base(from, "Files and problems"), Vendors: s.set.Meta.Vendors, Kinds: s.cat.ProblemKinds}
	vi := map[string]int{}
	for i, v := range d.Vendors {
		vi[v] = i
	}
	rows := map[string]*outcomeRow{}
	for _, o := range tables.Outcomes {
		rows[string(o)] = &outcomeRow{Outcome: string(o), Vendors: make([]int64, len(d.Vendors))}
	}
	d.Total = outcomeRow{Outcome: "all", Vendors: make([]int64, len(d.Vendors))}
	if rec := s.set.Files; rec != nil {
		ven, path, out := tables.Strings(rec, tables.FileVendor), tables.Strings(rec, tables.FilePath), tables.Strings(rec, tables.FileOutcome)
		n, reason := tables.Int64s(rec, tables.FileRules), tables.Strings(rec, tables.FileReason)
		for i := range int(rec.NumRows()) {
			o := out.Value(i)
			r := rows[o]
			if r == nil { // an outcome this exporter does not know: shown, not lost
				r = &outcomeRow{Outcome: o, Vendors: make([]int64, len(d.Vendors))}
				rows[o] = r
			}
			for _, t := range []*outcomeRow{r, &d.Total} {
				t.Files++
				t.Rules += n.Value(i)
				if k, ok := vi[ven.Value(i)]; ok {
					t.Vendors[k]++
				}
			}
			if o != string(tables.OutcomeRule) {
				d.Files = append(d.Files, fileRow{clean(ven.Value(i)), clean(path.Value(i)), clean(o), clean(reason.Value(i))})
			}
		}
	}
	for _, k := range sortedKeys(rows) {
		d.Outcomes = append(d.Outcomes, *rows[k])
	}
	order := func(o string) int {
		if i := slices.Index(tables.Outcomes, tables.Outcome(o)); i >= 0 {
			return i
		}
		return len(tables.Outcomes)
	}
	slices.SortStableFunc(d.Outcomes, func(a, b outcomeRow) int { return cmp.Compare(order(a.Outcome), order(b.Outcome)) })
	slices.SortStableFunc(d.Files, func(a, b fileRow) int { return cmp.Compare(order(a.Outcome), order(b.Outcome)) })
	d.Problems = slices.Clone(s.set.Problems)
	for i := range d.Problems {
		p := &d.Problems[i]
		p.Path, p.Msg, p.Vendor, p.Kind = clean(p.Path), clean(p.Msg), clean(p.Vendor), clean(p.Kind)
	}
	return d
}

// unmappedPage lists the rules shown on no technique page: rules without
// a technique, and rules of a kind the run does not count (not hunting).
func (s *site) unmappedPage(w *worker) ([]byte, error) {
	var untagged, other []int
	for _, i := range s.unmapped {
		if len(s.rules[i].Techniques) == 0 {
			untagged = append(untagged, i)
		} else {
			other = append(other, i)
		}
	}
	w.bb.Reset()
	d := struct {
		base
		Untagged, Other int
	}{s.base(unmappedFile, "Rules on no technique page"), len(untagged), len(other)}
	if err := s.t.ExecuteTemplate(&w.bb, "unmapped", d); err != nil {
		return nil, err
	}
	b := append(w.buf[:0], w.bb.Bytes()...)
	b = s.f.unmappedHead.fill(b, "untagged", "Rules without a technique", itoa(len(untagged)))
	b = s.appendRuleGroups(b, untagged)
	if len(other) > 0 {
		b = s.f.unmappedHead.fill(b, "not-counted", "Rules of kinds this run does not count", itoa(len(other)))
		b = s.appendRuleGroups(b, other)
	}
	b = append(b, s.foot...)
	w.buf = b
	return b, nil
}
