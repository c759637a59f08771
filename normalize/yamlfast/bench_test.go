package yamlfast

import (
	"os"
	"testing"
)

func loadShared(b *testing.B) ([][]byte, int64) {
	files := sharedFiles(b)
	var all [][]byte
	var size int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v3Docs(data); err != nil {
			continue // invalid YAML: not part of the comparison
		}
		all = append(all, data)
		size += int64(len(data))
	}
	return all, size
}

// BenchmarkParseShared parses every shared YAML file with Documents (the
// fast path, falling back to yaml.v3 for the few unsupported files).
func BenchmarkParseShared(b *testing.B) {
	all, size := loadShared(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range all {
			if _, err := Documents(data); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkYAMLv3Shared parses every shared YAML file to yaml.Node trees
// with yaml.v3's Decoder.
func BenchmarkYAMLv3Shared(b *testing.B) {
	all, size := loadShared(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range all {
			if _, err := v3Docs(data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
