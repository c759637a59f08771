package splunk_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/normalize/splunk"
	"github.com/ruleatlas/ruleatlas/normalize/splunk/spl"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// readCorpus reads every candidate file of the shared Splunk corpus.
func readCorpus(b *testing.B) (string, []rule.File) {
	root := pipetest.SharedCorpus(b, "splunk")
	s, err := splunk.Frontend{}.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	var files []rule.File
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if s.Match(rel, d) {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files = append(files, rule.File{Root: root, Path: rel, Data: data})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return root, files
}

// BenchmarkLoadCorpus opens the shared corpus (macros read once) and loads
// and parses every detection on all cores, as the pipeline's Load stage
// does. Files are read into memory beforehand.
func BenchmarkLoadCorpus(b *testing.B) {
	root, files := readCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := splunk.Frontend{}.Open(root)
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		next := make(chan rule.File)
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for f := range next {
					if _, err := s.Load(f); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, f := range files {
			next <- f
		}
		close(next)
		wg.Wait()
	}
	b.ReportMetric(float64(len(files)), "files/op")
}

// BenchmarkExpandParse measures macro expansion, SPL parsing and lowering
// alone (no YAML), single-threaded.
func BenchmarkExpandParse(b *testing.B) {
	root, _ := readCorpus(b)
	s, err := splunk.Frontend{}.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	src := s.(*splunk.Source)
	searches := detectionSearches(b, root)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, q := range searches {
			e := src.Macros.Expand(q)
			if pq, err := spl.Parse(e.Text); err == nil {
				rule.Flatten(spl.Lower(pq))
			}
		}
	}
}
