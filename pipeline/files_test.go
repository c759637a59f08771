package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/ruleatlas/ruleatlas/pipeline"
	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// sigmaRule is a Sigma rule of one selection on Image.
func sigmaRule(id, title, status, product, image string) string {
	return fmt.Sprintf("title: %s\nid: %s\nstatus: %s\ntags: [attack.t1059.001]\nlogsource: {product: %s, category: process_creation}\n"+
		"detection:\n  selection:\n    Image|endswith: '%s'\n  condition: selection\nlevel: medium\n", title, id, status, product, image)
}

// TestFilesOutcomesAddUp plants one file per outcome and checks that the
// files table gives each its outcome, that its rule counts add up to the
// rules table, its outcome counts to the run's counters, and that
// (vendor, rule_id) stays unique across files and within one file.
func TestFilesOutcomesAddUp(t *testing.T) {
	dir := t.TempDir()
	const id = "11111111-2222-4333-8444-555555555555"
	files := map[string]string{
		"rules/a.yml":           sigmaRule(id, "A", "test", "windows", `\a.exe`),
		"rules/b_same_id.yml":   sigmaRule(id, "B", "test", "windows", `\b.exe`),
		"rules/c_three.yml":     sigmaRule(id, "C1", "test", "windows", `\c1.exe`) + "---\n" + sigmaRule(id, "C2", "test", "windows", `\c2.exe`) + "---\n" + sigmaRule(id, "C3", "test", "windows", `\c3.exe`),
		"rules/d_old.yml":       sigmaRule("22222222-2222-4333-8444-555555555555", "D", "deprecated", "windows", `\d.exe`),
		"rules/e_linux.yml":     sigmaRule("33333333-2222-4333-8444-555555555555", "E", "test", "linux", "/e"),
		"rules/f_broken.yml":    "title: Broken\ndetection:\n  selection: [a\n",
		"rules/g_mixed.yml":     sigmaRule("44444444-2222-4333-8444-555555555555", "G1", "test", "windows", `\g.exe`) + "---\n" + sigmaRule("55555555-2222-4333-8444-555555555555", "G2", "deprecated", "windows", `\g2.exe`),
		"rules/readme.txt":      "not a candidate file at all",
		"outside/target.yml":    sigmaRule("66666666-2222-4333-8444-555555555555", "Outside", "test", "windows", `\o.exe`),
		"rules/sub/placeholder": "",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	root := filepath.Join(dir, "rules")
	require.NoError(t, os.Symlink(filepath.Join(root, "a.yml"), filepath.Join(root, "h_link_to_a.yml")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "missing.yml"), filepath.Join(root, "i_dangling.yml")))

	st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: root}},
		Filters: tables.Filters{Platforms: []string{"windows"}}})
	require.NoError(t, err)
	defer st.Tables.Release()

	type row struct {
		outcome string
		rules   int64
		reason  string
	}
	got := map[string]row{}
	f := st.Tables.Files
	var sumRules int64
	perOutcome := map[tables.Outcome]int{}
	for i := range int(f.NumRows()) {
		assert.Equal(t, "sigma", tables.Strings(f, tables.FileVendor).Value(i))
		assert.Equal(t, root, tables.Strings(f, tables.FileRoot).Value(i))
		r := row{tables.Strings(f, tables.FileOutcome).Value(i), tables.Int64s(f, tables.FileRules).Value(i), tables.Strings(f, tables.FileReason).Value(i)}
		got[tables.Strings(f, tables.FilePath).Value(i)] = r
		sumRules += r.rules
		perOutcome[tables.Outcome(r.outcome)]++
	}
	want := map[string]row{
		"a.yml":         {"rule", 1, ""},
		"b_same_id.yml": {"rule", 1, "duplicate rule id " + id},
		"c_three.yml":   {"rule", 3, "duplicate rule id " + id},
		"d_old.yml":     {"deprecated", 0, "1 deprecated rule left out"},
		"e_linux.yml":   {"filtered", 0, "1 rule left out by the filters"},
		// A failed file's row has no platform: --platform leaves it out.
		"f_broken.yml":    {"failed", 0, "line 2: invalid YAML"},
		"g_mixed.yml":     {"rule", 1, "1 deprecated rule left out"},
		"h_link_to_a.yml": {"duplicate", 0, "the same file as a.yml"},
		"i_dangling.yml":  {"link", 0, "symlink not followed"},
	}
	require.Len(t, got, len(want), "one row per candidate file: %v", got)
	for path, w := range want {
		g, ok := got[path]
		if !assert.True(t, ok, "no row for %s", path) {
			continue
		}
		assert.Equal(t, w.outcome, g.outcome, path)
		assert.Equal(t, w.rules, g.rules, path)
		assert.Contains(t, g.reason, w.reason, path)
	}

	// The outcomes add up to the run's counters and the rules table.
	assert.Equal(t, st.Tables.Rules.NumRows(), sumRules, "rules per file add up to rules.parquet")
	assert.Equal(t, st.Counts.Total(), int(sumRules))
	assert.Equal(t, int(f.NumRows()), st.FileCounts.Total())
	for _, o := range tables.Outcomes {
		assert.Equal(t, perOutcome[o], st.FileCounts.Of(o), string(o))
	}
	assert.Equal(t, perOutcome[tables.OutcomeSkipped], st.Skipped)
	assert.Equal(t, 2, st.Deprecated, "deprecated rules left out (d, g2)")
	assert.Equal(t, 2, st.Filtered, "e_linux and the failed row of f_broken")

	// Without the filter the failed file gives its one failed row.
	unfiltered, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: root}}})
	require.NoError(t, err)
	defer unfiltered.Tables.Release()
	var n int64
	uf := unfiltered.Tables.Files
	for i := range int(uf.NumRows()) {
		n += tables.Int64s(uf, tables.FileRules).Value(i)
		if tables.Strings(uf, tables.FilePath).Value(i) == "f_broken.yml" {
			assert.Equal(t, int64(1), tables.Int64s(uf, tables.FileRules).Value(i))
		}
	}
	assert.Equal(t, unfiltered.Tables.Rules.NumRows(), n)

	// (vendor, rule_id) is unique: across files (#path) and within one
	// file (#path#2, …).
	ids := map[string]int{}
	col := tables.Strings(st.Tables.Rules, 1)
	for i := range col.Len() {
		ids[col.Value(i)]++
	}
	for k, n := range ids {
		assert.Equal(t, 1, n, "rule id %s", k)
	}
	for _, k := range []string{id, id + "#b_same_id.yml", id + "#c_three.yml", id + "#c_three.yml#2", id + "#c_three.yml#3"} {
		assert.Contains(t, ids, k)
	}
}

