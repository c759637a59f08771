package panther

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// FuzzLoad feeds arbitrary bytes as a Panther YAML file (the Python files
// of the sample corpus stay readable beside it): Load must not panic or hang.
func FuzzLoad(f *testing.F) {
	root := filepath.Join(pipetest.RepoRoot(f), "testdata", "corpus", "panther")
	seeds, _ := filepath.Glob(filepath.Join(root, "rules", "*", "*.yml"))
	shared := os.Getenv("RULEATLAS_SHARED")
	if shared == "" {
		shared = filepath.Join(pipetest.RepoRoot(f), "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(shared, "corpora", "panther")); err == nil {
		more, _ := filepath.Glob(filepath.Join(shared, "corpora", "panther", "rules", "*", "*.yml"))
		if len(more) > 300 {
			more = more[:300]
		}
		seeds = append(seeds, more...)
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			rel, _ := filepath.Rel(root, p)
			f.Add(filepath.ToSlash(filepath.Dir(rel)), b)
		}
	}
	f.Fuzz(func(t *testing.T, dir string, data []byte) {
		_, _ = (&source{repo: newRepo(root)}).Load(rule.File{Root: root, Path: dir + "/fuzz.yml", Data: data})
	})
}
