package cursor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// word reads one run of non-space characters.
func word(c *Cursor) func() (string, error) {
	return func() (string, error) {
		start := c.Pos
		for c.Pos < len(c.Src) && !IsSpace(c.Src[c.Pos]) && c.Src[c.Pos] != ')' {
			c.Pos++
		}
		if c.Pos == start {
			return "", c.Errorf("expected a word, found %s", c.Describe())
		}
		return c.Src[start:c.Pos], nil
	}
}

func TestWhole(t *testing.T) {
	c := &Cursor{Src: " \n\t "}
	_, empty, err := Whole(c, word(c))
	require.NoError(t, err)
	assert.True(t, empty)

	c = &Cursor{Src: "  abc \n"}
	w, empty, err := Whole(c, word(c))
	require.NoError(t, err)
	assert.False(t, empty)
	assert.Equal(t, "abc", w)

	c = &Cursor{Src: "ab\n  é)"}
	_, _, err = Whole(c, word(c))
	assert.EqualError(t, err, `line 2, column 3: unexpected 'é'`)

	c = &Cursor{Src: ")"}
	_, _, err = Whole(c, word(c))
	assert.EqualError(t, err, `line 1, column 1: expected a word, found ')'`)
}

func TestPositions(t *testing.T) {
	c := &Cursor{Src: "aé\nbc", Pos: 99}
	assert.Equal(t, "end of query", c.Describe())
	assert.Equal(t, 3, c.Col(3), "columns count characters")
	assert.Equal(t, 2, c.Col(5))
	assert.EqualError(t, c.ErrorAt(5, "x %d", 1), "line 2, column 2: x 1")
	assert.EqualError(t, c.Errorf("end"), "line 2, column 3: end", "offsets past the end are clamped")
}

func TestDepth(t *testing.T) {
	c := &Cursor{}
	for range MaxDepth {
		require.NoError(t, c.Enter())
	}
	err := c.Enter()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "query nested too deeply (more than 100 levels)")
	c.Leave()
	c.Leave()
	require.NoError(t, c.Enter(), "Leave gives the level back")
}

func TestGroup(t *testing.T) {
	c := &Cursor{Src: "( ab )"}
	w, err := Group(c, ')', `"("`, func() (string, error) { c.SkipSpace(); return word(c)() })
	require.NoError(t, err)
	assert.Equal(t, "ab", w)
	assert.Equal(t, 6, c.Pos, "past the closing bracket")

	c = &Cursor{Src: "x{ ab ]"}
	c.Pos = 1
	_, err = Group(c, '}', `"{"`, func() (string, error) { c.SkipSpace(); return word(c)() })
	assert.EqualError(t, err, `line 1, column 7: expected "}" to close "{" at column 2, found ']'`)
}
