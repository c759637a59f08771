package xlsx

import (
	"bytes"
	"context"
	"github.com/klauspost/compress/flate"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestSheetRowsRoundTrip streams a sheet with its header only, puts rows
// made by sheetRows into its part (several blocks, a note row) and reads
// the workbook back with excelize: every value, type and style survives.
func TestSheetRowsRoundTrip(t *testing.T) {
	values := []string{"plain", "a&b<c>d\"e'f", " leading", "trailing ", "_x0041_ literal", "_x12_ short",
		"=HYPERLINK(\"http://x\",\"y\")", "ünïcødé 漢字 🙂", "]]>"}
	n := 2*blockRows + 3
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"text", "count", "ratio"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	rows := &sheetRows{ctx: context.Background(), cols: []string{"A", "B", "C"}, first: 2, n: n,
		fill: func(i int, row []any) {
			row[0] = values[i%len(values)]
			row[1] = excelize.Cell{StyleID: 0, Value: int64(i)}
			if i%2 == 0 {
				row[2] = float64(i) / 4
			}
		},
		note: []any{"the end"}, last: "C" + strconv.Itoa(n+2)}
	var out bytes.Buffer
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z := newSortedZip(&out, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), flate.BestSpeed)
		z.rows = map[string]*sheetRows{"xl/worksheets/sheet1.xml": rows}
		return z
	})
	if err := f.Write(io.Discard); err != nil {
		t.Fatal(err)
	}
	back, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	got, err := back.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n+2 {
		t.Fatalf("read %d rows, want %d", len(got), n+2)
	}
	for i := range n {
		r := got[i+1]
		if r[0] != values[i%len(values)] || r[1] != strconv.Itoa(i) {
			t.Fatalf("row %d = %q", i+2, r)
		}
		if want := strconv.FormatFloat(float64(i)/4, 'f', -1, 64); i%2 == 0 && r[2] != want {
			t.Fatalf("row %d ratio = %q, want %q", i+2, r[2], want)
		}
		if i%2 == 1 && len(r) > 2 && r[2] != "" {
			t.Fatalf("row %d ratio = %q, want blank", i+2, r[2])
		}
	}
	if got[n+1][0] != "the end" {
		t.Errorf("note row = %q", got[n+1])
	}
	if typ, _ := back.GetCellType("Sheet1", "B5"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("B5 type = %v, want a number", typ)
	}
	if dim, _ := back.GetSheetDimension("Sheet1"); dim != "A1:"+rows.last {
		t.Errorf("dimension = %q, want A1:%s", dim, rows.last)
	}
}

// TestSheetRowsMissingPart fails the package when a sheet's rows found no
// part to go in, instead of writing a workbook without them.
func TestSheetRowsMissingPart(t *testing.T) {
	var out bytes.Buffer
	z := newSortedZip(&out, time.Time{}, flate.BestSpeed)
	z.rows = map[string]*sheetRows{"xl/worksheets/sheet9.xml": {ctx: context.Background(), cols: []string{"A"}, first: 2}}
	if _, err := z.Create("xl/worksheets/sheet1.xml"); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err == nil {
		t.Fatal("Close succeeded with rows left over")
	}
}

func TestExcelEscape(t *testing.T) {
	for s, want := range map[string]bool{"_x0041_": true, "_X00fF_rest": true, "_x004_": false, "_y0041_": false,
		"_x00G1_": false, "_x0041": false, "": false} {
		if got := excelEscape(s); got != want {
			t.Errorf("excelEscape(%q) = %v", s, got)
		}
	}
}
