package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/internal/cputime"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// registered lists the vendors with a frontend, in report order.
func registered() []string {
	var out []string
	for _, f := range pipeline.Frontends() {
		out = append(out, f.Vendor())
	}
	return out
}

// sampleSet runs the pipeline over the sample corpus of every registered
// vendor with the embedded ATT&CK data.
func sampleSet(t testing.TB) *tables.Set {
	t.Helper()
	root := pipetest.RepoRoot(t)
	var sources []pipeline.Source
	for _, v := range registered() {
		dir := filepath.Join(root, "testdata", "corpus", v)
		if _, err := os.Stat(dir); err == nil {
			sources = append(sources, pipeline.Source{Vendor: v, Root: dir})
		}
	}
	return run(t, pipeline.Options{Sources: sources, ReportDate: "2026-01-15"})
}

// sharedSet runs the pipeline over the shared corpus of every registered
// vendor that has one, with the shared ATT&CK bundle.
func sharedSet(t testing.TB) *tables.Set {
	t.Helper()
	attackFile := pipetest.SharedAttack(t)
	var sources []pipeline.Source
	for _, v := range registered() {
		dir := filepath.Join(pipetest.SharedDir(t), "corpora", v)
		if _, err := os.Stat(dir); err == nil {
			sources = append(sources, pipeline.Source{Vendor: v, Root: dir})
		}
	}
	if len(sources) == 0 {
		t.Skip("no shared corpus for a registered vendor")
	}
	return run(t, pipeline.Options{Sources: sources, AttackFile: attackFile})
}

func run(t testing.TB, opts pipeline.Options) *tables.Set {
	t.Helper()
	st, err := pipeline.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Tables.Release)
	return st.Tables
}

