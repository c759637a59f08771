package diff_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/diff"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// addedRule is the rule the new corpus gains: a technique no other sample
// rule has, with a filter.
const addedRule = `title: Rundll32 Started Without Arguments
id: 7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6
status: experimental
description: Detects rundll32.exe started without a DLL argument, a sign of process hollowing.
date: 2024-03-05
tags:
    - attack.defense-evasion
    - attack.t1218.011
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\rundll32.exe'
        CommandLine|endswith: 'rundll32.exe'
    filter_main_system:
        ParentImage|startswith: 'C:\Windows\System32\'
    condition: selection and not filter_main_system
level: medium
`

const (
	removedID = "6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c" // windows/registry_run_key.yml, T1547.001
	addedID   = "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6" // T1218.011
	changedID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b" // windows/proc_lsass_access.yml, T1003.001
	oldFilter = `C:\ProgramData\Microsoft\Windows Defender\`
	newFilter = `C:\Program Files\Windows Defender\`
)

// copyCorpus copies the Sigma sample corpus to dir.
func copyCorpus(t *testing.T, dir string) {
	t.Helper()
	src := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma")
	require.NoError(t, os.CopyFS(dir, os.DirFS(src)))
}

// report runs the pipeline on a Sigma folder and writes the Parquet tables
// to out.
func report(t *testing.T, corpus, out string) {
	t.Helper()
	st, err := pipeline.Run(context.Background(), pipeline.Options{
		Sources: []pipeline.Source{{Vendor: "sigma", Root: corpus}},
		OutDir:  out, Exporters: []pipeline.Exporter{parquet.Exporter{}},
	})
	require.NoError(t, err)
	st.Tables.Release()
}

// runs builds two corpora from the sample corpus — the new one without
// registry_run_key.yml, with addedRule, and with the Defender filter of
// proc_lsass_access.yml edited — reports both and returns the outputs.
func runs(t *testing.T) (oldOut, newOut string) {
	t.Helper()
	tmp := t.TempDir()
	oldCorpus, newCorpus := filepath.Join(tmp, "old-rules"), filepath.Join(tmp, "new-rules")
	copyCorpus(t, oldCorpus)
	copyCorpus(t, newCorpus)
	require.NoError(t, os.Remove(filepath.Join(newCorpus, "windows", "registry_run_key.yml")))
	require.NoError(t, os.WriteFile(filepath.Join(newCorpus, "windows", "proc_rundll32_no_args.yml"), []byte(addedRule), 0o644))
	lsass := filepath.Join(newCorpus, "windows", "proc_lsass_access.yml")
	src, err := os.ReadFile(lsass)
	require.NoError(t, err)
	require.Contains(t, string(src), oldFilter)
	require.NoError(t, os.WriteFile(lsass, bytes.Replace(src, []byte(oldFilter), []byte(newFilter), 1), 0o644))

	oldOut, newOut = filepath.Join(tmp, "old"), filepath.Join(tmp, "new")
	report(t, oldCorpus, oldOut)
	report(t, newCorpus, newOut)
	return oldOut, newOut
}

func compare(t *testing.T, oldOut, newOut string) *diff.Result {
	t.Helper()
	o, err := diff.Load(context.Background(), oldOut)
	require.NoError(t, err)
	n, err := diff.Load(context.Background(), newOut)
	require.NoError(t, err)
	r := diff.Compare(o, n)
	r.Old, r.New = "old", "new" // stable folder names in the golden files
	return r
}

// TestDiffSampleCorpora diffs two runs that differ by a removed rule, an
// added rule and an edited exclusion value, and asserts that exactly those
// changes are reported.
func TestDiffSampleCorpora(t *testing.T) {
	oldOut, newOut := runs(t)
	r := compare(t, oldOut, newOut)

	require.Len(t, r.Added, 1)
	assert.Equal(t, addedID, r.Added[0].RuleID)
	assert.Equal(t, "sigma", r.Added[0].Vendor)
	assert.Equal(t, []string{"T1218.011"}, r.Added[0].Techniques)
	assert.Equal(t, "windows/proc_rundll32_no_args.yml", r.Added[0].Path)

	require.Len(t, r.Removed, 1)
	assert.Equal(t, removedID, r.Removed[0].RuleID)
	assert.Equal(t, []string{"T1547.001"}, r.Removed[0].Techniques)

	require.Len(t, r.Changed, 1)
	c := r.Changed[0]
	assert.Equal(t, changedID, c.New.RuleID)
	assert.Empty(t, c.Fields, "only the predicates changed")
	assert.Equal(t, []string{`SourceImage (process.executable) startswith "C:\\ProgramData\\Microsoft\\Windows Defender\\" negated exclusion`}, c.PredicatesRemoved)
	assert.Equal(t, []string{`SourceImage (process.executable) startswith "C:\\Program Files\\Windows Defender\\" negated exclusion`}, c.PredicatesAdded)

	assert.Empty(t, r.ParseStatus)
	assert.Equal(t, []diff.VendorCount{{Vendor: "sigma", Old: 17, New: 17}}, r.Vendors)

	// Coverage: T1547.001 lost its only rule, T1218.011 gained one; their
	// parents count the rules of their sub-techniques.
	var cov []string
	for _, t := range r.Coverage {
		cov = append(cov, string(t.Kind())+" "+t.ID+" "+vendorLine(t))
	}
	assert.Equal(t, []string{
		"lost T1547 sigma 1→0",
		"lost T1547.001 sigma 1→0",
		"gained T1218 sigma 0→1",
		"gained T1218.011 sigma 0→1",
	}, cov)
	require.Len(t, r.Lost(false), 2)
	assert.Equal(t, "T1547.001", r.Lost(false)[1].ID)
	assert.Len(t, r.Lost(true), 2)

	// Indicators of the removed rule disappear, those of the added rule
	// appear; the edited filter swaps one exclusion of T1003.001. The
	// tables roll sub-techniques up into their parents, so each change
	// shows under the parent too.
	regRun := []string{
		`registry.data.strings contains "\\AppData\\Local\\Temp\\"`,
		`registry.data.strings contains "\\Users\\Public\\"`,
		`registry.data.strings eq "C:\\PerfLogs"`,
		`registry.path contains "\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"`,
	}
	var want []string
	for _, id := range []string{"T1218", "T1218.011"} {
		want = append(want, id+` appeared process.command_line endswith "rundll32.exe"`, id+` appeared process.name eq "rundll32.exe"`)
	}
	for _, id := range []string{"T1547", "T1547.001"} {
		for _, l := range regRun {
			want = append(want, id+" disappeared "+l)
		}
	}
	assert.Equal(t, want, patternLines(r.Indicators))
	want = nil
	for _, id := range []string{"T1003", "T1003.001"} {
		want = append(want, id+` appeared process.executable startswith "C:\\Program Files\\Windows Defender\\"`,
			id+` disappeared process.executable startswith "C:\\ProgramData\\Microsoft\\Windows Defender\\"`)
	}
	for _, id := range []string{"T1218", "T1218.011"} {
		want = append(want, id+` appeared process.parent.executable startswith "C:\\Windows\\System32\\"`)
	}
	assert.Equal(t, want, patternLines(r.Exclusions))

	var text, md bytes.Buffer
	require.NoError(t, diff.WriteText(&text, r, diff.Options{}))
	require.NoError(t, diff.WriteMarkdown(&md, r, diff.Options{MaxRows: diff.DefaultMarkdownRows}))
	pipetest.Golden(t, filepath.Join("testdata", "sample.text.golden"), text.String())
	pipetest.Golden(t, filepath.Join("testdata", "sample.md.golden"), md.String())

	t.Run("xlsx", func(t *testing.T) { checkXLSX(t, r) })

	t.Run("same output", func(t *testing.T) {
		r := compare(t, newOut, newOut)
		assert.True(t, r.Empty())
		var text bytes.Buffer
		require.NoError(t, diff.WriteText(&text, r, diff.Options{}))
		assert.Contains(t, text.String(), "No differences.")
	})

	t.Run("reverse", func(t *testing.T) {
		r := compare(t, newOut, oldOut)
		require.Len(t, r.Added, 1)
		assert.Equal(t, removedID, r.Added[0].RuleID)
		require.Len(t, r.Removed, 1)
		assert.Equal(t, addedID, r.Removed[0].RuleID)
		require.Len(t, r.Lost(false), 2)
		assert.Equal(t, "T1218.011", r.Lost(false)[1].ID)
	})
}

func vendorLine(t diff.TechniqueChange) string {
	var parts []string
	for _, v := range t.Vendors {
		parts = append(parts, v.Vendor+" "+itoa(v.Old)+"→"+itoa(v.New))
	}
	return strings.Join(parts, ", ")
}

func itoa(n int64) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func patternLines(ps []diff.PatternChange) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.TechniqueID+" "+string(p.Change)+" "+diff.PatternLine(p.Pattern))
	}
	return out
}

// checkXLSX writes the workbook, reads it back with excelize and checks
// the sheets, their headers (bold, frozen, filtered) and the rows; two
// writes give the same bytes.
func checkXLSX(t *testing.T, r *diff.Result) {
	var buf bytes.Buffer
	require.NoError(t, diff.WriteXLSX(&buf, r))
	var again bytes.Buffer
	require.NoError(t, diff.WriteXLSX(&again, r))
	assert.Equal(t, sha256.Sum256(buf.Bytes()), sha256.Sum256(again.Bytes()), "deterministic workbook")

	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, diff.Sheets, f.GetSheetList())
	for _, name := range diff.Sheets {
		style, err := f.GetCellStyle(name, "A1")
		require.NoError(t, err)
		s, err := f.GetStyle(style)
		require.NoError(t, err)
		require.NotNil(t, s.Font, name)
		assert.True(t, s.Font.Bold, "%s header is bold", name)
		panes, err := f.GetPanes(name)
		require.NoError(t, err)
		assert.True(t, panes.Freeze, name)
		assert.Equal(t, 1, panes.YSplit, name)
	}
	filters := 0
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filters++
		}
	}
	assert.Equal(t, len(diff.Sheets), filters, "one autofilter per sheet")

	rows := func(sheet string) [][]string {
		rs, err := f.GetRows(sheet)
		require.NoError(t, err)
		return rs
	}
	added := rows("Rules added")
	require.Len(t, added, 2)
	assert.Equal(t, []string{"vendor", "rule_id", "title", "status", "severity", "techniques", "parse_status", "predicates", "path"}, added[0])
	assert.Equal(t, addedID, added[1][1])
	removed := rows("Rules removed")
	require.Len(t, removed, 2)
	assert.Equal(t, removedID, removed[1][1])
	changed := rows("Rules changed")
	require.Len(t, changed, 3)
	assert.Equal(t, []string{"sigma", changedID, "Suspicious LSASS Process Access", "windows/proc_lsass_access.yml", "predicate removed",
		`SourceImage (process.executable) startswith "C:\\ProgramData\\Microsoft\\Windows Defender\\" negated exclusion`}, changed[1])
	assert.Equal(t, "predicate added", changed[2][4])
	cov := rows("Coverage")
	require.Len(t, cov, 5)
	assert.Equal(t, []string{"lost", "T1547.001", "Registry Run Keys / Startup Folder", "1", "0", "sigma", "1", "0", "lost"}, cov[2])
	assert.Len(t, rows("Indicators"), 13)
	assert.Len(t, rows("Exclusions"), 7)
	assert.Len(t, rows("Parse status"), 1)
}

// TestNotAnOutput: a folder without the Parquet tables is named with the
// missing files.
func TestNotAnOutput(t *testing.T) {
	empty := t.TempDir()
	_, err := diff.Load(context.Background(), empty)
	var noe *diff.NotOutputError
	require.ErrorAs(t, err, &noe)
	assert.Equal(t, diff.Required, noe.Missing)
	assert.Contains(t, err.Error(), empty+" is not a ruleatlas output folder: missing rules.parquet, predicates.parquet")

	out := filepath.Join(t.TempDir(), "out")
	report(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma"), out)
	require.NoError(t, os.Remove(filepath.Join(out, "indicators.parquet")))
	_, err = diff.Load(context.Background(), out)
	require.ErrorAs(t, err, &noe)
	assert.Equal(t, []string{"indicators.parquet"}, noe.Missing)

	require.NoError(t, os.WriteFile(filepath.Join(out, "indicators.parquet"), []byte("not parquet"), 0o644))
	_, err = diff.Load(context.Background(), out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(out, "indicators.parquet")+": not a Parquet file")

	require.NoError(t, os.WriteFile(filepath.Join(out, "indicators.parquet"), pipetest.Read(t, filepath.Join(out, "coverage.parquet")), 0o644))
	_, err = diff.Load(context.Background(), out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(out, "indicators.parquet")+`: no column "field": not a ruleatlas table`)

	require.NoError(t, os.WriteFile(filepath.Join(out, "indicators.parquet"), pipetest.Read(t, filepath.Join(out, "exclusions.parquet")), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(out, diff.ManifestName), []byte("{"), 0o644))
	_, err = diff.Load(context.Background(), out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(out, diff.ManifestName))

	_, err = diff.Load(context.Background(), filepath.Join(out, "nope"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope")
}

// dropColumns rewrites a Parquet table of dir without the named columns,
// as an older ruleatlas wrote it.
func dropColumns(t *testing.T, dir, table string, cols ...string) {
	t.Helper()
	path := filepath.Join(dir, table+".parquet")
	f, err := os.Open(path)
	require.NoError(t, err)
	tbl, err := pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	f.Close()
	defer tbl.Release()
	var fields []arrow.Field
	var columns []arrow.Column
	for i, fd := range tbl.Schema().Fields() {
		if !slices.Contains(cols, fd.Name) {
			fields = append(fields, fd)
			columns = append(columns, *tbl.Column(i))
		}
	}
	require.Len(t, fields, len(tbl.Schema().Fields())-len(cols), "columns to drop in %s", table)
	old := array.NewTable(arrow.NewSchema(fields, nil), columns, tbl.NumRows())
	defer old.Release()
	out, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, pqarrow.WriteTable(old, out, 1<<16, nil, pqarrow.DefaultWriterProps())) // closes out
}

// TestDiffOlderOutput: an output written before predicates kept the form as
// written and aggregates the role reads, and compares equal to the same
// run's newer output: diff reads the new columns by name and leaves them
// out when one side lacks them.
func TestDiffOlderOutput(t *testing.T) {
	tmp := t.TempDir()
	corpus, newOut, oldOut := filepath.Join(tmp, "rules"), filepath.Join(tmp, "new"), filepath.Join(tmp, "old")
	copyCorpus(t, corpus)
	report(t, corpus, newOut)
	require.NoError(t, os.CopyFS(oldOut, os.DirFS(newOut)))
	dropColumns(t, oldOut, "predicates", "op_raw", "value_raw", "role")
	dropColumns(t, oldOut, "indicators", "role")
	dropColumns(t, oldOut, "exclusions", "role")

	o, err := diff.Load(context.Background(), oldOut)
	require.NoError(t, err)
	n, err := diff.Load(context.Background(), newOut)
	require.NoError(t, err)
	assert.False(t, o.HasRaw || o.HasRole)
	assert.True(t, n.HasRaw && n.HasRole)
	require.NotEmpty(t, n.Indicators)
	r := diff.Compare(o, n)
	assert.True(t, r.Empty(), "changed %d, indicators %d", len(r.Changed), len(r.Indicators))
	// The new output against itself, with both forms and roles read.
	assert.True(t, diff.Compare(n, n).Empty())
	raw := 0
	for _, rl := range n.Rules {
		for _, p := range rl.Predicates {
			if p.OpRaw != "" && p.Role != "" {
				raw++
			}
		}
	}
	assert.Positive(t, raw, "predicates read with their form as written and role")
}
