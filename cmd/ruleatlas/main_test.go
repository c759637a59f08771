package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ruleatlas": func() { os.Exit(run(context.Background(), os.Args, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the txtar scripts in testdata/script: whole-CLI
// behaviour with exit codes, on the sample corpus.
func TestScripts(t *testing.T) {
	root := pipetest.RepoRoot(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SAMPLE", filepath.Join(root, "testdata", "corpus"))
			return nil
		},
	})
}

// TestTechniquePageGolden renders `ruleatlas technique` for T1595 on the
// Sigma sample corpus, and for T1595 and T1059.001 on the sample corpus of
// every vendor, and compares each with its golden page.
func TestTechniquePageGolden(t *testing.T) {
	corpus := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus")
	var every []string
	for _, v := range []string{"sigma", "elastic", "splunk", "sentinel", "panther"} {
		every = append(every, "--"+v, filepath.Join(corpus, v))
	}
	for _, tc := range []struct {
		id, golden string
		sources    []string
	}{
		{"T1595", "technique-T1595.golden", []string{"--sigma", filepath.Join(corpus, "sigma")}},
		{"T1595", "technique-T1595-all-vendors.golden", every},
		{"T1059.001", "technique-T1059.001-all-vendors.golden", every},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"ruleatlas", "technique", tc.id, "--max-rows", "0", "--quiet"}, tc.sources...)
			code := run(context.Background(), args, &stdout, &stderr)
			require.Equal(t, 0, code, stderr.String())
			pipetest.Golden(t, filepath.Join("testdata", tc.golden), stdout.String())
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"ruleatlas", "technique"},
		{"ruleatlas", "technique", "nonsense"},
		{"ruleatlas", "report", "--no-such-flag"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, exitUsage, run(context.Background(), args, &stdout, &stderr), args)
		assert.NotEmpty(t, stderr.String(), args)
	}
}
