package splunk_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// detectionSearches returns the search of every detection under root.
func detectionSearches(t testing.TB, root string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(root, "detections", "*", "*.yml"))
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Search string `yaml:"search"`
		}
		if yaml.Unmarshal(data, &d) == nil && d.Search != "" {
			out = append(out, d.Search)
		}
	}
	return out
}
