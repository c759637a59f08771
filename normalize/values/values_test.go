package values

import (
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
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: " 04625 "},
			rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "4625"}},
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
