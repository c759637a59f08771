package sentinel

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// render prints one file's result in the stable golden text form.
func render(path string, res rule.Result, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", path)
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	if res.Skipped != "" {
		fmt.Fprintf(&b, "skipped: %s\n", res.Skipped)
	}
	for _, r := range res.Rules {
		fmt.Fprintf(&b, "rule_id: %s\ntitle: %s\nstatus: %s\nseverity: %s\nlanguage: %s\n", r.RuleID, r.Title, r.Status, r.Severity, r.Language)
		fmt.Fprintf(&b, "techniques: %s\ntactics: %s\nlog_sources: %s\n", strings.Join(r.Techniques, ", "),
			strings.Join(r.Tactics, ", "), strings.Join(r.LogSources, ", "))
		fmt.Fprintf(&b, "parse_status: %s\n", r.ParseStatus)
		if r.ParseError != "" {
			fmt.Fprintf(&b, "parse_error: %s\n", r.ParseError)
		}
		if r.Deprecated {
			b.WriteString("deprecated\n")
		}
		b.WriteString(rule.Format(r.Predicates))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// loadTree loads every matching file under root in lexical order.
func loadTree(t testing.TB, root string, each func(rel string, res rule.Result, err error)) {
	t.Helper()
	src, err := Frontend{}.Open(root)
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !src.Match(rel, d) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		res, lerr := src.Load(rule.File{Root: root, Path: rel, Data: data})
		each(rel, res, lerr)
		return nil
	})
	require.NoError(t, err)
}

func TestCorpusGolden(t *testing.T) {
	root := filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus", "sentinel")
	var b strings.Builder
	loadTree(t, root, func(rel string, res rule.Result, err error) {
		b.WriteString(render(rel, res, err))
		b.WriteString("\n")
	})
	pipetest.Golden(t, "testdata/corpus.golden", b.String())
}

func load(t *testing.T, path, src string) (rule.Result, error) {
	t.Helper()
	return Source{}.Load(rule.File{Root: "r", Path: path, Data: []byte(src)})
}

const header = "id: 1\nname: Test rule\nseverity: informational\nkind: Scheduled\nrelevantTechniques:\n  - T1595.002\n  - t1595.002\n  - T1046\ntactics: [Reconnaissance]\n"

func TestLoad(t *testing.T) {
	tests := map[string]struct {
		path, src string
		skipped   string
		status    rule.Status
		errText   string
		preds     string
	}{
		"simple": {
			src:    header + "query: |\n  SecurityEvent\n  | where EventID == 4688 and Process !in~ (\"a.exe\", \"b.exe\")\n",
			status: rule.StatusOK,
			preds:  "EventID eq \"4688\"\nProcess in \"a.exe\" negated exclusion\nProcess in \"b.exe\" negated exclusion\n",
		},
		"parse error with file position": {
			src:     header + "query: |\n  SecurityEvent\n  | where EventID == (4688\n",
			status:  rule.StatusFailed,
			errText: "query line 3, column 1 (file line 13, column 3): expected \")\", found end of query",
		},
		"one-line query": {
			src:     header + "query: 'T | where x =='\n",
			status:  rule.StatusFailed,
			errText: "query line 1, column 15 (file line 10, column ~23): expected an expression, found end of query",
		},
		"crlf and bom": {
			src:    "\uFEFF" + strings.ReplaceAll(header+"query: |\n  T\n  | where a == 'x'\n", "\n", "\r\n"),
			status: rule.StatusOK,
			preds:  "a eq \"x\"\n",
		},
		"tab-indented query lines": {
			src:    header + "query: |\n  T\n\t| where a has 'x'\n\t| where b != 1\n",
			status: rule.StatusOK,
			preds:  "a contains \"x\"\nb eq \"1\" negated exclusion\n",
		},
		"hunting query by folder": {
			path: "Hunting Queries/x.yaml", src: header + "query: T\n", skipped: "hunting query, not an analytic rule",
		},
		"hunting query by shape": {
			src: "id: 1\nname: x\nquery: T | where a == 1\n", skipped: "hunting query (no kind, severity or schedule), not an analytic rule",
		},
		"parser": {
			src: "Parser:\n  Title: x\nParserQuery: T\n", skipped: "parser or workspace function (Parser), not an analytic rule",
		},
		"no query": {
			src: "id: 1\nname: x\nkind: Scheduled\n", skipped: "no query: not an analytic rule",
		},
		"fusion": {
			src: header + "", status: rule.StatusNoQuery,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if name == "fusion" {
				tc.src = strings.Replace(tc.src, "kind: Scheduled", "kind: Fusion", 1)
			}
			if tc.path == "" {
				tc.path = "Detections/x.yaml"
			}
			res, err := load(t, tc.path, tc.src)
			require.NoError(t, err)
			assert.Equal(t, tc.skipped, res.Skipped)
			if tc.skipped != "" {
				assert.Empty(t, res.Rules)
				return
			}
			require.Len(t, res.Rules, 1)
			r := res.Rules[0]
			assert.Equal(t, tc.status, r.ParseStatus, r.ParseError)
			assert.Equal(t, tc.errText, r.ParseError)
			assert.Equal(t, tc.preds, rule.Format(r.Predicates))
			assert.Equal(t, []string{"T1595.002", "T1046"}, r.Techniques)
			assert.Equal(t, "informational", r.Severity)
		})
	}
}

func TestLoadBrokenYAML(t *testing.T) {
	_, err := load(t, "x.yaml", "id: 1\nrequiredDataConnectors:\n - connectorId: AWS\n   dataTypes:\n    - A\n - connectorId: B\n    dataTypes:\n    - C\n")
	require.Error(t, err)
	var se *rule.SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 7, se.Line)
	assert.Contains(t, err.Error(), "invalid YAML")
}

func TestFrontend(t *testing.T) {
	assert.Equal(t, "sentinel", Frontend{}.Vendor())
	src, err := Frontend{}.Open(".")
	require.NoError(t, err)
	assert.True(t, src.Match("a/b.yaml", nil))
	assert.True(t, src.Match("a/b.YML", nil))
	assert.False(t, src.Match("a/b.json", nil))
}
