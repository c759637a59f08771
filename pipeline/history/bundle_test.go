package history

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// cloneBundle clones ../shared/history/NAME.bundle into a temporary folder.
func cloneBundle(t *testing.T, name string) string {
	t.Helper()
	bundle := filepath.Join(pipetest.SharedDir(t), "history", name+".bundle")
	if _, err := os.Stat(bundle); err != nil {
		t.Skipf("%s not found; skipping", bundle)
	}
	dir := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("git", "clone", "-q", bundle, dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return dir
}

// TestSigmaBundleMonthly checks 12 monthly points of SigmaHQ's history: the
// commit chosen is the one `git rev-list --before` names, and the counts per
// technique and kind equal a count this test makes over that commit's
// files with its own YAML reading.
func TestSigmaBundleMonthly(t *testing.T) {
	repo := cloneBundle(t, "sigma")
	res, err := Run(context.Background(), Options{
		Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(repo, "rules")}},
		Since:   date("2025-09-01"), Until: date("2026-08-01"), Every: "month",
	})
	require.NoError(t, err)
	require.Len(t, res.Snapshots, 12)
	for _, s := range res.Snapshots {
		requireCommitBefore(t, repo, s)
		got := map[string]int{}
		for id, kinds := range s.Techniques {
			for k, n := range kinds {
				got[id+" "+string(k)] = n
			}
		}
		indep := countSigmaAt(t, repo, s.Commit, "rules")
		require.Equal(t, indep, got, "per-technique counts at %s (commit %s)", s.Point.Format(time.DateOnly), s.Commit)
		t.Logf("%s %.10s: %d technique×kind rows, %d files (%d parsed, %d reused)",
			s.Point.Format(time.DateOnly), s.Commit, len(got), s.Files, s.Parsed, s.Reused)
	}
}

// TestPantherBundleYearly checks yearly points of panther-analysis: the
// commits, an empty point before its first commit, and totals that agree
// with the per-technique rows.
func TestPantherBundleYearly(t *testing.T) {
	repo := cloneBundle(t, "panther-analysis")
	res, err := Run(context.Background(), Options{
		Sources: []pipeline.Source{{Vendor: "panther", Root: repo}},
		Since:   date("2019-01-01"), Until: date("2026-01-01"), Every: "year",
	})
	require.NoError(t, err)
	require.Len(t, res.Snapshots, 8)
	for _, s := range res.Snapshots {
		requireCommitBefore(t, repo, s)
		if s.Point.Year() == 2019 {
			require.Empty(t, s.Commit)
			require.Contains(t, s.Note, "before the repository's first commit (2019-10-17)")
			continue
		}
		rules := 0
		for _, byStatus := range s.Totals {
			for _, n := range byStatus {
				rules += n
			}
		}
		require.Positive(t, rules, "rules at %s", s.Point.Format(time.DateOnly))
		t.Logf("%s %.10s: %d rules, %d techniques", s.Point.Format(time.DateOnly), s.Commit, rules, len(s.Techniques))
	}
}

// requireCommitBefore checks the snapshot read the commit `git rev-list
// --first-parent --before` names for its point ("" before the first one).
func requireCommitBefore(t *testing.T, repo string, s Snapshot) {
	t.Helper()
	want := strings.TrimSpace(gitOut(t, repo, "rev-list", "-1", "--first-parent",
		"--before="+s.Point.Format(time.RFC3339), "HEAD"))
	require.Equal(t, want, s.Commit, "commit at %s", s.Point.Format(time.DateOnly))
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	require.NoError(t, err, "git %v", args)
	return string(out)
}

var sigmaTechniqueTag = regexp.MustCompile(`(?i)^attack\.(t\d{4})(\.\d{3})?$`)

// countSigmaAt counts, over the YAML files under prefix at commit, the
// Sigma rules per "technique kind" (a sub-technique's rules also count for
// its parent, each rule once), reading every document with yaml.v3: a
// document with a detection is a detection, one with a correlation a
// correlation; deprecated and unsupported ones are left out.
func countSigmaAt(t *testing.T, repo, commit, prefix string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	// git archive writes the commit's files as a tar stream, a path apart
	// from the one history reads them by (ls-tree and cat-file).
	cmd := exec.Command("git", "-C", repo, "archive", "--format=tar", commit, "--", prefix)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer cmd.Wait()
	tr := tar.NewReader(out)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if hdr.Typeflag != tar.TypeReg || !strings.HasSuffix(hdr.Name, ".yml") && !strings.HasSuffix(hdr.Name, ".yaml") {
			continue
		}
		data, err := io.ReadAll(tr)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				break // the frontend fails such a file; it tags nothing
			}
			kind := rule.KindDetection
			switch {
			case doc["correlation"] != nil:
				kind = rule.KindCorrelation
			case doc["detection"] == nil:
				continue
			}
			if st, _ := doc["status"].(string); st == "deprecated" || st == "unsupported" {
				continue
			}
			seen := map[string]bool{}
			tags, _ := doc["tags"].([]any)
			for _, tag := range tags {
				s, _ := tag.(string)
				m := sigmaTechniqueTag.FindStringSubmatch(strings.TrimSpace(s))
				if m == nil {
					continue
				}
				id := strings.ToUpper(m[1] + m[2])
				seen[id] = true
				seen[strings.ToUpper(m[1])] = true
			}
			for id := range seen {
				counts[id+" "+string(kind)]++
			}
		}
	}
	return counts
}
