// Package xlsx writes a run's catalog as an Excel workbook (SPEC §6),
// workbook.xlsx: a Summary sheet with the run facts (rules per vendor and
// parse status, per vendor and kind, files per vendor and outcome) and a
// native chart of rules per tactic and vendor, Coverage (one row per ATT&CK
// technique, sub-techniques indented under their parent, a colour scale on
// the counts), Gaps, Rules, Fields, Indicators, Exclusions, Parse problems
// (every file that gave no clean rule, and why), Telemetry (ATT&CK data
// components per technique: recommended, read, gaps) and Groups (every
// ATT&CK group's coverage ratio), and with Exporter.PerTechnique one sheet
// per technique laid out like the SPEC §8 page (computed columns and
// hunting queries in their own sections).
//
// excelize builds the workbook's parts; the sheets' rows are written as XML
// by this package (rows.go) and put into the parts as the package is
// compressed, the big tables' repeated text as shared strings (sst.go). The bytes are
// deterministic for identical inputs: fixed document properties derived from
// the report date, zip parts in sorted order with one fixed timestamp. Text
// from rules is neutralised: it is always stored as a string cell (never a
// formula), values that look like formulas get Excel's quote-prefix style,
// control characters are removed and over-long values are cut with a marker
// (see Sanitize).
package xlsx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// FileName is the workbook's name in the output folder.
const FileName = "workbook.xlsx"

// Sheet names, in workbook order.
const (
	SummarySheet    = "Summary"
	CoverageSheet   = "Coverage"
	GapsSheet       = "Gaps"
	RulesSheet      = "Rules"
	FieldsSheet     = "Fields"
	IndicatorsSheet = "Indicators"
	ExclusionsSheet = "Exclusions"
	ProblemsSheet   = "Parse problems"
)

// Exporter writes workbook.xlsx.
type Exporter struct {
	// PerTechnique adds one sheet per technique with at least one rule, laid
	// out like the SPEC §8 page, and links the technique ids on Coverage to
	// them (otherwise they link to the technique's first row on Fields or
	// Indicators). The CLI sets it with --xlsx-per-technique.
	PerTechnique bool
}

// Name returns "xlsx".
func (Exporter) Name() string { return "xlsx" }

// Export writes workbook.xlsx below dir.
func (e Exporter) Export(ctx context.Context, set *tables.Set, dir string) ([]string, error) {
	f, err := outfile.Create(dir, FileName)
	if err != nil {
		return nil, err
	}
	if err := e.Write(ctx, f, set); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", FileName, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", FileName, err)
	}
	if err := outfile.Commit(dir, FileName); err != nil {
		return nil, err
	}
	return []string{FileName}, nil
}

// Write writes the workbook of set to w.
func (e Exporter) Write(ctx context.Context, w io.Writer, set *tables.Set) error {
	if set == nil || set.Rules == nil || set.Coverage == nil {
		return errors.New("tables not built")
	}
	b, err := newBook(ctx, set, e)
	if err != nil {
		return err
	}
	defer b.f.Close()
	// Sheets are added in workbook order first, then filled in that order.
	// The big table sheets get only their header here; their rows are made
	// in parallel while the package is assembled (see sheetRows).
	order := []string{SummarySheet, CoverageSheet, GapsSheet, RulesSheet, FieldsSheet, IndicatorsSheet, ExclusionsSheet, ProblemsSheet,
		TelemetrySheet, GroupsSheet}
	if set.History != nil && set.History.First() >= 0 {
		order = append(order, HistorySheet)
	}
	order = append(order, b.pageOrder...)
	for _, name := range order {
		if err := b.newSheet(name); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	steps := []struct {
		name string
		fn   func() error
	}{{SummarySheet, b.summary}, {CoverageSheet, b.coverage}, {GapsSheet, b.gaps}, {RulesSheet, b.rules},
		{FieldsSheet, b.fields}, {IndicatorsSheet, b.indicators}, {ExclusionsSheet, b.exclusions},
		{ProblemsSheet, b.problems}, {TelemetrySheet, b.telemetry}, {GroupsSheet, b.groupsSheet}}
	if set.History != nil && set.History.First() >= 0 {
		steps = append(steps, struct {
			name string
			fn   func() error
		}{HistorySheet, b.historySheet})
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.fn(); err != nil {
			return fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	if e.PerTechnique {
		if err := b.techniquePages(); err != nil {
			return err
		}
	}
	when := fixedTime(set.Meta.ReportDate)
	// excelize assembles the package in a buffer it then copies to its
	// writer; the zip writer goes straight to w instead, so the buffer stays
	// empty and the workbook is not held twice.
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z := newSortedZip(w, when, flate.BestSpeed)
		z.rows, z.sst = b.rows, b.sst.list
		return z
	})
	if err := b.f.Write(io.Discard); err != nil {
		return fmt.Errorf("writing workbook: %w", err)
	}
	return nil
}

// epoch is the document time when the run has no report date.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// fixedTime is the report date at midnight UTC, or epoch.
func fixedTime(date string) time.Time {
	t, err := time.Parse("2006-01-02", date)
	if err != nil || t.Year() < 1980 {
		return epoch
	}
	return t
}

// book is one workbook being written.
type book struct {
	ctx  context.Context
	f    *excelize.File
	set  *tables.Set
	cat  *view.Catalog
	opts Exporter
	st   styles

	quoted map[int]int // style → its quote-prefix twin

	// Row lookups for links, 1-based sheet rows.
	fieldRows, indicatorRows, exclusionRows map[string][2]int // technique → data rows [start, end)
	coverageRow                             map[string]int
	pageSheet                               map[string]string     // technique → its sheet (PerTechnique)
	pageOrder                               []string              // page sheets in workbook order
	rows                                    map[string]*sheetRows // part → rows written when the package is assembled
	sst                                     sharedStrings         // the table sheets' shared strings (sst.go)
	parts                                   map[string]string     // sheet → its part (every sheet is added before any is written)
	sheetIndex                              int
}

type styles struct {
	title, section, header, label, text, bold, wrap, italic int
	indent, link, linkIndent, count, countBold, percent     int
}

func newBook(ctx context.Context, set *tables.Set, opts Exporter) (*book, error) {
	f := excelize.NewFile()
	b := &book{ctx: ctx, f: f, set: set, cat: view.NewCatalog(set), opts: opts, quoted: map[int]int{},
		coverageRow: map[string]int{}, pageSheet: map[string]string{}, rows: map[string]*sheetRows{}}
	if err := b.newStyles(); err != nil {
		f.Close()
		return nil, err
	}
	when := fixedTime(set.Meta.ReportDate).Format(time.RFC3339)
	desc := "Detection-rule catalog report"
	if set.Meta.ToolVersion != "" {
		desc += " (ruleatlas " + set.Meta.ToolVersion + ")"
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: "ruleatlas catalog", Subject: "Detection-rule coverage of MITRE ATT&CK", Creator: "ruleatlas",
		LastModifiedBy: "ruleatlas", Description: desc, Created: when, Modified: when, Language: "en-US",
	}); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "ruleatlas", Company: "", DocSecurity: 0}); err != nil {
		f.Close()
		return nil, err
	}
	b.fieldRows = dataRows(set.Fields)
	b.indicatorRows = dataRows(set.Indicators)
	b.exclusionRows = dataRows(set.Exclusions)
	if opts.PerTechnique {
		for _, id := range view.NewIndex(set).Techniques() {
			name := pageSheetName(id, b.pageSheet)
			b.pageSheet[id] = name
			b.pageOrder = append(b.pageOrder, name)
		}
	}
	return b, nil
}

