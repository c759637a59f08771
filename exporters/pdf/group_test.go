package pdf_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// TestGroupReportOrder reads the APT29 report with pdftotext: the gaps
// section lists exactly the techniques the group uses whose coverage total
// (summed here from coverage.parquet) is 0, and comes first; the covered
// section lists the others, fewest rules first, each with its total.
func TestGroupReportOrder(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	set := run(t, pipeline.Options{Sources: sources(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus")),
		Groups: []string{"G0016"}})
	dir, _ := export(t, set, pdf.Exporter{Techniques: []string{"T1059"}})
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(dir, pdf.GroupFile("G0016")), "-").Output()
	require.NoError(t, err)
	text := string(out)

	g, ok := set.Attack.Group("G0016")
	require.True(t, ok)
	totals := map[string]int64{}
	for id, by := range coverage(set) {
		for _, n := range by {
			totals[id] += n
		}
	}
	var gaps []string
	for _, id := range g.Techniques {
		if totals[id] == 0 {
			gaps = append(gaps, id)
		}
	}
	require.NotEmpty(t, gaps, "the sample corpus leaves some APT29 techniques uncovered")

	gapsAt := strings.Index(text, "Gaps: techniques the group uses with no rule ("+strconv.Itoa(len(gaps))+")")
	coveredAt := strings.Index(text, "Covered techniques ("+strconv.Itoa(len(g.Techniques)-len(gaps))+"), fewest rules first")
	require.True(t, gapsAt > 0 && coveredAt > gapsAt, "sections: gaps at %d, covered at %d", gapsAt, coveredAt)

	row := regexp.MustCompile(`(?m)^\s*(T\d{4}(?:\.\d{3})?)\s+.*?\s(no rule|\d+)\s`)
	seen := map[string]bool{}
	for _, m := range row.FindAllStringSubmatchIndex(text[gapsAt:coveredAt], -1) {
		id, rules := text[gapsAt+m[2]:gapsAt+m[3]], text[gapsAt+m[4]:gapsAt+m[5]]
		require.Equal(t, "no rule", rules, "%s in the gaps section", id)
		seen[id] = true
	}
	for _, id := range gaps {
		require.True(t, seen[id], "gap %s not in the gaps section", id)
	}
	require.Len(t, seen, len(gaps))

	last := int64(0)
	covered := 0
	for _, m := range row.FindAllStringSubmatch(text[coveredAt:], -1) {
		id := m[1]
		n, err := strconv.ParseInt(m[2], 10, 64)
		require.NoError(t, err, "%s: %q", id, m[2])
		require.Equal(t, totals[id], n, "%s", id)
		require.GreaterOrEqual(t, n, last, "%s: not fewest rules first", id)
		last = n
		covered++
	}
	require.Equal(t, len(g.Techniques)-len(gaps), covered)
}

// TestSummaryKinds reads the summary's rules by vendor and kind with
// pdftotext: each vendor's line has its rules per kind, counted here from
// rules.parquet, and the total.
func TestSummaryKinds(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	set := sampleSet(t)
	dir, _ := export(t, set, pdf.Exporter{Techniques: []string{"T1059"}})
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(dir, pdf.SummaryFile), "-").Output()
	require.NoError(t, err)
	text := string(out)
	at := strings.Index(text, "Rules by vendor and kind")
	require.Positive(t, at)
	kinds := []string{"detection", "building_block", "correlation", "policy", "hunting"}
	counts := map[string]map[string]int{}
	vendors, kind := stringsCol(set.Rules, 0), stringsCol(set.Rules, 15)
	for i := range vendors {
		if counts[vendors[i]] == nil {
			counts[vendors[i]] = map[string]int{}
		}
		counts[vendors[i]][kind[i]]++
	}
	hunting := 0
	for _, v := range set.Meta.Vendors {
		fields := []string{regexp.QuoteMeta(v)}
		total := 0
		for _, k := range kinds {
			fields = append(fields, strconv.Itoa(counts[v][k]))
			total += counts[v][k]
		}
		hunting += counts[v]["hunting"]
		fields = append(fields, strconv.Itoa(total))
		require.Regexp(t, `(?m)^\s*`+strings.Join(fields, `\s+`)+`\s*$`, text[at:], "vendor %s", v)
	}
	if hunting > 0 {
		require.Contains(t, text, "not counted: Hunting "+strconv.Itoa(hunting), "overview")
	}
}
