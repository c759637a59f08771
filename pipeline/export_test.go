package pipeline_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/exporters"
	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/outfile"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// failing is an exporter that writes a file and then fails (or cancels the
// run), to prove a broken export never replaces the previous output.
type failing struct{ cancel context.CancelFunc }

func (failing) Name() string { return "failing" }

func (f failing) Export(_ context.Context, _ *tables.Set, dir string) ([]string, error) {
	if err := outfile.WriteFile(context.Background(), dir, "half.txt", []byte("half")); err != nil {
		return nil, err
	}
	if f.cancel != nil {
		f.cancel()
		return []string{"half.txt"}, nil
	}
	return nil, errors.New("injected fault")
}

func hashes(t *testing.T, dir string) map[string][32]byte {
	out := map[string][32]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(data)
		return nil
	}))
	return out
}

func TestExportIsAtomic(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	opts := pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)}, OutDir: out, Exporters: exporters.All()}
	st, err := pipeline.Run(context.Background(), opts)
	require.NoError(t, err)
	st.Tables.Release()
	before := hashes(t, out)
	require.Contains(t, before, "rules.parquet")
	require.Contains(t, before, pipeline.ManifestName)

	t.Run("failing exporter", func(t *testing.T) {
		o := opts
		o.Exporters = []pipeline.Exporter{parquet.Exporter{}, failing{}}
		st, err := pipeline.Run(context.Background(), o)
		st.Tables.Release()
		require.ErrorContains(t, err, "injected fault")
		assert.Equal(t, before, hashes(t, out), "the previous output is untouched")
	})
	t.Run("interrupted run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		o := opts
		o.Exporters = []pipeline.Exporter{failing{cancel: cancel}, parquet.Exporter{}}
		st, err := pipeline.Run(ctx, o)
		st.Tables.Release()
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, before, hashes(t, out))
	})
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"out"}, names, "no temporary folders or locks are left behind")
}

func TestLockRefusesConcurrentRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	opts := pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)}, OutDir: out, Formats: []string{"parquet"}, Exporters: exporters.All()}
	require.NoError(t, os.WriteFile(out+".lock", []byte(strconv.Itoa(os.Getpid())), 0o644))
	st, err := pipeline.Run(context.Background(), opts)
	st.Tables.Release()
	require.ErrorContains(t, err, fmt.Sprintf("another ruleatlas run (pid %d) is writing to", os.Getpid()))

	// A lock left by a process that is gone is taken over.
	require.NoError(t, os.WriteFile(out+".lock", []byte("2147483647"), 0o644))
	st, err = pipeline.Run(context.Background(), opts)
	require.NoError(t, err)
	st.Tables.Release()
	assert.NoFileExists(t, out+".lock")
}

func TestManifestAndDeterminism(t *testing.T) {
	run := func() (string, map[string][32]byte, pipeline.Manifest) {
		out := filepath.Join(t.TempDir(), "out")
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)}, OutDir: out, Exporters: exporters.All()})
		require.NoError(t, err)
		st.Tables.Release()
		var m pipeline.Manifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(out, pipeline.ManifestName)), &m))
		return out, hashes(t, out), m
	}
	out, h1, m1 := run()
	_, h2, m2 := run()
	delete(h1, pipeline.ManifestName)
	delete(h2, pipeline.ManifestName)
	assert.Equal(t, h1, h2, "every output but the manifest is byte-identical")
	m1.Timings, m2.Timings = nil, nil
	assert.Equal(t, m1, m2, "the manifest differs only in timings")

	assert.Equal(t, 17, m1.Counts["sigma"]["ok"])
	assert.Equal(t, "18.1", m1.AttackVersion)
	require.NotEmpty(t, m1.Outputs)
	// Sizes and sums are right both for files recorded while written (the
	// site, PDFs, Navigator layers) and for files read back (Parquet, xlsx).
	kinds := map[string]bool{}
	for _, f := range m1.Outputs {
		kinds[strings.SplitN(f.Path, "/", 2)[0]] = true
		kinds[filepath.Ext(f.Path)] = true
	}
	for _, k := range []string{"html", "pdf", ".parquet", ".xlsx", ".json"} {
		assert.True(t, kinds[k], "no %s output", k)
	}
	for _, f := range m1.Outputs {
		data := readFile(t, filepath.Join(out, f.Path))
		assert.Equal(t, int64(len(data)), f.Size, f.Path)
		assert.Equal(t, fmt.Sprintf("%x", sha256.Sum256(data)), f.SHA256, f.Path)
	}
	assert.NotEmpty(t, m1.Sources[0].Commit, "the sample corpus lives in a git checkout")
}

