package view

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// This file adds the threat-actor view (actors.parquet): an ATT&CK group's
// techniques with the catalog's coverage per vendor, and every group's
// coverage ratio.

// GroupRow is one technique a group uses.
type GroupRow struct {
	ID, Name string
	Tactics  []string
	Vendors  []Count // every vendor of the run, in run order, zeros included
	Rules    int64   // distinct rules (sub-techniques rolled up), as coverage
}

// Covered reports whether at least one rule covers the technique.
func (r GroupRow) Covered() bool { return r.Rules > 0 }

// GroupPage is the report of one ATT&CK group.
type GroupPage struct {
	ID, Name      string
	Aliases       []string
	AttackVersion string
	Vendors       []string // vendors of the run, in run order
	Rows          []GroupRow
	Covered       int // rows with at least one rule
}

// Ratio is the share of the group's techniques with at least one rule.
func (g GroupPage) Ratio() float64 {
	if len(g.Rows) == 0 {
		return 0
	}
	return float64(g.Covered) / float64(len(g.Rows))
}

// GroupSummary is one group's coverage, for a catalog-wide list.
type GroupSummary struct {
	ID, Name            string
	Aliases             []string
	Techniques, Covered int
	Rules               int64 // sum of the rows' rules (a rule of several techniques counts in each)
}

// Ratio is the share of the group's techniques with at least one rule.
func (g GroupSummary) Ratio() float64 {
	if g.Techniques == 0 {
		return 0
	}
	return float64(g.Covered) / float64(g.Techniques)
}

// vendorCoverage maps technique → vendor → rules from coverage.parquet.
func vendorCoverage(set *tables.Set) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	if set.Coverage == nil {
		return out
	}
	ids, vs, n := tables.Strings(set.Coverage, 0), tables.Strings(set.Coverage, 4), tables.Int64s(set.Coverage, 5)
	for i := range ids.Len() {
		m := out[ids.Value(i)]
		if m == nil {
			m = map[string]int64{}
			out[ids.Value(i)] = m
		}
		m[vs.Value(i)] += n.Value(i)
	}
	return out
}

// Group builds the report of a group given by ATT&CK id, name or alias
// (case-insensitive); ok is false when the ATT&CK data has no such group.
// For many groups, NewGroups reads the tables once.
func Group(set *tables.Set, key string) (GroupPage, bool) { return NewGroups(set).Page(key) }

// Groups builds group reports from tables read once: the per-vendor
// coverage and the actors table's rows by group.
type Groups struct {
	set  *tables.Set
	cov  map[string]map[string]int64 // technique → vendor → rules
	rows map[string][]int            // group id → its rows of set.Actors
}

// NewGroups indexes the coverage and actors tables of set.
func NewGroups(set *tables.Set) *Groups {
	gs := &Groups{set: set, cov: vendorCoverage(set), rows: map[string][]int{}}
	if rec := set.Actors; rec != nil {
		gid := tables.Strings(rec, 0)
		for i := range gid.Len() {
			gs.rows[gid.Value(i)] = append(gs.rows[gid.Value(i)], i)
		}
	}
	return gs
}

// Page builds the report of a group given by ATT&CK id, name or alias
// (case-insensitive); ok is false when the ATT&CK data has no such group.
func (gs *Groups) Page(key string) (GroupPage, bool) {
	set := gs.set
	if set.Attack == nil {
		return GroupPage{}, false
	}
	g, ok := set.Attack.Group(key)
	if !ok {
		return GroupPage{}, false
	}
	p := GroupPage{ID: g.ID, Name: g.Name, Aliases: g.Aliases, AttackVersion: set.Meta.AttackVersion, Vendors: set.Meta.Vendors}
	rec := set.Actors
	if rec == nil {
		return p, true
	}
	tid, tname, rules := tables.Strings(rec, 2), tables.Strings(rec, 3), tables.Int64s(rec, 4)
	for _, i := range gs.rows[g.ID] {
		row := GroupRow{ID: tid.Value(i), Name: tname.Value(i), Rules: rules.Value(i)}
		if t := set.Attack.Techniques[row.ID]; t != nil {
			row.Tactics = t.Tactics
		}
		for _, v := range set.Meta.Vendors {
			row.Vendors = append(row.Vendors, Count{v, gs.cov[row.ID][v]})
		}
		if row.Covered() {
			p.Covered++
		}
		p.Rows = append(p.Rows, row)
	}
	return p, true
}

