package yamlfast

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"go.yaml.in/yaml/v3"
)

// v3Docs parses data with yaml.v3's Decoder, one node per document.
func v3Docs(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		n := new(yaml.Node)
		if err := dec.Decode(n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		docs = append(docs, n)
	}
}

// diffNode returns the first difference between two trees, or "".
// HeadComment, LineComment and FootComment are deliberately ignored: Parse
// never sets them.
func diffNode(path string, want, got *yaml.Node) string {
	switch {
	case want == nil && got == nil:
		return ""
	case want == nil || got == nil:
		return fmt.Sprintf("%s: want %v, got %v", path, want, got)
	}
	if want.Kind != got.Kind || want.Tag != got.Tag || want.Value != got.Value ||
		want.Style != got.Style || want.Line != got.Line || want.Column != got.Column {
		return fmt.Sprintf("%s:\n want kind=%d tag=%s style=%d %d:%d %q\n  got kind=%d tag=%s style=%d %d:%d %q",
			path, want.Kind, want.Tag, want.Style, want.Line, want.Column, want.Value,
			got.Kind, got.Tag, got.Style, got.Line, got.Column, got.Value)
	}
	if (want.Alias == nil) != (got.Alias == nil) || want.Anchor != got.Anchor {
		return path + ": alias/anchor differ"
	}
	if len(want.Content) != len(got.Content) {
		return fmt.Sprintf("%s: want %d children, got %d", path, len(want.Content), len(got.Content))
	}
	for i := range want.Content {
		if d := diffNode(fmt.Sprintf("%s/%d", path, i), want.Content[i], got.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// checkOracle parses data with both parsers; when Parse accepts it, the
// trees must be equal. It reports whether Parse accepted the input.
func checkOracle(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, err := Parse(data)
	if err != nil {
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error does not wrap ErrUnsupported: %v", name, err)
		}
		return false
	}
	want, werr := v3Docs(data)
	if werr != nil {
		t.Errorf("%s: Parse accepted input yaml.v3 rejects (%v)", name, werr)
		return true
	}
	if len(want) != len(got) {
		t.Errorf("%s: want %d documents, got %d", name, len(want), len(got))
		return true
	}
	for i := range want {
		if d := diffNode(fmt.Sprintf("doc%d", i), want[i], got[i]); d != "" {
			t.Errorf("%s: %s", name, d)
			return true
		}
	}
	return true
}

// yamlFiles lists the .yml/.yaml files under dir.
func yamlFiles(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yml" || ext == ".yaml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	sort.Strings(files)
	return files
}

func sharedFiles(t testing.TB) []string {
	return yamlFiles(t, filepath.Join(pipetest.SharedDir(t), "corpora"))
}

func TestOracleSampleCorpus(t *testing.T) {
	files := yamlFiles(t, filepath.Join(pipetest.RepoRoot(t), "testdata", "corpus"))
	files = append(files, yamlFiles(t, "testdata")...)
	accepted := 0
	for _, f := range files {
		if checkOracle(t, f, pipetest.Read(t, f)) {
			accepted++
		}
	}
	t.Logf("sample corpus: %d/%d files take the fast path", accepted, len(files))
}

func TestOracleShared(t *testing.T) {
	files := sharedFiles(t)
	perVendor := map[string][2]int{}
	reasons := map[string]int{}
	accepted := 0
	corpora := filepath.Join(pipetest.SharedDir(t), "corpora")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(corpora, f)
		vendor, _, _ := strings.Cut(rel, string(filepath.Separator))
		c := perVendor[vendor]
		c[1]++
		if checkOracle(t, rel, data) {
			accepted++
			c[0]++
		} else {
			_, err := Parse(data)
			msg := err.Error()
			if i := strings.Index(msg, ": line "); i >= 0 {
				if j := strings.Index(msg[i+7:], ": "); j >= 0 {
					msg = msg[:i] + msg[i+7+j:]
				}
			}
			reasons[msg]++
		}
		perVendor[vendor] = c
	}
	for v, c := range perVendor {
		t.Logf("%-10s %5d/%5d fast path (%.2f%%)", v, c[0], c[1], 100*float64(c[0])/float64(c[1]))
	}
	type kv struct {
		k string
		v int
	}
	var top []kv
	for k, v := range reasons {
		top = append(top, kv{k, v})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].v > top[j].v })
	for i := 0; i < len(top) && i < 10; i++ {
		t.Logf("fallback: %4d  %s", top[i].v, top[i].k)
	}
	rate := float64(accepted) / float64(len(files))
	t.Logf("total: %d/%d files take the fast path (%.2f%%)", accepted, len(files), 100*rate)
	if rate < 0.98 {
		t.Errorf("fast-path acceptance %.2f%% below 98%%", 100*rate)
	}
}
