package sigma

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// seedFiles adds the sample corpus (and a slice of the shared corpus when
// present) as fuzz seeds.
func seedFiles(f *testing.F, add func(data []byte)) {
	root := pipetest.RepoRoot(f)
	dirs := []string{filepath.Join(root, "testdata", "corpus", "sigma")}
	shared := filepath.Join(root, "..", "shared", "corpora", "sigma", "rules")
	if _, err := os.Stat(shared); err == nil {
		dirs = append(dirs, shared)
	}
	n := 0
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || filepath.Ext(p) != ".yml" || n > 400 {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil {
				add(data)
				n++
			}
			return nil
		})
	}
}

// FuzzParseCondition checks that any condition string parses or fails
// without panicking, and that printing is stable.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"sel", "a and not 1 of filter_*", "(a or b) and not (c)", "all of them",
		"a | count(x) by y > 5", "not not a", "1 of sel* and all of f*"} {
		f.Add(s)
	}
	seedFiles(f, func(data []byte) {
		var doc struct {
			Detection struct {
				Condition any `yaml:"condition"`
			} `yaml:"detection"`
		}
		if yaml.Unmarshal(data, &doc) == nil {
			if s, ok := doc.Detection.Condition.(string); ok {
				f.Add(s)
			}
		}
	})
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			return
		}
		printed := String(c)
		c2, err := ParseCondition(printed)
		if err != nil {
			t.Fatalf("printed condition %q does not parse: %v", printed, err)
		}
		if again := String(c2); again != printed {
			t.Fatalf("printer not stable: %q then %q", printed, again)
		}
	})
}

// FuzzLoad feeds arbitrary bytes as a Sigma file: it must never panic, and
// every rule it returns must carry a valid status and operators.
func FuzzLoad(f *testing.F) {
	seedFiles(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := source{}.Load(rule.File{Path: "fuzz.yml", Data: data})
		if err != nil {
			return
		}
		for _, r := range res.Rules {
			switch r.ParseStatus {
			case rule.StatusOK, rule.StatusPartial, rule.StatusFailed, rule.StatusNoQuery:
			default:
				t.Fatalf("invalid status %q", r.ParseStatus)
			}
			for _, p := range r.Predicates {
				if !p.Op.Valid() {
					t.Fatalf("invalid op %q", p.Op)
				}
			}
		}
	})
}
