package pipeline

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

func TestCheckYAML(t *testing.T) {
	deepFlow := "a: " + strings.Repeat("[", MaxYAMLDepth+1) + strings.Repeat("]", MaxYAMLDepth+1) + "\n"
	var deepBlock strings.Builder
	for i := range MaxYAMLDepth + 1 {
		deepBlock.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	for _, tc := range []struct {
		name, src, err string
	}{
		{"plain rule", "title: x\ndetection:\n  sel:\n    Image|endswith:\n      - '\\a.exe'\n  condition: sel\n", ""},
		{"brackets in scalars", "q: foo[[[[[[[[[[\nd: \"[[[[[[\"\n", ""},
		{"block scalar", "query: |\n" + strings.Repeat("  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", 3), ""},
		{"star in plain scalar", "a: b*c\nd: '*e'\n", ""},
		{"few aliases", "a: &x [1, 2]\nb: *x\nc: *x\n", ""},
		{"flow too deep", deepFlow, "line 1, column 104: YAML nesting deeper than 100 levels"},
		{"block too deep", deepBlock.String(), "line 101, column 101: YAML nesting deeper than 100 levels"},
		{"compact too deep", "a:\n  " + strings.Repeat("- ", MaxYAMLDepth) + "x\n", "line 2, column 203: YAML nesting deeper than 100 levels"},
		{"laughs", laughs(6), "line 8, column 6: YAML aliases expand to more than 100000 nodes"},
		{"small laughs", laughs(3), ""},
		{"alias to itself", "a: &a [1, *a]\n", "line 1, column 11: YAML alias *a refers to a node that contains it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkYAML([]byte(tc.src))
			if tc.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.err, err.Error())
			var se *rule.SyntaxError
			assert.ErrorAs(t, err, &se)
		})
	}
}

// laughs nests n levels of ten aliases each (10^n scalars expanded).
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s*l%d]\n", i, i, strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 9), i-1)
	}
	fmt.Fprintf(&b, "top: *l%d\n", n)
	return b.String()
}

// TestCheckYAMLSharedCorpora: no real rule file trips the YAML limits.
func TestCheckYAMLSharedCorpora(t *testing.T) {
	root := "../../shared/corpora"
	if _, err := os.Stat(root); err != nil {
		t.Skip("no shared corpora")
	}
	n := 0
	start := time.Now()
	var size int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		size += int64(len(data))
		assert.NoError(t, checkYAML(data), p)
		return nil
	})
	require.NoError(t, err)
	t.Logf("%d YAML files (%d MiB) checked", n, size>>20)
	_ = start
}

// BenchmarkCheckYAML measures the pre-check over the shared YAML files.
func BenchmarkCheckYAML(b *testing.B) {
	root := "../../shared/corpora"
	var files [][]byte
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			if data, err := os.ReadFile(p); err == nil {
				files = append(files, data)
			}
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("no shared corpora")
	}
	b.ResetTimer()
	for range b.N {
		for _, f := range files {
			_ = checkYAML(f)
		}
	}
}

type hangSource struct {
	release chan struct{}
}

func (s hangSource) Match(string, fs.DirEntry) bool { return true }
func (s hangSource) Load(f rule.File) (rule.Result, error) {
	switch {
	case strings.HasPrefix(f.Path, "hang"):
		<-s.release
	case strings.HasPrefix(f.Path, "panic"):
		panic("frontend bug")
	}
	return rule.Result{Rules: []rule.Rule{{RuleID: f.Path, Title: "t"}}}, nil
}

// loadWithDeadline loads one file on a parser of its own: a fresh
// goroutine, as the first file of every worker gets.
func loadWithDeadline(f fileRef, limit int64, timeout time.Duration) (rule.Result, error) {
	p := newParser(limit, timeout)
	defer p.close()
	return p.load(f)
}

func TestLoadWithDeadline(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"hang.yml", "ok.yml", "panic.yml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("a: b\n"), 0o644))
	}
	src := hangSource{release: make(chan struct{})}
	defer close(src.release)
	ref := func(name string) fileRef { return fileRef{rel: name, source: src, vendor: "test", root: dir} }

	before := abandonedParses.Load()
	start := time.Now()
	_, err := loadWithDeadline(ref("hang.yml"), 1<<20, 50*time.Millisecond)
	require.Error(t, err)
	assert.Equal(t, "parsing took longer than 50ms (--parse-timeout); given up", err.Error())
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, before+1, abandonedParses.Load())

	res, err := loadWithDeadline(ref("ok.yml"), 1<<20, time.Second)
	require.NoError(t, err)
	assert.Len(t, res.Rules, 1)

	t.Setenv("RULEATLAS_DEBUG", "")
	_, err = loadWithDeadline(ref("panic.yml"), 1<<20, time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panic: frontend bug; rerun with RULEATLAS_DEBUG=1 for the stack")
	assert.NotContains(t, err.Error(), "goroutine")

	t.Setenv("RULEATLAS_DEBUG", "1")
	_, err = loadWithDeadline(ref("panic.yml"), 1<<20, time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "panic: frontend bug\ngoroutine")
	assert.Contains(t, err.Error(), "hangSource.Load")
}

// TestParserReuse: one parser loads file after file on one goroutine; a
// parse past the limit is abandoned, the next file gets a new goroutine, and
// the abandoned one is uncounted once it finishes.
func TestParserReuse(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"hang.yml", "ok1.yml", "ok2.yml", "ok3.yml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("a: b\n"), 0o644))
	}
	src := hangSource{release: make(chan struct{})}
	ref := func(name string) fileRef { return fileRef{rel: name, source: src, vendor: "test", root: dir} }
	p := newParser(1<<20, 100*time.Millisecond)
	before := abandonedParses.Load()

	base := runtime.NumGoroutine()
	for _, name := range []string{"ok1.yml", "ok2.yml", "ok3.yml"} {
		res, err := p.load(ref(name))
		require.NoError(t, err)
		require.Equal(t, name, res.Rules[0].RuleID)
		assert.LessOrEqual(t, runtime.NumGoroutine(), base+1, "one goroutine for all files")
	}

	_, err := p.load(ref("hang.yml"))
	require.ErrorContains(t, err, "given up")
	assert.Equal(t, before+1, abandonedParses.Load())
	res, err := p.load(ref("ok1.yml"))
	require.NoError(t, err, "a new goroutine takes over")
	require.Equal(t, "ok1.yml", res.Rules[0].RuleID)
	p.close()

	close(src.release) // the abandoned parse finishes
	require.Eventually(t, func() bool { return abandonedParses.Load() == before }, 5*time.Second, 10*time.Millisecond)
}
