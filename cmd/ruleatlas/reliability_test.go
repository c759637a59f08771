package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline/badinput"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// TestReportBadInput runs `ruleatlas report` with every format over the
// bad-input corpus (pipeline/badinput): it must finish with exit 0, and 3
// with --strict. The per-file expectations are checked in the pipeline's
// TestBadInput; here the CLI has no hook to delete files between discovery
// and read, so those two cases are plain copies (duplicate ids).
func TestReportBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB sparse file and a 100,000-value rule")
	}
	corpus := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus")
	bad, err := badinput.Build(t.TempDir(), corpus, badinput.Options{})
	require.NoError(t, err)
	t.Cleanup(bad.Restore)
	var args []string
	for _, v := range bad.Vendors {
		args = append(args, "--"+v, bad.Roots[v])
	}
	problems := 0
	for _, c := range bad.Cases {
		if c.Want == badinput.Problem && c.Note == "" && c.Name != "deleted after discovery" {
			problems++
		}
	}
	failed := regexp.MustCompile(`failed (\d+)`)
	for _, strict := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "out")
		cmd := append([]string{"ruleatlas", "report", "--out", out}, args...)
		want := exitOK
		if strict {
			cmd = append(cmd, "--strict")
			want = exitProblems
		}
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := run(context.Background(), cmd, &stdout, &stderr)
		took := time.Since(start)
		require.Equal(t, want, code, stderr.String())
		m := failed.FindStringSubmatch(stderr.String())
		require.NotNil(t, m, stderr.String())
		n, _ := strconv.Atoi(m[1])
		assert.GreaterOrEqual(t, n, problems, "failed rules in the summary")
		for _, f := range []string{"rules.parquet", "predicates.parquet"} {
			_, err := os.Stat(filepath.Join(out, f))
			assert.NoError(t, err, f)
		}
		// The time is logged, not asserted: speed is measured by benchmarks.
		t.Logf("strict=%v: exit %d in %s; %s", strict, code, took.Round(time.Millisecond), lastLine(stderr.String()))
	}
}

// TestReportMissingSource: a source folder that does not exist is a run
// error (exit 1) naming it.
func TestReportMissingSource(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"ruleatlas", "report", "--quiet", "--out", filepath.Join(t.TempDir(), "out"), "--sigma", missing}, &stdout, &stderr)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, stderr.String(), "sigma source: stat "+missing+": no such file or directory")
}

func lastLine(s string) string {
	s = string(bytes.TrimSpace([]byte(s)))
	if i := bytes.LastIndexByte([]byte(s), '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
