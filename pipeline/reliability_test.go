package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/badinput"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// sampleCorpus is the repository's sample corpus, relative to this package.
const sampleCorpus = "../testdata/corpus"

// peakMemory samples the Go heap while a run goes on; Stop returns the peak
// of the runtime's total memory (Sys) and of the process's resident set.
type peakMemory struct {
	stop chan struct{}
	wg   sync.WaitGroup
	sys  uint64
}

func watchMemory() *peakMemory {
	pm := &peakMemory{stop: make(chan struct{})}
	pm.wg.Add(1)
	go func() {
		defer pm.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			pm.sys = max(pm.sys, ms.Sys)
			select {
			case <-pm.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return pm
}

// Stop returns the peak Go memory and the peak resident set size in bytes.
func (pm *peakMemory) Stop() (goSys, maxRSS uint64) {
	close(pm.stop)
	pm.wg.Wait()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		maxRSS = uint64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return pm.sys, maxRSS
}

// rowKey identifies a rule by where it came from: duplicate ids are
// renamed by discovery order, so ids alone do not line up between runs.
func rowKey(r rule.Rule) string {
	return r.Vendor + ":" + r.Path + ":" + strings.SplitN(r.RuleID, "#", 2)[0]
}

func runCorpus(t *testing.T, srcs []pipeline.Source, fronts []rule.Frontend) *pipeline.State {
	t.Helper()
	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: srcs, Frontends: fronts})
	require.NoError(t, err)
	t.Cleanup(func() {
		if st.Tables != nil {
			st.Tables.Release()
		}
	})
	return st
}

func sources(roots map[string]string, vendors []string) []pipeline.Source {
	var out []pipeline.Source
	for _, v := range vendors {
		out = append(out, pipeline.Source{Vendor: v, Root: roots[v]})
	}
	return out
}

