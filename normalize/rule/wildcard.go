package rule

import "strings"

// Pattern classifies a value that may hold the wildcards `*` (any run) and
// `?` (one character), with `\*`, `\?` and `\\` as escapes, per SPEC §4:
// `*x*` is contains x, `x*` startswith x, `*x` endswith x, a value with no
// wildcard is eq, and any other pattern stays wildcard (returned as written).
// A value made only of `*` (`*`, `**`, …) matches any value: it is
// OpIsNotNull with an empty value. The returned value has escapes removed
// except for OpWildcard.
func Pattern(v string) (Op, string) {
	if v != "" && strings.Trim(v, "*") == "" {
		return OpIsNotNull, ""
	}
	if !strings.ContainsAny(v, "*?") {
		return OpEq, unescape(v)
	}
	// Find unescaped wildcards.
	var wild []int
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '*', '?':
			wild = append(wild, i)
		}
	}
	if len(wild) == 0 {
		return OpEq, unescape(v)
	}
	for _, i := range wild {
		if v[i] == '?' {
			return OpWildcard, v
		}
	}
	n := len(v)
	lead := wild[0] == 0 && v[0] == '*'
	trail := wild[len(wild)-1] == n-1 && v[n-1] == '*'
	inner := len(wild)
	if lead {
		inner--
	}
	if trail && n > 1 {
		inner--
	}
	core := v
	if trail {
		core = core[:len(core)-1]
	}
	if lead && len(core) > 0 {
		core = core[1:]
	}
	if inner > 0 || core == "" {
		return OpWildcard, v
	}
	core = unescape(core)
	switch {
	case lead && trail:
		return OpContains, core
	case lead:
		return OpEndsWith, core
	default:
		return OpStartsWith, core
	}
}

// unescape removes the backslash before `*`, `?` and `\`.
func unescape(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '*' || v[i+1] == '?' || v[i+1] == '\\') {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
