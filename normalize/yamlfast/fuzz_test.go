package yamlfast

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// FuzzParse checks the contract: whenever Parse accepts an input, yaml.v3
// accepts it too and builds the same trees.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range unsupportedCases {
		f.Add([]byte(tc.in))
	}
	for _, file := range yamlFiles(f, filepath.Join(pipetest.RepoRoot(f), "testdata", "corpus")) {
		f.Add(pipetest.Read(f, file))
	}
	if dir := os.Getenv("RULEATLAS_SHARED"); dir != "" || sharedPresent(f) {
		files := sharedFiles(f)
		// A few hundred real files spread over all vendors.
		step := len(files)/300 + 1
		for i := 0; i < len(files); i += step {
			if data, err := os.ReadFile(files[i]); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkOracle(t, "fuzz input", data)
	})
}

// sharedPresent reports whether ../shared/corpora exists (without skipping).
func sharedPresent(t testing.TB) bool {
	_, err := os.Stat(filepath.Join(pipetest.RepoRoot(t), "..", "shared", "corpora"))
	return err == nil
}