func write(t testing.TB, set *tables.Set, e xlsx.Exporter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Write(context.Background(), &buf, set); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the workbook back: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

var commitHex = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

// dump renders a sheet's cell values as tab-separated lines.
func dump(t testing.TB, f *excelize.File, sheet string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	// Source folders are absolute; keep the golden files machine-independent.
	// The checkout's commit changes with every commit: the golden names it.
	return commitHex.ReplaceAllString(strings.ReplaceAll(b.String(), pipetest.RepoRoot(t), "<repo>"), "<commit>")
}

var coreSheets = []string{xlsx.SummarySheet, xlsx.CoverageSheet, xlsx.GapsSheet, xlsx.RulesSheet, xlsx.FieldsSheet,
	xlsx.IndicatorsSheet, xlsx.ExclusionsSheet, xlsx.ProblemsSheet, xlsx.TelemetrySheet, xlsx.GroupsSheet}

func goldenName(sheet string) string {
	return filepath.Join("testdata", strings.ReplaceAll(strings.ToLower(sheet), " ", "_")+".golden")
}

// TestGolden compares every sheet's cell values, the Coverage links and
// one technique page with the golden dumps (go test -update rewrites them).
func TestGolden(t *testing.T) {
	set := sampleSet(t)
	f := open(t, write(t, set, xlsx.Exporter{PerTechnique: true}))
	sheets := f.GetSheetList()
	if !slices.Equal(sheets[:len(coreSheets)], coreSheets) {
		t.Fatalf("sheets %v, want %v first", sheets, coreSheets)
	}
	for _, s := range coreSheets {
		pipetest.Golden(t, goldenName(s), dump(t, f, s))
	}

	// Links from Coverage and Gaps.
	var links strings.Builder
	for _, s := range []string{xlsx.CoverageSheet, xlsx.GapsSheet} {
		rows, _ := f.GetRows(s)
		for r := range rows {
			for c := range rows[r] {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if ok, target, _ := f.GetCellHyperLink(s, cell); ok {
					fmt.Fprintf(&links, "%s!%s\t%s\t%s\n", s, cell, rows[r][c], target)
				}
			}
		}
	}
	pipetest.Golden(t, filepath.Join("testdata", "links.golden"), links.String())

	// Technique pages: one sheet per covered technique; dump the first.
	pages := sheets[len(coreSheets):]
	if len(pages) == 0 {
		t.Fatal("no technique pages")
	}
	pipetest.Golden(t, filepath.Join("testdata", "page.golden"), pages[0]+"\n"+dump(t, f, pages[0]))
	for _, id := range []string{"T1595", "T1059.001"} {
		if !slices.Contains(pages, id) {
			t.Fatalf("no sheet %s among %v", id, pages)
		}
		pipetest.Golden(t, filepath.Join("testdata", "page-"+id+".golden"), id+"\n"+dump(t, f, id))
	}

	// Without PerTechnique there are only the core sheets.
	plain := open(t, write(t, set, xlsx.Exporter{}))
	if got := plain.GetSheetList(); !slices.Equal(got, coreSheets) {
		t.Errorf("sheets %v, want %v", got, coreSheets)
	}
}

// dataRows counts the rows below the header of a sheet.
func dataRows(t testing.TB, f *excelize.File, sheet string) int {
	t.Helper()
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Error(); err != nil {
		t.Fatal(err)
	}
	return n - 1
}

func checkRowCounts(t *testing.T, set *tables.Set, f *excelize.File) {
	t.Helper()
	for _, c := range []struct {
		sheet string
		rec   interface{ NumRows() int64 }
	}{{xlsx.RulesSheet, set.Rules}, {xlsx.FieldsSheet, set.Fields}, {xlsx.IndicatorsSheet, set.Indicators},
		{xlsx.ExclusionsSheet, set.Exclusions}} {
		got, want := dataRows(t, f, c.sheet), int(c.rec.NumRows())
		if got != want {
			t.Errorf("%s: %d rows, want %d (the table's rows)", c.sheet, got, want)
		}
		t.Logf("%s: %d rows", c.sheet, got)
	}
	if got, want := dataRows(t, f, xlsx.CoverageSheet), int(set.Coverage.NumRows())/max(len(set.Meta.Vendors), 1); got != want {
		t.Errorf("Coverage: %d rows, want %d techniques", got, want)
	}
}

func TestRowCountsSample(t *testing.T) {
	set := sampleSet(t)
	checkRowCounts(t, set, open(t, write(t, set, xlsx.Exporter{})))
}

// TestRowCountsShared reads back the workbook of the full shared corpora.
func TestRowCountsShared(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := sharedSet(t)
	data := write(t, set, xlsx.Exporter{})
	t.Logf("workbook: %d bytes, vendors %v", len(data), set.Meta.Vendors)
	checkRowCounts(t, set, open(t, data))
}

// TestDeterministic writes the workbook twice and compares the bytes, and
// checks the zip parts carry the fixed time, not the current one.
func TestDeterministic(t *testing.T) {
	set := sampleSet(t)
	for _, e := range []xlsx.Exporter{{}, {PerTechnique: true}} {
		a, b := write(t, set, e), write(t, set, e)
		ha, hb := sha256.Sum256(a), sha256.Sum256(b)
		if ha != hb {
			t.Fatalf("PerTechnique=%v: two exports differ: %x vs %x", e.PerTechnique, ha, hb)
		}
		zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
		var names []string
		for _, zf := range zr.File {
			names = append(names, zf.Name)
			if !zf.Modified.Equal(want) {
				t.Errorf("%s: modified %v, want %v", zf.Name, zf.Modified, want)
			}
		}
		if !slices.IsSorted(names) {
			t.Errorf("zip parts not sorted: %v", names)
		}
		f := open(t, a)
		props, err := f.GetDocProps()
		if err != nil {
			t.Fatal(err)
		}
		if props.Created != "2026-01-15T00:00:00Z" || props.Modified != props.Created || props.Creator != "ruleatlas" {
			t.Errorf("document properties %+v", props)
		}
	}
}

// TestExport writes through the Exporter interface into a folder.
func TestExport(t *testing.T) {
	set := sampleSet(t)
	dir := t.TempDir()
	e := xlsx.Exporter{}
	if e.Name() != "xlsx" {
		t.Errorf("Name() = %q", e.Name())
	}
	files, err := e.Export(context.Background(), set, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, []string{"workbook.xlsx"}) {
		t.Errorf("files %v", files)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only workbook.xlsx", len(entries))
	}
	data := pipetest.Read(t, filepath.Join(dir, "workbook.xlsx"))
	if !bytes.Equal(data, write(t, set, e)) {
		t.Error("Export and Write differ")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Export(ctx, set, t.TempDir()); err == nil {
		t.Error("Export with a cancelled context succeeded")
	}
}

const nastyRule = `title: '=HYPERLINK("http://x","y")'
id: 0b8e3f7a-5c2d-4e1f-9a6b-7c8d9e0f1a2b
status: test
description: A rule whose title and values are crafted to be misread by spreadsheets.
author: ruleatlas tests
date: 2025-02-03
tags:
    - attack.execution
    - attack.t1059.001
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        CommandLine|contains:
            - '=cmd|'' /C calc''!A0'
            - '+1+2'
            - '-enc'
            - '@SUM(1)'
            - "bell\abell\x1Fend"
            - '%s'
    condition: selection
level: high
`

// TestFormulaInjection builds a Set from a hand-written Sigma rule titled
// =HYPERLINK("http://x","y") with values that start with = + - @, control
// characters and one longer than a cell holds, and checks they all end up
// as literal text.
func TestFormulaInjection(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("A", 40000)
	rule := strings.Replace(nastyRule, "'%s'", "'"+long+"'", 1)
	if err := os.WriteFile(filepath.Join(dir, "nasty.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	set := run(t, pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: dir}}})
	if set.Rules.NumRows() != 1 {
		t.Fatalf("%d rules", set.Rules.NumRows())
	}
	data := write(t, set, xlsx.Exporter{PerTechnique: true})
	f := open(t, data)

	title := `=HYPERLINK("http://x","y")`
	if v, _ := f.GetCellValue(xlsx.RulesSheet, "C2"); v != title {
		t.Errorf("title cell = %q, want the literal %q", v, title)
	}
	if fm, _ := f.GetCellFormula(xlsx.RulesSheet, "C2"); fm != "" {
		t.Errorf("title cell has formula %q", fm)
	}
	if typ, _ := f.GetCellType(xlsx.RulesSheet, "C2"); typ != excelize.CellTypeInlineString {
		t.Errorf("title cell type %v, want an inline string", typ)
	}
	if ok, _, _ := f.GetCellHyperLink(xlsx.RulesSheet, "C2"); ok {
		t.Error("title cell is a hyperlink")
	}
	quoted := func(sheet, cell string) bool {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		xf := f.Styles.CellXfs.Xf[id]
		return xf.QuotePrefix != nil && *xf.QuotePrefix
	}
	if !quoted(xlsx.RulesSheet, "C2") {
		t.Error("title cell lacks the quote-prefix style")
	}

	// No part of the package holds a formula element.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, _ := zf.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(body, []byte("<f>")) || bytes.Contains(body, []byte("<f ")) {
			t.Errorf("%s contains a formula", zf.Name)
		}
		if bytes.Contains(body, []byte("_x0007_")) || bytes.Contains(body, []byte("\a")) {
			t.Errorf("%s contains a control character", zf.Name)
		}
	}

	// Indicator values: literal, quoted when formula-like, cleaned, cut.
	rows, err := f.GetRows(xlsx.IndicatorsSheet)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]int{}
	for r, row := range rows[1:] {
		if len(row) > 3 {
			values[row[3]] = r + 2
		}
	}
	for _, v := range []string{"=cmd|' /C calc'!A0", "+1+2", "-enc", "@SUM(1)"} {
		r, ok := values[v]
		if !ok {
			t.Errorf("indicator value %q missing; have %v", v, keys(values))
			continue
		}
		if !quoted(xlsx.IndicatorsSheet, fmt.Sprintf("D%d", r)) {
			t.Errorf("value %q lacks the quote-prefix style", v)
		}
	}
	if _, ok := values["bellbellend"]; !ok {
		t.Errorf("control characters not removed: %v", keys(values))
	}
	var cut string
	for v := range values {
		if strings.HasPrefix(v, "AAAA") {
			cut = v
		}
	}
	if !strings.HasSuffix(cut, xlsx.TruncMarker) || len([]rune(cut)) > xlsx.MaxCellChars {
		t.Errorf("long value: %d characters, suffix %q", len([]rune(cut)), cut[max(0, len(cut)-20):])
	}
}

// countWriter discards what it is given and counts the bytes.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k[:min(len(k), 30)])
	}
	slices.Sort(out)
	return out
}

