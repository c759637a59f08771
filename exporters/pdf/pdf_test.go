package pdf_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/internal/cputime"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

const reportDate = "2026-01-15"

// registered lists the vendors with a registered frontend, in report order.
func registered() []string {
	var have, out []string
	for _, f := range pipeline.Frontends() {
		have = append(have, f.Vendor())
	}
	for _, v := range pipeline.Vendors {
		if slices.Contains(have, v) {
			out = append(out, v)
		}
	}
	return out
}

// sources lists <root>/<vendor> for every registered vendor present there.
func sources(t testing.TB, root string) []pipeline.Source {
	var out []pipeline.Source
	for _, v := range registered() {
		if dir := filepath.Join(root, v); isDir(dir) {
			out = append(out, pipeline.Source{Vendor: v, Root: dir})
		}
	}
	if len(out) == 0 {
		t.Skipf("no corpus of a registered vendor under %s", root)
	}
	return out
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func run(t testing.TB, opts pipeline.Options) *tables.Set {
	t.Helper()
	opts.ReportDate = reportDate
	opts.ToolVersion = "test"
	st, err := pipeline.Run(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(st.Tables.Release)
	return st.Tables
}

func sampleSet(t testing.TB) *tables.Set {
	return run(t, pipeline.Options{Sources: sources(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus"))})
}

func sharedSet(t testing.TB) *tables.Set {
	dir := pipetest.SharedDir(t)
	return run(t, pipeline.Options{Sources: sources(t, filepath.Join(dir, "corpora")), AttackFile: pipetest.SharedAttack(t)})
}

func export(t testing.TB, set *tables.Set, e pdf.Exporter) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	files, err := e.Export(context.Background(), set, dir)
	require.NoError(t, err)
	return dir, files
}

func tool(t testing.TB, name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install poppler-utils qpdf); skipping", name)
	}
	return p
}

func TestExportFiles(t *testing.T) {
	set := sampleSet(t)
	ix := view.NewIndex(set)
	require.NotEmpty(t, ix.Techniques())
	dir, files := export(t, set, pdf.Exporter{})
	var want []string
	for _, id := range ix.Techniques() {
		want = append(want, pdf.TechniqueFile(id))
	}
	want = append(want, pdf.SummaryFile)
	require.Equal(t, want, files)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(data, []byte("%PDF-1.")), f)
		require.Contains(t, string(data), "/CreationDate (D:20260115000000", f)
		require.NotContains(t, string(data), "/ID [", f)
		require.Contains(t, string(data), "/FlateDecode", f)
		// The sample's text is all Windows-1252: only the single-byte form
		// of Go Regular is embedded, never fpdf's per-document UTF-8 form.
		require.Contains(t, string(data), "/BaseFont /GoRegular\n/Subtype /TrueType", f)
		require.NotContains(t, string(data), "/Subtype /Type0", f)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "pdf", "*.tmp"))
	require.Empty(t, leftovers)
}

func TestExportSelectedTechniques(t *testing.T) {
	set := sampleSet(t)
	ix := view.NewIndex(set)
	first := ix.Techniques()[0]
	_, files := export(t, set, pdf.Exporter{Techniques: []string{" " + strings.ToLower(first), first}})
	require.Equal(t, []string{pdf.TechniqueFile(first), pdf.SummaryFile}, files)

	_, err := pdf.Exporter{Techniques: []string{"../etc/passwd"}}.Export(context.Background(), set, t.TempDir())
	require.Error(t, err)
}

