package pyrule

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

func sampleSources(b *testing.B) []string {
	files, _ := filepath.Glob(filepath.Join(pipetest.RepoRoot(b), "testdata/corpus/panther/*/*/*.py"))
	more, _ := filepath.Glob("testdata/*.py")
	var out []string
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, string(data))
	}
	if len(out) == 0 {
		b.Skip("no sample Python rules")
	}
	return out
}

// BenchmarkExtract measures parse + lower + flatten per Python rule file
// of the sample corpus and the idiom fixtures.
func BenchmarkExtract(b *testing.B) {
	srcs := sampleSources(b)
	b.ResetTimer()
	for range b.N {
		for _, s := range srcs {
			q, err := Parse(s)
			if err != nil {
				continue
			}
			_, _ = rule.Flatten(Lower(q))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(srcs)), "ns/rule")
}

// BenchmarkParse measures the tree-sitter parse and AST conversion alone.
func BenchmarkParse(b *testing.B) {
	srcs := sampleSources(b)
	b.ResetTimer()
	for range b.N {
		for _, s := range srcs {
			_, _ = Parse(s)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(srcs)), "ns/rule")
}
