package pdf

import (
	"math"
	"strconv"
	"sync"
)

// This file writes the most frequent PDF operator, text showing, without
// fmt: fpdf's Text formats it with fmt.Sprintf, which was a sixth of the
// reports' CPU.

// textOp writes the operator fpdf's Text writes for single-byte text when
// the fill and text colours agree (BT x y Td (text) Tj ET, two decimals,
// the same bytes) without fmt, which took a sixth of the reports' CPU.
// Text in a UTF-8 font, or with another fill colour (fpdf then wraps it in
// q … Q), goes through fpdf.Text.
func (d *doc) textOp(x, y float64, text string) {
	b := append(d.op[:0], "BT "...)
	b = appendFixed2(b, x*d.k)
	b = append(b, ' ')
	b = appendFixed2(b, (d.ph-y)*d.k)
	b = append(b, " Td ("...)
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	b = append(b, ") Tj ET"...)
	d.op = b
	d.f.RawWriteStr(string(b))
}

// appendFixed2 appends v with two decimals, as fmt's %.2f and
// strconv.AppendFloat(b, v, 'f', 2, 64) do (the same bytes), from an
// integer: values within a millionth of a rounding tie go to strconv,
// which rounds the exact binary value.
func appendFixed2(b []byte, v float64) []byte {
	r := v * 100
	if math.IsNaN(r) || math.Abs(r) >= 1<<53 {
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	fl := math.Floor(r)
	frac := r - fl
	if math.Abs(frac-0.5) < 1e-6 {
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	n := int64(fl)
	if frac > 0.5 {
		n++
	}
	if math.Signbit(v) {
		b = append(b, '-')
	}
	if n < 0 {
		n = -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	c := n % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// line draws a line as fpdf's Line does (x1 y1 m x2 y2 l S, the same
// bytes), through appendFixed2.
func (d *doc) line(x1, y1, x2, y2 float64) {
	b := appendFixed2(d.op[:0], x1*d.k)
	b = append(b, ' ')
	b = appendFixed2(b, (d.ph-y1)*d.k)
	b = append(b, " m "...)
	b = appendFixed2(b, x2*d.k)
	b = append(b, ' ')
	b = appendFixed2(b, (d.ph-y2)*d.k)
	b = append(b, " l S"...)
	d.op = b
	d.f.RawWriteStr(string(b))
}

// rectFill fills a rectangle as fpdf's Rect(…, "F") does (x y w h re f,
// the same bytes), through appendFixed2.
func (d *doc) rectFill(x, y, w, h float64) {
	b := appendFixed2(d.op[:0], x*d.k)
	b = append(b, ' ')
	b = appendFixed2(b, (d.ph-y)*d.k)
	b = append(b, ' ')
	b = appendFixed2(b, w*d.k)
	b = append(b, ' ')
	b = appendFixed2(b, -h*d.k)
	b = append(b, " re f"...)
	d.op = b
	d.f.RawWriteStr(string(b))
}

// colorOps caches colorOp's operators; a run uses a few dozen colours.
var colorOps sync.Map // colorKey → string

type colorKey struct {
	c      rgb
	stroke bool
}

// colorOp is the operator that sets the fill (or, stroke true, the
// stroke) colour c, as fpdf's SetFillColor and SetDrawColor write it:
// "v g" for grey, "r g b rg" otherwise (RG, G for stroking), three
// decimals of the component over 255.
func colorOp(c rgb, stroke bool) string {
	k := colorKey{c, stroke}
	if s, ok := colorOps.Load(k); ok {
		return s.(string)
	}
	comp := func(v int) float64 { return float64(min(max(v, 0), 255)) / 255 }
	r, g, b := comp(c.r), comp(c.g), comp(c.b)
	var out []byte
	// fpdf's grey test, as written: integer red equals green, float red equals blue.
	if min(max(c.r, 0), 255) == min(max(c.g, 0), 255) && r == b {
		out = strconv.AppendFloat(out, r, 'f', 3, 64)
		out = append(out, " g"...)
	} else {
		out = strconv.AppendFloat(out, r, 'f', 3, 64)
		out = append(out, ' ')
		out = strconv.AppendFloat(out, g, 'f', 3, 64)
		out = append(out, ' ')
		out = strconv.AppendFloat(out, b, 'f', 3, 64)
		out = append(out, " rg"...)
	}
	if stroke {
		out[len(out)-1] = 'G'
		if out[len(out)-2] == 'r' {
			out[len(out)-2] = 'R'
		}
	}
	s, _ := colorOps.LoadOrStore(k, string(out))
	return s.(string)
}

func rgbOf(r, g, b int) rgb { return rgb{r, g, b} }
