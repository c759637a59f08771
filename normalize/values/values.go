// Package values rewrites predicate values so that the same check written
// several ways lands on one indicator (SPEC §5): path-suffix tests on an
// executable field become a file-name equality, Windows event ids become
// plain integers. Only rewrites that keep the meaning are applied; values are
// never trimmed (a leading or trailing space is part of what a rule matches).
// Rewrites lists every rewrite, with an example, for the documentation.
package values

import (
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// NameOf returns the file-name field paired with an executable-path field,
// or "" (fieldmap.Map.NameOf satisfies it).
type NameOf func(field string) string

// Example is one rewrite, written the way the README's table shows it.
type Example struct {
	Name string         // what the rewrite does
	When string         // when it applies
	Why  string         // why the meaning is kept
	In   rule.Predicate // a predicate before (Field already mapped)
	Out  rule.Predicate // the same predicate after
}

// Rewrites lists every rewrite Rewrite applies, each with an example that
// the package's tests run.
var Rewrites = []Example{
	{
		Name: "path suffix → file-name equality",
		When: "op endswith on a path field paired with a file-name field (process.executable → process.name, process.parent.executable → process.parent.name, dll.path → dll.name, file.path → file.name), value a `\\` or `/` followed by one whole file name (no further separator or wildcard)",
		Why:  "a path ends with `\\name` exactly when its last component is `name`",
		In:   rule.Predicate{Field: "process.executable", Op: rule.OpEndsWith, Value: `\nmap.exe`},
		Out:  rule.Predicate{Field: "process.name", Op: rule.OpEq, Value: "nmap.exe"},
	},
	{
		Name: "event code as an integer",
		When: "event.code compared with eq, in, lt, lte, gt or gte against a value of decimal digits only",
		Why:  "event ids are numbers: `04625` and `4625` are the same id (contains, wildcards and values with any other character are left as written)",
		In:   rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "04625"},
		Out:  rule.Predicate{Field: "event.code", Op: rule.OpEq, Value: "4625"},
	},
}

// Rewrite normalizes one predicate whose Field is already mapped. The
// rule's own form stays in FieldRaw, OpRaw and ValueRaw.
func Rewrite(p *rule.Predicate, nameOf NameOf) {
	if p.Field == "event.code" && numericOp(p.Op) {
		if n, ok := integer(p.Value); ok {
			p.Value = n
		}
	}
	if name := nameOf(p.Field); name != "" {
		if base, ok := pathSuffix(p.Op, p.Value); ok {
			p.Field, p.Op, p.Value = name, rule.OpEq, base
		}
	}
}

func numericOp(op rule.Op) bool {
	switch op {
	case rule.OpEq, rule.OpIn, rule.OpLt, rule.OpLte, rule.OpGt, rule.OpGte:
		return true
	}
	return false
}

// pathSuffix reports whether op/value test that a path ends in one whole
// file name (`endswith \nmap.exe`, `endswith /nmap`) and returns the name.
func pathSuffix(op rule.Op, v string) (string, bool) {
	if op != rule.OpEndsWith || len(v) < 2 || (v[0] != '\\' && v[0] != '/') {
		return "", false
	}
	base := v[1:]
	if base == "" || strings.ContainsAny(base, `\/*?`) {
		return "", false
	}
	return base, true
}

// integer returns v, all decimal digits, as a canonical decimal integer
// ("04625" → "4625"). Anything else (a sign, a space, a quote) is not
// rewritten.
func integer(v string) (string, bool) {
	if v == "" || len(v) > 18 {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return "", false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}
