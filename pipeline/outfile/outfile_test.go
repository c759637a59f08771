package outfile_test

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
)

func TestWriteFileRecordsSums(t *testing.T) {
	dir := t.TempDir()
	sums := &outfile.Sums{}
	ctx := outfile.WithSums(context.Background(), sums)
	data := []byte("<html>report</html>")
	require.NoError(t, outfile.WriteFile(ctx, dir, "html/a/b.html", data))

	got, err := os.ReadFile(filepath.Join(dir, "html", "a", "b.html"))
	require.NoError(t, err)
	require.Equal(t, data, got)
	s, ok := sums.Get("html/a/b.html")
	require.True(t, ok)
	require.Equal(t, outfile.Sum{Size: int64(len(data)), SHA256: sha256.Sum256(data)}, s)
	_, ok = sums.Get("html/a/c.html")
	require.False(t, ok)
	leftovers, _ := filepath.Glob(filepath.Join(dir, "html", "a", "*.tmp"))
	require.Empty(t, leftovers)

	// Without Sums in the context nothing is recorded, and nothing fails.
	require.Nil(t, outfile.SumsFrom(context.Background()))
	require.NoError(t, outfile.WriteFile(context.Background(), dir, "x.txt", data))
	var none *outfile.Sums
	none.Put("x.txt", data)
	_, ok = none.Get("x.txt")
	require.False(t, ok)
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	sums := &outfile.Sums{}
	ctx := outfile.WithSums(context.Background(), sums)
	require.NoError(t, outfile.WriteNew(ctx, dir, "page.html", []byte("first, longer content")))
	require.NoError(t, outfile.WriteNew(ctx, dir, "page.html", []byte("second")))
	got, err := os.ReadFile(filepath.Join(dir, "page.html"))
	require.NoError(t, err)
	require.Equal(t, "second", string(got), "an existing file is truncated")
	s, ok := sums.Get("page.html")
	require.True(t, ok)
	require.Equal(t, outfile.Sum{Size: 6, SHA256: sha256.Sum256([]byte("second"))}, s, "the last write's sum")
	fi, err := os.Stat(filepath.Join(dir, "page.html"))
	require.NoError(t, err)
	require.True(t, fi.Mode().IsRegular())
	require.Zero(t, fi.Mode().Perm()&^0o644, "no more than rw-r--r-- (less under a umask)")
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm()&0o600, "the owner reads and writes")
	err = outfile.WriteNew(ctx, dir, "missing/x.html", nil)
	require.ErrorContains(t, err, "writing missing/x.html")
	_, ok = sums.Get("missing/x.html")
	require.False(t, ok, "no sum for a failed write")
}
