package view

import (
	"cmp"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// This file adds the telemetry view (datacomponents.parquet): per technique,
// the ATT&CK data components its detection strategies recommend and the
// catalog's rules read, split into recommended-and-read, recommended but
// never read (the telemetry gap) and read but not recommended; and, across
// the catalog, the data components ranked by the gaps they would close.

// TelemetryRow is one data component of a technique.
type TelemetryRow struct {
	ID, Name    string // DC0032, Process Creation
	Recommended bool   // ATT&CK's detection strategies for the technique call for it
	Rules       int64  // distinct rules of the technique that read it
	Vendors     []string
	// Sources are the ATT&CK log sources the technique's analytics name for
	// the component ("WinEventLog:Sysmon EventCode=1"), when recommended.
	Sources []string
}

// Telemetry is the telemetry section of a technique page.
type Telemetry struct {
	Read  []TelemetryRow // recommended and read by at least one rule
	Gaps  []TelemetryRow // recommended but never read
	Extra []TelemetryRow // read but not recommended
}

// Empty reports whether the technique has no telemetry row at all.
func (t Telemetry) Empty() bool { return len(t.Read)+len(t.Gaps)+len(t.Extra) == 0 }

// Rows returns every row: read, then gaps, then extra.
func (t Telemetry) Rows() []TelemetryRow {
	return slices.Concat(t.Read, t.Gaps, t.Extra)
}

// Status names a row's part: "recommended, read", "gap" or "read, not recommended".
func (r TelemetryRow) Status() string {
	switch {
	case r.Recommended && r.Rules > 0:
		return "recommended, read"
	case r.Recommended:
		return "gap"
	default:
		return "read, not recommended"
	}
}

// TechniqueTelemetry returns the telemetry of one technique id. Rows keep
// data component id order within each part, except that read but not
// recommended components come most-read first.
func TechniqueTelemetry(set *tables.Set, id string) Telemetry {
	var t Telemetry
	rec := set.DataComponents
	if rec == nil {
		return t
	}
	tid := tables.Strings(rec, 0)
	n := tid.Len()
	start := sort.Search(n, func(i int) bool { return tid.Value(i) >= id })
	dc, name := tables.Strings(rec, 1), tables.Strings(rec, 2)
	recd, rules, vendors := rec.Column(3).(*array.Boolean), tables.Int64s(rec, 4), tables.Lists(rec, 5)
	for i := start; i < n && tid.Value(i) == id; i++ {
		row := TelemetryRow{ID: dc.Value(i), Name: name.Value(i), Recommended: recd.Value(i),
			Rules: rules.Value(i), Vendors: tables.ListAt(vendors, i)}
		if row.Recommended && set.Attack != nil {
			for _, ls := range set.Attack.RecommendedSources(id, row.ID) {
				s := ls.Name
				if ls.Channel != "" {
					s += " " + ls.Channel
				}
				if !slices.Contains(row.Sources, s) {
					row.Sources = append(row.Sources, s)
				}
			}
		}
		switch {
		case row.Recommended && row.Rules > 0:
			t.Read = append(t.Read, row)
		case row.Recommended:
			t.Gaps = append(t.Gaps, row)
		default:
			t.Extra = append(t.Extra, row)
		}
	}
	slices.SortStableFunc(t.Extra, func(a, b TelemetryRow) int { return cmp.Compare(b.Rules, a.Rules) })
	return t
}

// ComponentGap is a data component ranked by the telemetry gaps it would
// close: the techniques whose detection strategies call for it while no rule
// of the catalog reads it for them.
type ComponentGap struct {
	ID, Name string
	// Techniques counts the techniques it is a gap for; Uncovered those of
	// them without any rule at all.
	Techniques, Uncovered int
	// Examples are the first technique ids it is a gap for, in id order.
	Examples []string
}

// maxGapExamples is the number of example techniques per component gap.
const maxGapExamples = 5

// TelemetryGaps ranks the data components by how many techniques' gaps
// they would close (most first, ties by id). Only current ATT&CK techniques
// count.
func TelemetryGaps(set *tables.Set) []ComponentGap {
	rec := set.DataComponents
	if rec == nil {
		return nil
	}
	tid, dc, name := tables.Strings(rec, 0), tables.Strings(rec, 1), tables.Strings(rec, 2)
	recd, rules := rec.Column(3).(*array.Boolean), tables.Int64s(rec, 4)
	// A technique is uncovered when none of its rows has rules and coverage
	// has none; rows with rules tell only about that component, so use
	// coverage totals.
	covered := coverageTotals(set)
	byID := map[string]*ComponentGap{}
	for i := range tid.Len() {
		if !recd.Value(i) || rules.Value(i) > 0 {
			continue
		}
		t := tid.Value(i)
		if set.Attack != nil {
			if at := set.Attack.Techniques[t]; at == nil || !at.Current() {
				continue
			}
		}
		g := byID[dc.Value(i)]
		if g == nil {
			g = &ComponentGap{ID: dc.Value(i), Name: name.Value(i)}
			byID[g.ID] = g
		}
		g.Techniques++
		if covered[t] == 0 {
			g.Uncovered++
		}
		if len(g.Examples) < maxGapExamples {
			g.Examples = append(g.Examples, t)
		}
	}
	out := make([]ComponentGap, 0, len(byID))
	for _, g := range byID {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b ComponentGap) int {
		return cmp.Or(cmp.Compare(b.Techniques, a.Techniques), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// coverageTotals sums coverage's distinct rules per technique over vendors.
func coverageTotals(set *tables.Set) map[string]int64 {
	out := map[string]int64{}
	if set.Coverage == nil {
		return out
	}
	ids, n := tables.Strings(set.Coverage, 0), tables.Int64s(set.Coverage, 5)
	for i := range ids.Len() {
		out[ids.Value(i)] += n.Value(i)
	}
	return out
}
