package pipeline_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// TestAggregateShardsAgree aggregates the whole sample corpus (every
// vendor) as one shard and as several side by side: the tables are
// identical, so the technique shards join in order with nothing lost or
// counted twice.
func TestAggregateShardsAgree(t *testing.T) {
	root := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus")
	var sources []pipeline.Source
	for _, v := range []string{"sigma", "elastic", "splunk", "sentinel", "panther"} {
		sources = append(sources, pipeline.Source{Vendor: v, Root: filepath.Join(root, v)})
	}
	dump := func(procs int) map[string]string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: sources})
		require.NoError(t, err)
		defer st.Tables.Release()
		out := map[string]string{}
		for _, n := range st.Tables.Named() {
			out[n.Name] = tables.Dump(n.Record)
		}
		return out
	}
	one := dump(1)
	require.NotEmpty(t, one["indicators"])
	for _, procs := range []int{3, 7} {
		many := dump(procs)
		for name, want := range one {
			require.Equal(t, want, many[name], "table %s with %d shards", name, procs)
		}
	}
}
