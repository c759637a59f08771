package history

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

// gitRepo is a small repository a test builds commit by commit.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	return r.gitAt(time.Time{}, args...)
}

func (r *gitRepo) gitAt(when time.Time, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.dir)
	if !when.IsZero() {
		d := when.Format(time.RFC3339)
		cmd.Env = append(cmd.Env, "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(r.t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

// commit writes files (path → content; "" deletes) and commits them at when.
func (r *gitRepo) commit(when time.Time, files map[string]string) string {
	r.t.Helper()
	for p, content := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		if content == "" {
			require.NoError(r.t, os.Remove(full))
			continue
		}
		require.NoError(r.t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(r.t, os.WriteFile(full, []byte(content), 0o644))
	}
	r.git("add", "-A")
	r.gitAt(when, "commit", "-q", "-m", "change at "+when.Format(time.DateOnly))
	return r.git("rev-parse", "HEAD")
}

func sigmaRule(id, title string, tags ...string) string {
	var b strings.Builder
	b.WriteString("title: " + title + "\nid: " + id + "\nstatus: test\ntags:\n")
	for _, t := range tags {
		b.WriteString("  - " + t + "\n")
	}
	b.WriteString("logsource:\n  category: process_creation\n  product: windows\n" +
		"detection:\n  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\nlevel: low\n")
	return b.String()
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPoints(t *testing.T) {
	tests := map[string]struct {
		since, until, every string
		want                []string
		err                 string
	}{
		"months":         {"2025-11-15", "2026-02-15", "month", []string{"2025-11-15", "2025-12-15", "2026-01-15", "2026-02-15"}, ""},
		"weeks":          {"2026-01-01", "2026-01-20", "week", []string{"2026-01-01", "2026-01-08", "2026-01-15"}, ""},
		"days":           {"2026-01-30", "2026-02-01", "day", []string{"2026-01-30", "2026-01-31", "2026-02-01"}, ""},
		"one point":      {"2026-01-01", "2026-01-01", "month", []string{"2026-01-01"}, ""},
		"until first":    {"2026-02-01", "2026-01-01", "month", nil, "before --since"},
		"years":          {"2020-01-01", "2022-06-01", "year", []string{"2020-01-01", "2021-01-01", "2022-01-01"}, ""},
		"unknown step":   {"2026-01-01", "2026-02-01", "fortnight", nil, "want year, month, week or day"},
		"too many steps": {"1900-01-01", "2026-01-01", "day", nil, "more than"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ps, err := Points(date(tc.since), date(tc.until), tc.every)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, p := range ps {
				got = append(got, p.Format(time.DateOnly))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRunOnABuiltRepository(t *testing.T) {
	r := newGitRepo(t)
	c1 := r.commit(date("2026-01-10"), map[string]string{
		"rules/a.yml":   sigmaRule("a", "A", "attack.t1059.001"),
		"rules/b.yml":   sigmaRule("b", "B", "attack.t1059"),
		"README.md":     "not a rule folder",
		"rules/old.yml": sigmaRule("o", "Old", "attack.t1595"),
	})
	c2 := r.commit(date("2026-02-10"), map[string]string{
		"rules/old.yml": "", // T1595 lost
		"rules/c.yml":   sigmaRule("c", "C", "attack.t1003.001"),
	})
	// A commit on a side branch merged in keeps the first-parent line.
	r.git("checkout", "-q", "-b", "side")
	side := r.commit(date("2026-02-20"), map[string]string{"rules/d.yml": sigmaRule("d", "D", "attack.t1046")})
	r.git("checkout", "-q", "main")
	r.gitAt(date("2026-03-05"), "merge", "-q", "--no-ff", "-m", "merge side", "side")
	merge := r.git("rev-parse", "HEAD")
	require.Empty(t, r.git("status", "--porcelain"))
	a := filepath.Join(r.dir, "rules", "a.yml")
	require.NoError(t, os.WriteFile(a, []byte(sigmaRule("a", "A edited in the work tree", "attack.t1110")), 0o644))

	res, err := Run(context.Background(), Options{
		Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(r.dir, "rules")}},
		Since:   date("2026-01-01"), Until: date("2026-04-01"), Every: "month",
	})
	require.NoError(t, err)
	require.Len(t, res.Snapshots, 4)

	s := res.Snapshots
	require.Empty(t, s[0].Commit)
	require.Contains(t, s[0].Note, "before the repository's first commit (2026-01-10)")
	require.Equal(t, c1, s[1].Commit)
	require.Equal(t, map[rule.Kind]int{rule.KindDetection: 2}, s[1].Techniques["T1059"], "a sub-technique rolls up, each rule once")
	require.Equal(t, 1, s[1].Techniques["T1059.001"][rule.KindDetection])
	require.Equal(t, 1, s[1].Techniques["T1595"][rule.KindDetection])
	require.Equal(t, 3, s[1].Totals[rule.KindDetection][rule.StatusOK])
	require.Equal(t, c2, s[2].Commit, "the side branch's commit is not on the first-parent line")
	require.NotEqual(t, side, s[2].Commit)
	require.NotContains(t, s[2].Techniques, "T1595")
	require.Equal(t, merge, s[3].Commit)
	require.Equal(t, 1, s[3].Techniques["T1046"][rule.KindDetection])
	require.NotContains(t, s[3].Techniques, "T1110", "the work tree's edit is not read")

	var changes []string
	for _, c := range res.Changes() {
		kind := "lost"
		if c.Gained {
			kind = "gained"
		}
		changes = append(changes, c.Point.Format(time.DateOnly)+" "+kind+" "+c.TechniqueID)
	}
	require.Equal(t, []string{
		"2026-02-01 gained T1059", "2026-02-01 gained T1059.001", "2026-02-01 gained T1595",
		"2026-03-01 gained T1003", "2026-03-01 gained T1003.001", "2026-03-01 lost T1595",
		"2026-04-01 gained T1046",
	}, changes)

	// The work tree and index are untouched.
	require.Equal(t, "M rules/a.yml", r.git("status", "--porcelain"), "only the test's own edit, unstaged")
	require.Equal(t, merge, r.git("rev-parse", "HEAD"))
	data, err := os.ReadFile(a)
	require.NoError(t, err)
	require.Contains(t, string(data), "edited in the work tree")

	for _, tbl := range res.Tables() {
		require.Positive(t, tbl.Record.NumRows(), tbl.Name)
		tbl.Record.Release()
	}
}

func TestParseCacheSavesUnchangedFiles(t *testing.T) {
	r := newGitRepo(t)
	files := map[string]string{}
	for _, id := range []string{"a", "b", "c", "d"} {
		files["rules/"+id+".yml"] = sigmaRule(id, strings.ToUpper(id), "attack.t1059")
	}
	r.commit(date("2026-01-10"), files)
	r.commit(date("2026-02-10"), map[string]string{"rules/a.yml": sigmaRule("a", "A2", "attack.t1003")})
	res, err := Run(context.Background(), Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(r.dir, "rules")}},
		Since: date("2026-02-01"), Until: date("2026-03-01"), Every: "month"})
	require.NoError(t, err)
	s := res.Snapshots
	require.Equal(t, [2]int{4, 0}, [2]int{s[0].Parsed, s[0].Reused})
	require.Equal(t, [2]int{1, 3}, [2]int{s[1].Parsed, s[1].Reused}, "three files are unchanged at the second point")
	require.Equal(t, 1, s[1].Techniques["T1003"][rule.KindDetection])
	require.Equal(t, 3, s[1].Techniques["T1059"][rule.KindDetection])
}

func TestCacheKeepsOnlyTheLatestPoint(t *testing.T) {
	c := NewCache("sigma")
	res := rule.Result{Rules: []rule.Rule{{RuleID: "x", Techniques: []string{"t1059"}}}}
	c.setTree(map[string]entry{"a.yml": {mode: "100644", blob: "b1"}, "l.yml": {mode: "120000", blob: "b9"}})
	c.Put("sigma", "a.yml", res)
	c.Put("sigma", "l.yml", res)
	got, ok := c.Get("sigma", "a.yml")
	require.True(t, ok)
	got.Rules[0].Techniques[0] = "changed in place"
	again, _ := c.Get("sigma", "a.yml")
	require.Equal(t, "t1059", again.Rules[0].Techniques[0], "the cache hands out copies")
	_, ok = c.Get("sigma", "l.yml")
	require.False(t, ok, "a link's blob is its target, not the file")
	c.Sweep()
	c.setTree(map[string]entry{"a.yml": {mode: "100644", blob: "b2"}})
	_, ok = c.Get("sigma", "a.yml")
	require.False(t, ok, "a changed blob misses")
	c.Sweep()
	_, _, held := c.Stats()
	require.Zero(t, held, "b1 was not used at the last point")
	require.False(t, NewCache("splunk").enabled, "Splunk rules depend on the repository's macros")
	require.False(t, NewCache("panther").enabled, "Panther rules depend on their Python and helpers")
}

func TestErrors(t *testing.T) {
	t.Run("not in git", func(t *testing.T) {
		dir := t.TempDir()
		_, err := Run(context.Background(), Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: dir}},
			Since: date("2026-01-01"), Until: date("2026-01-01")})
		require.True(t, errors.Is(err, ErrNotGit), "%v", err)
		require.ErrorContains(t, err, dir)
	})
	t.Run("missing ref", func(t *testing.T) {
		r := newGitRepo(t)
		r.commit(date("2026-01-10"), map[string]string{"rules/a.yml": sigmaRule("a", "A", "attack.t1059")})
		_, err := Run(context.Background(), Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: r.dir}},
			Since: date("2026-02-01"), Until: date("2026-02-01"), Ref: "no-such-branch"})
		require.ErrorContains(t, err, "rewritten or missing commit")
	})
	t.Run("shallow clone", func(t *testing.T) {
		r := newGitRepo(t)
		r.commit(date("2025-06-10"), map[string]string{"rules/a.yml": sigmaRule("a", "A", "attack.t1059")})
		r.commit(date("2026-01-10"), map[string]string{"rules/b.yml": sigmaRule("b", "B", "attack.t1003")})
		clone := filepath.Join(t.TempDir(), "clone")
		out, err := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+r.dir, clone).CombinedOutput()
		require.NoError(t, err, "%s", out)
		res, err := Run(context.Background(), Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(clone, "rules")}},
			Since: date("2025-12-01"), Until: date("2026-02-01")})
		require.NoError(t, err)
		require.Contains(t, res.Snapshots[0].Note, "shallow clone (2026-01-10)")
		require.NotEmpty(t, res.Snapshots[2].Commit)
	})
	t.Run("source missing", func(t *testing.T) {
		_, err := Run(context.Background(), Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: filepath.Join(t.TempDir(), "nope")}},
			Since: date("2026-01-01"), Until: date("2026-01-01")})
		require.ErrorContains(t, err, "nope")
	})
}
