package markdown_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/exporters/internal/sitetest"
	"github.com/ruleatlas/ruleatlas/exporters/markdown"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
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
	again, err := markdown.Render(set)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != got {
		t.Error("two renders differ")
	}
	pipetest.Golden(t, "testdata/report.golden.md", commitHex.ReplaceAllString(strings.ReplaceAll(got, pipetest.RepoRoot(t), "<repo>"), "<commit>"))
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
	b, err := markdown.Render(set)
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
	b, err := markdown.Render(set)
	if err != nil {
		t.Fatal(err)
	}
	n := len([]rune(string(b)))
	t.Logf("report.md on the shared corpora: %d bytes, %d characters", len(b), n)
	if n >= 65536 {
		t.Errorf("report.md has %d characters; a PR comment takes 65,536", n)
	}
}
