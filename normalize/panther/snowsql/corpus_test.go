package snowsql

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

var (
	commentRE  = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
	whereRE    = regexp.MustCompile(`(?is)\bWHERE\b(.*?)(?:\bGROUP\s+BY\b|\bHAVING\b|\bQUALIFY\b|\bORDER\s+BY\b|\bLIMIT\b|\bUNION\b|\bSELECT\b|\bWITH\b|$)`)
	eqLitRE    = regexp.MustCompile(`[^<>!=]=\s*'([^']*)'`)
	inListRE   = regexp.MustCompile(`(?is)\bIN\s*\(\s*('[^)]*)\)`)
	literalRE  = regexp.MustCompile(`'([^']*)'`)
	jinjaOrMRE = regexp.MustCompile(`\{[{%]|MATCH_RECOGNIZE`)
)

// TestSharedQueries reads every saved query of panther-analysis
// (../shared/corpora/panther/queries) and checks the predicates against
// an independent reading of the SQL text: every single-quoted literal
// compared with `=` or listed in an `IN ('…', …)` list of a WHERE clause
// (found by regular expressions here, comments removed) must be the value
// of one of the query's predicates, unless the query reports a reason
// (a skipped condition may hold it). It also checks how many parse.
func TestSharedQueries(t *testing.T) {
	root := pipetest.SharedCorpus(t, "panther")
	var files []string
	require.NoError(t, filepath.WalkDir(filepath.Join(root, "queries"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yml") {
			files = append(files, p)
		}
		return err
	}))
	var queries, parsed, templated, literals, found int
	for _, p := range files {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var doc struct {
			AnalysisType string `yaml:"AnalysisType"`
			Query        string `yaml:"Query"`
		}
		require.NoError(t, yaml.Unmarshal(data, &doc), p)
		if doc.AnalysisType != "scheduled_query" && doc.AnalysisType != "saved_query" {
			continue
		}
		queries++
		rel, _ := filepath.Rel(root, p)
		q, err := Read(doc.Query, rel, 1)
		if err != nil {
			if jinjaOrMRE.MatchString(doc.Query) {
				templated++
			}
			t.Logf("not read: %v", err)
			assert.True(t, strings.HasPrefix(err.Error(), rel), "the error names the file: %v", err)
			continue
		}
		parsed++
		ps, skipped := rule.Flatten(q.Logic)
		values := map[string]bool{}
		for _, pr := range ps {
			values[pr.Value], values[pr.ValueRaw] = true, true
		}
		for _, want := range wantedLiterals(doc.Query) {
			literals++
			if values[want] || likeValue(values, want) {
				found++
				continue
			}
			if len(skipped) == 0 {
				t.Errorf("%s: the literal %q compared in a WHERE clause is not a predicate value", rel, want)
			}
		}
	}
	t.Logf("%d queries, %d parsed after the bridge, %d not (%d of them Jinja templates or MATCH_RECOGNIZE); %d WHERE literals, %d found as predicate values",
		queries, parsed, queries-parsed, templated, literals, found)
	assert.Equal(t, 95, queries, "saved and scheduled queries at daa10c88")
	assert.GreaterOrEqual(t, parsed, 81, "queries parsed (measured 81 of 95)")
	assert.GreaterOrEqual(t, float64(found), 0.97*float64(literals), "WHERE literals found as predicate values (measured 304 of 311)")
}

// wantedLiterals are the literals compared with = or listed in IN lists
// of the WHERE clauses of a query's text.
func wantedLiterals(sql string) []string {
	sql = commentRE.ReplaceAllString(sql, "")
	var out []string
	for _, w := range whereRE.FindAllStringSubmatch(sql, -1) {
		for _, m := range eqLitRE.FindAllStringSubmatch(w[1], -1) {
			out = append(out, m[1])
		}
		for _, m := range inListRE.FindAllStringSubmatch(w[1], -1) {
			for _, lit := range literalRE.FindAllStringSubmatch(m[1], -1) {
				out = append(out, lit[1])
			}
		}
	}
	return out
}

// likeValue accepts a literal that has no wildcard but became a LIKE
// pattern elsewhere; exact values only otherwise.
func likeValue(values map[string]bool, want string) bool {
	return want == "" && values[""]
}
