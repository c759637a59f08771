package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// commitRule writes one Sigma rule into a repository and commits it at day.
func commitRule(t *testing.T, repo, name, tag, day string) {
	t.Helper()
	rule := "title: " + name + "\nid: " + name + "\nstatus: test\ntags:\n  - " + tag + "\n" +
		"logsource:\n  category: process_creation\n  product: windows\n" +
		"detection:\n  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\nlevel: low\n"
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "rules"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "rules", name+".yml"), []byte(rule), 0o644))
	when := day + "T12:00:00Z"
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "-m", "add " + name}} {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.org", "GIT_AUTHOR_DATE="+when, "GIT_COMMITTER_DATE="+when, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
}

// TestHistoryThenReport runs `history` into an output folder and then
// `report` into the same folder: the report keeps the history tables and
// shows the trend in the summary PDF, the HTML site and the workbook.
func TestHistoryThenReport(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	out, err := exec.Command("git", "init", "-q", repo).CombinedOutput()
	require.NoError(t, err, "%s", out)
	commitRule(t, repo, "a", "attack.t1059.001", "2026-01-10")
	commitRule(t, repo, "b", "attack.t1003", "2026-02-10")
	dir := filepath.Join(t.TempDir(), "out")
	src := filepath.Join(repo, "rules")

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"ruleatlas", "history", "--sigma", src, "--since", "2026-01-01",
		"--until", "2026-03-01", "--out", dir}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stderr.String(), "before the repository's first commit (2026-01-10)")
	require.Contains(t, stderr.String(), "3 points × 1 sources")

	stderr.Reset()
	code = run(context.Background(), []string{"ruleatlas", "report", "--quiet", "--sigma", src, "--out", dir}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	for _, f := range []string{"history.parquet", "history_totals.parquet", "history_changes.parquet", "html/trend.html"} {
		require.FileExists(t, filepath.Join(dir, f))
	}
	var manifest struct {
		Outputs []struct{ Path string } `json:"outputs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &manifest))
	require.Contains(t, string(data), `"history.parquet"`, "the manifest lists the kept history")

	page, err := os.ReadFile(filepath.Join(dir, "html", "trend.html"))
	require.NoError(t, err)
	html := string(page)
	require.Contains(t, html, "at 3 points from 2026-01-01 to 2026-03-01")
	// All vendors: not measured, then T1059, then T1059 and T1003: +1 from the first measured point.
	require.Regexp(t, `All vendors</td><td class="n"></td><td class="n">1</td><td class="n">2</td><td class="n">&#43;1</td>`, html)
	require.Contains(t, html, `aria-label="none, 1, 1"`, "T1059's line: not measured, then one rule")
	index, err := os.ReadFile(filepath.Join(dir, "html", "index.html"))
	require.NoError(t, err)
	require.Contains(t, string(index), `href="trend.html"`)

	zr, err := zip.OpenReader(filepath.Join(dir, "workbook.xlsx"))
	require.NoError(t, err)
	var workbook []byte
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			workbook, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	zr.Close()
	require.Contains(t, string(workbook), `name="History"`)

	if _, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command("pdftotext", "-layout", filepath.Join(dir, "pdf", "summary.pdf"), "-").Output()
		require.NoError(t, err)
		require.Contains(t, string(text), "Coverage over time")
		// The first column is the first point with a commit (2026-02-01).
		require.Regexp(t, `Credential Access\s+17\s+0\s+1\s+\+1`, string(text))
		require.Regexp(t, `Execution\s+17\s+1\s+1\s+0`, string(text))
	} else {
		t.Log("pdftotext not installed: the summary PDF's trend is not checked")
	}

	// A second report keeps the history again (it carries over every run).
	time.Sleep(10 * time.Millisecond)
	code = run(context.Background(), []string{"ruleatlas", "report", "--quiet", "--sigma", src, "--out", dir, "--format", "parquet"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.FileExists(t, filepath.Join(dir, "history.parquet"))
	require.False(t, strings.Contains(stderr.String(), "cannot be read"), stderr.String())
}

func TestHistoryUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"ruleatlas", "history", "--sigma", t.TempDir()}, &stdout, &stderr)
	require.Equal(t, exitUsage, code)
	require.Contains(t, stderr.String(), "history needs --since")
	stderr.Reset()
	code = run(context.Background(), []string{"ruleatlas", "history", "--sigma", t.TempDir(), "--since", "2026-01-01"}, &stdout, &stderr)
	require.Equal(t, exitFailed, code)
	require.Contains(t, stderr.String(), "not inside a git repository")
}
