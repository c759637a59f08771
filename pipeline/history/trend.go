package history

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ruleatlas/ruleatlas/normalize/attack"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Files are the history tables a report carries over from its previous
// output folder, so a nightly report keeps the trend a history run wrote.
var Files = []string{HistoryName + ".parquet", TotalsName + ".parquet", ChangesName + ".parquet"}

// Found reports whether dir holds a history run's tables.
func Found(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, HistoryName+".parquet"))
	return err == nil
}

// Trend reads dir/history.parquet into the trend the exporters draw. The
// ATT&CK model gives each technique's parent and tactics; ids it does not
// know are kept in Rules but not counted as covered techniques.
func Trend(ctx context.Context, dir string, m *attack.Model) (*tables.History, error) {
	name := filepath.Join(dir, HistoryName+".parquet")
	rec, err := readAll(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	col := func(n string) (arrow.Array, error) {
		i := rec.Schema().FieldIndices(n)
		if len(i) == 0 {
			return nil, fmt.Errorf("%s: no column %q: not a ruleatlas history table", name, n)
		}
		return rec.Column(i[0]), nil
	}
	var cols [5]arrow.Array
	for i, n := range []string{"point", "vendor", "technique_id", "kind", "rules"} {
		if cols[i], err = col(n); err != nil {
			return nil, err
		}
	}
	points, ok := cols[0].(*array.Date32)
	vendors, ok2 := cols[1].(*array.String)
	techs, ok3 := cols[2].(*array.String)
	kinds, ok4 := cols[3].(*array.String)
	rules, ok5 := cols[4].(*array.Int64)
	if !ok || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil, fmt.Errorf("%s: unexpected column types: not a ruleatlas history table", name)
	}
	alerting := map[string]bool{}
	for _, k := range rule.AlertingKinds {
		alerting[string(k)] = true
	}
	// point → vendor → technique → rules (alerting kinds, as written:
	// parents already include their sub-techniques' rules).
	type key struct{ point, vendor, tech string }
	counts := map[key]int{}
	// Points and vendors come from both tables: a point before a source's
	// first commit, or with no tagged rule, has no technique rows.
	pointSet, vendorSet, commits, err := readTotals(ctx, dir)
	if err != nil {
		return nil, err
	}
	for i := range int(rec.NumRows()) {
		p := points.Value(i).ToTime().Format(time.DateOnly)
		v := vendors.Value(i)
		pointSet[p], vendorSet[v] = true, true
		if alerting[kinds.Value(i)] {
			counts[key{p, v, techs.Value(i)}] += int(rules.Value(i))
		}
	}
	h := &tables.History{Points: slices.Sorted(maps.Keys(pointSet)), Vendors: slices.Sorted(maps.Keys(vendorSet)),
		Covered: map[string][]int{}, Tactics: map[string][]int{}, TacticTotal: map[string]int{},
		Rules: map[string][]int{}, Commits: map[string][]string{}}
	n := len(h.Points)
	at := map[string]int{}
	for i, p := range h.Points {
		at[p] = i
	}
	for _, t := range m.Tactics {
		h.TacticOrder = append(h.TacticOrder, t.Name)
		h.Tactics[t.Name] = make([]int, n)
	}
	for _, t := range m.List {
		if t.ParentID == "" && !t.Revoked && !t.Deprecated {
			for _, ta := range t.Tactics {
				h.TacticTotal[ta]++
			}
		}
	}
	measured := map[string][]bool{}
	for _, v := range h.Vendors {
		h.Covered[v] = make([]int, n)
		measured[v] = make([]bool, n)
	}
	covered := make([]map[string]bool, n) // any vendor
	for i := range covered {
		covered[i] = map[string]bool{}
	}
	for k, c := range counts {
		i := at[k.point]
		measured[k.vendor][i] = true
		if c == 0 {
			continue
		}
		if h.Rules[k.tech] == nil {
			h.Rules[k.tech] = make([]int, n)
		}
		h.Rules[k.tech][i] += c
		if t := m.Techniques[k.tech]; t == nil || t.ParentID != "" || t.Revoked || t.Deprecated {
			continue // a sub-technique's parent has a row of its own; unknown ids are no ATT&CK technique
		}
		h.Covered[k.vendor][i]++
		covered[i][k.tech] = true
	}
	h.All = make([]int, n)
	for i, set := range covered {
		h.All[i] = len(set)
		for id := range set {
			if t := m.Techniques[id]; t != nil {
				for _, ta := range t.Tactics {
					if s := h.Tactics[ta]; s != nil {
						s[i]++
					}
				}
			}
		}
	}
	for _, v := range h.Vendors {
		h.Commits[v] = make([]string, n)
	}
	for k, c := range commits {
		h.Commits[k[1]][at[k[0]]] = c
	}
	for i := range n {
		any := false
		for _, v := range h.Vendors {
			if !measured[v][i] && h.Commits[v][i] == "" {
				h.Covered[v][i] = -1
			} else {
				any = true
			}
		}
		if any {
			continue
		}
		// No source had a commit yet: every series says "not measured".
		h.All[i] = -1
		for _, s := range h.Tactics {
			s[i] = -1
		}
		for _, s := range h.Rules {
			s[i] = -1
		}
	}
	return h, nil
}

// readTotals reads history_totals.parquet: the points and vendors it
// lists and the commit read at each (point, vendor), "" before the
// source's first commit. A history without the file has none.
func readTotals(ctx context.Context, dir string) (points, vendors map[string]bool, commits map[[2]string]string, err error) {
	points, vendors, commits = map[string]bool{}, map[string]bool{}, map[[2]string]string{}
	name := filepath.Join(dir, TotalsName+".parquet")
	rec, err := readAll(ctx, name)
	if errors.Is(err, os.ErrNotExist) {
		return points, vendors, commits, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	defer rec.Release()
	pi, vi, ci := rec.Schema().FieldIndices("point"), rec.Schema().FieldIndices("vendor"), rec.Schema().FieldIndices("commit")
	if len(pi) == 0 || len(vi) == 0 || len(ci) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: not a ruleatlas history table", name)
	}
	ps, ok := rec.Column(pi[0]).(*array.Date32)
	vs, ok2 := rec.Column(vi[0]).(*array.String)
	cs, ok3 := rec.Column(ci[0]).(*array.String)
	if !ok || !ok2 || !ok3 {
		return nil, nil, nil, fmt.Errorf("%s: unexpected column types", name)
	}
	for r := range int(rec.NumRows()) {
		p, v := ps.Value(r).ToTime().Format(time.DateOnly), vs.Value(r)
		points[p], vendors[v] = true, true
		commits[[2]string{p, v}] = cs.Value(r)
	}
	return points, vendors, commits, nil
}

// readAll reads a whole Parquet file into one record.
func readAll(ctx context.Context, name string) (arrow.RecordBatch, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Parquet file: %w", name, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	tbl, err := fr.ReadTable(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer tbl.Release()
	rec, err := tables.Concat(tbl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rec, nil
}
