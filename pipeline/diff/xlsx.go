package diff

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sheet is one section of the workbook: a header and rows of cells.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

// Sheets are the workbook's sheet names, in order.
var Sheets = []string{"Summary", "Coverage", "Rules added", "Rules removed", "Rules changed", "Parse status", "Indicators", "Exclusions"}

// WriteXLSX writes the result as a workbook with one sheet per section
// (Sheets), each with a bold frozen header row and an autofilter. The
// sheets hold every row (up to Excel's row limit). The same result gives
// the same bytes.
func WriteXLSX(w io.Writer, r *Result) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &sortedZip{w: w, parts: map[string]*bytes.Buffer{}} })
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range xlsxSheets(r) {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		if err := writeSheet(f, s, bold); err != nil {
			return fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// writeSheet streams one sheet: column widths from the content, the bold
// header frozen above the rows, an autofilter over them.
func writeSheet(f *excelize.File, s sheet, bold int) error {
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	rows := s.rows
	if len(rows) >= excelize.TotalRows {
		rows = rows[:excelize.TotalRows-2]
		note := fmt.Sprintf("… %d more rows do not fit in a sheet", len(s.rows)-len(rows))
		rows = append(rows, []any{note})
	}
	widths := make([]int, len(s.header))
	for i, h := range s.header {
		widths[i] = utf8.RuneCountInString(h) + 3 // room for the filter button
	}
	for _, row := range rows {
		for c, v := range row {
			if str, ok := v.(string); ok && c < len(widths) {
				widths[c] = max(widths[c], utf8.RuneCountInString(str))
			}
		}
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(min(wd, 80)+2)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	header := make([]any, len(s.header))
	for i, h := range s.header {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, row := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+2), row); err != nil {
			return fmt.Errorf("row %d: %w", i+2, err)
		}
	}
	end, err := excelize.CoordinatesToCellName(len(s.header), max(len(rows)+1, 2))
	if err != nil {
		return err
	}
	if err := f.AutoFilter(s.name, "A1:"+end, nil); err != nil {
		return err
	}
	return sw.Flush()
}

// sortedZip is the workbook's zip writer: excelize writes streamed sheets
// in map order, so the parts are kept until Close and written sorted by
// name, without timestamps, for byte-identical workbooks.
type sortedZip struct {
	w     io.Writer
	parts map[string]*bytes.Buffer
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if _, dup := z.parts[name]; dup {
		return nil, fmt.Errorf("zip: duplicate part %s", name)
	}
	b := &bytes.Buffer{}
	z.parts[name] = b
	return b, nil
}

func (z *sortedZip) AddFS(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
}

func (z *sortedZip) Close() error {
	zw := zip.NewWriter(z.w)
	for _, name := range slices.Sorted(maps.Keys(z.parts)) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := z.parts[name].WriteTo(w); err != nil {
			return err
		}
	}
	return zw.Close()
}

func xlsxSheets(r *Result) []sheet {
	summary := sheet{name: "Summary", header: []string{"item", "old", "new", "note"}}
	summary.rows = append(summary.rows,
		[]any{"folder", r.Old, r.New, ""},
		[]any{"ATT&CK version", r.OldRun.AttackVersion, r.NewRun.AttackVersion, ""},
		[]any{"report date", r.OldRun.ReportDate, r.NewRun.ReportDate, ""},
		[]any{"ruleatlas version", r.OldRun.Version, r.NewRun.Version, ""},
		[]any{"rules", total(r.Vendors, true), total(r.Vendors, false),
			fmt.Sprintf("%d added, %d removed, %d changed", len(r.Added), len(r.Removed), len(r.Changed))})
	for _, v := range r.Vendors {
		summary.rows = append(summary.rows, []any{"rules: " + v.Vendor, v.Old, v.New, ""})
	}
	summary.rows = append(summary.rows, []any{"coverage changes", "", "", coverageSummary(r)})
	for _, k := range []Kind{Lost, Gained, Fewer, More, Moved} {
		summary.rows = append(summary.rows, []any{"techniques: " + string(k), "", r.Count(k), kindText[k]})
	}
	summary.rows = append(summary.rows, []any{"parse status changes", "", len(r.ParseStatus), ""})
	for _, x := range []struct {
		name string
		ps   []PatternChange
	}{{"indicators", r.Indicators}, {"exclusions", r.Exclusions}} {
		a, d := PatternCounts(x.ps)
		summary.rows = append(summary.rows, []any{x.name + " appeared", "", a, ""}, []any{x.name + " disappeared", "", d, ""})
	}

	coverage := sheet{name: "Coverage", header: []string{"change", "technique_id", "technique", "total_old", "total_new", "vendor", "old", "new", "vendor_change"}}
	for _, t := range r.Coverage {
		for _, v := range t.Vendors {
			coverage.rows = append(coverage.rows, []any{string(t.Kind()), t.ID, t.Name, t.Old, t.New, v.Vendor, v.Old, v.New, vendorKind(v)})
		}
	}

	ruleRows := func(name string, rs []*Rule) sheet {
		s := sheet{name: name, header: []string{"vendor", "rule_id", "title", "status", "severity", "techniques", "parse_status", "predicates", "path"}}
		for _, x := range rs {
			s.rows = append(s.rows, []any{x.Vendor, x.RuleID, x.Title, x.Status, x.Severity, strings.Join(x.Techniques, ", "), x.ParseStatus, len(x.Predicates), x.Path})
		}
		return s
	}

	changed := sheet{name: "Rules changed", header: []string{"vendor", "rule_id", "title", "path", "what", "old", "new"}}
	for _, c := range r.Changed {
		base := []any{c.New.Vendor, c.New.RuleID, c.New.Title, c.New.Path}
		for _, f := range c.Fields {
			changed.rows = append(changed.rows, append(base[:4:4], f.Name, f.Old, f.New))
		}
		for _, l := range c.PredicatesRemoved {
			changed.rows = append(changed.rows, append(base[:4:4], "predicate removed", l, ""))
		}
		for _, l := range c.PredicatesAdded {
			changed.rows = append(changed.rows, append(base[:4:4], "predicate added", "", l))
		}
	}

	status := sheet{name: "Parse status", header: []string{"vendor", "rule_id", "title", "path", "old", "new", "old_error", "new_error"}}
	for _, s := range r.ParseStatus {
		status.rows = append(status.rows, []any{s.Rule.Vendor, s.Rule.RuleID, s.Rule.Title, s.Rule.Path, s.Old, s.New, s.OldError, s.Rule.ParseError})
	}

	patterns := func(name string, ps []PatternChange) sheet {
		s := sheet{name: name, header: []string{"technique_id", "technique", "change", "field", "op", "value", "rules"}}
		for _, p := range ps {
			s.rows = append(s.rows, []any{p.TechniqueID, p.Name, string(p.Change), p.Field, p.Op, p.Value, p.Rules})
		}
		return s
	}
	return []sheet{summary, coverage, ruleRows("Rules added", r.Added), ruleRows("Rules removed", r.Removed), changed, status,
		patterns("Indicators", r.Indicators), patterns("Exclusions", r.Exclusions)}
}

func vendorKind(v VendorChange) string {
	switch {
	case v.Lost():
		return string(Lost)
	case v.Old == 0:
		return string(Gained)
	case v.New < v.Old:
		return string(Fewer)
	}
	return string(More)
}
