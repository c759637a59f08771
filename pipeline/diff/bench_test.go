package diff_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/diff"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// sharedRuns reports the shared Sigma corpus twice, in full and filtered
// to Windows, and returns the two output folders (skipped when the corpus
// is absent).
func sharedRuns(b *testing.B) (all, windows string) {
	corpus := pipetest.SharedCorpus(b, "sigma")
	tmp := b.TempDir()
	for _, run := range []struct {
		out       string
		platforms []string
	}{{"all", nil}, {"windows", []string{"windows"}}} {
		st, err := pipeline.Run(context.Background(), pipeline.Options{
			Sources: []pipeline.Source{{Vendor: "sigma", Root: corpus}},
			Filters: tables.Filters{Platforms: run.platforms},
			OutDir:  filepath.Join(tmp, run.out), Exporters: []pipeline.Exporter{parquet.Exporter{}},
		})
		require.NoError(b, err)
		st.Tables.Release()
	}
	return filepath.Join(tmp, "all"), filepath.Join(tmp, "windows")
}

// BenchmarkDiff measures loading and comparing the two runs of the shared
// Sigma corpus and each rendering of the result.
func BenchmarkDiff(b *testing.B) {
	all, windows := sharedRuns(b)
	ctx := context.Background()
	load := func() *diff.Result {
		o, err := diff.Load(ctx, all)
		require.NoError(b, err)
		n, err := diff.Load(ctx, windows)
		require.NoError(b, err)
		return diff.Compare(o, n)
	}
	b.Run("load+compare", func(b *testing.B) {
		for b.Loop() {
			load()
		}
	})
	r := load()
	b.Logf("%d removed, %d coverage changes, %d indicator and %d exclusion changes",
		len(r.Removed), len(r.Coverage), len(r.Indicators), len(r.Exclusions))
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, diff.WriteText(io.Discard, r, diff.Options{}))
		}
	})
	b.Run("markdown", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, diff.WriteMarkdown(io.Discard, r, diff.Options{MaxRows: diff.DefaultMarkdownRows}))
		}
	})
	b.Run("xlsx", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, diff.WriteXLSX(io.Discard, r))
		}
	})
}
