package rule

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPattern(t *testing.T) {
	tests := map[string]struct {
		in     string
		wantOp Op
		want   string
	}{
		"plain":             {`nmap.exe`, OpEq, `nmap.exe`},
		"contains":          {`*mimikatz*`, OpContains, `mimikatz`},
		"startswith":        {`C:\Windows\\*`, OpStartsWith, `C:\Windows\`},
		"endswith":          {`*\nmap.exe`, OpEndsWith, `\nmap.exe`},
		"inner star":        {`C:\Users\\*\evil.exe`, OpWildcard, `C:\Users\\*\evil.exe`},
		"escaped inner":     {`C:\*\evil.exe`, OpEq, `C:*\evil.exe`},
		"question mark":     {`a?c`, OpWildcard, `a?c`},
		"lone star":         {`*`, OpIsNotNull, ``},
		"triple star":       {`***`, OpIsNotNull, ``},
		"star question":     {`*?*`, OpWildcard, `*?*`},
		"escaped star":      {`a\*b`, OpEq, `a*b`},
		"escaped trailing":  {`*foo\*`, OpEndsWith, `foo*`},
		"escaped backslash": {`C:\\Windows`, OpEq, `C:\Windows`},
		"backslash kept":    {`\nmap.exe`, OpEq, `\nmap.exe`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			op, v := Pattern(tc.in)
			assert.Equal(t, tc.wantOp, op)
			assert.Equal(t, tc.want, v)
		})
	}
}

func TestFlatten(t *testing.T) {
	sel := Cmp{FieldRaw: "Image", Op: OpEndsWith, Value: `\nmap.exe`}
	filt := Cmp{FieldRaw: "User", Op: OpEq, Value: "admin"}
	neq := Cmp{FieldRaw: "Port", Op: OpEq, Value: "80", Negated: true}
	tests := map[string]struct {
		in   Expr
		want []Predicate
		skip int
	}{
		"selection and not filter": {
			in: And{sel, Not{filt}},
			want: []Predicate{
				{FieldRaw: "Image", Op: OpEndsWith, Value: `\nmap.exe`},
				{FieldRaw: "User", Op: OpEq, Value: "admin", Negated: true, Exclusion: true},
			},
		},
		"negated operator at top level is an exclusion": {
			in: And{sel, neq},
			want: []Predicate{
				{FieldRaw: "Image", Op: OpEndsWith, Value: `\nmap.exe`},
				{FieldRaw: "Port", Op: OpEq, Value: "80", Negated: true, Exclusion: true},
			},
		},
		"nested not is negated but no exclusion": {
			in: And{sel, Or{filt, Not{neq}}},
			want: []Predicate{
				{FieldRaw: "Image", Op: OpEndsWith, Value: `\nmap.exe`},
				{FieldRaw: "User", Op: OpEq, Value: "admin"},
				{FieldRaw: "Port", Op: OpEq, Value: "80"},
			},
		},
		"nested ands are flattened to top level": {
			in: And{And{sel, Not{filt}}, Skipped{"eval"}},
			want: []Predicate{
				{FieldRaw: "Image", Op: OpEndsWith, Value: `\nmap.exe`},
				{FieldRaw: "User", Op: OpEq, Value: "admin", Negated: true, Exclusion: true},
			},
			skip: 1,
		},
		"double negation": {
			in:   Not{Not{filt}},
			want: []Predicate{{FieldRaw: "User", Op: OpEq, Value: "admin", Exclusion: true}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, skipped := Flatten(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Len(t, skipped, tc.skip)
		})
	}
}

func TestTechnique(t *testing.T) {
	for in, want := range map[string]string{
		"attack.t1595.002": "T1595.002",
		"TA0043:T1595.002": "T1595.002",
		"t1059":            "T1059",
		"T1003_001":        "T1003.001",
		"attack.execution": "",
	} {
		got, ok := Technique(in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, want != "", ok, in)
	}
}

func TestAnyOf(t *testing.T) {
	assert.Equal(t, Cmp{FieldRaw: "a", Op: OpIn, Value: "x"}, AnyOf("a", OpIn, []string{"x"}))
	assert.Equal(t, Or{Cmp{FieldRaw: "a", Op: OpContains, Value: "x"}, Cmp{FieldRaw: "a", Op: OpContains, Value: "y"}},
		AnyOf("a", OpContains, []string{"x", "y"}))
}

func TestFormat(t *testing.T) {
	got := Format([]Predicate{
		{FieldRaw: "Image", Field: "process.name", Op: OpEq, Value: "nmap.exe"},
		{FieldRaw: "x", Field: "x", Op: OpIsNull},
		{FieldRaw: "u", Op: OpIn, Value: `a"b`, Negated: true, Exclusion: true},
	})
	assert.Equal(t, "Image (process.name) eq \"nmap.exe\"\nx is_null\nu in \"a\\\"b\" negated exclusion\n", got)
}
