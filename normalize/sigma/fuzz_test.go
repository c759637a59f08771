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
	dirs := []string{filepath.Join(root, "testdata", "corpus", "sigma"), filepath.Join("testdata", "root")}
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
	for _, s := range []string{
		"title: a\nid: x\naction: global\n---\nlogsource: {product: w}\ndetection: {s: {A: 1}, condition: s}\n---\nlogsource: {product: l}\ndetection: {s: {B: 1}, condition: s}\n",
		"title: c\nid: y\ncorrelation: {type: event_count, rules: [x], condition: {gte: 10}}\n",
		"title: THOR\norder: 20\nbackends: [thor]\n",
		"- a\n- b\n",
		"logsource: {product: w}\ndetection: {s: {C|contains: ' -e ', D: null, E|exists: true, F|base64offset|contains: x}, condition: s | count() by G > 5}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := source{}.Load(rule.File{Path: "fuzz.yml", Data: data})
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, r := range res.Rules {
			if ids[r.RuleID] {
				t.Fatalf("rule id %q twice in one file", r.RuleID)
			}
			ids[r.RuleID] = true
			if r.Kind != rule.KindDetection && r.Kind != rule.KindCorrelation {
				t.Fatalf("invalid kind %q", r.Kind)
			}
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
