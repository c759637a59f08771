package rule

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLogic(t *testing.T) {
	img := Cmp{FieldRaw: "Image", Op: OpEndsWith, Value: `\nmap.exe`}
	cmd := Cmp{FieldRaw: "CommandLine", Op: OpContains, Value: " -e "}
	user := Cmp{FieldRaw: "User", Op: OpEq, Value: "SYSTEM", Negated: true}
	for _, tc := range []struct {
		name string
		in   Expr
		want string
	}{
		{"nil", nil, ""},
		{"one comparison", img, `Image endswith "\\nmap.exe"`},
		{"spaces stay visible", cmd, `CommandLine contains " -e "`},
		{"negated operator", user, `User not eq "SYSTEM"`},
		{"existence has no value", Cmp{FieldRaw: "x", Op: OpIsNotNull}, `x is_not_null`},
		{"and of or with a filter", And{Or{img, cmd}, Not{X: user}},
			"all of\n  any of\n    Image endswith \"\\\\nmap.exe\"\n    CommandLine contains \" -e \"\n  not\n    User not eq \"SYSTEM\""},
		{"nested ands are one node", And{img, And{cmd, And{user}}},
			"all of\n  Image endswith \"\\\\nmap.exe\"\n  CommandLine contains \" -e \"\n  User not eq \"SYSTEM\""},
		{"a one-operand and is its operand", And{Or{img}}, `Image endswith "\\nmap.exe"`},
		{"skipped clause", And{img, Skipped{Reason: "line 3: join not read"}},
			"all of\n  Image endswith \"\\\\nmap.exe\"\n  (skipped: line 3: join not read)"},
		{"raw form wins", Cmp{FieldRaw: "Image", OpRaw: OpEndsWith, ValueRaw: `\a.exe`, Op: OpEq, Value: "a.exe"}, `Image endswith "\\a.exe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Logic(tc.in))
		})
	}
}

func TestLogicBounded(t *testing.T) {
	or := make(Or, 3*MaxLogicLines)
	for i := range or {
		or[i] = Cmp{FieldRaw: "f", Op: OpEq, Value: "v"}
	}
	// "all of", "any of", 1,200 comparisons and one more: 1,203 lines.
	got := Logic(And{or, Cmp{FieldRaw: "g", Op: OpEq, Value: "w"}})
	lines := strings.Split(got, "\n")
	require.Len(t, lines, MaxLogicLines+1)
	require.Equal(t, "… 803 more lines", lines[len(lines)-1])
}
