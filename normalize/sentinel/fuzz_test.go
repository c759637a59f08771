package sentinel

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// FuzzLoad checks that no file content makes the loader panic or hang, and
// that every rule it returns has a valid status.
func FuzzLoad(f *testing.F) {
	roots := []string{filepath.Join(pipetest.RepoRoot(f), "testdata", "corpus", "sentinel"),
		filepath.Join(pipetest.RepoRoot(f), "..", "shared", "corpora", "sentinel")}
	n := 0
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || n > 300 {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
				n++
			}
			return nil
		})
	}
	f.Add([]byte("id: 1\nkind: Scheduled\nquery: |\n\tT\n\t| where a == 1\n"))
	f.Add([]byte("id: 1\nkind: nrt\nquery: |\n  union (A | where a == 1)\n  (B | mv-apply r = R on (where r.x has ' y'))\n"))
	f.Add([]byte("id: 1\nname: h\nquery: T | where a != b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Source{}.Load(rule.File{Root: "r", Path: "Detections/x.yaml", Data: data})
		if err != nil {
			return
		}
		for _, r := range res.Rules {
			switch r.ParseStatus {
			case rule.StatusOK, rule.StatusPartial, rule.StatusFailed, rule.StatusNoQuery:
			default:
				t.Fatalf("bad status %q", r.ParseStatus)
			}
			if r.ParseStatus == rule.StatusFailed && r.ParseError == "" {
				t.Fatal("failed without an error")
			}
			for _, p := range r.Predicates {
				if !p.Op.Valid() {
					t.Fatalf("invalid op %q", p.Op)
				}
			}
		}
	})
}