func readFile(t *testing.T, p string) []byte {
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	return data
}

func TestAttackVersionInferredForTheSharedBundle(t *testing.T) {
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)},
		AttackFile: pipetest.SharedAttack(t)})
	require.NoError(t, err)
	defer st.Tables.Release()
	assert.Equal(t, "18.1", st.Attack.Version, "the shared bundle holds exactly the embedded ATT&CK 18.1 techniques")
	assert.NotEmpty(t, st.Attack.Techniques["T1059"].Description, "descriptions come from the bundle")
}

// TestSharedDeterminism writes every format for the whole shared catalog
// twice and compares every file's SHA-256 (the manifest's timings aside).
func TestSharedDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("whole-catalog export, twice")
	}
	srcs := allShared(t)
	run := func() map[string][32]byte {
		out := filepath.Join(t.TempDir(), "out")
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: srcs, AttackFile: pipetest.SharedAttack(t), OutDir: out, Exporters: exporters.All()})
		require.NoError(t, err)
		st.Tables.Release()
		h := hashes(t, out)
		delete(h, pipeline.ManifestName)
		return h
	}
	first, second := run(), run()
	require.NotEmpty(t, first)
	assert.Equal(t, len(first), len(second))
	differ := 0
	for name, h := range first {
		if second[name] != h {
			differ++
			if differ <= 10 {
				t.Errorf("%s differs between two runs", name)
			}
		}
	}
	t.Logf("%d files compared", len(first))
}

// TestReleaseRules checks that letting the parsed rules go before the
// export changes nothing written: the same tables, the same manifest
// counts, from State.Counts.
func TestReleaseRules(t *testing.T) {
	run := func(release bool) (*pipeline.State, map[string][32]byte, pipeline.Manifest) {
		out := filepath.Join(t.TempDir(), "out")
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{sampleSigma(t)},
			OutDir: out, Formats: []string{"parquet"}, ReleaseRules: release, Exporters: exporters.All()})
		require.NoError(t, err)
		st.Tables.Release()
		var m pipeline.Manifest
		require.NoError(t, json.Unmarshal(readFile(t, filepath.Join(out, pipeline.ManifestName)), &m))
		h := hashes(t, out)
		delete(h, pipeline.ManifestName)
		return st, h, m
	}
	kept, keptFiles, keptManifest := run(false)
	released, releasedFiles, releasedManifest := run(true)

	assert.Nil(t, released.Rules, "rules released before the export")
	require.NotEmpty(t, kept.Rules)
	assert.Equal(t, kept.Counts, released.Counts)
	assert.Equal(t, len(kept.Rules), released.Counts.Total())
	assert.Equal(t, len(kept.Rules), released.Counts.Vendor("sigma"))
	ok := 0
	for _, r := range kept.Rules {
		if r.ParseStatus == rule.StatusOK {
			ok++
		}
	}
	assert.Equal(t, ok, released.Counts.Of(rule.StatusOK))
	assert.Equal(t, keptFiles, releasedFiles, "Parquet files are byte-identical")
	assert.Equal(t, keptManifest.Counts, releasedManifest.Counts)
	assert.Equal(t, keptManifest.Summary, releasedManifest.Summary)
	assert.Equal(t, len(kept.Rules), releasedManifest.Summary.Rules)
}
