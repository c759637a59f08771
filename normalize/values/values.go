// Package values rewrites predicate values so that the same check written
// several ways lands on one indicator (SPEC §5): path-suffix tests on an
// executable field become a file-name equality, Windows event ids become
// plain integers. Only rewrites that keep the meaning are applied; values are
// never trimmed (a leading or trailing space is part of what a rule matches).
package values

import (
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
)

// NameOf returns the file-name field paired with an executable-path field,
// or "" (fieldmap.Map.NameOf satisfies it).
type NameOf func(field string) string

// Rewrite normalizes one predicate whose Field is already mapped.
func Rewrite(p *rule.Predicate, nameOf NameOf) {
	switch p.Field {
	case "event.code":
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

// integer returns v as a canonical decimal integer ("04625" → "4625").
func integer(v string) (string, bool) {
	v = strings.Trim(v, `"' `)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}
