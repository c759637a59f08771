package xlsx

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// column is one column of a table sheet.
type column struct {
	title string
	width float64 // fixed width; 0 = measured from the data
	max   float64 // cap of a measured width; 0 = 60
}

// table describes a table sheet: a bold, frozen header row with an
// autofilter, then one row per data item.
type table struct {
	name string
	cols []column
	rows int
	fill func(i int, row []any) // cells of data row i (row is cleared)
	// outline is data row i's outline level (0: none); optional.
	outline func(i int) int
	// links adds the in-workbook hyperlinks of data row i, each a column
	// (1-based) and a location ("'Sheet'!A1"); optional.
	links      func(i int, add func(col int, location string))
	freezeCols int                     // columns kept visible when scrolling right
	setup      func() error            // before streaming starts (sheet properties)
	finish     func(lastRow int) error // before the sheet is flushed (conditional formats)
	source     string                  // Parquet table named in the truncation note
}

// maxDataRows leaves room for the header and a truncation note.
const maxDataRows = excelize.TotalRows - 2

// sampleRows is how many rows column widths are measured on.
const sampleRows = 2000

func (b *book) table(t table) error {
	if t.setup != nil {
		if err := t.setup(); err != nil {
			return err
		}
	}
	sw, err := b.f.NewStreamWriter(t.name)
	if err != nil {
		return err
	}
	row := make([]any, len(t.cols))

	// Column widths from the header and a sample of the rows.
	chars := make([]int, len(t.cols))
	for c, col := range t.cols {
		chars[c] = utf8.RuneCountInString(col.title) + 3 // room for the filter button
	}
	for i := range min(t.rows, sampleRows) {
		clear(row)
		t.fill(i, row)
		for c, v := range row {
			chars[c] = max(chars[c], b.cellChars(v))
		}
	}
	for c, col := range t.cols {
		w := col.width
		if w == 0 {
			hi := col.max
			if hi == 0 {
				hi = 60
			}
			w = min(max(float64(chars[c])*1.1+1, 6), hi)
		}
		if err := sw.SetColWidth(c+1, c+1, w); err != nil {
			return err
		}
	}

	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
	if t.freezeCols > 0 {
		tl := cellName(t.freezeCols+1, 2)
		panes = &excelize.Panes{Freeze: true, XSplit: t.freezeCols, YSplit: 1, TopLeftCell: tl, ActivePane: "bottomRight",
			Selection: []excelize.Selection{{SQRef: tl, ActiveCell: tl, Pane: "bottomRight"}}}
	}
	if err := sw.SetPanes(panes); err != nil {
		return err
	}

	header := make([]any, len(t.cols))
	for c, col := range t.cols {
		header[c] = excelize.Cell{StyleID: b.st.header, Value: col.title}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	n := min(t.rows, maxDataRows)
	last := n + 1
	var note []any
	if t.rows > n {
		note = []any{excelize.Cell{StyleID: b.st.italic, Value: fmt.Sprintf(
			"… %d more rows not shown: a sheet holds at most %d rows; %s.parquet has them all",
			t.rows-n, excelize.TotalRows, t.source)}}
	}
	// The rows go straight into the package (see sheetRows).
	if err := b.addRows(t, n, note); err != nil {
		return err
	}
	if err := b.f.AutoFilter(t.name, "A1:"+cellName(len(t.cols), max(last, 1)), nil); err != nil {
		return err
	}
	if t.finish != nil {
		if err := t.finish(last); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// partOf is the package part of a sheet, "" when there is no such sheet.
func (b *book) partOf(sheet string) string {
	if b.parts == nil {
		b.parts = map[string]string{}
		for id, name := range b.f.GetSheetMap() {
			b.parts[name] = "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml"
		}
	}
	return b.parts[sheet]
}

// addRows registers the n data rows of t (and the note) to be written
// into its sheet's part when the package is assembled.
func (b *book) addRows(t table, n int, note []any) error {
	part := b.partOf(t.name)
	if part == "" {
		return fmt.Errorf("no part for sheet %s", t.name)
	}
	cols := make([]string, len(t.cols))
	for c := range cols {
		cols[c], _ = excelize.ColumnNumberToName(c + 1)
	}
	rows := n + 1
	if note != nil {
		rows++
	}
	b.rows[part] = &sheetRows{ctx: b.ctx, cols: cols, first: 2, n: n, fill: t.fill, outline: t.outline, links: t.links,
		note: note, last: cellName(len(t.cols), rows)}
	return nil
}

// cellChars is the displayed length of a cell value, for column widths.
func (b *book) cellChars(v any) int {
	if c, ok := v.(excelize.Cell); ok {
		v = c.Value
	}
	switch x := v.(type) {
	case sharedStr:
		return min(utf8.RuneCountInString(b.sst.list[x]), 200)
	case string:
		return min(utf8.RuneCountInString(x), 200)
	case int64:
		n := len(strconv.FormatInt(x, 10))
		return n + (n-1)/3
	case int:
		n := len(strconv.Itoa(x))
		return n + (n-1)/3
	}
	return 0
}
