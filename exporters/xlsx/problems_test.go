package xlsx_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// checkProblemsAndKinds reads the Parse problems and Summary sheets back
// and checks them against counts made here from the tables: every file of
// files.parquet that gave no rule is on exactly one row with its outcome,
// every failed or partial rule is on a row, and the Summary's rules per
// vendor and kind equal the rules table's kind column.
func checkProblemsAndKinds(t *testing.T, set *tables.Set, data []byte) {
	t.Helper()
	f := open(t, data)
	rows, err := f.GetRows(xlsx.ProblemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || rows[0][2] != "Outcome" || rows[0][3] != "Kind" {
		t.Fatalf("Parse problems header %v", rows[0])
	}
	type file struct{ vendor, path string }
	onSheet := map[string]map[file]int{} // outcome → file → rows
	kinds := map[file]map[string]int{}
	for _, r := range rows[1:] {
		for len(r) < 4 {
			r = append(r, "")
		}
		k := file{r[0], r[1]}
		if onSheet[r[2]] == nil {
			onSheet[r[2]] = map[file]int{}
		}
		onSheet[r[2]][k]++
		if kinds[k] == nil {
			kinds[k] = map[string]int{}
		}
		kinds[k][r[3]]++
	}
	want := map[string]int{}
	fv, fp, fo := tables.Strings(set.Files, tables.FileVendor), tables.Strings(set.Files, tables.FilePath), tables.Strings(set.Files, tables.FileOutcome)
	for i := range int(set.Files.NumRows()) {
		o := fo.Value(i)
		want[o]++
		if o == string(tables.OutcomeRule) {
			continue
		}
		if n := onSheet[o][file{fv.Value(i), fp.Value(i)}]; n != 1 {
			t.Errorf("%s file %s/%s is on %d rows of Parse problems, want 1", o, fv.Value(i), fp.Value(i), n)
		}
	}
	for _, o := range tables.Outcomes {
		if o == tables.OutcomeRule {
			continue
		}
		if got := len(onSheet[string(o)]); got != want[string(o)] {
			t.Errorf("Parse problems: %d files of outcome %s, files.parquet %d", got, o, want[string(o)])
		}
	}
	// Every failed or partial rule is on a row of its file with its kind.
	rv, rp, rs := tables.Strings(set.Rules, 0), tables.Strings(set.Rules, 2), tables.Strings(set.Rules, 12)
	bad := 0
	for i := range int(set.Rules.NumRows()) {
		if s := rs.Value(i); s == "failed" || s == "partial" {
			bad++
			if kinds[file{rv.Value(i), rp.Value(i)}][s] == 0 {
				t.Errorf("%s rule of %s/%s not on Parse problems", s, rv.Value(i), rp.Value(i))
			}
		}
	}
	t.Logf("Parse problems: %d rows; files by outcome %v; %d failed or partial rules", len(rows)-1, want, bad)

	// Summary: rules per vendor and kind.
	perKind := map[string]map[string]int{}
	kc := tables.Strings(set.Rules, tables.RuleKind)
	for i := range int(set.Rules.NumRows()) {
		if perKind[rv.Value(i)] == nil {
			perKind[rv.Value(i)] = map[string]int{}
		}
		perKind[rv.Value(i)][kc.Value(i)]++
	}
	sum, err := f.GetRows(xlsx.SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	seen := 0
	for _, r := range sum {
		if len(r) == 0 {
			header = nil
			continue
		}
		if len(r) > 2 && r[0] == "Vendor" && r[2] == "detection" {
			header = r
			continue
		}
		if header == nil || r[0] == "Total" {
			continue
		}
		for c := 2; c < len(header) && c < len(r); c++ {
			if got := atoi(t, r[c]); got != perKind[r[0]][header[c]] {
				t.Errorf("Summary: %s %s = %d, rules.parquet %d", r[0], header[c], got, perKind[r[0]][header[c]])
			}
		}
		seen++
	}
	if seen != len(set.Meta.Vendors) {
		t.Errorf("Summary has %d vendor rows by kind, want %d", seen, len(set.Meta.Vendors))
	}
}

func TestProblemsAndKindsSample(t *testing.T) {
	set := sampleSet(t)
	checkProblemsAndKinds(t, set, write(t, set, xlsx.Exporter{}))
}

func TestProblemsAndKindsShared(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := sharedSet(t)
	checkProblemsAndKinds(t, set, write(t, set, xlsx.Exporter{}))
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}
