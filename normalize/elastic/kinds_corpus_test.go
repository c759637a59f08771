package elastic

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileMeta is what TestSharedCorpusKinds reads of one file on its own,
// with BurntSushi/toml into generic maps, apart from the frontend.
type fileMeta struct {
	kind       string // detection, building_block, hunting
	ruleType   string
	deprecated bool
	mitre      []string // hunts: the mitre list, upper-cased
	sqlQueries int      // hunts: queries whose first word (after a lone `sql` line) is SELECT
	queries    int
}

var attackIDRE = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

var firstWordRE = regexp.MustCompile(`(?is)^\s*(?:sql[ \t]*\r?\n)?\s*([a-z]+)`)

func independentMeta(t *testing.T, root string) map[string]fileMeta {
	t.Helper()
	out := map[string]fileMeta{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".toml") {
			return err
		}
		var doc map[string]any
		_, err = toml.DecodeFile(p, &doc)
		require.NoError(t, err, p)
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if h, ok := doc["hunt"].(map[string]any); ok {
			m := fileMeta{kind: "hunting", ruleType: "hunting"}
			for _, x := range h["mitre"].([]any) {
				if id := strings.ToUpper(x.(string)); attackIDRE.MatchString(id) {
					m.mitre = append(m.mitre, id)
				}
			}
			for _, x := range h["query"].([]any) {
				m.queries++
				if w := firstWordRE.FindStringSubmatch(x.(string)); w != nil && strings.EqualFold(w[1], "select") {
					m.sqlQueries++
				}
			}
			out[rel] = m
			return nil
		}
		r, ok := doc["rule"].(map[string]any)
		if !ok {
			return nil
		}
		meta, _ := doc["metadata"].(map[string]any)
		m := fileMeta{kind: "detection", deprecated: meta["maturity"] == "deprecated"}
		m.ruleType, _ = r["type"].(string)
		if bb, _ := r["building_block_type"].(string); bb != "" {
			m.kind = "building_block"
		}
		out[rel] = m
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestSharedCorpusKinds checks every file's kind and rule type against the
// files' own metadata, read independently, and logs the figures:
// rules per kind and per rule type, computed-role predicates, and values
// with leading or trailing whitespace.
func TestSharedCorpusKinds(t *testing.T) {
	root := pipetest.SharedCorpus(t, "elastic")
	want := independentMeta(t, root)
	rules, _, _ := loadTree(t, root)
	type kindOf struct {
		kind, ruleType string
		deprecated     bool
	}
	wantOf, got := map[string]kindOf{}, map[string]kindOf{}
	for p, m := range want {
		wantOf[p] = kindOf{m.kind, m.ruleType, m.deprecated}
	}
	perKind := map[string][2]int{} // live, deprecated
	perType := map[string]int{}
	computed, spaced := 0, 0
	computedBy := map[string]int{}
	for _, r := range rules {
		got[r.Path] = kindOf{string(r.Kind), r.RuleType, r.Deprecated}
		n := perKind[string(r.Kind)]
		if r.Deprecated {
			n[1]++
		} else {
			n[0]++
			perType[r.RuleType]++
		}
		perKind[string(r.Kind)] = n
		for _, p := range r.Predicates {
			if p.Role == rule.RoleComputed {
				computed++
				computedBy[r.RuleType]++
			}
			if p.Value != strings.TrimSpace(p.Value) {
				spaced++
			}
		}
	}
	assert.Equal(t, wantOf, got, "kind, rule type and deprecation per file")
	wantKind := map[string][2]int{}
	for _, m := range want {
		n := wantKind[m.kind]
		if m.deprecated {
			n[1]++
		} else {
			n[0]++
		}
		wantKind[m.kind] = n
	}
	assert.Equal(t, wantKind, perKind, "rules per kind (live, deprecated)")
	for _, k := range rule.Kinds {
		if n, ok := perKind[string(k)]; ok {
			t.Logf("kind %-15s %5d live, %4d deprecated", k, n[0], n[1])
		}
	}
	types := make([]string, 0, len(perType))
	for k := range perType {
		types = append(types, k)
	}
	sort.Strings(types)
	for _, k := range types {
		t.Logf("rule_type %-17s %5d live", k, perType[k])
	}
	t.Logf("%d computed-role predicates (by rule type %v); %d predicates whose value has leading or trailing whitespace", computed, computedBy, spaced)
}

// TestSharedCorpusHunting checks the hunting queries: techniques from the
// mitre list; a hunt without an osquery SQL query (counted independently
// from the first word of each query) is never partial, and one with such a
// query is never ok; every failure is a syntax error of a query.
func TestSharedCorpusHunting(t *testing.T) {
	root := pipetest.SharedCorpus(t, "elastic")
	want := independentMeta(t, root)
	rules, _, _ := loadTree(t, root)
	status := map[string]int{}
	hunts := 0
	for _, r := range rules {
		if r.Kind != rule.KindHunting {
			continue
		}
		hunts++
		m := want[r.Path]
		assert.ElementsMatch(t, m.mitre, r.Techniques, r.Path)
		status[r.Language+" "+string(r.ParseStatus)]++
		switch {
		case r.ParseStatus == rule.StatusFailed:
			assert.Regexp(t, `^query( \d+ of \d+)?: (esql|eql|kuery) query line \d+, column \d+: `, r.ParseError, r.Path)
			t.Logf("failed: %s: %s", r.Path, r.ParseError)
		case m.sqlQueries == 0:
			assert.Equal(t, rule.StatusOK, r.ParseStatus, "%s: %s", r.Path, r.ParseError)
		default:
			assert.Equal(t, rule.StatusPartial, r.ParseStatus, r.Path)
			if m.sqlQueries == m.queries {
				assert.Empty(t, r.Predicates, r.Path)
				assert.Equal(t, rule.LangNone, r.Language, r.Path)
			}
		}
	}
	wantHunts := 0
	for _, m := range want {
		if m.kind == "hunting" {
			wantHunts++
		}
	}
	assert.Equal(t, wantHunts, hunts)
	t.Logf("%d hunts; language and status: %v", hunts, status)
}
