package qtok

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumberEnd(t *testing.T) {
	for src, want := range map[string]int{
		"5":     1,
		"12 x":  2,
		"1.5)":  3,
		"1.":    1, // no digit after the dot: not a fraction
		"1.x":   1,
		"2e10":  4,
		"2E+3,": 4,
		"2e-":   1,
		"2ex":   1,
		"3.1e2": 5,
		".5":    2, // ES|QL lets a number start at the dot
	} {
		assert.Equal(t, want, NumberEnd(src, 0), src)
	}
}

func TestTripleQuoted(t *testing.T) {
	v, end, err := TripleQuoted(`"""a "b" \n"""" x`, 0, "open")
	require.NoError(t, err)
	assert.Equal(t, `a "b" \n"`, v)
	assert.Equal(t, 15, end)
	_, _, err = TripleQuoted(`"""a`, 0, "unterminated raw string")
	assert.EqualError(t, err, "line 1, column 1: unterminated raw string")
}

func TestStringsDecode(t *testing.T) {
	plain := &Strings{}
	withCR := &Strings{CRStops: true}
	extra := &Strings{Escape: func(src string, i int) (rune, int, bool, error) {
		if src[i+1] == 'x' {
			return '×', i + 2, true, nil
		}
		return 0, 0, false, nil
	}}
	for _, tc := range []struct {
		s        *Strings
		src, val string
		end      int
		err      string
	}{
		{plain, `"abc" d`, "abc", 5, ""},
		{plain, `'a"b'`, `a"b`, 5, ""},
		{plain, `"a\"b\\c\n\r\t"`, "a\"b\\c\n\r\t", 15, ""},
		{plain, "\"a\rb\"", "a\rb", 5, ""},
		{withCR, "\"a\rb\"", "", 0, "line 1, column 1: unterminated string"},
		{plain, "\"a\nb\"", "", 0, "line 1, column 1: unterminated string"},
		{plain, `"ab`, "", 0, "line 1, column 1: unterminated string"},
		{plain, `"ab\`, "", 0, "line 1, column 1: unterminated string"},
		{plain, `"a\qb"`, "", 0, `line 1, column 3: illegal escape sequence \q`},
		{extra, `"a\xb"`, "a×b", 6, ""},
		{extra, `"a\yb"`, "", 0, `line 1, column 3: illegal escape sequence \y`},
	} {
		v, end, err := tc.s.Decode(tc.src, 0)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.src)
			continue
		}
		require.NoError(t, err, tc.src)
		assert.Equal(t, tc.val, v, tc.src)
		assert.Equal(t, tc.end, end, tc.src)
	}
}

func TestSpace(t *testing.T) {
	lx := NewLexer("a /* c */ b ")
	var toks []Token
	for {
		space, end, err := lx.Space()
		require.NoError(t, err)
		if end {
			toks = lx.Toks
			break
		}
		tk, err := lx.Name()
		require.NoError(t, err)
		tk.Space = space
		lx.Toks = append(lx.Toks, tk)
	}
	require.Len(t, toks, 3)
	assert.Equal(t, Token{Val: "a", Pos: 0, Kind: Ident}, toks[0])
	assert.Equal(t, Token{Val: "b", Pos: 10, Kind: Ident, Space: true}, toks[1])
	assert.Equal(t, Token{Pos: 12, Kind: EOF, Space: true}, toks[2])
	_, _, err := (&Lexer{Src: " /*"}).Space()
	assert.EqualError(t, err, "line 1, column 2: unterminated comment")
}

func TestWriteQuoted(t *testing.T) {
	for _, tc := range []struct {
		s, plain, hex string
	}{
		{`a"b\c`, `"a\"b\\c"`, `"a\"b\\c"`},
		{"l1\nl2\r\t", `"l1\nl2\r\t"`, `"l1\nl2\r\t"`},
		{"nul\x00del\x7f", "\"nul\x00del\x7f\"", `"nul\u{0}del\u{7f}"`},
		{"é\xff", "\"é\xff\"", "\"é\xff\""},
	} {
		var plain, hex strings.Builder
		WriteQuoted(&plain, tc.s, false)
		WriteQuoted(&hex, tc.s, true)
		assert.Equal(t, tc.plain, plain.String(), tc.s)
		assert.Equal(t, tc.hex, hex.String(), tc.s)
		v, end, err := (&Strings{}).Decode(plain.String(), 0)
		require.NoError(t, err)
		assert.Equal(t, tc.s, v, "plain reads back")
		assert.Equal(t, plain.Len(), end)
	}
}
