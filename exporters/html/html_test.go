package html_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	htmlexp "github.com/ruleatlas/ruleatlas/exporters/html"
	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/internal/cputime"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// maxSiteFiles is the most files the site of the shared corpora may have.
const maxSiteFiles = 2000

// goldenTechnique is the technique page kept as a golden file.
const goldenTechnique = "T1003.001"

func export(t testing.TB, set *tables.Set) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	files, err := htmlexp.Exporter{}.Export(context.Background(), set, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, files
}

func TestGoldenTechniquePage(t *testing.T) {
	set := sitetest.Sample(t)
	dir, files := export(t, set)
	for _, id := range []string{goldenTechnique, "T1595", "T1059.001"} {
		if view.NewIndex(set).RuleCount(id) == 0 {
			t.Fatalf("no rule for %s in the sample corpus", id)
		}
		rel := "html/techniques/" + id + ".html"
		if !slices.Contains(files, rel) {
			t.Fatalf("%s not written", rel)
		}
		pipetest.Golden(t, "testdata/"+id+".golden.html", string(pipetest.Read(t, filepath.Join(dir, rel))))
	}
}

// TestSiteShape checks the files written: sorted; a page for every
// current ATT&CK technique and every tagged id of a rule shown (counted
// kinds and hunting queries), every tactic and every group; rule details
// in data files of 100 rules, no page per rule.
func TestSiteShape(t *testing.T) {
	set := sitetest.Sample(t)
	dir, files := export(t, set)
	if !slices.IsSorted(files) {
		t.Error("files not sorted")
	}
	for _, f := range []string{"html/index.html", "html/problems.html", "html/gaps.html", "html/groups.html", "html/search.html",
		"html/search.js", "html/unmapped.html", "html/assets/site.css", "html/assets/site.js"} {
		if !slices.Contains(files, f) {
			t.Errorf("%s missing", f)
		}
	}
	count := func(prefix, suffix string) int {
		n := 0
		for _, f := range files {
			if strings.HasPrefix(f, prefix) && strings.HasSuffix(f, suffix) {
				n++
			}
		}
		return n
	}
	want := map[string]bool{}
	for _, tech := range set.Attack.List {
		if tech.Current() {
			want[tech.ID] = true
		}
	}
	techs, kinds := tables.Lists(set.Rules, 7), tables.Strings(set.Rules, tables.RuleKind)
	for i := range int(set.Rules.NumRows()) {
		if !slices.Contains(set.Meta.Kinds, kinds.Value(i)) && kinds.Value(i) != "hunting" {
			continue
		}
		for _, id := range tables.ListAt(techs, i) {
			want[id] = true
			if p, _, ok := strings.Cut(id, "."); ok {
				want[p] = true
			}
		}
	}
	if got := count("html/techniques/", ".html"); got != len(want) {
		t.Errorf("%d technique pages, want %d", got, len(want))
	}
	for id := range want {
		if !slices.Contains(files, "html/techniques/"+id+".html") {
			t.Errorf("no page for %s", id)
			break
		}
	}
	if got, want := count("html/rules/", ".js"), (int(set.Rules.NumRows())+99)/100; got != want {
		t.Errorf("%d rule data files, want %d", got, want)
	}
	if got := count("html/rules/", ".html"); got != 0 {
		t.Errorf("%d rule pages, want none", got)
	}
	if got, want := count("html/tactics/", ".html"), len(set.Attack.Tactics); got != want {
		t.Errorf("%d tactic pages, want %d", got, want)
	}
	if got, want := count("html/groups/", ".html"), groupsUsingTechniques(set); got != want {
		t.Errorf("%d group pages, want %d (a page per group that uses a technique)", got, want)
	}
	checkLinks(t, dir, files)
}

var (
	hrefRe = regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	idRe   = regexp.MustCompile(` id="([^"]*)"`)
	safeRe = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
)

