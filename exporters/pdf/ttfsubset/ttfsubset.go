// Package ttfsubset shrinks a TrueType font to the glyphs a document can
// use: the outlines of every other glyph are emptied, while glyph ids,
// metrics and the character map stay as they are, so the result measures
// and maps characters exactly like the original.
package ttfsubset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Composite glyph flags (OpenType glyf table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

var errShort = errors.New("truncated font")

// table is one entry of the font's table directory.
type table struct {
	tag  string
	data []byte
}

// Keep returns font with the outlines of all glyphs but gids (and the
// components they are built from) emptied. Glyph 0 (.notdef) is always
// kept. The font must be a TrueType font with glyf and loca tables.
func Keep(font []byte, gids []uint16) ([]byte, error) {
	tables, err := parseDirectory(font)
	if err != nil {
		return nil, err
	}
	get := func(tag string) []byte {
		for _, t := range tables {
			if t.tag == tag {
				return t.data
			}
		}
		return nil
	}
	head, maxp, loca, glyf := get("head"), get("maxp"), get("loca"), get("glyf")
	if len(head) < 54 || len(maxp) < 6 || loca == nil || glyf == nil {
		return nil, errors.New("not a TrueType font with head, maxp, loca and glyf tables")
	}
	long := binary.BigEndian.Uint16(head[50:]) == 1
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	offsets, err := readLoca(loca, numGlyphs, long, len(glyf))
	if err != nil {
		return nil, err
	}
	keep := make([]bool, numGlyphs)
	var mark func(g uint16, depth int) error
	mark = func(g uint16, depth int) error {
		if int(g) >= numGlyphs || keep[g] {
			return nil
		}
		if depth > 16 {
			return fmt.Errorf("glyph %d: composite glyphs nested too deeply", g)
		}
		keep[g] = true
		components, err := componentsOf(glyf[offsets[g]:offsets[g+1]])
		if err != nil {
			return fmt.Errorf("glyph %d: %w", g, err)
		}
		for _, c := range components {
			if err := mark(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, g := range append([]uint16{0}, gids...) {
		if err := mark(g, 0); err != nil {
			return nil, err
		}
	}
	// Short offsets count 2-byte words; long ones are kept 4-byte aligned.
	align := 2
	if long {
		align = 4
	}
	var newGlyf []byte
	newOffsets := make([]int, numGlyphs+1)
	for g := range numGlyphs {
		newOffsets[g] = len(newGlyf)
		if keep[g] {
			newGlyf = append(newGlyf, glyf[offsets[g]:offsets[g+1]]...)
			for len(newGlyf)%align != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	newOffsets[numGlyphs] = len(newGlyf)
	if !long && len(newGlyf) > 2*0xffff {
		return nil, errors.New("subset glyf table too large for short loca offsets")
	}
	newLoca := writeLoca(newOffsets, long)
	newHead := slices.Clone(head)
	binary.BigEndian.PutUint32(newHead[8:], 0) // checkSumAdjustment, set below
	for i := range tables {
		switch tables[i].tag {
		case "glyf":
			tables[i].data = newGlyf
		case "loca":
			tables[i].data = newLoca
		case "head":
			tables[i].data = newHead
		}
	}
	out := writeFont(binary.BigEndian.Uint32(font), tables)
	return out, nil
}

// parseDirectory reads the table directory of a TrueType font.
func parseDirectory(font []byte) ([]table, error) {
	if len(font) < 12 {
		return nil, errShort
	}
	switch v := binary.BigEndian.Uint32(font); v {
	case 0x00010000, 0x74727565: // 1.0, 'true'
	default:
		return nil, fmt.Errorf("not a TrueType font (version %#08x)", v)
	}
	n := int(binary.BigEndian.Uint16(font[4:]))
	if len(font) < 12+16*n {
		return nil, errShort
	}
	tables := make([]table, n)
	for i := range n {
		rec := font[12+16*i:]
		off, length := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || length < 0 || off > len(font) || length > len(font)-off {
			return nil, fmt.Errorf("table %q: %w", rec[:4], errShort)
		}
		tables[i] = table{tag: string(rec[:4]), data: font[off : off+length]}
	}
	return tables, nil
}

// readLoca returns the numGlyphs+1 glyph offsets into a glyf table of
// glyfLen bytes.
func readLoca(loca []byte, numGlyphs int, long bool, glyfLen int) ([]int, error) {
	size := 2
	if long {
		size = 4
	}
	if len(loca) < (numGlyphs+1)*size {
		return nil, fmt.Errorf("loca: %w", errShort)
	}
	offsets := make([]int, numGlyphs+1)
	for g := range offsets {
		if long {
			offsets[g] = int(binary.BigEndian.Uint32(loca[4*g:]))
		} else {
			offsets[g] = 2 * int(binary.BigEndian.Uint16(loca[2*g:]))
		}
		if offsets[g] > glyfLen || (g > 0 && offsets[g] < offsets[g-1]) {
			return nil, fmt.Errorf("loca: glyph %d has offset %d outside the glyf table", g, offsets[g])
		}
	}
	return offsets, nil
}

func writeLoca(offsets []int, long bool) []byte {
	if long {
		b := make([]byte, 4*len(offsets))
		for i, o := range offsets {
			binary.BigEndian.PutUint32(b[4*i:], uint32(o))
		}
		return b
	}
	b := make([]byte, 2*len(offsets))
	for i, o := range offsets {
		binary.BigEndian.PutUint16(b[2*i:], uint16(o/2))
	}
	return b
}

// componentsOf lists the glyphs a composite glyph is built from (none for a
// simple or empty glyph).
func componentsOf(g []byte) ([]uint16, error) {
	if len(g) == 0 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil, nil
	}
	var out []uint16
	p := 10
	for {
		if len(g) < p+4 {
			return nil, fmt.Errorf("composite glyph: %w", errShort)
		}
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, binary.BigEndian.Uint16(g[p+2:]))
		p += 4 + argsSize(flags)
		if flags&moreComponents == 0 {
			return out, nil
		}
	}
}

// argsSize is the size of a composite glyph component's arguments and
// transform, which follow its flags and glyph index.
func argsSize(flags uint16) int {
	n := 2
	if flags&argsAreWords != 0 {
		n = 4
	}
	switch {
	case flags&haveScale != 0:
		n += 2
	case flags&haveXYScale != 0:
		n += 4
	case flags&haveTwoByTwo != 0:
		n += 8
	}
	return n
}

// writeFont lays the tables out in their directory order, each on a 4-byte
// boundary with its checksum, and sets head's checkSumAdjustment.
func writeFont(version uint32, tables []table) []byte {
	n := len(tables)
	size := 12 + 16*n
	for _, t := range tables {
		size += (len(t.data) + 3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	binary.BigEndian.PutUint32(out, version)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := -1
	for i, t := range tables {
		rec := out[12+16*i:]
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t.data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t.data)))
		if t.tag == "head" {
			headAt = len(out)
		}
		out = append(out, t.data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	if headAt >= 0 {
		binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	}
	return out
}

// checksum is the OpenType table checksum: the sum of big-endian uint32
// words, the last one zero-padded.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	if len(b) > 0 {
		var last [4]byte
		copy(last[:], b)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}