// dataRows maps each technique of a record sorted by technique id (column
// 0) to its sheet rows [start, end), the header being row 1.
func dataRows(rec arrow.RecordBatch) map[string][2]int {
	out := tables.TechniqueRanges(rec)
	for t, r := range out {
		out[t] = [2]int{r[0] + 2, r[1] + 2}
	}
	return out
}

func (b *book) newStyles() error {
	f := b.f
	var errs []error
	add := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		errs = append(errs, err)
		return id
	}
	b.st = styles{
		title:   add(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3864"}}),
		section: add(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F3864"}}),
		header: add(&excelize.Style{Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
			Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		label:      add(&excelize.Style{Font: &excelize.Font{Bold: true}}),
		text:       0, // the default style: most cells, and the smallest XML
		bold:       add(&excelize.Style{Font: &excelize.Font{Bold: true}}),
		wrap:       add(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}),
		italic:     add(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}),
		indent:     add(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Indent: 2}}),
		link:       add(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}),
		linkIndent: add(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: &excelize.Alignment{Horizontal: "left", Indent: 2}}),
		count:      add(&excelize.Style{NumFmt: 3}),
		countBold:  add(&excelize.Style{NumFmt: 3, Font: &excelize.Font{Bold: true}}),
		percent:    add(&excelize.Style{NumFmt: 9}),
	}
	st := b.st
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The quote-prefix twins are made here, before any sheet is streamed,
	// so their ids never depend on the order rows are written in.
	for _, id := range []int{st.text, st.title, st.section, st.header, st.label, st.bold, st.wrap, st.italic,
		st.indent, st.link, st.linkIndent} {
		if _, ok := b.quoted[id]; !ok {
			b.quoted[id] = b.addQuoteTwin(id)
		}
	}
	return nil
}

// str is a text cell: sanitized, always a string, with the quote-prefix
// twin of style when the text looks like a formula. Empty text is a blank
// cell (nil).
func (b *book) str(s string, style int) any {
	s = Sanitize(s)
	if s == "" {
		return nil
	}
	if formulaLike(s) {
		style = b.quote(style)
	}
	if style == 0 {
		return s // the default style: no Cell to allocate
	}
	return excelize.Cell{StyleID: style, Value: s}
}

// num is a count cell.
func (b *book) num(n int64) any { return excelize.Cell{StyleID: b.st.count, Value: n} }

// quote returns the twin of style with Excel's quotePrefix set: the cell is
// shown and edited as text even when it starts with "=".
func (b *book) quote(style int) int {
	if q, ok := b.quoted[style]; ok {
		return q
	}
	return style // not reached: every text style has a twin (newStyles)
}

// addQuoteTwin appends a copy of style with quotePrefix set.
func (b *book) addQuoteTwin(style int) int {
	xfs := b.f.Styles.CellXfs
	if xfs == nil || style < 0 || style >= len(xfs.Xf) {
		return style
	}
	xf := xfs.Xf[style]
	on := true
	xf.QuotePrefix = &on
	xfs.Xf = append(xfs.Xf, xf)
	xfs.Count = len(xfs.Xf)
	return len(xfs.Xf) - 1
}

// newSheet adds a sheet (the first call renames the default sheet).
func (b *book) newSheet(name string) error {
	b.sheetIndex++
	if b.sheetIndex == 1 {
		return b.f.SetSheetName("Sheet1", name)
	}
	_, err := b.f.NewSheet(name)
	return err
}

// link makes cell a hyperlink to a location inside the workbook.
func (b *book) link(sheet, cell, target string) error {
	return b.f.SetCellHyperLink(sheet, cell, target, "Location")
}

// ref is an absolute cell reference to a sheet, quoted for any name.
func ref(sheet string, col, row int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return "'" + sheet + "'!" + name + strconv.Itoa(row)
}

// cellName is A1-style.
func cellName(col, row int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name + strconv.Itoa(row)
}