// checkLinks follows every link of every page: relative only, to a file
// that exists, to an anchor that exists; file names portable.
func checkLinks(t *testing.T, dir string, files []string) {
	t.Helper()
	ids := map[string]map[string]bool{}
	lower := map[string]string{}
	for _, f := range files {
		if !safeRe.MatchString(f) {
			t.Errorf("file name %q is not portable", f)
		}
		if o, ok := lower[strings.ToLower(f)]; ok {
			t.Errorf("%s and %s collide on a case-insensitive file system", o, f)
		}
		lower[strings.ToLower(f)] = f
		if !strings.HasSuffix(f, ".html") {
			continue
		}
		b := pipetest.Read(t, filepath.Join(dir, f))
		ids[f] = map[string]bool{}
		for _, m := range idRe.FindAllStringSubmatch(string(b), -1) {
			ids[f][m[1]] = true
		}
	}
	broken := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".html") {
			continue
		}
		b := pipetest.Read(t, filepath.Join(dir, f))
		for _, m := range hrefRe.FindAllStringSubmatch(string(b), -1) {
			u, err := url.Parse(m[1])
			if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/") {
				t.Errorf("%s: link %q is not relative", f, m[1])
				continue
			}
			target := f
			if u.Path != "" {
				target = path.Join(path.Dir(f), u.Path)
			}
			if _, ok := ids[target]; !ok && !slices.Contains(files, target) {
				if broken++; broken <= 10 {
					t.Errorf("%s: link %q: %s does not exist", f, m[1], target)
				}
				continue
			}
			if u.Fragment != "" && !ids[target][u.Fragment] {
				if broken++; broken <= 10 {
					t.Errorf("%s: link %q: no id %q in %s", f, m[1], u.Fragment, target)
				}
			}
		}
	}
}

// TestXSSProbe renders a rule whose title, id, fields and values carry
// script and markup, and checks that no output file holds them raw.
func TestXSSProbe(t *testing.T) {
	set := sitetest.Run(t, pipeline.Options{Sources: append(sitetest.SampleSources(t), sitetest.XSSSource(t))})
	dir, files := export(t, set)
	sitetest.CheckNoRawPayload(t, dir, files)
	// The escaped payload is shown as text on the rule's pages.
	found := 0
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if strings.Contains(string(b), "&lt;script&gt;alert(1)&lt;/script&gt;") {
			found++
		}
	}
	if found < 3 {
		t.Errorf("escaped payload shown on %d pages, want the rule, technique and field pages", found)
	}
	checkLinks(t, dir, files)
}

func TestDeterministic(t *testing.T) {
	set := sitetest.Sample(t)
	a, files := export(t, set)
	b, files2 := export(t, set)
	if !slices.Equal(files, files2) {
		t.Fatal("file lists differ")
	}
	for _, f := range files {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if string(x) != string(y) {
			t.Errorf("%s differs between two exports", f)
		}
	}
}

// TestShared exports the full shared corpora and checks the links.
func TestShared(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := sitetest.Shared(t)
	dir, files := export(t, set)
	checkLinks(t, dir, files)
	t.Logf("%d files, %s", len(files), siteSize(t, dir, files))
	if len(files) > maxSiteFiles {
		t.Errorf("%d files, want at most %d", len(files), maxSiteFiles)
	}
	by := map[string][]string{}
	for _, f := range files {
		parts := strings.SplitN(f, "/", 3)
		by[parts[1]] = append(by[parts[1]], f)
	}
	var largest string
	var most int64
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil && st.Size() > most {
			largest, most = f, st.Size()
		}
	}
	for _, k := range slices.Sorted(maps.Keys(by)) {
		t.Logf("  %-14s %5d files, %s", k, len(by[k]), siteSize(t, dir, by[k]))
	}
	t.Logf("largest page: %s, %d bytes", largest, most)
}

// BenchmarkExportSite writes the site of the full shared corpora. Besides
// wall time it reports CPU time per export (cpu-ms/op) and the site size.
// Each export goes to a new folder and all are removed at the end: on ext4
// without a journal (this VM), creating files right after deleting many
// scans past the recently deleted inodes, which would measure the previous
// iteration's clean-up rather than the exporter.
func BenchmarkExportSite(b *testing.B) {
	set := sitetest.Shared(b)
	var files []string
	dir := b.TempDir()
	var out string
	var cpu time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		out = filepath.Join(dir, fmt.Sprint("out", n))
		c := cputime.Process()
		var err error
		files, err = htmlexp.Exporter{}.Export(context.Background(), set, out)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cputime.Process() - c
	}
	b.StopTimer()
	var total int64
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(out, f)); err == nil {
			total += st.Size()
		}
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(total)/(1<<20), "MiB")
	b.ReportMetric(float64(len(files)), "files")
	b.Logf("%d rules, %d files, %s", set.Rules.NumRows(), len(files), siteSize(b, out, files))
}

func siteSize(t testing.TB, dir string, files []string) string {
	var total int64
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	return fmt.Sprintf("%.1f MiB (%d bytes) in total", float64(total)/(1<<20), total)
}

// groupsUsingTechniques counts the distinct groups of the actors table (a
// row per group and technique it uses).
func groupsUsingTechniques(set *tables.Set) int {
	seen := map[string]bool{}
	if set.Actors != nil {
		ids := tables.Strings(set.Actors, 0)
		for i := range ids.Len() {
			seen[ids.Value(i)] = true
		}
	}
	return len(seen)
}