// TestBadInput plants broken files beside a copy of the sample corpus and
// checks that the run finishes, keeps every intact rule with the predicates
// of a clean run and reports each broken file exactly once.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB sparse file and a 100,000-value rule")
	}
	// The clean run: the sample corpus as it is.
	clean := map[string]string{}
	ents, err := os.ReadDir(sampleCorpus)
	require.NoError(t, err)
	var vendors []string
	for _, e := range ents {
		if e.IsDir() {
			vendors = append(vendors, e.Name())
			clean[e.Name()] = filepath.Join(sampleCorpus, e.Name())
		}
	}
	want := map[string]rule.Rule{}
	cleanState := runCorpus(t, sources(clean, vendors), nil)
	for _, r := range cleanState.Rules {
		want[rowKey(r)] = r
	}

	bad, err := badinput.Build(t.TempDir(), sampleCorpus, badinput.Options{})
	require.NoError(t, err)
	t.Cleanup(bad.Restore)
	require.ElementsMatch(t, vendors, bad.Vendors)

	runtime.GC()
	mem := watchMemory()
	start := time.Now()
	st := runCorpus(t, sources(bad.Roots, bad.Vendors), bad.Frontends(pipeline.Frontends()))
	took := time.Since(start)
	goSys, rss := mem.Stop()

	// Every intact rule, with the same status and predicates.
	got := map[string]rule.Rule{}
	rows := map[string][]rule.Rule{} // vendor:path → rows
	for _, r := range st.Rules {
		got[rowKey(r)] = r
		rows[r.Vendor+":"+r.Path] = append(rows[r.Vendor+":"+r.Path], r)
	}
	for k, w := range want {
		g, ok := got[k]
		if !assert.True(t, ok, "intact rule %s lost", k) {
			continue
		}
		assert.Equal(t, w.ParseStatus, g.ParseStatus, k)
		assert.Equal(t, w.ParseError, g.ParseError, k)
		assert.Equal(t, rule.Format(w.Predicates), rule.Format(g.Predicates), k)
		assert.Equal(t, w.Techniques, g.Techniques, k)
	}

	// Parse problems (failed, partial) and notes per vendor:path.
	parseProblems := map[string][]tables.Problem{}
	notes := map[string][]tables.Problem{}
	for _, p := range st.Problems.Sorted() {
		k := p.Vendor + ":" + p.Path
		if p.Kind == "note" {
			notes[k] = append(notes[k], p)
		} else {
			parseProblems[k] = append(parseProblems[k], p)
		}
	}
	for _, w := range want { // the clean run's own problems are still there, once
		if w.ParseStatus == rule.StatusFailed || w.ParseStatus == rule.StatusPartial {
			assert.Len(t, parseProblems[w.Vendor+":"+w.Path], 1, "%s:%s", w.Vendor, w.Path)
		}
	}

	planted := 0
	truncFailed := 0
	var summary []string
	for _, c := range bad.Cases {
		k := c.Vendor + ":" + c.Path
		if c.Note != "" {
			t.Logf("%s %s: %s", c.Vendor, c.Name, c.Note)
		}
		switch c.Want {
		case badinput.Problem:
			planted++
			if assert.Len(t, rows[k], 1, "%s (%s): rows", k, c.Name) {
				assert.Equal(t, rule.StatusFailed, rows[k][0].ParseStatus, "%s (%s)", k, c.Name)
			}
			if assert.Len(t, parseProblems[k], 1, "%s (%s): parse problems", k, c.Name) {
				p := parseProblems[k][0]
				assert.Equal(t, c.Root, p.Root, k)
				summary = append(summary, fmt.Sprintf("%s: %s → %s", k, c.Name, firstLine(p.Msg)))
			}
		case badinput.Row:
			planted++
			// A truncated copy may still be a rule, or no longer look like
			// one (skipped, as a non-rule file would be).
			assert.LessOrEqual(t, len(rows[k]), 1, "%s (%s): rows", k, c.Name)
			assert.LessOrEqual(t, len(parseProblems[k]), 1, "%s (%s): parse problems", k, c.Name)
			if len(rows[k]) == 0 {
				summary = append(summary, fmt.Sprintf("%s: %s → skipped, not a rule any more", k, c.Name))
			} else if len(parseProblems[k]) == 1 {
				truncFailed++
				summary = append(summary, fmt.Sprintf("%s: %s → %s", k, c.Name, firstLine(parseProblems[k][0].Msg)))
			} else if len(rows[k]) == 1 {
				summary = append(summary, fmt.Sprintf("%s: %s → still a rule (%s)", k, c.Name, rows[k][0].ParseStatus))
			}
		case badinput.Rule:
			if assert.Len(t, rows[k], 1, "%s (%s): rows", k, c.Name) {
				r := rows[k][0]
				assert.Contains(t, []rule.Status{rule.StatusOK, rule.StatusPartial}, r.ParseStatus, "%s: %s", k, r.ParseError)
				assert.GreaterOrEqual(t, len(r.Predicates), 100000, k)
				summary = append(summary, fmt.Sprintf("%s: %s → %s, %d predicates", k, c.Name, r.ParseStatus, len(r.Predicates)))
			}
		case badinput.Duplicate:
			// As many rows as the copied file has rules, no parse problem,
			// and one more duplicate-id note per rule and planted copy than
			// in the clean run (on whichever copy came later in discovery).
			srcRows := rows[c.Vendor+":"+c.Of]
			assert.NotEmpty(t, srcRows, "%s: source %s", k, c.Of)
			assert.Len(t, rows[k], len(srcRows), "%s (%s): rows", k, c.Name)
			assert.Empty(t, parseProblems[k], k)
			for _, r := range srcRows {
				id := strings.SplitN(r.RuleID, "#", 2)[0]
				copies := 0 // planted copies of the same file
				for _, o := range bad.Cases {
					if o.Want == badinput.Duplicate && o.Vendor == c.Vendor && o.Of == c.Of {
						copies++
					}
				}
				assert.Equal(t, dupNotes(cleanState.Problems.Sorted(), c.Vendor, id)+copies, dupNotes(st.Problems.Sorted(), c.Vendor, id), "%s: duplicate-id notes for %s", k, id)
			}
			summary = append(summary, fmt.Sprintf("%s: %s → renamed, note", k, c.Name))
		case badinput.SameFile:
			assert.Empty(t, rows[k], "%s (%s): rows", k, c.Name)
			assert.Empty(t, parseProblems[k], k)
			outcome, reason := fileOutcome(st.Tables, c.Root, c.Path)
			assert.Equal(t, "duplicate", outcome, "%s: files-table outcome", k)
			assert.Contains(t, reason, c.Of, k)
			summary = append(summary, fmt.Sprintf("%s: %s → %s (%s)", k, c.Name, outcome, reason))
		case badinput.Loop:
			n := 0
			for nk := range notes {
				if strings.HasPrefix(nk, k+"/") {
					n++
					assert.Contains(t, notes[nk][0].Msg, "symlink not followed", nk)
				}
			}
			assert.Equal(t, 2, n, "%s (%s): notes for the links up and self", k, c.Name)
			summary = append(summary, fmt.Sprintf("%s: %s → %d notes, not followed", k, c.Name, n))
			fallthrough
		case badinput.Nothing:
			for rk := range rows {
				assert.False(t, strings.HasPrefix(rk, k+"/"), "%s (%s): unexpected row %s", k, c.Name, rk)
			}
			for pk := range parseProblems {
				assert.False(t, strings.HasPrefix(pk, k+"/"), "%s (%s): unexpected problem %s", k, c.Name, pk)
			}
		}
	}
	// No parse problem beyond the clean run's and the planted ones.
	known := map[string]bool{}
	for _, w := range want {
		known[w.Vendor+":"+w.Path] = true
	}
	for _, c := range bad.Cases {
		known[c.Vendor+":"+c.Path] = true
	}
	for k := range parseProblems {
		assert.True(t, known[k], "unexpected parse problem for %s: %v", k, parseProblems[k])
	}

	sort.Strings(summary)
	for _, s := range summary {
		t.Log(s)
	}
	t.Logf("bad-input run: %d rules (clean run %d), %d problems (%d planted broken files, %d of %d truncated copies failed), wall %s, peak Go memory %d MiB, peak RSS %d MiB",
		len(st.Rules), len(want), st.Problems.Len(), planted, truncFailed, countRows(bad.Cases), took.Round(time.Millisecond), goSys>>20, rss>>20)
	assert.Less(t, rss, uint64(1<<30), "peak RSS")
	assert.Less(t, goSys, uint64(1<<30), "peak Go memory")
	assert.Less(t, took, 30*time.Second, "wall time")
}