// GroupSummaries lists every group of the ATT&CK data with its coverage,
// lowest coverage ratio first (ties: more techniques first, then id), so the
// groups a catalog covers worst lead.
func GroupSummaries(set *tables.Set) []GroupSummary {
	if set.Attack == nil {
		return nil
	}
	type acc struct {
		n, covered int
		rules      int64
	}
	by := map[string]*acc{}
	if rec := set.Actors; rec != nil {
		gid, rules := tables.Strings(rec, 0), tables.Int64s(rec, 4)
		for i := range gid.Len() {
			a := by[gid.Value(i)]
			if a == nil {
				a = &acc{}
				by[gid.Value(i)] = a
			}
			a.n++
			a.rules += rules.Value(i)
			if rules.Value(i) > 0 {
				a.covered++
			}
		}
	}
	out := make([]GroupSummary, 0, len(set.Attack.Groups))
	for _, g := range set.Attack.Groups {
		s := GroupSummary{ID: g.ID, Name: g.Name, Aliases: g.Aliases}
		if a := by[g.ID]; a != nil {
			s.Techniques, s.Covered, s.Rules = a.n, a.covered, a.rules
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b GroupSummary) int {
		return cmp.Or(cmp.Compare(a.Ratio(), b.Ratio()), cmp.Compare(b.Techniques, a.Techniques), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// WriteGroupText renders a group report as plain-text tables for a terminal.
func WriteGroupText(w io.Writer, g GroupPage) error {
	ew := &errWriter{w: w}
	title := g.ID + " " + g.Name
	ew.printf("%s\n%s\n", clean(title), strings.Repeat("=", len([]rune(clean(title)))))
	if len(g.Aliases) > 0 {
		ew.printf("Aliases: %s\n", clean(strings.Join(g.Aliases, ", ")))
	}
	ew.printf("ATT&CK %s: %d techniques used, %d covered by at least one rule (%s)\n\n",
		g.AttackVersion, len(g.Rows), g.Covered, PercentText(int64(g.Covered), int64(len(g.Rows))))
	tw := ew.table()
	fmt.Fprintf(tw, "  TECHNIQUE\tNAME\tRULES")
	for _, v := range g.Vendors {
		fmt.Fprintf(tw, "\t%s", strings.ToUpper(v))
	}
	fmt.Fprintf(tw, "\t\n")
	for _, r := range g.Rows {
		mark := ""
		if !r.Covered() {
			mark = "  (no rule)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d", r.ID, clean(r.Name), r.Rules)
		for _, v := range r.Vendors {
			fmt.Fprintf(tw, "\t%d", v.Rules)
		}
		fmt.Fprintf(tw, "\t%s\n", mark)
	}
	ew.flush(tw)
	return ew.err
}

// WriteTelemetryText renders a technique's telemetry section as plain text.
func WriteTelemetryText(w io.Writer, t Telemetry) error {
	ew := &errWriter{w: w}
	ew.printf("\nTelemetry (ATT&CK data components)\n")
	if t.Empty() {
		ew.printf("  (no detection strategy and no rule reads a mapped event)\n")
		return ew.err
	}
	tw := ew.table()
	fmt.Fprintf(tw, "  DATA COMPONENT\tSTATUS\tRULES\tVENDORS\tATT&CK LOG SOURCES\n")
	for _, r := range t.Rows() {
		fmt.Fprintf(tw, "  %s %s\t%s\t%d\t%s\t%s\n", r.ID, r.Name, r.Status(), r.Rules,
			strings.Join(r.Vendors, ", "), clean(strings.Join(r.Sources, "; ")))
	}
	ew.flush(tw)
	return ew.err
}
