package exporters_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/exporters/html"
	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/exporters/markdown"
	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// The headline figures of one run read back from the text of each output
// (report.md, summary.pdf through pdftotext, index.html, the workbook's
// Summary) must be equal, and the percentages must follow one rounding
// rule: round half up of the shown counts, recomputed here.

// headline is what each output says first.
type headline struct {
	Covered, Total, CoveredPct      int
	SubCovered, SubTotal, SubCovPct int
	Rules, Parsed                   int
	Tactics                         map[string][3]int // covered, of, pct
}

func TestHeadlineFiguresAgreeSample(t *testing.T) {
	figures(t, sitetest.Sample(t))
}

func TestHeadlineFiguresAgreeShared(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	figures(t, sitetest.Shared(t))
}

func figures(t *testing.T, set *tables.Set) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, e := range []interface {
		Export(context.Context, *tables.Set, string) ([]string, error)
	}{markdown.Exporter{}, html.Exporter{}, xlsx.Exporter{}, pdf.Exporter{Techniques: []string{"T1003"}}} {
		if _, err := e.Export(ctx, set, dir); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]headline{"report.md": fromMarkdown(t, dir), "index.html": fromHTML(t, dir),
		"workbook.xlsx": fromWorkbook(t, dir)}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		got["summary.pdf"] = fromPDF(t, dir)
	} else {
		t.Log("pdftotext not installed: summary.pdf not compared (apt-get install poppler-utils)")
	}
	ref := got["report.md"]
	if ref.Total == 0 || len(ref.Tactics) == 0 {
		t.Fatalf("report.md: no headline read: %+v", ref)
	}
	checkRounding(t, "report.md", ref)
	for name, h := range got {
		if fmt.Sprint(h) != fmt.Sprint(ref) {
			t.Errorf("%s says\n%+v\nreport.md says\n%+v", name, h, ref)
		}
	}
	t.Logf("headline: %d of %d techniques (%d%%), %d of %d sub-techniques (%d%%), %d rules, %d parsed",
		ref.Covered, ref.Total, ref.CoveredPct, ref.SubCovered, ref.SubTotal, ref.SubCovPct, ref.Rules, ref.Parsed)
}

// checkRounding recomputes every percentage from its counts: round half up.
func checkRounding(t *testing.T, name string, h headline) {
	round := func(n, of int) int {
		if of == 0 {
			return 0
		}
		return (200*n + of) / (2 * of)
	}
	if round(h.Covered, h.Total) != h.CoveredPct || round(h.SubCovered, h.SubTotal) != h.SubCovPct {
		t.Errorf("%s: percentages not rounded half up: %+v", name, h)
	}
	for tactic, v := range h.Tactics {
		if v[1] > 0 && round(v[0], v[1]) != v[2] {
			t.Errorf("%s: %s %d/%d shows %d%%", name, tactic, v[0], v[1], v[2])
		}
	}
}

func read(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// match returns the submatches of re in s as ints, failing when absent.
func match(t *testing.T, where string, re *regexp.Regexp, s string) []int {
	t.Helper()
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s: no match for %s", where, re)
	}
	var out []int
	for _, g := range m[1:] {
		out = append(out, atoi(t, g))
	}
	return out
}

var (
	mdCoverage = regexp.MustCompile(`\*\*(\d+) of (\d+)\*\* ATT&CK techniques have at least one rule \((\d+)%\); sub-techniques: \*\*(\d+) of (\d+)\*\* \((\d+)%\)`)
	mdAll      = regexp.MustCompile(`\| \*\*All\*\* \| \*\*(\d+)\*\* \| (\d+) \|`)
	mdTactic   = regexp.MustCompile(`(?m)^\| ([A-Za-z ]+) \(TA\d{4}\) \| (\d+) / (\d+) \| (\d+)% \|`)
)

func fromMarkdown(t *testing.T, dir string) headline {
	s := read(t, filepath.Join(dir, "report.md"))
	c := match(t, "report.md", mdCoverage, s)
	a := match(t, "report.md", mdAll, s)
	h := headline{Covered: c[0], Total: c[1], CoveredPct: c[2], SubCovered: c[3], SubTotal: c[4], SubCovPct: c[5],
		Rules: a[0], Parsed: a[1], Tactics: map[string][3]int{}}
	for _, m := range mdTactic.FindAllStringSubmatch(s, -1) {
		h.Tactics[m[1]] = [3]int{atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])}
	}
	return h
}