// dupNotes counts the duplicate-id notes for one rule id.
func dupNotes(ps []tables.Problem, vendor, id string) int {
	n := 0
	for _, p := range ps {
		if p.Kind == "note" && p.Vendor == vendor && strings.HasPrefix(p.Msg, "duplicate rule id "+id+";") {
			n++
		}
	}
	return n
}

func countRows(cs []badinput.Case) int {
	n := 0
	for _, c := range cs {
		if c.Want == badinput.Row {
			n++
		}
	}
	return n
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// TestMissingSource: a source folder that does not exist fails the run
// with an error naming it (the CLI exits 1), also beside valid sources: a
// mistyped path should not quietly shrink the report.
func TestMissingSource(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	for _, srcs := range [][]pipeline.Source{
		{{Vendor: "sigma", Root: missing}},
		{{Vendor: "sigma", Root: filepath.Join(sampleCorpus, "sigma")}, {Vendor: "elastic", Root: missing}},
	} {
		_, err := pipeline.Run(context.Background(), pipeline.Options{Sources: srcs})
		require.Error(t, err)
		assert.Contains(t, err.Error(), missing)
		assert.Contains(t, err.Error(), "no such file or directory")
	}
}

// fileOutcome reads the outcome and reason of one file from the files
// table; empty when it has no row.
func fileOutcome(set *tables.Set, root, path string) (outcome, reason string) {
	f := set.Files
	for i := range int(f.NumRows()) {
		if tables.Strings(f, tables.FileRoot).Value(i) == root && tables.Strings(f, tables.FilePath).Value(i) == path {
			return tables.Strings(f, tables.FileOutcome).Value(i), tables.Strings(f, tables.FileReason).Value(i)
		}
	}
	return "", ""
}
