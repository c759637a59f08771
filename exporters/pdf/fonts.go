package pdf

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// goFonts are the embeddable fonts by layout name.
var goFonts = map[string][]byte{"goregular": goregular.TTF, "gobold": gobold.TTF, "gomono": gomono.TTF}

// metrics are the glyph widths of one font in 1/1000 em, 0 where the font
// has no glyph (only the Basic Multilingual Plane is considered).
type metrics struct {
	width [0x10000]uint16
}

var (
	metricsMu    sync.Mutex
	metricsCache = map[string]*metrics{}
)

// fontMetrics returns the metrics of a Go font, computed once: which runes
// it covers (its cmap, through sfnt) and their advance widths as fpdf
// measures them, so wrapping here matches what fpdf draws.
func fontMetrics(name string) *metrics {
	metricsMu.Lock()
	defer metricsMu.Unlock()
	if m := metricsCache[name]; m != nil {
		return m
	}
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
	metricsCache[name] = m
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
