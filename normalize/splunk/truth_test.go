package splunk_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline/pipetest"
)

// yamlKinds counts the non-deprecated detections per kind from their own
// `type:` field, decoded apart from the frontend: Hunting is hunting,
// Correlation correlation, every other type a detection.
func yamlKinds(t *testing.T, root string) map[rule.Kind]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "detections", "*", "*.yml"))
	require.NoError(t, err)
	out := map[rule.Kind]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var d struct {
			Type, Status, Search string
		}
		require.NoError(t, yaml.Unmarshal(data, &d), f)
		if d.Search == "" || strings.EqualFold(d.Status, "deprecated") {
			continue
		}
		switch d.Type {
		case "Hunting":
			out[rule.KindHunting]++
		case "Correlation":
			out[rule.KindCorrelation]++
		default:
			out[rule.KindDetection]++
		}
	}
	return out
}

// selectorTerm matches a log-source selector term as written in a search.
var selectorTerm = regexp.MustCompile(`\b(index|sourcetype|source|eventtype)\s*=\s*("[^"]*"|\S+)`)

// comparison matches what a filtering stage compares with, crudely.
var comparison = regexp.MustCompile(`[=<>]|\bIN\b|(?i)\b(like|match|cidrmatch|isnull|isnotnull)\(`)

// TestSharedCorpusTruth checks, over the shared corpus, the kinds against
// an independent count, the missing-macro notes against the 5% budget, and
// that no rule is ok without an event or computed predicate while a
// filtering stage of its expanded search (the leading search, `search` and
// `where` stages, a tstats WHERE) compares something besides selectors.
func TestSharedCorpusTruth(t *testing.T) {
	root := pipetest.SharedCorpus(t, "splunk")
	rules, _, src := loadAll(t, root)

	kinds := map[rule.Kind]int{}
	roles := map[rule.Role]int{}
	var active []rule.Rule
	for _, r := range rules {
		if r.Deprecated {
			continue
		}
		active = append(active, r)
		kinds[r.Kind]++
		for _, p := range r.Predicates {
			roles[p.Role]++
		}
	}
	want := yamlKinds(t, root)
	assert.Equal(t, want, kinds, "rules per kind")
	t.Logf("rules per kind: %v (independent count %v)", kinds, want)
	t.Logf("predicates per role: %v", roles)
	assert.NotZero(t, roles[rule.RoleLogSource])
	assert.NotZero(t, roles[rule.RoleComputed])

	// Missing-macro notes, per rule (a rule's search, expanded alone).
	withMissing := 0
	for _, s := range detectionSearches(t, root) {
		for _, n := range src.Macros.Expand(s).Notes {
			if strings.HasPrefix(n, "macro `") && strings.HasSuffix(n, "not found") {
				withMissing++
				t.Logf("missing macro: %s", n)
				break
			}
		}
	}
	searches := len(detectionSearches(t, root))
	t.Logf("searches with a missing-macro note: %d of %d", withMissing, searches)
	assert.LessOrEqual(t, float64(withMissing), 0.05*float64(searches), "missing-macro notes on at most 5%% of the rules")

	// ok without an event or computed predicate: the search must compare
	// nothing but selectors.
	for _, r := range active {
		if r.ParseStatus != rule.StatusOK {
			continue
		}
		logic := false
		for _, p := range r.Predicates {
			logic = logic || p.Role != rule.RoleLogSource
		}
		if logic {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, r.Path))
		require.NoError(t, err)
		var d struct{ Search string }
		require.NoError(t, yaml.Unmarshal(data, &d))
		text := src.Macros.Expand(d.Search).Text
		for i, stage := range strings.Split(text, "|") {
			s := strings.TrimSpace(stage)
			word, rest, _ := strings.Cut(s, " ")
			switch {
			case i == 0 && !strings.HasPrefix(s, "|"):
				rest = s
			case word == "search" || word == "where":
			case word == "tstats":
				_, rest, _ = strings.Cut(rest, " where ")
			default:
				continue
			}
			rest = selectorTerm.ReplaceAllString(rest, "")
			assert.False(t, comparison.MatchString(rest), "%s is ok with only log-source predicates, but its stage %q compares", r.Path, s)
		}
		t.Logf("ok, no comparison but log-source selectors: %s", r.Path)
	}
}