func TestDeterministic(t *testing.T) {
	set := sampleSet(t)
	dirA, files := export(t, set, pdf.Exporter{Workers: 1})
	dirB, filesB := export(t, set, pdf.Exporter{Workers: 3})
	require.Equal(t, files, filesB)
	for _, f := range files {
		a, err := os.ReadFile(filepath.Join(dirA, f))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dirB, f))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "%s differs between two exports", f)
	}
	// A report does not depend on what else the export wrote before it.
	last := strings.TrimSuffix(filepath.Base(files[len(files)-2]), ".pdf")
	dirC, _ := export(t, set, pdf.Exporter{Techniques: []string{last}})
	a, err := os.ReadFile(filepath.Join(dirA, pdf.TechniqueFile(last)))
	require.NoError(t, err)
	c, err := os.ReadFile(filepath.Join(dirC, pdf.TechniqueFile(last)))
	require.NoError(t, err)
	require.True(t, bytes.Equal(a, c), "%s differs when exported alone", last)
}

// TestSampleContent checks every PDF of the sample corpus with qpdf and
// pdftotext: structure, technique name, per-vendor counts equal to the
// coverage table, and every indicator value shown.
func TestSampleContent(t *testing.T) {
	tool(t, "qpdf")
	tool(t, "pdftotext")
	set := sampleSet(t)
	dir, files := export(t, set, pdf.Exporter{})
	checkAll(t, set, dir, files)
}

// TestSharedContent does the same over the shared corpora; skipped with
// -short as it runs the tools on several hundred files.
func TestSharedContent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the shared-corpus PDF check")
	}
	tool(t, "qpdf")
	tool(t, "pdftotext")
	set := sharedSet(t)
	dir, files := export(t, set, pdf.Exporter{})
	checkAll(t, set, dir, files)
	t.Logf("%d PDF files checked", len(files))
}

// coverage reads technique → vendor → rules from the coverage table.
func coverage(set *tables.Set) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	ids, vendors, rules := tables.Strings(set.Coverage, 0), tables.Strings(set.Coverage, 4), tables.Int64s(set.Coverage, 5)
	for i := range ids.Len() {
		m := out[ids.Value(i)]
		if m == nil {
			m = map[string]int64{}
			out[ids.Value(i)] = m
		}
		m[vendors.Value(i)] = rules.Value(i)
	}
	return out
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func prefix(s string, n int) string {
	r := []rune(s)
	return string(r[:min(len(r), n)])
}

func checkAll(t *testing.T, set *tables.Set, dir string, files []string) {
	l, err := pdf.DefaultLayout()
	require.NoError(t, err)
	ix := view.NewIndex(set)
	cov := coverage(set)
	limit := l.Technique.Limits["indicators"]
	titleFont := l.Fonts[l.Styles["title"].Font]
	valueFont := l.Fonts[l.Styles[l.Technique.Columns["indicators"][2].Style].Font]

	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	check := func(f string) {
		path := filepath.Join(dir, f)
		if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil ||
			!strings.Contains(string(out), "No syntax or stream encoding errors") {
			fail("%s: qpdf --check: %v\n%s", f, err, out)
			return
		}
		raw, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			fail("%s: pdftotext -raw: %v", f, err)
			return
		}
		text := squash(string(raw))
		if f == pdf.SummaryFile {
			for _, v := range set.Meta.Vendors {
				if !strings.Contains(string(raw), v) {
					fail("%s: vendor %s missing", f, v)
				}
			}
			return
		}
		id := strings.TrimSuffix(filepath.Base(f), ".pdf")
		p := ix.Page(id)
		if p.Name != "" && !strings.Contains(text, squash(pdf.Printable(titleFont, p.ID+p.Name))) {
			fail("%s: technique name %q not extracted", f, p.Name)
		}
		for _, v := range p.Vendors {
			if want := cov[id][v.Name]; v.Rules != want {
				fail("%s: page says %s has %d rules, coverage.parquet %d", f, v.Name, v.Rules, want)
			}
			re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(v.Name) + `\s+` + fmt.Sprint(v.Rules) + `\s*$`)
			if !re.Match(raw) {
				fail("%s: no line %q with count %d", f, v.Name, v.Rules)
			}
		}
		for _, ind := range p.Indicators[:min(len(p.Indicators), limit)] {
			want := squash(prefix(pdf.Printable(valueFont, ind.Value), 60))
			if !strings.Contains(text, want) {
				fail("%s: indicator value %q not extracted", f, ind.Value)
			}
		}
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				check(f)
			}
		}()
	}
	for _, f := range files {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	slices.Sort(failures)
	for _, f := range failures[:min(len(failures), 30)] {
		t.Error(f)
	}
	if len(failures) > 30 {
		t.Errorf("… %d failures in all", len(failures))
	}
}

