package panther

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

func TestBlankTests(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"none":           {"A: 1\nB: 2\n", "A: 1\nB: 2\n"},
		"middle":         {"A: 1\nTests:\n  - Name: x\n    Log: {a: 1}\nB: 2\n", "A: 1\nTests:\n\n\nB: 2\n"},
		"compact seq":    {"Tests:\n- Name: x\n  ExpectedResult: true\nB: 2\n", "Tests:\n\n\nB: 2\n"},
		"at the end":     {"A: 1\nTests: # samples\n  - Name: x\n", "A: 1\nTests: # samples\n\n"},
		"no final nl":    {"Tests:\n  - a", "Tests:\n"},
		"flow untouched": {"Tests: [\n{a: 1}\n]\nB: 2\n", "Tests: [\n{a: 1}\n]\nB: 2\n"},
		"doc marker":     {"Tests:\n  - a\n---\nB: 2\n", "Tests:\n\n---\nB: 2\n"},
		"comments kept":  {"Tests:\n# c\n  - a\n\nB: 1\n", "Tests:\n\n\n\nB: 1\n"},
		"indented key":   {"A:\n  Tests:\n    - a\n", "A:\n  Tests:\n    - a\n"},
		"prefix key":     {"TestsX:\n  - a\n", "TestsX:\n  - a\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(blankTests([]byte(tc.in))))
		})
	}
}

// TestBlankTestsSharedCorpus decodes every YAML file of the shared Panther
// corpus with go.yaml.in/yaml (not the frontend's parser), whole and with
// its Tests blanked, and checks that everything but Tests is the same.
func TestBlankTestsSharedCorpus(t *testing.T) {
	root := pipetest.SharedCorpus(t, "panther")
	n, blanked := 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yml") {
			return err
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var whole, cut map[string]any
		errWhole := yaml.Unmarshal(data, &whole)
		b := blankTests(data)
		errCut := yaml.Unmarshal(b, &cut)
		if errWhole != nil {
			return nil // broken files are reported by the loader either way
		}
		require.NoError(t, errCut, p)
		assert.Equal(t, strings.Count(string(data), "\n"), strings.Count(string(b), "\n"), "%s: line numbers kept", p)
		if _, had := whole["Tests"]; had {
			blanked++
		}
		delete(whole, "Tests")
		delete(cut, "Tests")
		assert.Equal(t, whole, cut, p)
		n++
		return nil
	})
	require.NoError(t, err)
	t.Logf("%d YAML files compared, %d with Tests", n, blanked)
	assert.Positive(t, blanked)
}
