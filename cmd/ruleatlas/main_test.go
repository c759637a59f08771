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

// TestTechniquePageGolden renders `ruleatlas technique T1595` on the Sigma
// sample corpus and compares it with the golden page.
func TestTechniquePageGolden(t *testing.T) {
	sigma := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"ruleatlas", "technique", "T1595", "--sigma", sigma, "--max-rows", "0"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	pipetest.Golden(t, filepath.Join("testdata", "technique-T1595.golden"), stdout.String())
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
