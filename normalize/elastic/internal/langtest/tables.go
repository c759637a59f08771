package langtest

import (
	"testing"

	"github.com/ruleatlas/ruleatlas/normalize/rule"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PrintCase is a query and its canonical form (an unnamed struct type,
// so tables may list its fields unkeyed).
type PrintCase = struct{ In, Want string }

// CheckPrint parses each query, checks its canonical form, and that the
// canonical form parses back to itself.
func CheckPrint[Q any](t *testing.T, l Lang[Q], tests map[string]PrintCase) {
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := l.Parse(tc.In)
			require.NoError(t, err)
			assert.Equal(t, tc.Want, l.Print(q))
			q2, err := l.Parse(l.Print(q))
			require.NoError(t, err, "reparse %q", l.Print(q))
			assert.Equal(t, tc.Want, l.Print(q2))
		})
	}
}

// ErrorCase is a query that does not parse and its error: line, column
// and message (an unnamed struct type, so tables may list its fields
// unkeyed).
type ErrorCase = struct {
	In        string
	Line, Col int
	Msg       string
}

// CheckErrors checks that each query fails with exactly its
// *rule.SyntaxError.
func CheckErrors[Q any](t *testing.T, l Lang[Q], tests map[string]ErrorCase) {
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := l.Parse(tc.In)
			var se *rule.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.Line, se.Line, "line")
			assert.Equal(t, tc.Col, se.Col, "column")
			assert.Equal(t, tc.Msg, se.Msg)
		})
	}
}

// LowerText parses src and returns its predicates in rule.Format text,
// followed by one "skipped: …" line per skipped clause.
func LowerText[Q any](t *testing.T, l Lang[Q], src string) string {
	t.Helper()
	q, err := l.Parse(src)
	require.NoError(t, err)
	return lowered(l, q)
}

func lowered[Q any](l Lang[Q], q Q) string {
	ps, skipped := rule.Flatten(l.Lower(q))
	out := rule.Format(ps)
	for _, s := range skipped {
		out += "skipped: " + s + "\n"
	}
	return out
}

// CheckLower checks the lowering of each query: Want is its LowerText,
// so a case without "skipped:" lines also checks nothing is skipped.
func CheckLower[Q any](t *testing.T, l Lang[Q], tests map[string]PrintCase) {
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.Want, LowerText(t, l, tc.In))
		})
	}
}