// hostile is a hand-written Sigma rule whose title and values carry markup,
// spreadsheet formulas, control characters, scripts the fonts lack, a bidi
// override and a very long unbroken token.
var hostile = "title: \"Probe <script>alert(1)</script> =HYPERLINK(\\\"http://x\\\") \\u202e gnirts \\t tab 日本語 عربى Ωμέγα Кириллица 🙂\"\n" +
	`id: 0b5e8a4c-7d63-4c39-9b1e-3f7b2a6d5c01
status: test
description: probe
author: ruleatlas tests
date: 2026-01-10
tags:
  - attack.execution
  - attack.t1059.001
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    CommandLine|contains:
      - '<script>alert(1)</script>'
      - '=HYPERLINK("http://evil")'
      - '` + strings.Repeat("A1b2C3d4", 60) + `'
      - 'Пароль'
      - '密码'
  condition: selection
level: high
`

func TestHostileText(t *testing.T) {
	qpdf, pdftotext := tool(t, "qpdf"), tool(t, "pdftotext")
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "rules"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "rules", "probe.yml"), []byte(hostile), 0o644))
	set := run(t, pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: root}}})
	dir, files := export(t, set, pdf.Exporter{})
	require.Contains(t, files, pdf.TechniqueFile("T1059.001"))
	for _, f := range files {
		out, err := exec.Command(qpdf, "--check", filepath.Join(dir, f)).CombinedOutput()
		require.NoError(t, err, "%s: %s", f, out)
	}
	raw, err := exec.Command(pdftotext, "-raw", "-enc", "UTF-8", filepath.Join(dir, pdf.TechniqueFile("T1059.001")), "-").Output()
	require.NoError(t, err)
	// Greek and Cyrillic are outside Windows-1252: this report embeds both
	// forms of Go Regular.
	data, err := os.ReadFile(filepath.Join(dir, pdf.TechniqueFile("T1059.001")))
	require.NoError(t, err)
	require.Contains(t, string(data), "/BaseFont /GoRegular\n/Subtype /TrueType")
	require.Contains(t, string(data), "/Subtype /Type0")
	text := string(raw)
	require.Contains(t, text, "<script>alert(1)</script>")
	require.Contains(t, text, "=HYPERLINK(")
	require.Contains(t, text, "Ωμέγα Кириллица")
	require.Contains(t, text, "??? ????") // CJK and Arabic become '?'
	require.Contains(t, text, "Пароль")
	require.NotContains(t, text, "\u202e")
	require.Contains(t, squash(text), strings.Repeat("A1b2C3d4", 60), "long token wrapped but complete")
}

// BenchmarkExportShared writes every technique PDF and the summary for the
// shared corpora of all registered vendors: with the default layout (one
// embedded font, synthetic bold), with the real Go Bold face for bold
// styles (two fonts) and with Go Bold plus Go Mono for the code columns
// (three fonts). Each font adds its single-byte form (about 27 KB) to every
// report that uses it. Besides wall time it reports the CPU time per export, which is
// steadier on a shared machine.
func BenchmarkExportShared(b *testing.B) {
	set := sharedSet(b)
	base, err := pdf.DefaultLayout()
	require.NoError(b, err)
	for _, c := range []struct {
		name       string
		bold, mono bool // real faces for bold styles and for td_code
	}{
		{"default", false, false},
		{"fonts=2", true, false},
		{"fonts=3", true, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			l := *base
			l.Styles = map[string]pdf.Style{}
			for k, s := range base.Styles {
				if c.bold && s.Bold {
					s.Font, s.Bold = "bold", false
				}
				if c.mono && k == "td_code" {
					s.Font = "mono"
				}
				l.Styles[k] = s
			}
			var files []string
			var dir string
			cpu0 := cputime.Process()
			for b.Loop() {
				dir = b.TempDir()
				var err error
				files, err = pdf.Exporter{Layout: &l}.Export(context.Background(), set, dir)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cputime.Process()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			var total int64
			for _, f := range files {
				fi, err := os.Stat(filepath.Join(dir, f))
				if err != nil {
					b.Fatal(err)
				}
				total += fi.Size()
			}
			b.ReportMetric(float64(len(files)), "files")
			b.ReportMetric(float64(total)/float64(len(files)), "bytes/file")
		})
	}
}

