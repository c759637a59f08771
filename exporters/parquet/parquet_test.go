package parquet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

func sampleTables(t *testing.T) *tables.Set {
	t.Helper()
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{
		{Vendor: "sigma", Root: filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sigma")}}})
	require.NoError(t, err)
	t.Cleanup(st.Tables.Release)
	return st.Tables
}

// TestReadBack writes every table and reads it back with arrow-go's Parquet
// reader: same schema, rows and cell values, zstd and dictionary pages.
func TestReadBack(t *testing.T) {
	set := sampleTables(t)
	dir := t.TempDir()
	files, err := parquet.Exporter{}.Export(context.Background(), set, dir)
	require.NoError(t, err)
	require.Len(t, files, len(set.Named()))
	for _, n := range set.Named() {
		t.Run(n.Name, func(t *testing.T) {
			alloc := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer alloc.AssertSize(t, 0)
			f, err := os.Open(filepath.Join(dir, n.Name+".parquet"))
			require.NoError(t, err)
			defer f.Close()
			rdr, err := file.NewParquetReader(f)
			require.NoError(t, err)
			defer rdr.Close()
			meta := rdr.MetaData()
			assert.Equal(t, parquet.CreatedBy, meta.GetCreatedBy())
			if v := meta.KeyValueMetadata().FindValue("ruleatlas.attack_version"); assert.NotNil(t, v) {
				assert.Equal(t, "18.1", *v)
			}
			if meta.NumRowGroups() > 0 {
				for c := 0; c < meta.Schema.NumColumns(); c++ {
					col, err := meta.RowGroup(0).ColumnChunk(c)
					require.NoError(t, err)
					assert.Equal(t, "ZSTD", col.Compression().String(), "column %d", c)
				}
			}
			fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, alloc)
			require.NoError(t, err)
			tbl, err := fr.ReadTable(context.Background())
			require.NoError(t, err)
			defer tbl.Release()
			assert.Equal(t, n.Record.NumRows(), tbl.NumRows())
			require.Equal(t, n.Record.Schema().NumFields(), tbl.Schema().NumFields())
			for i, want := range n.Record.Schema().Fields() {
				got := tbl.Schema().Field(i)
				assert.Equal(t, want.Name, got.Name)
				assert.True(t, arrow.TypeEqual(want.Type, got.Type), "%s: %s vs %s", want.Name, want.Type, got.Type)
			}
			tr, err := tables.Concat(tbl)
			require.NoError(t, err)
			defer tr.Release()
			got := tables.Dump(tr)
			assert.Equal(t, tables.Dump(n.Record), got)
		})
	}
}

// TestDeterministic exports twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	set := sampleTables(t)
	hash := func() map[string][32]byte {
		dir := t.TempDir()
		files, err := parquet.Exporter{}.Export(context.Background(), set, dir)
		require.NoError(t, err)
		out := map[string][32]byte{}
		for _, f := range files {
			data, err := os.ReadFile(filepath.Join(dir, f))
			require.NoError(t, err)
			out[f] = sha256.Sum256(data)
		}
		return out
	}
	assert.Equal(t, hash(), hash())
}

// TestDuckDBReadsTheFiles reads the sample output with DuckDB, an
// independent Parquet reader, when it is installed (.ci/run installs it):
// set RULEATLAS_DUCKDB to a folder holding node_modules/@duckdb/node-api.
func TestDuckDBReadsTheFiles(t *testing.T) {
	duck := os.Getenv("RULEATLAS_DUCKDB")
	if duck == "" {
		t.Skip("RULEATLAS_DUCKDB not set; skipping the DuckDB read-back (see .ci/run)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not found")
	}
	set := sampleTables(t)
	dir := t.TempDir()
	_, err := parquet.Exporter{}.Export(context.Background(), set, dir)
	require.NoError(t, err)
	script, err := filepath.Abs(filepath.Join("testdata", "duckdb-check.mjs"))
	require.NoError(t, err)
	// Node resolves packages next to the script: run a copy inside $RULEATLAS_DUCKDB.
	local := filepath.Join(duck, "duckdb-check.mjs")
	require.NoError(t, os.WriteFile(local, pipetest.Read(t, script), 0o644))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("node", local, dir)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	rows := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		name, val, _ := strings.Cut(line, " ")
		if name == "rules-types" {
			assert.Contains(t, val, "techniques:VARCHAR[]")
			assert.Contains(t, val, "predicate_count:INTEGER")
			continue
		}
		n, err := strconv.ParseInt(val, 10, 64)
		require.NoError(t, err, line)
		rows[name] = n
	}
	for _, n := range set.Named() {
		assert.Equal(t, n.Record.NumRows(), rows[n.Name], n.Name)
	}
}

// TestLargeDictionaryDeterministic writes a string column whose dictionary
// (about 2.4 MB of distinct values) is past the writer's default limit of
// 1 MiB, where arrow-go would fall back to plain pages and list the page
// encodings in map order: twenty writes give the same bytes, and every
// value page stays dictionary-encoded.
func TestLargeDictionaryDeterministic(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "value", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	sb := b.Field(0).(*array.StringBuilder)
	for i := range 40000 {
		sb.Append(strings.Repeat("v", 48) + strconv.Itoa(i*7919))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	write := func() []byte {
		var buf bytes.Buffer
		require.NoError(t, parquet.Write(&buf, rec))
		return buf.Bytes()
	}
	first := write()
	for range 19 {
		require.True(t, bytes.Equal(first, write()), "two writes of one record differ")
	}
	r, err := file.NewParquetReader(bytes.NewReader(first))
	require.NoError(t, err)
	defer r.Close()
	cc, err := r.MetaData().RowGroup(0).ColumnChunk(0)
	require.NoError(t, err)
	for _, s := range cc.EncodingStats() {
		if s.PageType.String() == "DATA_PAGE" {
			assert.NotEqual(t, pq.Encodings.Plain, s.Encoding, "value pages fell back to plain encoding")
		}
	}
}
