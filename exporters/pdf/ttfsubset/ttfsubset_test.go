package ttfsubset

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// outline returns a glyph's segments, or nil for an empty glyph.
func outline(t *testing.T, f *sfnt.Font, g sfnt.GlyphIndex) sfnt.Segments {
	t.Helper()
	var buf sfnt.Buffer
	segs, err := f.LoadGlyph(&buf, g, fixed.I(1000), nil)
	require.NoError(t, err, "glyph %d", g)
	return segs
}

func glyph(t *testing.T, f *sfnt.Font, r rune) sfnt.GlyphIndex {
	t.Helper()
	var buf sfnt.Buffer
	g, err := f.GlyphIndex(&buf, r)
	require.NoError(t, err)
	require.NotZero(t, g, "%q", r)
	return g
}

func TestKeep(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttf  []byte
	}{{"goregular", goregular.TTF}, {"gomono", gomono.TTF}} {
		t.Run(tc.name, func(t *testing.T) {
			orig, err := sfnt.Parse(tc.ttf)
			require.NoError(t, err)
			a, e, omega := glyph(t, orig, 'a'), glyph(t, orig, 'é'), glyph(t, orig, 'Ω')
			out, err := Keep(tc.ttf, []uint16{uint16(a), uint16(e)})
			require.NoError(t, err)
			require.Less(t, len(out), len(tc.ttf)/2, "most outlines are gone")
			sub, err := sfnt.Parse(out)
			require.NoError(t, err)
			require.Equal(t, orig.NumGlyphs(), sub.NumGlyphs(), "glyph ids are kept")

			// Kept glyphs are unchanged, others are empty, and every
			// character still maps to its id.
			for _, g := range []sfnt.GlyphIndex{0, a, e} {
				require.Equal(t, outline(t, orig, g), outline(t, sub, g), "glyph %d", g)
			}
			require.NotEmpty(t, outline(t, orig, omega))
			require.Empty(t, outline(t, sub, omega))
			require.Equal(t, omega, glyph(t, sub, 'Ω'))

			// Checksums: each table's, and the whole font's via head.
			tables, err := parseDirectory(out)
			require.NoError(t, err)
			for i, tb := range tables {
				if tb.tag != "head" {
					require.Equal(t, binary.BigEndian.Uint32(out[12+16*i+4:]), checksum(tb.data), tb.tag)
				}
			}
			require.Equal(t, uint32(0xB1B0AFBA), checksum(out))
		})
	}
}

// compositeGlyph encodes a composite glyph of the given parts, each with
// the given flags (moreComponents is set on all but the last).
func compositeGlyph(parts []uint16, flags []uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, 0xffff) // numberOfContours -1
	b = append(b, make([]byte, 8)...)               // bounding box
	for i, g := range parts {
		fl := flags[i]
		if i < len(parts)-1 {
			fl |= moreComponents
		}
		b = binary.BigEndian.AppendUint16(b, fl)
		b = binary.BigEndian.AppendUint16(b, g)
		b = append(b, make([]byte, argsSize(fl))...)
	}
	return b
}

func TestComponentsOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		glyph []byte
		want  []uint16
		err   bool
	}{
		{"empty glyph", nil, nil, false},
		{"simple glyph", []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, nil, false},
		{"byte args", compositeGlyph([]uint16{4}, []uint16{0}), []uint16{4}, false},
		{"every transform", compositeGlyph([]uint16{4, 5, 6, 7},
			[]uint16{argsAreWords, haveScale, haveXYScale, argsAreWords | haveTwoByTwo}), []uint16{4, 5, 6, 7}, false},
		{"cut after a component", compositeGlyph([]uint16{4, 5}, []uint16{0, 0})[:16], nil, true},
		{"cut header", []byte{0xff, 0xff, 0}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := componentsOf(tc.glyph)
			if tc.err {
				require.ErrorIs(t, err, errShort)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// tinyFont builds a font of the given glyphs with the given loca format.
func tinyFont(glyphs [][]byte, long bool) []byte {
	head := make([]byte, 54)
	if long {
		head[51] = 1
	}
	maxp := binary.BigEndian.AppendUint16(make([]byte, 4), uint16(len(glyphs)))
	var glyf []byte
	offsets := []int{0}
	for _, g := range glyphs {
		glyf = append(glyf, g...)
		if len(glyf)%2 != 0 {
			glyf = append(glyf, 0)
		}
		offsets = append(offsets, len(glyf))
	}
	return writeFont(0x00010000, []table{
		{"glyf", glyf}, {"head", head}, {"loca", writeLoca(offsets, long)}, {"maxp", maxp},
	})
}

// TestKeepComposites: a kept composite keeps its parts (nested too), other
// glyphs are emptied, in both loca formats.
func TestKeepComposites(t *testing.T) {
	simple := func(b byte) []byte { return []byte{0, 1, b, b, b, b, b, b, b, b, b, b} }
	glyphs := [][]byte{
		simple(0), simple(1), simple(2), simple(3),
		compositeGlyph([]uint16{1}, []uint16{0}),       // 4: made of 1
		compositeGlyph([]uint16{4, 2}, []uint16{0, 0}), // 5: made of 4 (so 1) and 2
		compositeGlyph([]uint16{6}, []uint16{0}),       // 6: made of itself
	}
	for _, long := range []bool{false, true} {
		out, err := Keep(tinyFont(glyphs, long), []uint16{5, 6, 999})
		require.NoError(t, err)
		tables, err := parseDirectory(out)
		require.NoError(t, err)
		var loca, glyf []byte
		for _, tb := range tables {
			switch tb.tag {
			case "loca":
				loca = tb.data
			case "glyf":
				glyf = tb.data
			}
		}
		offsets, err := readLoca(loca, len(glyphs), long, len(glyf))
		require.NoError(t, err)
		for g, want := range glyphs {
			got := glyf[offsets[g]:offsets[g+1]]
			if g == 3 {
				require.Empty(t, got, "glyph 3 is used by nothing kept")
				continue
			}
			require.Equal(t, want, got[:len(want)], "glyph %d (long=%v)", g, long)
		}
	}
}

func TestKeepRejects(t *testing.T) {
	bad := func(mutate func(b []byte) []byte) []byte { return mutate(append([]byte(nil), goregular.TTF...)) }
	for _, tc := range []struct {
		name string
		font []byte
		want string
	}{
		{"empty", nil, "truncated font"},
		{"not truetype", []byte("OTTO0000000000000000"), "not a TrueType font"},
		{"directory cut", goregular.TTF[:40], "truncated font"},
		{"table outside file", bad(func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[12+8:], uint32(len(b))) // first table's offset
			return b
		}), "truncated font"},
		{"no glyf", bad(func(b []byte) []byte {
			n := int(binary.BigEndian.Uint16(b[4:]))
			for i := range n {
				if string(b[12+16*i:12+16*i+4]) == "glyf" {
					copy(b[12+16*i:], "xxxx")
				}
			}
			return b
		}), "glyf tables"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Keep(tc.font, []uint16{1, 2, 3})
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// FuzzKeep feeds damaged fonts: Keep returns a font or an error, never
// panics, and what it returns has a readable table directory.
func FuzzKeep(f *testing.F) {
	simple := []byte{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	f.Add(tinyFont([][]byte{simple, simple, compositeGlyph([]uint16{1, 0}, []uint16{argsAreWords, haveTwoByTwo})}, false), uint16(2))
	f.Add(tinyFont([][]byte{simple, compositeGlyph([]uint16{1}, []uint16{haveScale})}, true), uint16(1))
	f.Add(goregular.TTF[:4000], uint16(3))
	f.Fuzz(func(t *testing.T, font []byte, g uint16) {
		out, err := Keep(font, []uint16{g, g / 2})
		if err != nil {
			return
		}
		if _, err := parseDirectory(out); err != nil {
			t.Fatalf("subset has no readable directory: %v", err)
		}
	})
}

// TestArgsSize pins the component sizes to the OpenType glyf table: two
// arguments of one byte or one word each, then no transform, one F2Dot14
// scale, an x and a y scale, or a 2×2 matrix.
func TestArgsSize(t *testing.T) {
	for flags, want := range map[uint16]int{
		0: 2, argsAreWords: 4,
		haveScale: 4, argsAreWords | haveScale: 6,
		haveXYScale: 6, argsAreWords | haveXYScale: 8,
		haveTwoByTwo: 10, argsAreWords | haveTwoByTwo: 12,
		moreComponents: 2,
	} {
		require.Equal(t, want, argsSize(flags), "flags %#04x", flags)
	}
}
