package qtok

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestName(t *testing.T) {
	for _, tc := range []struct {
		src, val string
		kind     Kind
		end      int
		err      string
	}{
		{"process.name == x", "process.name", Ident, 12, ""},
		{"@timestamp", "@timestamp", Ident, 10, ""},
		{"`a b`.c", "a b.c", Quoted, 7, ""},
		{"host.`my``field` x", "host.my`field", Quoted, 16, ""},
		{"`open", "", 0, 0, "line 1, column 1: unterminated quoted name"},
	} {
		tok, end, err := Name(tc.src, 0)
		if tc.err != "" {
			require.EqualError(t, err, tc.err, tc.src)
			continue
		}
		require.NoError(t, err, tc.src)
		require.Equal(t, Token{Val: tc.val, Kind: tc.kind}, tok, tc.src)
		require.Equal(t, tc.end, end, tc.src)
	}
}

func TestSkipSpace(t *testing.T) {
	for _, tc := range []struct {
		src     string
		end     int
		skipped bool
		err     string
	}{
		{"x", 0, false, ""},
		{" \t\n x", 4, true, ""},
		{"// note\nx", 8, true, ""},
		{"/* a */ x", 8, true, ""},
		{"  /* open", 2, false, "line 1, column 3: unterminated comment"},
	} {
		end, skipped, err := SkipSpace(tc.src, 0)
		if tc.err != "" {
			require.EqualError(t, err, tc.err, tc.src)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.end, end, tc.src)
		require.Equal(t, tc.skipped, skipped, tc.src)
	}
}

func TestLineColCountsRunes(t *testing.T) {
	// Byte 5 is the space after "zé" (é is two bytes): line 2, column 3.
	line, col := LineCol("a\nzé x", 5)
	require.Equal(t, []int{2, 3}, []int{line, col})
	line, col = LineCol("ab", 99)
	require.Equal(t, []int{1, 3}, []int{line, col})
}

func TestStream(t *testing.T) {
	s := &Stream{Src: "a (", Toks: []Token{{Kind: Ident, Val: "a"}, {Kind: Punct, Val: "(", Pos: 2}, {Kind: EOF, Pos: 3}}}
	require.True(t, IsKw(s.Peek(), "A"))
	require.True(t, IsPunct(s.PeekAt(1), "("))
	require.Equal(t, EOF, s.PeekAt(9).Kind)
	s.Advance()
	require.NoError(t, s.ExpectPunct("("))
	require.EqualError(t, s.ExpectPunct(")"), `line 1, column 4: expected ")", found end of query`)
	require.Equal(t, EOF, s.Advance().Kind)
	require.Equal(t, EOF, s.Advance().Kind, "never past the end")
	require.Equal(t, "number 5m", Describe(Token{Kind: Number, Val: "5m"}))
	require.Equal(t, "`a b`", Describe(Token{Kind: Quoted, Val: "a b"}))
}
