package markdown_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/exporters/markdown"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// commitHex is a git commit id: the sample corpus is in the checkout, whose
// commit changes with every commit, so the goldens name it <commit>.
var commitHex = regexp.MustCompile(`\b[0-9a-f]{40}\b`)

func TestGolden(t *testing.T) {
	set := sitetest.Sample(t)
	dir := t.TempDir()
	files, err := markdown.Exporter{}.Export(context.Background(), set, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0] != markdown.File {
		t.Fatalf("files = %v", files)
	}
	got := string(pipetest.Read(t, filepath.Join(dir, markdown.File)))
	again, err := markdown.Render(set, dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != got {
		t.Error("two renders differ")
	}
	checkNoAbsolutePaths(t, got)
	// Source folders are relative to the output folder: render for an
	// output folder in the checkout so that the golden is the same on
	// every machine.
	inRepo, err := markdown.Render(set, filepath.Join(pipetest.RepoRoot(t), "out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"sigma", "elastic", "splunk", "sentinel", "panther"} {
		if want := "- " + v + ": ../testdata/corpus/" + v + " @ "; !strings.Contains(string(inRepo), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	pipetest.Golden(t, "testdata/report.golden.md", commitHex.ReplaceAllString(string(inRepo), "<commit>"))
}

// checkNoAbsolutePaths fails when the report names a path of the machine:
// the checkout, the temporary folder or the home folder.
func checkNoAbsolutePaths(t *testing.T, report string) {
	t.Helper()
	for _, p := range []string{pipetest.RepoRoot(t), os.TempDir(), os.Getenv("HOME")} {
		if len(p) < 2 {
			continue
		}
		// A relative path may end in the same folders ("../../work/x"):
		// only an occurrence not after ".." is absolute.
		for i := strings.Index(report, p); i >= 0; {
			if i < 2 || report[i-2:i] != ".." {
				t.Errorf("report.md names the absolute path %s", p)
				break
			}
			j := strings.Index(report[i+1:], p)
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
}

// pluralWrong matches a count of 1 followed by a plural noun.
var pluralWrong = regexp.MustCompile(`\b1 (rules|techniques|problems|gaps|files|sub-techniques)\b`)

// TestPlurals renders a run with one rule and checks no "1 rules" remains.
func TestPlurals(t *testing.T) {
	src := t.TempDir()
	rule := pipetest.Read(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma", "windows", "proc_lsass_access.yml"))
	if err := os.WriteFile(filepath.Join(src, "proc_lsass_access.yml"), rule, 0o644); err != nil {
		t.Fatal(err)
	}
	set := sitetest.Run(t, pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: src}}, ReportDate: "2026-01-15"})
	b, err := markdown.Render(set, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if set.Rules.NumRows() != 1 {
		t.Fatalf("%d rules, want 1", set.Rules.NumRows())
	}
	if m := pluralWrong.FindAllString(string(b), -1); len(m) > 0 {
		t.Errorf("report.md has %q:\n%s", m, b)
	}
	if !strings.Contains(string(b), "of 1 rule parsed completely") {
		t.Errorf("report.md lacks \"of 1 rule parsed completely\":\n%s", b)
	}
}

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a|b", `a\|b`},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{`"><img src=x onerror=alert(1)>`, `"&gt;&lt;img src=x onerror=alert(1)&gt;`},
		{"*bold* _it_ `code` [l](u) ~~s~~ $x$", "\\*bold\\* \\_it\\_ \\`code\\` \\[l\\](u) \\~\\~s\\~\\~ \\$x\\$"},
		{"line\nbreak\ttab", "line break tab"},
		{"back\\slash & amp", "back\\\\slash &amp; amp"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{strings.Repeat("x", 500), strings.Repeat("x", 160) + "…"},
	} {
		if got := markdown.Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestXSSProbe(t *testing.T) {
	set := sitetest.Run(t, pipeline.Options{Sources: append(sitetest.SampleSources(t), sitetest.XSSSource(t))})
	b, err := markdown.Render(set, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	low := strings.ToLower(string(b))
	for _, bad := range append(sitetest.Forbidden, "<img", "onerror=alert(1)>") {
		if strings.Contains(low, bad) {
			t.Errorf("report.md contains raw %q", bad)
		}
	}
}

// TestSharedSize checks that the report of the full shared corpora fits a
// pull-request comment (65,536 characters) and a job summary (1 MiB).
func TestSharedSize(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	set := sitetest.Shared(t)
	b, err := markdown.Render(set, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := len([]rune(string(b)))
	t.Logf("report.md on the shared corpora: %d bytes, %d characters", len(b), n)
	if n >= 65536 {
		t.Errorf("report.md has %d characters; a PR comment takes 65,536", n)
	}
}

// TestGroupSection renders the sample run with --group "cozy bear" and
// checks the section against the group's rows counted here: every
// technique listed, gaps first.
func TestGroupSection(t *testing.T) {
	set := sitetest.Run(t, pipeline.Options{Sources: sitetest.SampleSources(t), Groups: []string{"cozy bear"}})
	b, err := markdown.Render(set, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	at := strings.Index(s, "## Group G0016 APT29")
	if at < 0 {
		t.Fatalf("no group section:\n%s", s)
	}
	// The group's techniques, from actors.parquet (group id, technique id, rules).
	gid, tid, rules := tables.Strings(set.Actors, 0), tables.Strings(set.Actors, 2), tables.Int64s(set.Actors, 4)
	var n, covered int
	ids := map[string]bool{}
	for i := range gid.Len() {
		if gid.Value(i) != "G0016" {
			continue
		}
		n++
		ids[tid.Value(i)] = true
		if rules.Value(i) > 0 {
			covered++
		}
	}
	if n == 0 {
		t.Fatal("APT29 has no technique in actors.parquet")
	}
	row := regexp.MustCompile(`(?m)^\| (T\d{4}(?:\.\d{3})?) \| [^|]* \| (\*\*0 \(gap\)\*\*|\d+) \|`)
	rows := row.FindAllStringSubmatch(s[at:], -1)
	if len(rows) != n {
		t.Errorf("group table has %d rows, actors.parquet %d", len(rows), n)
	}
	gaps, inGaps := 0, true
	for _, r := range rows {
		if !ids[r[1]] {
			t.Errorf("%s is not a technique of G0016", r[1])
		}
		gap := r[2] == "**0 (gap)**"
		if gap {
			gaps++
			if !inGaps {
				t.Errorf("gap %s after a covered technique", r[1])
			}
		}
		inGaps = inGaps && gap
	}
	if gaps != n-covered {
		t.Errorf("%d gaps listed, want %d", gaps, n-covered)
	}
	want := fmt.Sprintf("%d of the %d techniques the group uses", covered, n)
	if !strings.Contains(s, want) {
		t.Errorf("report.md lacks %q", want)
	}
}

// TestVendorFailureWarning gives a vendor two broken rules and one good
// one: more than half failed, so the report warns at the top.
func TestVendorFailureWarning(t *testing.T) {
	src := t.TempDir()
	good := pipetest.Read(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma", "windows", "proc_lsass_access.yml"))
	for name, body := range map[string][]byte{"good.yml": good, "bad1.yml": []byte("title: [unclosed\n"),
		"bad2.yml": []byte("title: x\ndetection: {sel: [\n")} {
		if err := os.WriteFile(filepath.Join(src, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set := sitetest.Run(t, pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: src}}})
	b, err := markdown.Render(set, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	warn := strings.Index(s, "> [!WARNING]\n> Most of sigma's rules did not parse: 2 of 3 rules (67%")
	if warn < 0 {
		t.Fatalf("no warning for sigma:\n%s", s)
	}
	if totals := strings.Index(s, "## Totals"); warn > totals {
		t.Error("the warning is not at the top")
	}
	// The sample run has no such vendor: no warning.
	plain, err := markdown.Render(sitetest.Sample(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "[!WARNING]") {
		t.Error("the sample report warns")
	}
}
