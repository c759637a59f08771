package elastic

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceDecode decodes with BurntSushi/toml only.
func referenceDecode(data string) (document, map[string]any, error) {
	var doc document
	if _, err := toml.Decode(data, &doc); err != nil {
		return doc, nil, err
	}
	var m map[string]any
	_, err := toml.Decode(data, &m)
	return doc, m, err
}

// checkSameAsReference asserts that the fast reader, when it accepts data,
// gives the same generic map and document as BurntSushi/toml.
func checkSameAsReference(t testing.TB, name, data string) (fast bool) {
	t.Helper()
	m, ok := decodeFast(data)
	if !ok {
		return false
	}
	refDoc, refMap, err := referenceDecode(data)
	if err != nil {
		return true // the fast reader is more lenient than the reference here
	}
	// reflect.DeepEqual and a short message: a testify diff of a whole rule
	// file is too slow for fuzzing.
	if !reflect.DeepEqual(refMap, m) {
		t.Errorf("%s: fast reader and BurntSushi/toml disagree on %q:\nfast: %v\nref:  %v", name, data, m, refMap)
		return true
	}
	doc, ok := docFromMap(m)
	if !ok {
		t.Errorf("%s: docFromMap failed on %q", name, data)
	} else if !reflect.DeepEqual(refDoc, doc) {
		t.Errorf("%s: documents differ on %q:\nfast: %+v\nref:  %+v", name, data, doc, refDoc)
	}
	return true
}

func TestFastTOMLCases(t *testing.T) {
	tests := map[string]struct {
		in   string
		fast bool
	}{
		"tables":          {"a = 1\n[x.y]\nb = \"s\" # c\n[[z]]\nc = true\n[[z]]\nc = false\n[z.w]\nd = 1.5\n", true},
		"strings":         {"a = \"\\t\\\"q\\\" \\u00e9 \\\\\"\nb = 'C:\\x'\nc = '''\nl1\n'l2''''\nd = \"\"\"\nx \\\n   y\"\"\"\"\n", true},
		"arrays":          {"a = [\n  1, # one\n  2,\n]\nb = [\"x\", 'y']\nc = [{k = 1}, {k = 2}]\nd = []\n", true},
		"dotted keys":     {"a.b = 1\n\"q k\".c = 2\n[t]\nx.y.z = 3\n", true},
		"inline table":    {"a = {b = 1, c = {d = \"e\"}}\n", true},
		"numbers":         {"a = -5\nb = 1_000\nc = 0x1F\nd = 6.02e23\ne = +3\n", true},
		"crlf":            {"a = 1\r\nb = '''\r\nx\r\n'''\r\nc = \"\"\"\r\ny\r\n\"\"\"\r\n", true},
		"datetime":        {"a = 2021-01-02\n", false},
		"leading zero":    {"a = 012\n", false},
		"duplicate key":   {"a = 1\na = 2\n", false},
		"duplicate table": {"[a]\n[a]\n", false},
		"unterminated":    {"a = '''\nx\n", false},
		"bad escape":      {"a = \"\\q\"\n", false},
		"newline in str":  {"a = \"x\ny\"\n", false},
		"garbage":         {"a = 1 2\n", false},
		"inf":             {"a = inf\n", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.fast, checkSameAsReference(t, name, tc.in))
		})
	}
}

// TestFastTOMLCorpora checks that the fast reader decodes every rule file of
// the sample corpus and of the shared Elastic corpus exactly like
// BurntSushi/toml.
func TestFastTOMLCorpora(t *testing.T) {
	roots := []string{sampleCorpus(t)}
	if _, err := os.Stat(filepath.Join(pipetest.RepoRoot(t), "..", "shared", "corpora", "elastic")); err == nil {
		roots = append(roots, pipetest.SharedCorpus(t, "elastic"))
	}
	for _, root := range roots {
		n, fast := 0, 0
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".toml") {
				return err
			}
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			n++
			if checkSameAsReference(t, p, string(data)) {
				fast++
			} else {
				t.Errorf("%s: the fast reader gave up", p)
			}
			return nil
		})
		require.NoError(t, err)
		t.Logf("%s: %d/%d files on the fast path", root, fast, n)
	}
}

// FuzzFastTOML checks that the fast reader never panics and agrees with
// BurntSushi/toml whenever both accept the input.
func FuzzFastTOML(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sampleCorpus(f), "rules", "*", "*.toml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("a = [1, [2, {b = 'c'}]]\n[[x.y]]\nz = \"\"\"q\"\"\"\n")
	f.Add("[hunt]\nname = \"h\"\nlanguage = [\"ES|QL\"]\nquery = [\n'''\nfrom x\n| where a == \" b \"\n''',\n'''\nSELECT 1\n'''\n]\n")
	f.Fuzz(func(t *testing.T, data string) {
		checkSameAsReference(t, "fuzz", data)
	})
}
