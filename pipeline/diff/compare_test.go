package diff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cov(id, vendor string, n int64) Coverage {
	return Coverage{TechniqueID: id, Name: "name of " + id, Vendor: vendor, Rules: n}
}

func TestCompareCoverageKinds(t *testing.T) {
	old := &Snapshot{Coverage: []Coverage{
		cov("T1001", "sigma", 1), cov("T1001", "elastic", 0), // lost
		cov("T1002", "sigma", 0), cov("T1002", "elastic", 0), // gained
		cov("T1003", "sigma", 3), cov("T1003", "elastic", 1), // fewer; elastic lost
		cov("T1004", "sigma", 1), cov("T1004", "elastic", 1), // more
		cov("T1005", "sigma", 2), cov("T1005", "elastic", 0), // moved
		cov("T1006", "sigma", 5), cov("T1006", "elastic", 5), // unchanged
		cov("T1007", "sigma", 2), // elastic missing from the old run
	}}
	new := &Snapshot{Coverage: []Coverage{
		cov("T1001", "sigma", 0), cov("T1001", "elastic", 0),
		cov("T1002", "sigma", 0), cov("T1002", "elastic", 2),
		cov("T1003", "sigma", 3), cov("T1003", "elastic", 0),
		cov("T1004", "sigma", 1), cov("T1004", "elastic", 4),
		cov("T1005", "sigma", 1), cov("T1005", "elastic", 1),
		cov("T1006", "sigma", 5), cov("T1006", "elastic", 5),
		cov("T1007", "sigma", 2), cov("T1007", "elastic", 0), // a zero row is no change
		// T1008 only in the new ATT&CK data, with no rule: no change.
		cov("T1008", "sigma", 0),
	}}
	r := Compare(old, new)
	var got []string
	for _, c := range r.Coverage {
		got = append(got, string(c.Kind())+" "+c.ID+" "+vendorText(c.Vendors))
	}
	assert.Equal(t, []string{
		"lost T1001 sigma 1 → 0 (lost)",
		"gained T1002 elastic 0 → 2",
		"fewer T1003 elastic 1 → 0 (lost)",
		"more T1004 elastic 1 → 4",
		"moved T1005 elastic 0 → 1, sigma 2 → 1",
	}, got)
	assert.Equal(t, "T1003", r.Coverage[2].ID)
	assert.Equal(t, int64(4), r.Coverage[2].Old)
	assert.Equal(t, int64(3), r.Coverage[2].New)

	ids := func(ts []TechniqueChange) (out []string) {
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	assert.Equal(t, []string{"T1001"}, ids(r.Lost(false)))
	assert.Equal(t, []string{"T1001", "T1003"}, ids(r.Lost(true)))
	assert.Equal(t, []string{"elastic"}, r.Coverage[2].VendorsLost())
	assert.Equal(t, "1 lost coverage, 1 gained coverage, 1 with fewer rules, 1 with more rules, 1 with the same total over other vendors, 1 lost by a vendor but still covered", coverageSummary(r))
}

func TestCompareRules(t *testing.T) {
	mk := func(id, path string, preds ...string) *Rule {
		r := &Rule{Vendor: "sigma", RuleID: id, Path: path, Title: "T " + id, Status: "test", Severity: "high",
			Techniques: []string{"T1001"}, ParseStatus: "ok"}
		for _, p := range preds { // field=value
			f, v, _ := strings.Cut(p, "=")
			r.Predicates = append(r.Predicates, rule.Predicate{FieldRaw: f, Op: rule.OpEq, Value: v})
		}
		return r
	}
	o1 := mk("a", "a.yml", "x=1", "x=1", "y=2")
	n1 := mk("a", "a.yml", "x=1", "z=3", "y=2")
	o2 := mk("b", "b.yml")
	n2 := mk("b", "moved/b.yml") // a move alone is no change
	o3 := mk("c", "c.yml")
	n3 := mk("c", "c.yml")
	n3.Title, n3.Severity, n3.Techniques = "New title", "", []string{"T1002", "T1001"}
	n3.ParseStatus, n3.ParseError = "failed", "query line 1, column 4: unexpected )"
	o4 := mk("gone", "gone.yml")
	n5 := mk("new", "new.yml")
	// A duplicated id (not written by ruleatlas) is matched by path.
	od1, od2 := mk("dup", "d1.yml"), mk("dup", "d2.yml")
	nd1, nd3 := mk("dup", "d1.yml", "k=v"), mk("dup", "d3.yml")
	other := &Rule{Vendor: "elastic", RuleID: "a", Path: "a.toml", ParseStatus: "ok"}

	old := &Snapshot{Rules: []*Rule{o1, o2, o3, o4, od1, od2}}
	new := &Snapshot{Rules: []*Rule{other, n1, n2, n3, n5, nd1, nd3}}
	new.Rules[2].Techniques = []string{"T1001"}
	r := Compare(old, new)

	key := func(rs []*Rule) (out []string) {
		for _, x := range rs {
			out = append(out, x.Vendor+"/"+x.RuleID+"/"+x.Path)
		}
		return out
	}
	assert.Equal(t, []string{"elastic/a/a.toml", "sigma/dup/d3.yml", "sigma/new/new.yml"}, key(r.Added))
	assert.Equal(t, []string{"sigma/dup/d2.yml", "sigma/gone/gone.yml"}, key(r.Removed))
	require.Len(t, r.Changed, 3)
	assert.Equal(t, "a", r.Changed[0].New.RuleID)
	assert.Empty(t, r.Changed[0].Fields)
	assert.Equal(t, []string{`z eq "3"`}, r.Changed[0].PredicatesAdded)
	assert.Equal(t, []string{`x eq "1"`}, r.Changed[0].PredicatesRemoved, "multiset: one of the two copies went")
	assert.Equal(t, "c", r.Changed[1].New.RuleID)
	assert.Equal(t, []FieldChange{
		{"title", "T c", "New title"},
		{"severity", "high", ""},
		{"techniques", "T1001", "T1001, T1002"},
		{"parse_status", "ok", "failed"},
	}, r.Changed[1].Fields)
	assert.Equal(t, "dup", r.Changed[2].New.RuleID)
	assert.Equal(t, []string{`k eq "v"`}, r.Changed[2].PredicatesAdded)
	require.Len(t, r.ParseStatus, 1)
	assert.Equal(t, StatusChange{Rule: n3, Old: "ok", New: "failed"}, r.ParseStatus[0])
	assert.Equal(t, []VendorCount{{"elastic", 0, 1}, {"sigma", 6, 6}}, r.Vendors)

	var text bytes.Buffer
	require.NoError(t, WriteText(&text, r, Options{}))
	assert.Contains(t, text.String(), "      severity: high → (none)\n")
	assert.Contains(t, text.String(), "      techniques: T1001 → T1001, T1002\n")
	assert.Contains(t, text.String(), "Parse status changes (1)\n  sigma  c  New title  ok → failed  query line 1, column 4: unexpected )\n")
}

func TestComparePatterns(t *testing.T) {
	old := &Snapshot{Indicators: []Pattern{
		{"T1001", "process.name", "eq", "Nmap.exe", 3, ""},
		{"T1001", "process.name", "eq", "masscan", 1, ""},
		{"T1001", "process.name", "in", "zmap", 2, ""},
	}}
	new := &Snapshot{Indicators: []Pattern{
		{"T1001", "process.name", "eq", "nmap.exe", 4, "event"}, // same identity, new spelling
		{"T1002", "process.name", "eq", "masscan", 1, "event"},  // another technique
		{"T1001", "process.name", "eq", "zmap", 2, "event"},     // in and eq are one equality
	}, HasRole: true}
	r := Compare(old, new)
	assert.Equal(t, []PatternChange{
		{Pattern: Pattern{"T1001", "process.name", "eq", "masscan", 1, ""}, Change: Disappeared},
		{Pattern: Pattern{"T1002", "process.name", "eq", "masscan", 1, "event"}, Change: Appeared},
	}, r.Indicators, "an output without roles compares without them")
	assert.Empty(t, r.Exclusions)

	// With roles on both sides, a field that becomes a computed column is
	// a change.
	old = &Snapshot{Indicators: []Pattern{{"T1001", "count", "gt", "5", 1, "event"}}, HasRole: true}
	new = &Snapshot{Indicators: []Pattern{{"T1001", "count", "gt", "5", 1, "computed"}}, HasRole: true}
	r = Compare(old, new)
	assert.Len(t, r.Indicators, 2)
}

// TestComparePredicateForms: both forms of a predicate are compared when
// both outputs have the form as written; an output without it compares on
// the normalized form alone.
func TestComparePredicateForms(t *testing.T) {
	pred := func(valueRaw string) rule.Predicate {
		return rule.Predicate{FieldRaw: "Image", Field: "process.name", Op: rule.OpEq, Value: "nmap.exe",
			OpRaw: rule.OpEndsWith, ValueRaw: valueRaw, Role: rule.RoleEvent}
	}
	snap := func(p rule.Predicate, raw bool) *Snapshot {
		return &Snapshot{Rules: []*Rule{{Vendor: "sigma", RuleID: "a", Predicates: []rule.Predicate{p}}}, HasRaw: raw, HasRole: raw}
	}
	r := Compare(snap(pred(`\nmap.exe`), true), snap(pred(`/nmap.exe`), true))
	if assert.Len(t, r.Changed, 1) {
		assert.Equal(t, []string{`Image (process.name) eq "nmap.exe" (as written: endswith "/nmap.exe")`}, r.Changed[0].PredicatesAdded)
		assert.Equal(t, []string{`Image (process.name) eq "nmap.exe" (as written: endswith "\\nmap.exe")`}, r.Changed[0].PredicatesRemoved)
	}
	old := pred("")
	old.OpRaw, old.Role = "", ""
	assert.Empty(t, Compare(snap(old, false), snap(pred(`\nmap.exe`), true)).Changed, "an old output has no form as written")
}

func TestMarkdownEscaping(t *testing.T) {
	for in, want := range map[string]string{
		"plain":       "`plain`",
		"a`b":         "``a`b``",
		"`x`":         "`` `x` ``",
		"a``b`":       "``` a``b` ```",
		"two\nlines":  "`two lines`",
		"":            "",
		"  padded  ":  "`   padded   `",
		"pipe|inside": "`pipe|inside`",
	} {
		assert.Equal(t, want, code(in), "%q", in)
	}
	assert.Equal(t, "`a\\|b`", cellCode("a|b"))
	assert.Equal(t, `a \| b \*c\* &lt;script&gt; \[x\](y)`, mdText("a | b *c* <script> [x](y)"))

	r := &Result{Old: "o", New: "n", Changed: []RuleChange{{
		Old: &Rule{Vendor: "splunk", RuleID: "r1", Title: "T"}, New: &Rule{Vendor: "splunk", RuleID: "r1", Title: "T"},
		PredicatesAdded: []string{"x eq \"```\""},
	}}}
	var md bytes.Buffer
	require.NoError(t, WriteMarkdown(&md, r, Options{}))
	assert.Contains(t, md.String(), "\n````diff\n+ x eq \"```\"\n````\n", "the fence is longer than any backtick run")
}

func TestMaxRows(t *testing.T) {
	r := &Result{Old: "o", New: "n"}
	for i := range 5 {
		r.Added = append(r.Added, &Rule{Vendor: "sigma", RuleID: string(rune('a' + i))})
	}
	var text, md bytes.Buffer
	require.NoError(t, WriteText(&text, r, Options{MaxRows: 2}))
	assert.Contains(t, text.String(), "Rules added (5)\n")
	assert.Contains(t, text.String(), "  … 3 more (--max-rows 0 shows all)\n")
	assert.NotContains(t, text.String(), "sigma  c")
	require.NoError(t, WriteMarkdown(&md, r, Options{MaxRows: 2}))
	assert.Contains(t, md.String(), "… 3 more not shown.")
}

func TestAttachPredicates(t *testing.T) {
	rules := func() []*Rule {
		return []*Rule{{Vendor: "v", RuleID: "a", nPreds: 2}, {Vendor: "v", RuleID: "b", nPreds: 0}, {Vendor: "v", RuleID: "c", nPreds: 1}}
	}
	pr := func(id, value string) predRow {
		return predRow{"v", id, rule.Predicate{FieldRaw: "f", Op: rule.OpEq, Value: value}}
	}
	lines := func(rs []*Rule) [][]string {
		var out [][]string
		for _, r := range rs {
			var vs []string
			for _, p := range r.Predicates {
				vs = append(vs, p.Value)
			}
			out = append(out, vs)
		}
		return out
	}
	// In rule order, predicate_count rows per rule.
	rs := rules()
	attachPredicates(rs, []predRow{pr("a", "a1"), pr("a", "a2"), pr("c", "c1")})
	assert.Equal(t, [][]string{{"a1", "a2"}, nil, {"c1"}}, lines(rs))
	// Another order: grouped by vendor and rule id.
	rs = rules()
	attachPredicates(rs, []predRow{pr("c", "c1"), pr("a", "a1"), pr("a", "a2")})
	assert.Equal(t, [][]string{{"a1", "a2"}, nil, {"c1"}}, lines(rs))
	// Counts that do not add up (a negative or huge predicate_count is
	// clamped at load): grouped too.
	rs = rules()
	rs[2].nPreds = 5
	attachPredicates(rs, []predRow{pr("a", "a1"), pr("a", "a2"), pr("c", "c1")})
	assert.Equal(t, [][]string{{"a1", "a2"}, nil, {"c1"}}, lines(rs))
}