var (
	tag          = regexp.MustCompile(`<[^>]*>`)
	htmlCoverage = regexp.MustCompile(`techniques with at least one rule:\s*(\d+)\s*of (\d+) \((\d+)%\); sub-techniques:\s*(\d+)\s*of (\d+) \((\d+)%\)`)
	htmlAll      = regexp.MustCompile(`\bAll\s+(\d+)\s+(\d+)\s`)
	htmlTactic   = regexp.MustCompile(`(?m)^\s*([A-Za-z ]+?)\s+TA\d{4}\s+(\d+) / (\d+)\s+(\d+)%`)
)

func fromHTML(t *testing.T, dir string) headline {
	raw := read(t, filepath.Join(dir, "html", "index.html"))
	raw = strings.NewReplacer("</tr>", "\n", "&amp;", "&").Replace(raw)
	s := tag.ReplaceAllString(raw, " ")
	c := match(t, "index.html", htmlCoverage, s)
	a := match(t, "index.html", htmlAll, s)
	h := headline{Covered: c[0], Total: c[1], CoveredPct: c[2], SubCovered: c[3], SubTotal: c[4], SubCovPct: c[5],
		Rules: a[0], Parsed: a[1], Tactics: map[string][3]int{}}
	for _, m := range htmlTactic.FindAllStringSubmatch(s, -1) {
		h.Tactics[strings.TrimSpace(m[1])] = [3]int{atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])}
	}
	return h
}

var (
	pdfCoverage = regexp.MustCompile(`Techniques covered\s+(\d+) of (\d+) \((\d+)%\)`)
	pdfSub      = regexp.MustCompile(`Sub-techniques covered\s+(\d+) of (\d+) \((\d+)%\)`)
	pdfTotal    = regexp.MustCompile(`(?m)^\s*Total\s+(\d+)\s+(\d+)\s`)
	pdfTactic   = regexp.MustCompile(`(?m)^\s*([A-Z][A-Za-z ]+?)\s{2,}(\d+) / (\d+) · (\d+)%`)
)

func fromPDF(t *testing.T, dir string) headline {
	out, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "pdf", "summary.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	s := string(out)
	c := match(t, "summary.pdf", pdfCoverage, s)
	sc := match(t, "summary.pdf", pdfSub, s)
	a := match(t, "summary.pdf", pdfTotal, s)
	h := headline{Covered: c[0], Total: c[1], CoveredPct: c[2], SubCovered: sc[0], SubTotal: sc[1], SubCovPct: sc[2],
		Rules: a[0], Parsed: a[1], Tactics: map[string][3]int{}}
	for _, m := range pdfTactic.FindAllStringSubmatch(s, -1) {
		if _, seen := h.Tactics[m[1]]; !seen { // the first table is the coverage per tactic
			h.Tactics[m[1]] = [3]int{atoi(t, m[2]), atoi(t, m[3]), atoi(t, m[4])}
		}
	}
	return h
}

// fromWorkbook reads the Summary sheet's cells as Excel shows them
// (percent cells formatted).
func fromWorkbook(t *testing.T, dir string) headline {
	f, err := excelize.OpenFile(filepath.Join(dir, xlsx.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(xlsx.SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	h := headline{Tactics: map[string][3]int{}}
	of := regexp.MustCompile(`^of (\d+) `)
	pctCell := func(s string) int { return atoi(t, strings.TrimSuffix(s, "%")) }
	tactics := -1 // column offset of "Techniques" in the tactic table
	for _, r := range rows {
		if len(r) == 0 {
			tactics = -1
			continue
		}
		switch {
		case r[0] == "Techniques with rules" && len(r) >= 4:
			h.Covered, h.Total, h.CoveredPct = atoi(t, r[1]), match(t, "Summary", of, r[2])[0], pctCell(r[3])
		case r[0] == "Sub-techniques with rules" && len(r) >= 4:
			h.SubCovered, h.SubTotal, h.SubCovPct = atoi(t, r[1]), match(t, "Summary", of, r[2])[0], pctCell(r[3])
		case r[0] == "Total" && len(r) >= 3 && h.Rules == 0:
			h.Rules, h.Parsed = atoi(t, strings.ReplaceAll(r[1], ",", "")), atoi(t, strings.ReplaceAll(r[2], ",", ""))
		case r[0] == "Tactic":
			for k, c := range r {
				if c == "Techniques" {
					tactics = k
				}
			}
		case tactics > 0 && len(r) > tactics+2:
			h.Tactics[r[0]] = [3]int{atoi(t, r[tactics+1]), atoi(t, r[tactics]), pctCell(r[tactics+2])}
		}
	}
	return h
}
