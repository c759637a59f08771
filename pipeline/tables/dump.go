package tables

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Dump renders a record as text: a header line of column names, then one
// tab-separated line per row in record order; lists are written as
// [a|b|c]. It is the golden-file form of a table and a debugging aid.
func Dump(rec arrow.RecordBatch) string {
	var b strings.Builder
	names := make([]string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		names[i] = f.Name
	}
	b.WriteString(strings.Join(names, "\t"))
	b.WriteByte('\n')
	for r := 0; r < int(rec.NumRows()); r++ {
		for c := 0; c < int(rec.NumCols()); c++ {
			if c > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(Cell(rec.Column(c), r))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Cell renders one cell of a column as text (lists as [a|b]).
func Cell(col arrow.Array, r int) string {
	if col.IsNull(r) {
		return "NULL"
	}
	switch a := col.(type) {
	case *array.String:
		return escape(a.Value(r))
	case *array.Int64:
		return strconv.FormatInt(a.Value(r), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(r)), 10)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(r))
	case *array.List:
		vals := ListAt(a, r)
		for i, v := range vals {
			vals[i] = escape(v)
		}
		return "[" + strings.Join(vals, "|") + "]"
	}
	return fmt.Sprintf("%v", col.GetOneForMarshal(r))
}

func escape(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(s)
}

// NewTableReader returns a record of a whole table (its chunks
// concatenated); the caller releases it.
func NewTableReader(tbl arrow.Table) arrow.RecordBatch {
	tr := array.NewTableReader(tbl, tbl.NumRows()+1)
	defer tr.Release()
	if !tr.Next() {
		return array.NewRecordBatch(tbl.Schema(), emptyColumns(tbl.Schema()), 0)
	}
	rec := tr.RecordBatch()
	rec.Retain()
	return rec
}

func emptyColumns(s *arrow.Schema) []arrow.Array {
	cols := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
	}
	return cols
}
