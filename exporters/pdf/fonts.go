package pdf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/charmap"

	"github.com/ruleatlas/ruleatlas/exporters/pdf/ttfsubset"
)

// goFonts are the embeddable fonts by layout name.
var goFonts = map[string][]byte{"goregular": goregular.TTF, "gobold": gobold.TTF, "gomono": gomono.TTF}

// metrics are the glyph widths of one font in 1/1000 em, 0 where the font
// has no glyph (only the Basic Multilingual Plane is considered).
type metrics struct {
	width [0x10000]uint16
}

// perFont makes a value for each Go font once, on first use, for all
// documents and workers.
type perFont[T any] struct {
	make func(name string) *T
	mu   sync.Mutex
	m    map[string]*T
}

// get returns the value for the font, making it on first use.
func (c *perFont[T]) get(name string) *T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.m[name]; v != nil {
		return v
	}
	v := c.make(name)
	if c.m == nil {
		c.m = map[string]*T{}
	}
	c.m[name] = v
	return v
}

var metricsCache = perFont[metrics]{make: newMetrics}

// fontMetrics returns the metrics of a Go font, computed once.
func fontMetrics(name string) *metrics { return metricsCache.get(name) }

// newMetrics computes the metrics of a Go font: which runes it covers (its
// cmap, through sfnt) and their advance widths as fpdf measures them, so
// wrapping here matches what fpdf draws.
func newMetrics(name string) *metrics {
	ttf := goFonts[name]
	m := &metrics{}
	f, err := sfnt.Parse(ttf)
	if err == nil {
		p := fpdf.New("P", "mm", "A4", "")
		p.AddUTF8FontFromBytes("m", "", bytes.Clone(ttf))
		p.SetFont("m", "", 10)
		var buf sfnt.Buffer
		for r := rune(0x20); r < 0x10000; r++ {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				continue
			}
			if w := p.GetStringSymbolWidth(string(r)); w > 0 && w < 0xffff {
				m.width[r] = uint16(w)
			}
		}
	}
	// Plain ASCII must always be printable; sfnt failing would be a broken
	// build, but never let it blank out every character.
	if m.width['a'] == 0 {
		for r := 0x20; r < 0x7f; r++ {
			m.width[r] = 500
		}
	}
	return m
}

// covers reports whether the font has a glyph for r.
func (m *metrics) covers(r rune) bool { return r >= 0 && r < 0x10000 && m.width[r] != 0 }

// clean makes s printable in font m on one line: control characters
// (newlines and tabs included) become spaces, characters the font lacks
// (other scripts, emoji, invalid UTF-8, bidi controls) become '?'.
func (m *metrics) clean(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte(' ')
		case r == utf8.RuneError || !m.covers(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// measure returns the width of s (already clean) in 1/1000 em.
func (m *metrics) measure(s string) int {
	w := 0
	for _, r := range s {
		if r < 0x10000 {
			w += int(m.width[r])
		}
	}
	return w
}

// Printable returns s as the reports print it in the given Go font
// (goregular, gobold or gomono): control characters as spaces, characters
// outside the font as '?'. Tests use it to find values in extracted text.
func Printable(font, s string) string {
	if _, ok := goFonts[font]; !ok {
		font = "goregular"
	}
	return fontMetrics(font).clean(s)
}

// singleByte is a Go font prepared for fpdf's single-byte TrueType path:
// a font definition in the Windows-1252 encoding and the zlib-compressed
// font file, both made once per process. fpdf embeds such a font by
// copying its bytes, while its UTF-8 path parses, measures, subsets and
// compresses the font again for every document (about 3 ms each, two
// CPU-seconds over the shared corpora's reports). Text outside
// Windows-1252 is printed with the UTF-8 font (see doc.put), so any script
// the font covers still renders.
type singleByte struct {
	def, z []byte
	err    error
}

var singleByteCache = perFont[singleByte]{make: newSingleByte}

// singleByteFont returns the single-byte form of a Go font, made once.
func singleByteFont(name string) *singleByte { return singleByteCache.get(name) }

// newSingleByte makes the single-byte form of a Go font with fpdf.MakeFont
// in a temporary folder that is removed at once. When that fails (no
// writable temporary folder, say), err keeps why and the reports set all
// their text in the font's UTF-8 form: slower, the same text; the run does
// not report it.
func newSingleByte(name string) *singleByte {
	sb := &singleByte{}
	sb.def, sb.z, sb.err = makeSingleByte(name, goFonts[name])
	if sb.err != nil {
		sb.err = fmt.Errorf("preparing font %s: %w", name, sb.err)
	}
	return sb
}

// cp1252Map is the Windows-1252 code page in fpdf's encoding-map format
// ("!E9 U+00E9 name" per code). Codes without a printable character (C0
// and C1 controls, the five unassigned codes) are .notdef.
func cp1252Map() []byte {
	var b bytes.Buffer
	for c := 0; c < 256; c++ {
		r := charmap.Windows1252.DecodeByte(byte(c))
		name := fmt.Sprintf("uni%04X", r)
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			name = ".notdef"
		}
		fmt.Fprintf(&b, "!%02X U+%04X %s\n", c, r, name)
	}
	return b.Bytes()
}

// makeSingleByte subsets ttf to Windows-1252 and has fpdf.MakeFont write
// its definition and compressed font file.
func makeSingleByte(name string, ttf []byte) (def, z []byte, err error) {
	subset, err := subset1252(ttf)
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "ruleatlas-font-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	ttfPath := filepath.Join(dir, name+".ttf")
	// MakeFont compares the encoding with cp1252.map in the same folder;
	// both being Windows-1252, the font needs no /Differences.
	mapPath := filepath.Join(dir, "cp1252.map")
	if err := os.WriteFile(ttfPath, subset, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(mapPath, cp1252Map(), 0o600); err != nil {
		return nil, nil, err
	}
	if err := fpdf.MakeFont(ttfPath, mapPath, dir, nil, true); err != nil {
		return nil, nil, err
	}
	if def, err = os.ReadFile(filepath.Join(dir, name+".json")); err != nil {
		return nil, nil, err
	}
	if z, err = os.ReadFile(filepath.Join(dir, name+".z")); err != nil {
		return nil, nil, err
	}
	return def, z, nil
}

// subset1252 keeps only the outlines of the Windows-1252 characters (about
// a third of a Go font's glyphs): the single-byte font is embedded whole in
// every document.
func subset1252(ttf []byte) ([]byte, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("reading font: %w", err)
	}
	var buf sfnt.Buffer
	var gids []uint16
	for c := 0x20; c < 0x100; c++ {
		r := charmap.Windows1252.DecodeByte(byte(c))
		if g, err := f.GlyphIndex(&buf, r); err == nil && g != 0 {
			gids = append(gids, uint16(g))
		}
	}
	out, err := ttfsubset.Keep(ttf, gids)
	if err != nil {
		return nil, fmt.Errorf("subsetting font: %w", err)
	}
	return out, nil
}

// encode1252 returns clean text in Windows-1252, or false when a character
// has no code there.
func encode1252(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			return "", false
		}
		b = append(b, c)
	}
	return string(b), true
}