// TestHeatmapContinues forces heat-map cells too tall for one page: the grid
// continues on further pages under repeated tactic headers.
func TestHeatmapContinues(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	base, err := pdf.DefaultLayout()
	require.NoError(t, err)
	l := *base
	l.Heatmap.CellHeight, l.Heatmap.MinCellHeight = 12, 12
	set := sampleSet(t)
	dir, _ := export(t, set, pdf.Exporter{Layout: &l, Techniques: []string{"T1059"}})
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(dir, pdf.SummaryFile), "-").Output()
	require.NoError(t, err)
	text := string(out)
	require.Contains(t, text, "ATT&CK matrix heat map (continued)")
	require.Greater(t, strings.Count(text, "Exfiltration ("), 1, "tactic headers repeat on every heat-map page")
}

// TestCompressPages renders the sample corpus with compress_pages on: the
// page streams are deflated (the files shrink), and every file still passes
// the content checks.
func TestCompressPages(t *testing.T) {
	tool(t, "qpdf")
	tool(t, "pdftotext")
	set := sampleSet(t)
	l, err := pdf.DefaultLayout()
	require.NoError(t, err)
	require.False(t, l.CompressPages, "the default layout leaves page streams uncompressed")
	plainDir, files := export(t, set, pdf.Exporter{Layout: l})
	on := *l
	on.CompressPages = true
	packedDir, packedFiles := export(t, set, pdf.Exporter{Layout: &on})
	require.Equal(t, files, packedFiles)
	checkAll(t, set, packedDir, packedFiles)
	// Every file shrinks; the embedded font (already compressed, about
	// 27 KB) is the same in both, so the sample's small reports shrink by
	// less than the page streams themselves.
	var plain, packed int64
	for _, f := range files {
		a, err := os.Stat(filepath.Join(plainDir, f))
		require.NoError(t, err)
		b, err := os.Stat(filepath.Join(packedDir, f))
		require.NoError(t, err)
		require.Less(t, b.Size(), a.Size(), f)
		plain, packed = plain+a.Size(), packed+b.Size()
	}
	require.Less(t, packed, plain*85/100, "compressed pages: %d bytes against %d", packed, plain)
}

// TestComputedColumnsApart renders T1595 of the sample corpus: the ES|QL
// burst rule's aggregation counts are in "Thresholds and computed columns",
// not among the fields filtered most.
func TestComputedColumnsApart(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	set := sampleSet(t)
	dir, _ := export(t, set, pdf.Exporter{Techniques: []string{"T1595"}})
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(dir, pdf.TechniqueFile("T1595")), "-").Output()
	require.NoError(t, err)
	text := string(out)
	fields, computed := strings.Index(text, "Fields filtered most"), strings.Index(text, "Thresholds and computed columns")
	indicators := strings.Index(text, "Top indicator values")
	require.Positive(t, fields)
	require.Greater(t, computed, fields, "the computed columns follow the event fields")
	require.Greater(t, indicators, computed)
	esql := strings.Index(text, "Esql.")
	require.Greater(t, esql, computed, "ES|QL columns are in the computed table")
	require.NotContains(t, text[fields:computed], "Esql.")
}
