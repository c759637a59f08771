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

// Concat returns a record of a whole table, its chunks concatenated column
// by column; the caller releases it.
func Concat(tbl arrow.Table) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, tbl.NumCols())
	for i := range cols {
		chunks := tbl.Column(i).Data().Chunks()
		switch len(chunks) {
		case 0:
			cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, tbl.Schema().Field(i).Type, 0)
		case 1:
			chunks[0].Retain()
			cols[i] = chunks[0]
		default:
			c, err := array.Concatenate(chunks, memory.DefaultAllocator)
			if err != nil {
				for _, done := range cols[:i] {
					done.Release()
				}
				return nil, fmt.Errorf("concatenating column %s: %w", tbl.Schema().Field(i).Name, err)
			}
			cols[i] = c
		}
	}
	rec := array.NewRecordBatch(tbl.Schema(), cols, tbl.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}
