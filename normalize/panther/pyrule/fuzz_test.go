package pyrule

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// FuzzParse feeds arbitrary bytes as a Python rule file: Parse and Lower
// must not panic or hang, and a parsed file must print stably.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.py")
	corpus, _ := filepath.Glob(filepath.Join(pipetest.RepoRoot(f), "testdata/corpus/panther/*/*.py"))
	for _, p := range append(files, corpus...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("def rule(e):\n    return " + nested(200) + "\n")
	f.Add("def rule(e):\n" + deepIf(150))
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			return
		}
		_, _ = rule.Flatten(Lower(q))
		checkRoundTrip(t, src)
	})
}

func nested(n int) string {
	s := `e.get("a") == "b"`
	for range n {
		s = "not (" + s + " and " + s[:0] + "e.get(\"c\"))"
	}
	return s
}

func deepIf(n int) string {
	s, ind := "", "    "
	for range n {
		s += ind + "if e.get(\"a\"):\n"
		ind += " "
	}
	return s + ind + "return True\n"
}

func TestDeepInputs(t *testing.T) {
	for _, src := range []string{
		"def rule(e):\n    return " + nested(300) + "\n",
		"def rule(e):\n" + deepIf(300),
	} {
		q, err := Parse(src)
		if err != nil {
			continue
		}
		_, _ = rule.Flatten(Lower(q))
		checkRoundTrip(t, src)
	}
}
