package history

import (
	"maps"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// Table names: the Parquet file of each is <name>.parquet.
const (
	HistoryName = "history"
	TotalsName  = "history_totals"
	ChangesName = "history_changes"
)

func col(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }

var (
	str    = arrow.BinaryTypes.String
	date32 = arrow.FixedWidthTypes.Date32
	i64    = arrow.PrimitiveTypes.Int64
)

// HistorySchema is history.parquet: point × source × technique × kind, for
// the techniques with at least one rule (sub-techniques rolled up into
// their parent as in coverage.parquet).
var HistorySchema = arrow.NewSchema([]arrow.Field{
	col("point", date32), col("vendor", str), col("source", str), col("commit", str),
	col("technique_id", str), col("kind", str), col("rules", i64),
}, nil)

// TotalsSchema is history_totals.parquet: point × source × kind × parse
// status. A point before the source's first commit has one row with kind
// and status empty, 0 rules and the note.
var TotalsSchema = arrow.NewSchema([]arrow.Field{
	col("point", date32), col("vendor", str), col("source", str), col("commit", str),
	col("kind", str), col("parse_status", str), col("rules", i64), col("note", str),
}, nil)

// ChangesSchema is history_changes.parquet: techniques gained and lost by a
// source between consecutive points, counting the kinds that raise alerts.
var ChangesSchema = arrow.NewSchema([]arrow.Field{
	col("point", date32), col("previous_point", date32), col("vendor", str), col("source", str),
	col("technique_id", str), col("change", str), col("rules_before", i64), col("rules_after", i64),
}, nil)

// Named is a table with its name.
type Named struct {
	Name   string
	Record arrow.RecordBatch
}

// Tables builds the three history tables; the caller releases them.
func (r *Result) Tables() []Named {
	return []Named{{HistoryName, r.history()}, {TotalsName, r.totals()}, {ChangesName, r.changes()}}
}

func days(t time.Time) arrow.Date32 { return arrow.Date32FromTime(t) }

func (r *Result) history() arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, HistorySchema)
	defer b.Release()
	for _, s := range r.Snapshots {
		for _, id := range slices.Sorted(maps.Keys(s.Techniques)) {
			for _, k := range rule.Kinds {
				n := s.Techniques[id][k]
				if n == 0 {
					continue
				}
				b.Field(0).(*array.Date32Builder).Append(days(s.Point))
				strs(b, 1, s.Vendor, s.Source, s.Commit, id, string(k))
				b.Field(6).(*array.Int64Builder).Append(int64(n))
			}
		}
	}
	return b.NewRecordBatch()
}

func (r *Result) totals() arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, TotalsSchema)
	defer b.Release()
	for _, s := range r.Snapshots {
		if s.Commit == "" {
			b.Field(0).(*array.Date32Builder).Append(days(s.Point))
			strs(b, 1, s.Vendor, s.Source, "", "", "")
			b.Field(6).(*array.Int64Builder).Append(0)
			b.Field(7).(*array.StringBuilder).Append(s.Note)
			continue
		}
		for _, k := range rule.Kinds {
			for _, st := range rule.Statuses {
				n := s.Totals[k][st]
				if n == 0 {
					continue
				}
				b.Field(0).(*array.Date32Builder).Append(days(s.Point))
				strs(b, 1, s.Vendor, s.Source, s.Commit, string(k), string(st))
				b.Field(6).(*array.Int64Builder).Append(int64(n))
				b.Field(7).(*array.StringBuilder).Append("")
			}
		}
	}
	return b.NewRecordBatch()
}

// Change is one technique gained or lost by a source between two points.
type Change struct {
	Point, Previous       time.Time
	Vendor, Source        string
	TechniqueID           string
	Gained                bool
	RulesBefore, RulesNow int
}

// Changes lists the techniques each source gained and lost from one point
// to the next, counting the kinds that raise alerts.
func (r *Result) Changes() []Change {
	var out []Change
	last := map[string]Snapshot{} // by source
	for _, s := range r.Snapshots {
		prev, ok := last[s.Source]
		last[s.Source] = s
		if !ok {
			continue
		}
		before, now := alerting(prev), alerting(s)
		ids := append(slices.Collect(maps.Keys(before)), slices.Collect(maps.Keys(now))...)
		slices.Sort(ids)
		for _, id := range slices.Compact(ids) {
			b, n := before[id], now[id]
			if (b == 0) == (n == 0) {
				continue
			}
			out = append(out, Change{Point: s.Point, Previous: prev.Point, Vendor: s.Vendor, Source: s.Source,
				TechniqueID: id, Gained: b == 0, RulesBefore: b, RulesNow: n})
		}
	}
	return out
}

// alerting is the rules per technique of the kinds that raise alerts.
func alerting(s Snapshot) map[string]int {
	out := map[string]int{}
	for id, kinds := range s.Techniques {
		for _, k := range rule.AlertingKinds {
			out[id] += kinds[k]
		}
		if out[id] == 0 {
			delete(out, id)
		}
	}
	return out
}

func (r *Result) changes() arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, ChangesSchema)
	defer b.Release()
	for _, c := range r.Changes() {
		b.Field(0).(*array.Date32Builder).Append(days(c.Point))
		b.Field(1).(*array.Date32Builder).Append(days(c.Previous))
		change := "lost"
		if c.Gained {
			change = "gained"
		}
		strs(b, 2, c.Vendor, c.Source, c.TechniqueID, change)
		b.Field(6).(*array.Int64Builder).Append(int64(c.RulesBefore))
		b.Field(7).(*array.Int64Builder).Append(int64(c.RulesNow))
	}
	return b.NewRecordBatch()
}

// strs appends vs to the string columns from position i on.
func strs(b *array.RecordBuilder, i int, vs ...string) {
	for j, v := range vs {
		b.Field(i + j).(*array.StringBuilder).Append(v)
	}
}