// kindFrontend reads "*.rule" files of lines "kind technique field value",
// one rule per line: rules of any kind without depending on a vendor's
// frontend.
type kindFrontend struct{}

func (kindFrontend) Vendor() string                     { return "sigma" }
func (kindFrontend) Open(string) (rule.Source, error)   { return kindSource{}, nil }
func (kindSource) Match(rel string, _ os.DirEntry) bool { return strings.HasSuffix(rel, ".rule") }
func (kindSource) Load(f rule.File) (rule.Result, error) {
	var res rule.Result
	for i, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
		p := strings.Fields(line)
		res.Rules = append(res.Rules, rule.Rule{RuleID: fmt.Sprintf("%s:%d", f.Path, i+1), Title: line, Kind: rule.Kind(p[0]),
			Language: rule.LangNone, Techniques: []string{p[1]},
			Predicates: []rule.Predicate{{FieldRaw: p[2], Op: rule.OpEq, Value: p[3]}, {FieldRaw: p[2], Op: rule.OpIsNotNull}}})
	}
	return res, nil
}

type kindSource struct{}

// TestKindsCounted: by default coverage and the aggregates count the
// alerting kinds, not hunting queries; --kind all counts every kind; the
// rules table keeps every rule either way; the technique page lists the
// hunting queries apart.
func TestKindsCounted(t *testing.T) {
	dir := t.TempDir()
	body := "detection T1595 a 1\nbuilding_block T1595 a 1\nhunting T1595 a 1\nhunting T1595 b 2\nhunting T1046 c 3\npolicy T1046 d 4\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.rule"), []byte(body), 0o644))
	run := func(kinds []rule.Kind) *pipeline.State {
		st, err := pipeline.Run(context.Background(), pipeline.Options{Sources: []pipeline.Source{{Vendor: "sigma", Root: dir}},
			Frontends: []rule.Frontend{kindFrontend{}}, Kinds: kinds})
		require.NoError(t, err)
		t.Cleanup(st.Tables.Release)
		return st
	}
	coverage := func(st *pipeline.State) map[string]int64 {
		out := map[string]int64{}
		c := st.Tables.Coverage
		for i := range int(c.NumRows()) {
			if n := tables.Int64s(c, 5).Value(i); n > 0 {
				out[tables.Strings(c, 0).Value(i)] = n
			}
		}
		return out
	}
	indicators := func(st *pipeline.State) map[string]int64 {
		out := map[string]int64{}
		x := st.Tables.Indicators
		for i := range int(x.NumRows()) {
			k := tables.Strings(x, tables.IndTechnique).Value(i) + " " + tables.Strings(x, tables.IndField).Value(i) + " " +
				tables.Strings(x, tables.IndOp).Value(i) + " " + tables.Strings(x, tables.IndValue).Value(i)
			out[k] = tables.Int64s(x, tables.IndRules).Value(i)
		}
		return out
	}

	def := run(nil)
	assert.EqualValues(t, 6, def.Tables.Rules.NumRows(), "rules.parquet keeps every kind")
	assert.Equal(t, []string{"detection", "building_block", "correlation", "policy"}, def.Tables.Meta.Kinds)
	assert.Equal(t, map[string]int64{"T1595": 2, "T1046": 1}, coverage(def))
	// No existence check among the indicators; hunting values not counted.
	assert.Equal(t, map[string]int64{"T1595 a eq 1": 2, "T1046 d eq 4": 1}, indicators(def))
	assert.Equal(t, 3, def.KindCounts.Of(rule.KindHunting))
	page := view.NewIndex(def.Tables).Page("T1595")
	assert.Equal(t, 2, page.Total)
	assert.Len(t, page.Rules, 2)
	if assert.Len(t, page.Hunting, 2) {
		assert.Equal(t, "hunting", page.Hunting[0].Kind)
	}
	kinds := map[string]int64{}
	for _, k := range page.Kinds {
		kinds[k.Name] = k.Rules
	}
	assert.Equal(t, map[string]int64{"detection": 1, "building_block": 1, "correlation": 0, "policy": 0, "hunting": 2}, kinds)
	for _, f := range page.Fields {
		assert.NotEqual(t, "b", f.Field, "a field only hunting queries use is not counted")
	}

	all := run([]rule.Kind{rule.KindHunting, rule.KindDetection, rule.KindBuildingBlock, rule.KindCorrelation, rule.KindPolicy})
	assert.Equal(t, map[string]int64{"T1595": 4, "T1046": 2}, coverage(all))
	assert.Equal(t, map[string]int64{"T1595 a eq 1": 3, "T1595 b eq 2": 1, "T1046 c eq 3": 1, "T1046 d eq 4": 1}, indicators(all))

	hunt := run([]rule.Kind{rule.KindHunting})
	assert.Equal(t, map[string]int64{"T1595": 2, "T1046": 1}, coverage(hunt))
	assert.Equal(t, []string{"hunting"}, hunt.Tables.Meta.Kinds)
}
