package xlsx_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// The workbook read by independent readers: openpyxl in read-only mode
// (which sizes each sheet from its <dimension>), pandas, exceljs (which
// matches the core properties' cp: names literally) and LibreOffice (see
// libreoffice_test.go). .ci/run installs them: Debian's python3-openpyxl and
// python3-pandas, and exceljs from npm in the folder named by
// RULEATLAS_EXCELJS. Each reader skips with a message when absent.

func TestReadersSample(t *testing.T) {
	readers(t, sampleSet(t), true)
}

func TestReadersShared(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	readers(t, sharedSet(t), false)
}

// sheetFacts is what every reader must agree on: excelize's own reading of
// the sheet data (not of the dimension) is the reference.
type sheetFacts struct{ rows int }

func readers(t *testing.T, set *tables.Set, sample bool) {
	dir := t.TempDir()
	path := filepath.Join(dir, "workbook.xlsx")
	data := write(t, set, xlsx.Exporter{})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f := open(t, data)
	want := map[string]sheetFacts{}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = sheetFacts{rows: len(rows)}
	}
	// The table sheets hold one row per table row under a header.
	for sheet, n := range map[string]int64{xlsx.RulesSheet: set.Rules.NumRows(), xlsx.FieldsSheet: set.Fields.NumRows(),
		xlsx.IndicatorsSheet: set.Indicators.NumRows(), xlsx.ExclusionsSheet: set.Exclusions.NumRows()} {
		if got := want[sheet].rows; int64(got) != n+1 {
			t.Errorf("%s: excelize reads %d rows, want %d", sheet, got, n+1)
		}
	}
	commit := ""
	if sample {
		commit = gitHead(t, pipetest.RepoRoot(t))
	}
	t.Run("openpyxl", func(t *testing.T) { openpyxl(t, path, want, commit) })
	t.Run("pandas", func(t *testing.T) { pandas(t, path, want) })
	t.Run("exceljs", func(t *testing.T) { exceljs(t, path, want) })
	t.Run("libreoffice", func(t *testing.T) {
		if testing.Short() {
			t.Skip("short")
		}
		soffice, err := lookPath("soffice")
		if err != nil {
			t.Skip("soffice not installed (apt-get install libreoffice-calc-nogui)")
		}
		csvs, err := convertCSV(soffice, path, dir)
		if err != nil {
			t.Fatal(err)
		}
		for sheet, w := range want {
			if got, ok := csvs[sheet]; !ok || got != w.rows {
				t.Errorf("%s: LibreOffice read %d rows (found %v), want %d", sheet, got, ok, w.rows)
			}
		}
	})
}

// gitHead is the commit of the checkout at dir, "" when git or the
// checkout is missing.
func gitHead(t *testing.T, dir string) string {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Logf("no git commit for %s: %v", dir, err)
		return ""
	}
	return strings.TrimSpace(string(out))
}

// python is a Python 3 that imports module, or "" (the Debian packages go
// to /usr/bin/python3, which need not be first on PATH).
func python(module string) string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import "+module).Run() == nil {
			return p
		}
	}
	return ""
}

// jsonLines runs cmd and decodes each line of its output into a map.
func jsonLines(t *testing.T, cmd *exec.Cmd) []map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Args[0], err, stderr.String())
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func script(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openpyxl(t *testing.T, path string, want map[string]sheetFacts, commit string) {
	py := python("openpyxl")
	if py == "" {
		t.Skip("openpyxl not installed (apt-get install python3-openpyxl)")
	}
	seen := 0
	for _, m := range jsonLines(t, exec.Command(py, script(t, "openpyxl-check.py"), path, "openpyxl")) {
		if p, ok := m["props"].(map[string]any); ok {
			if p["lastModifiedBy"] != "ruleatlas" || p["creator"] != "ruleatlas" {
				t.Errorf("core properties read as %v", p)
			}
			continue
		}
		name, _ := m["sheet"].(string)
		w, ok := want[name]
		if !ok {
			t.Errorf("openpyxl reads a sheet %q excelize does not", name)
			continue
		}
		seen++
		rows, maxRow := int(m["rows"].(float64)), int(m["max_row"].(float64))
		width, maxCol := int(m["width"].(float64)), int(m["max_column"].(float64))
		if rows != w.rows || maxRow != w.rows {
			t.Errorf("%s: openpyxl (read-only) reads %d rows, dimension says %d, want %d", name, rows, maxRow, w.rows)
		}
		if width > maxCol {
			t.Errorf("%s: cells reach column %d, dimension says %d", name, width, maxCol)
		}
		if name == xlsx.SummarySheet && commit != "" {
			found := false
			for _, row := range m["summary"].([]any) {
				if slices.Contains(row.([]any), any(commit)) {
					found = true
				}
			}
			if !found {
				t.Errorf("Summary: no source row shows the checkout's commit %s", commit)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("openpyxl read %d sheets, want %d", seen, len(want))
	}
}

func pandas(t *testing.T, path string, want map[string]sheetFacts) {
	py := python("pandas")
	if py == "" {
		t.Skip("pandas not installed (apt-get install python3-pandas)")
	}
	sheets := []string{xlsx.SummarySheet, xlsx.CoverageSheet, xlsx.GapsSheet, xlsx.RulesSheet, xlsx.FieldsSheet,
		xlsx.IndicatorsSheet, xlsx.ExclusionsSheet, xlsx.ProblemsSheet}
	got := jsonLines(t, exec.Command(py, script(t, "openpyxl-check.py"), path, "pandas", strings.Join(sheets, ",")))
	if len(got) != len(sheets) {
		t.Fatalf("pandas read %d sheets, want %d", len(got), len(sheets))
	}
	for _, m := range got {
		name := m["sheet"].(string)
		// pandas takes the first row as the header.
		if rows := int(m["rows"].(float64)); rows != want[name].rows-1 && name != xlsx.SummarySheet {
			t.Errorf("%s: pandas reads %d data rows, want %d", name, rows, want[name].rows-1)
		}
	}
}

func exceljs(t *testing.T, path string, want map[string]sheetFacts) {
	dir := os.Getenv("RULEATLAS_EXCELJS")
	if dir == "" {
		t.Skip("RULEATLAS_EXCELJS not set; skipping the exceljs read-back (see .ci/run)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not found")
	}
	// Node resolves packages next to the script: run a copy in the folder.
	local := filepath.Join(dir, "exceljs-check.cjs")
	if err := os.WriteFile(local, pipetest.Read(t, script(t, "exceljs-check.cjs")), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, m := range jsonLines(t, exec.Command("node", "--max-old-space-size=8192", local, path)) {
		if p, ok := m["props"].(map[string]any); ok {
			if p["lastModifiedBy"] != "ruleatlas" || p["creator"] != "ruleatlas" {
				t.Errorf("exceljs reads the core properties as %v", p)
			}
			continue
		}
		name := m["sheet"].(string)
		seen++
		if rows := int(m["rows"].(float64)); rows != want[name].rows {
			t.Errorf("%s: exceljs reads %d rows, want %d", name, rows, want[name].rows)
		}
	}
	if seen != len(want) {
		t.Errorf("exceljs read %d sheets, want %d", seen, len(want))
	}
}