// TestLibreOffice converts the sample workbook to CSV with LibreOffice
// headless (an independent reader) when soffice is installed.
func TestLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	libreOffice(t, sampleSet(t), xlsx.Exporter{PerTechnique: true})
}

// TestLibreOfficeShared does the same for the full shared corpora (about a
// minute of LibreOffice time; skipped with -short).
func TestLibreOfficeShared(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	libreOffice(t, sharedSet(t), xlsx.Exporter{})
}

func libreOffice(t *testing.T, set *tables.Set, e xlsx.Exporter) {
	soffice, err := lookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed (apt-get install libreoffice-calc-nogui)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "workbook.xlsx")
	if err := os.WriteFile(path, write(t, set, e), 0o644); err != nil {
		t.Fatal(err)
	}
	csvs, err := convertCSV(soffice, path, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sheet string
		rows  int64
	}{{xlsx.RulesSheet, set.Rules.NumRows()}, {xlsx.FieldsSheet, set.Fields.NumRows()},
		{xlsx.IndicatorsSheet, set.Indicators.NumRows()}, {xlsx.ExclusionsSheet, set.Exclusions.NumRows()}} {
		n, ok := csvs[c.sheet]
		if !ok {
			t.Errorf("LibreOffice wrote no CSV for %s (have %v)", c.sheet, csvs)
			continue
		}
		if n != int(c.rows)+1 {
			t.Errorf("%s: LibreOffice read %d rows, want %d", c.sheet, n, c.rows+1)
		}
		t.Logf("%s: LibreOffice read %d rows", c.sheet, n)
	}
	for _, s := range []string{xlsx.SummarySheet, xlsx.CoverageSheet, xlsx.GapsSheet, xlsx.ProblemsSheet} {
		if _, ok := csvs[s]; !ok {
			t.Errorf("LibreOffice wrote no CSV for %s", s)
		}
	}
}

// BenchmarkExportShared writes the workbook of the full shared corpora
// (every registered vendor with a shared corpus); the tables are built once.
func BenchmarkExportShared(b *testing.B) {
	benchExport(b, xlsx.Exporter{})
}

// BenchmarkExportSharedPerTechnique adds one sheet per covered technique.
func BenchmarkExportSharedPerTechnique(b *testing.B) {
	benchExport(b, xlsx.Exporter{PerTechnique: true})
}

func benchExport(b *testing.B, e xlsx.Exporter) {
	set := sharedSet(b)
	var size int
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		var w countWriter
		if err := e.Write(context.Background(), &w, set); err != nil {
			b.Fatal(err)
		}
		size = int(w)
	}
	// CPU time (user+system) per export: steadier than wall time on a
	// shared machine.
	b.ReportMetric(float64((cputime.Process()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size), "bytes/workbook")
	b.ReportMetric(float64(set.Rules.NumRows()), "rules")
}
