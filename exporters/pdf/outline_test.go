package pdf_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// TestOutlinesAndLinks reads every PDF of the sample run, the group
// report included, with qpdf (an independent reader): see checkStructure.
func TestOutlinesAndLinks(t *testing.T) {
	qpdf := tool(t, "qpdf")
	set := run(t, pipeline.Options{Sources: sources(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus")),
		Groups: []string{"cozy bear"}})
	dir, files := export(t, set, pdf.Exporter{})
	require.Contains(t, files, pdf.GroupFile("G0016"))
	checkStructure(t, set, dir, files, qpdf)
}

// TestSharedOutlines does the same for the longest technique reports of
// the shared corpora (T1059: about 40 pages), T1059.001 and APT29.
func TestSharedOutlines(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	qpdf := tool(t, "qpdf")
	dir := pipetest.SharedDir(t)
	set := run(t, pipeline.Options{Sources: sources(t, filepath.Join(dir, "corpora")), AttackFile: pipetest.SharedAttack(t),
		Groups: []string{"APT29"}})
	out, files := export(t, set, pdf.Exporter{Techniques: []string{"T1059", "T1059.001"}})
	checkStructure(t, set, out, files, qpdf)
}

// checkStructure checks the outlines and links of every file: each has an
// outline entry per section heading, all leading to pages of the file;
// every page after the first links back to page 1 (the running header). A
// technique report has under "Rules (n)" one entry per vendor with its
// number of rules, counted here from rules.parquet, and its rules-by-vendor
// chart on page 1 links to each; the summary's callouts link to their
// sections; the group report's summary links to its gaps section.
func checkStructure(t *testing.T, set *tables.Set, dir string, files []string, qpdf string) {
	t.Helper()
	listed := rulesPerVendor(set)
	for _, f := range files {
		s := readStructure(t, qpdf, filepath.Join(dir, f))
		require.NotEmpty(t, s.outlines, "%s has no outline", f)
		checkWellFormed(t, f, s)
		for p := 2; p <= s.pages; p++ {
			if s.linksTo(p, 1) == 0 {
				t.Errorf("%s: page %d does not link to page 1", f, p)
			}
		}
		switch {
		case f == pdf.SummaryFile:
			for _, title := range []string{"What needs attention", "ATT&CK matrix heat map", "Rules by vendor and kind", "Most frequent problems"} {
				_, ok := s.find(title)
				require.True(t, ok, "summary outline has no %q", title)
			}
			problems, _ := s.find("Most frequent problems")
			if s.linksTo(1, problems.Page) == 0 {
				t.Errorf("summary: the failures callout does not link to the problems (page %d)", problems.Page)
			}
		case strings.HasPrefix(f, pdf.Dir+"/group-"):
			gaps, ok := s.find("Gaps: techniques the group uses with no rule")
			_, covered := s.find("Covered techniques")
			require.True(t, ok && covered, "%s outline: %v", f, s.outlines)
			if s.linksTo(1, gaps.Page) == 0 {
				t.Errorf("%s: page 1 does not link to the gaps (page %d)", f, gaps.Page)
			}
		default:
			id := strings.TrimSuffix(strings.TrimPrefix(f, pdf.Dir+"/"), ".pdf")
			var rules pdfOutline
			for _, o := range s.outlines {
				if strings.HasPrefix(o.Title, "Rules (") {
					rules = o
				}
			}
			want := listed[id]
			require.Len(t, rules.Kids, len(want), "%s: vendor entries under %q: %v", f, rules.Title, rules.Kids)
			for _, k := range rules.Kids {
				vendor, n, _ := strings.Cut(k.Title, " - ")
				n = strings.TrimSuffix(strings.TrimSuffix(n, " rules"), " rule")
				if strconv.Itoa(want[vendor]) != n {
					t.Errorf("%s: outline %q, %d rules of %s counted", f, k.Title, want[vendor], vendor)
				}
				if s.linksTo(1, k.Page) == 0 {
					t.Errorf("%s: no link from page 1 to %q (page %d)", f, k.Title, k.Page)
				}
			}
		}
	}
}

// rulesPerVendor counts, per technique id and vendor, the rules a
// technique report lists under Rules: of a counted kind other than hunting,
// tagged with the technique or (for a technique) one of its sub-techniques.
func rulesPerVendor(set *tables.Set) map[string]map[string]int {
	counted := map[string]bool{}
	for _, k := range set.Meta.Kinds {
		counted[k] = k != "hunting"
	}
	out := map[string]map[string]int{}
	vendors, kinds, techs := tables.Strings(set.Rules, 0), tables.Strings(set.Rules, tables.RuleKind), tables.Lists(set.Rules, 7)
	for i := range vendors.Len() {
		if !counted[kinds.Value(i)] {
			continue
		}
		ids := map[string]bool{}
		for _, id := range tables.ListAt(techs, i) {
			ids[id] = true
			if p, _, ok := strings.Cut(id, "."); ok {
				ids[p] = true
			}
		}
		for id := range ids {
			if out[id] == nil {
				out[id] = map[string]int{}
			}
			out[id][vendors.Value(i)]++
		}
	}
	return out
}

// TestCalloutsFailuresFirst: the sample corpus has rules that fail to parse
// (counted here from the tables) and tags no unknown id, so the summary's
// callouts name the failures.
func TestCalloutsFailuresFirst(t *testing.T) {
	pdftotext := tool(t, "pdftotext")
	set := sampleSet(t)
	failed := 0
	for _, p := range set.Problems {
		if p.Kind == "failed" {
			failed++
		}
	}
	require.Positive(t, failed)
	dir, _ := export(t, set, pdf.Exporter{Techniques: []string{"T1059"}})
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(dir, pdf.SummaryFile), "-").Output()
	require.NoError(t, err)
	text := string(out)
	at := strings.Index(text, "What needs attention")
	require.GreaterOrEqual(t, at, 0)
	require.Contains(t, text[at:], "rules failed to parse")
	require.Less(t, at, strings.Index(text, "ATT&CK matrix heat map"), "callouts come before the heat map")
}
