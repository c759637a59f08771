package values

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

func TestRewrite(t *testing.T) {
	nameOf := func(f string) string {
		return map[string]string{"process.executable": "process.name", "process.parent.executable": "process.parent.name"}[f]
	}
	tests := map[string]struct{ in, want rule.Predicate }{
		"windows suffix": {
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\nmap.exe`},
			rule.Predicate{Field: "process.name", Op: rule.OpEq, Value: "nmap.exe"}},
		"unix suffix parent": {
			rule.Predicate{Field: "process.parent.executable", Op: rule.OpEndsWith, Value: "/nmap"},
			rule.Predicate{Field: "process.parent.name", Op: rule.OpEq, Value: "nmap"}},
		"deeper suffix kept": {
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\System32\cmd.exe`},
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\System32\cmd.exe`}},
		"suffix without separator kept": {
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: "cmd.exe"},
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: "cmd.exe"}},
		"other field kept": {
			rule.Predicate{Field: "file.name", Op: rule.OpEndsWith, Value: `\x.exe`},
			rule.Predicate{Field: "file.name", Op: rule.OpEndsWith, Value: `\x.exe`}},
		"event id": {
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "04625"},
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "4625"}},
		"event id in list": {
			rule.Predicate{Field: "event.code", Op: rule.OpIn, Value: "0013"},
			rule.Predicate{Field: "event.code", Op: rule.OpIn, Value: "13"}},
		"event id with spaces is not trimmed": {
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: " 4625 "},
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: " 4625 "}},
		"event id contains keeps its zeros": {
			rule.Predicate{Field: "event.code", Op: rule.OpContains, Value: "046"},
			rule.Predicate{Field: "event.code", Op: rule.OpContains, Value: "046"}},
		"signed event id untouched": {
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "+4625"},
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "+4625"}},
		"other field's number untouched": {
			rule.Predicate{Field: "destination.port", Op: rule.OpEq, Value: "0080"},
			rule.Predicate{Field: "destination.port", Op: rule.OpEq, Value: "0080"}},
		"suffix with wildcard kept": {
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\nmap*.exe`},
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\nmap*.exe`}},
		"negated suffix keeps negation": {
			rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\nmap.exe`, Negated: true},
			rule.Predicate{Field: "process.name", Op: rule.OpEq, Value: "nmap.exe", Negated: true}},
		"spaces kept": {
			rule.Predicate{Field: "process.command_line", Op: rule.OpContains, Value: " -e "},
			rule.Predicate{Field: "process.command_line", Op: rule.OpContains, Value: " -e "}},
		"regex untouched": {
			rule.Predicate{Field: "x", Op: rule.OpRegex, Value: " a+ "},
			rule.Predicate{Field: "x", Op: rule.OpRegex, Value: " a+ "}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := tc.in
			Rewrite(&p, nameOf)
			assert.Equal(t, tc.want, p)
		})
	}
}

// TestRewritesTable runs the documented examples, so the README's table
// says what the code does.
func TestRewritesTable(t *testing.T) {
	nameOf := func(f string) string { return map[string]string{"process.executable": "process.name"}[f] }
	for _, ex := range Rewrites {
		t.Run(ex.Name, func(t *testing.T) {
			p := ex.In
			Rewrite(&p, nameOf)
			assert.Equal(t, ex.Out, p)
			assert.NotEmpty(t, ex.When)
			assert.NotEmpty(t, ex.Why)
		})
	}
}

func FuzzRewrite(f *testing.F) {
	for _, s := range []string{`\nmap.exe`, "04625", " -e ", "/x", "", "\\"} {
		f.Add("process.executable", "endswith", s)
		f.Add("event.code", "eq", s)
	}
	f.Fuzz(func(t *testing.T, field, op, value string) {
		p := rule.Predicate{Field: field, Op: rule.Op(op), Value: value}
		Rewrite(&p, func(f string) string { return map[string]string{"process.executable": "process.name"}[f] })
		// Never trims: a rewritten value is the old one's tail or the same number.
		if p.Value != value && !strings.HasSuffix(value, p.Value) {
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || strconv.FormatInt(n, 10) != p.Value {
				t.Fatalf("%q became %q", value, p.Value)
			}
		}
		if p.Value != value && p.Op != rule.OpEq && p.Op != rule.Op(op) {
			t.Fatalf("op %s became %s", op, p.Op)
		}
	})
}
