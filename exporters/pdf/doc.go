package pdf

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// pageAlias is replaced by the page count when the document is closed.
const pageAlias = "{nb}"

// ellipsis ends truncated text.
const ellipsis = "…"

// style is a resolved text style.
type style struct {
	font   string // Go font name, also the fpdf family
	m      *metrics
	single *singleByte // the font's single-byte form
	pt     float64     // size in points
	mm     float64     // size in millimetres
	c      rgb
	ellips string  // "…", or "..." when the font lacks it
	bold   float64 // synthetic bold: outline stroke width in millimetres, 0 = none
}

// width returns the width of clean text in millimetres.
func (s *style) width(text string) float64 { return float64(s.m.measure(text)) * s.mm / 1000 }

// styles resolves every style of the layout.
func (l *Layout) styles() map[string]*style {
	out := map[string]*style{}
	for name, s := range l.Styles {
		font := l.Fonts[s.Font]
		c, _ := l.color(s.Color)
		st := &style{font: font, m: fontMetrics(font), single: singleByteFont(font), pt: s.Size, mm: s.Size * 25.4 / 72, c: c, ellips: ellipsis}
		if s.Bold {
			st.bold = st.mm * l.BoldStroke
		}
		if !st.m.covers('…') {
			st.ellips = "..."
		}
		out[name] = st
	}
	return out
}

// doc is one PDF being laid out: a thin layer over fpdf that keeps its own
// cursor, wraps text with the fonts' real metrics, breaks pages before
// anything would cross the bottom margin and draws the running header and
// footer.
type doc struct {
	f       *fpdf.Fpdf
	l       *Layout
	st      map[string]*style
	name    string // {doc} in header and footer
	date    string
	size    fpdf.SizeType
	fonts   map[string]bool // fpdf families added to the document
	cur     *style          // the style of the next text
	pw, ph  float64
	y       float64
	lineCol rgb
	gs      gstate
	links   map[string]int  // internal link per section heading (see linkTo)
	marked  map[string]bool // the links whose target is set
	k       float64         // points per millimetre (fpdf's scale factor)
	op      []byte          // scratch for textOp
}

// gstate is the graphics state fpdf has last written to the page. fpdf
// writes every setter call to the page unconditionally; doc calls it only on
// a change, which keeps the content streams (and their compression) small.
// Text is painted in the fill colour, set to the text colour before it
// (see use and put); fill and draw are the colours of the page being drawn.
type gstate struct {
	font       string
	pt         float64
	fill, draw rgb
	lineW      float64
	mode       int // text rendering mode: 0 fill, 2 fill and stroke (synthetic bold)
}

// lineWidth is the width of table rules and other thin lines, in millimetres.
const lineWidth = 0.15

// reportTime is the creation and modification date of every file: the run's
// report date at midnight UTC, or the Unix epoch when it does not parse, so
// no file ever carries the wall clock.
func reportTime(date string) time.Time {
	if t, err := time.Parse("2006-01-02", date); err == nil {
		return t.UTC()
	}
	return time.Unix(0, 0).UTC()
}

func newDoc(l *Layout, st map[string]*style, meta tables.Meta, name, title string) *doc {
	wh := pageSizes[l.Page.Size]
	size := fpdf.SizeType{Wd: wh[0], Ht: wh[1]}
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", Size: size})
	d := &doc{f: f, l: l, st: st, name: name, date: meta.ReportDate, size: size, fonts: map[string]bool{},
		lineCol: l.colors["line"], links: map[string]int{}, marked: map[string]bool{}}
	d.k = f.GetConversionRatio()
	f.SetCompression(l.CompressPages)
	f.SetCatalogSort(true)
	t := reportTime(meta.ReportDate)
	f.SetCreationDate(t)
	f.SetModificationDate(t)
	tool := d.clean("body", l.Labels["tool"])
	f.SetProducer(tool, true)
	f.SetCreator(tool, true)
	f.SetTitle(d.clean("body", title), true)
	f.SetAutoPageBreak(false, 0)
	m := l.Page.Margins
	f.SetMargins(m.Left, m.Top, m.Right)
	f.AliasNbPages(pageAlias) // before any font: it decides fpdf's subset base
	// The state every page starts from (fpdf repeats it at each new page);
	// nothing is written before the first page.
	f.SetLineWidth(lineWidth)
	f.SetDrawColor(d.lineCol.r, d.lineCol.g, d.lineCol.b)
	f.SetFillColor(0, 0, 0)
	f.SetTextColor(0, 0, 0)
	d.gs = gstate{lineW: lineWidth, draw: d.lineCol, fill: rgb{0, 0, 0}}
	return d
}

// clean makes text printable in a style's font.
func (d *doc) clean(styleName, s string) string { return d.st[styleName].m.clean(s) }

func (d *doc) left() float64   { return d.l.Page.Margins.Left }
func (d *doc) right() float64  { return d.pw - d.l.Page.Margins.Right }
func (d *doc) bottom() float64 { return d.ph - d.l.Page.Margins.Bottom }
func (d *doc) width() float64  { return d.right() - d.left() }

// use selects a style for the next text: its colours and rendering mode
// now, its font when the text is put (see put).
func (d *doc) use(s *style) *style {
	d.cur = s
	d.setFill(s.c) // text is painted in the fill colour (see put)
	mode := 0
	if s.bold > 0 {
		// Synthetic bold: the glyphs are stroked in the text colour too.
		mode = 2
		d.setDraw(s.c)
		d.setLineWidth(s.bold)
	}
	if mode != d.gs.mode {
		d.f.SetTextRenderingMode(mode)
		d.gs.mode = mode
	}
	return s
}

// put draws clean text at (x, y) in the current style's font. Text that
// Windows-1252 can encode uses the font's single-byte form, the rest its
// UTF-8 form; each form is added to the document on first use, so most
// documents never pay for fpdf's per-document UTF-8 font preparation.
func (d *doc) put(x, y float64, text string) {
	s := d.cur
	family := s.font
	enc, ok := encode1252(text)
	if ok && s.single.err == nil {
		if !d.fonts[family] {
			d.f.AddFontFromBytes(family, "", s.single.def, s.single.z)
			d.fonts[family] = true
		}
		text = enc
	} else {
		family += "-utf8"
		if !d.fonts[family] {
			// A private copy: fpdf (v0.9.0, utf8FontFile.getMetrics) appends to
			// a sub-slice of the font bytes while subsetting, writing into the
			// caller's array; shared bytes would leak one document's glyph
			// metrics into the next and race between workers.
			d.f.AddUTF8FontFromBytes(family, "", bytes.Clone(goFonts[s.font]))
			d.fonts[family] = true
		}
	}
	if family != d.gs.font || s.pt != d.gs.pt {
		d.f.SetFont(family, "", s.pt)
		d.gs.font, d.gs.pt = family, s.pt
	}
	if family == s.font {
		d.textOp(x, y, text) // in the fill colour, which use set to the text colour
		return
	}
	// fpdf's Text paints in its text colour, wrapping the text in q … Q
	// when its fill colour differs: both are set for real first.
	d.f.SetFillColor(s.c.r, s.c.g, s.c.b)
	d.f.SetTextColor(s.c.r, s.c.g, s.c.b)
	d.gs.fill = s.c
	d.f.Text(x, y, text)
}

// setFill and setDraw write the colour operators themselves (colorOp):
// fpdf's setters format three numbers per call, and the tables switch the
// fill colour twice per striped row. fpdf's own colours then lag behind;
// newPage reads back the ones fpdf repeats on a new page.
func (d *doc) setFill(c rgb) {
	if c != d.gs.fill {
		d.f.RawWriteStr(colorOp(c, false))
		d.gs.fill = c
	}
}

func (d *doc) setDraw(c rgb) {
	if c != d.gs.draw {
		d.f.RawWriteStr(colorOp(c, true))
		d.gs.draw = c
	}
}

func (d *doc) setLineWidth(w float64) {
	if w != d.gs.lineW {
		d.f.SetLineWidth(w)
		d.gs.lineW = w
	}
}

// newPage ends the current page (footer) and starts one in the given
// orientation ("" = portrait), with the running header after page 1.
func (d *doc) newPage(orient string) {
	if d.f.PageNo() > 0 {
		d.footer()
	}
	if orient == "" {
		orient = "P"
	}
	d.f.AddPageFormat(orient, d.size)
	d.pw, d.ph = d.f.GetPageSize()
	d.gs.mode = 0 // fpdf repeats font, its colours and line width on the new page, not the rendering mode
	d.gs.fill = rgbOf(d.f.GetFillColor())
	d.gs.draw = rgbOf(d.f.GetDrawColor())
	d.y = d.l.Page.Margins.Top
	if d.f.PageNo() > 1 {
		d.header()
	}
}

func (d *doc) vars() []string {
	return []string{"{tool}", d.l.Labels["tool"], "{doc}", d.name, "{date}", d.date,
		"{page}", strconv.Itoa(d.f.PageNo()), "{pages}", pageAlias}
}

func (d *doc) header() {
	s := d.use(d.st["header"])
	text := d.fit(s, d.l.label("header", d.vars()...), d.width())
	base := d.l.Page.HeaderOffset
	d.put(d.left(), base, text)
	// The running header leads back to the first page (the overview).
	d.f.Link(d.left(), base-s.mm, s.width(text), s.mm*1.3, d.linkTo(firstPage))
	d.hline(base+1.5, d.left(), d.right())
}

// firstPage names the link to the top of page 1.
const firstPage = "\x00first"

// linkTo is the internal link to a section, by its heading text (or
// firstPage); a link made before its heading is drawn points there once it
// is.
func (d *doc) linkTo(name string) int {
	if id, ok := d.links[name]; ok {
		return id
	}
	id := d.f.AddLink()
	d.links[name] = id
	if name == firstPage {
		d.f.SetLink(id, 0, 1)
		d.marked[name] = true
	}
	return id
}

// mark makes the current position the target of name's link and adds an
// outline entry (bookmark) at level.
func (d *doc) mark(name string, level int) {
	d.f.SetLink(d.linkTo(name), d.y, d.f.PageNo())
	d.marked[name] = true
	d.f.Bookmark(outlineText(name), level, d.y)
}

// outlineText is text for an outline entry in plain ASCII: fpdf writes
// outline titles as UTF-16 only while a UTF-8 font is current, so other
// characters are spelled in ASCII.
func outlineText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r == '—' || r == '–' || r == '·':
			b.WriteByte('-')
		case r == '’' || r == '‘':
			b.WriteByte('\'')
		case r == '“' || r == '”':
			b.WriteByte('"')
		case r == '…':
			b.WriteString("...")
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func (d *doc) footer() {
	s := d.use(d.st["footer"])
	base := d.ph - d.l.Page.FooterOffset
	d.hline(base-3.2, d.left(), d.right())
	vars := d.vars()
	right := d.clean("footer", d.l.label("footer_right", vars...))
	// The page count is not known yet: measure as if it had as many digits
	// as this page number.
	rw := s.width(strings.ReplaceAll(right, pageAlias, strconv.Itoa(d.f.PageNo())))
	center := d.clean("footer", d.l.label("footer_center", vars...))
	cw := s.width(center)
	left := d.fit(s, d.l.label("footer_left", vars...), (d.width()-cw)/2-4)
	d.put(d.left(), base, left)
	d.put(d.left()+(d.width()-cw)/2, base, center)
	d.put(d.right()-rw, base, right)
}

// bytes closes the document and returns the PDF.
func (d *doc) bytes() ([]byte, error) {
	if d.f.PageNo() == 0 {
		d.newPage("")
	}
	d.footer()
	// A link whose section was not drawn (left out of the layout, or
	// empty) leads to page 1 rather than nowhere.
	for name, id := range d.links {
		if !d.marked[name] {
			d.f.SetLink(id, 0, 1)
		}
	}
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("rendering PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// ensure starts a new page unless h millimetres fit above the bottom margin;
// it reports whether it did.
func (d *doc) ensure(h float64) bool {
	if d.y+h <= d.bottom() || d.y <= d.l.Page.Margins.Top+0.01 {
		return false
	}
	orient := "P"
	if d.pw > d.ph {
		orient = "L"
	}
	d.newPage(orient)
	return true
}

func (d *doc) hline(y, x0, x1 float64) {
	d.setDraw(d.lineCol)
	d.setLineWidth(lineWidth)
	d.line(x0, y, x1, y)
}

func (d *doc) fill(c rgb, x, y, w, h float64) {
	d.setFill(c)
	d.rectFill(x, y, w, h)
}

// pitch is the line pitch of a style.
func (d *doc) pitch(s *style) float64 { return s.mm * d.l.Table.LineHeight }

// text draws one line whose box starts at top, vertically centred.
func (d *doc) text(s *style, x, top, lineH float64, line string) {
	if line == "" {
		return
	}
	d.use(s)
	d.put(x, top+lineH/2+s.mm*0.35, line)
}

// breakAfter are the characters after which a long token may wrap.
const breakAfter = `/\,;|&=:-._`

// wrap breaks text (cleaned for the style's font) into lines no wider than
// w millimetres, at spaces or after breakAfter characters where it can and
// anywhere inside longer tokens. At most maxLines lines are returned (0 =
// no limit); the last then ends with an ellipsis.
func (d *doc) wrap(s *style, text string, w float64, maxLines int) []string {
	text = s.m.clean(text)
	limit := int(w * 1000 / s.mm)
	if s.m.measure(text) <= limit {
		return []string{strings.TrimSpace(text)}
	}
	var lines []string
	var starts []int // byte offset of each line in text
	start, width := 0, 0
	space, punct := -1, -1 // break opportunities in the current line: after a space, after breakAfter
	spaceW := 0            // line width up to the space break
	truncated := false
	for i, r := range text {
		rw := 0
		if r < 0x10000 {
			rw = int(s.m.width[r])
		}
		if r == ' ' {
			width += rw
			space, spaceW = i+1, width
			continue
		}
		for width+rw > limit && i > start {
			// Prefer a space unless it leaves the line less than half full.
			cut := i
			switch {
			case space > start && (spaceW >= limit/2 || punct <= start):
				cut = space
			case punct > start:
				cut = punct
			}
			lines = append(lines, strings.TrimRight(text[start:cut], " "))
			starts = append(starts, start)
			for cut < i && text[cut] == ' ' {
				cut++
			}
			start, space, punct = cut, -1, -1
			width = s.m.measure(text[start:i])
			if maxLines > 0 && len(lines) == maxLines {
				truncated = true
				break
			}
		}
		if truncated {
			break
		}
		width += rw
		if strings.ContainsRune(breakAfter, r) {
			punct = i + utf8.RuneLen(r)
		}
	}
	if truncated {
		// The last line takes what is left, cut with an ellipsis.
		last := len(lines) - 1
		lines[last] = d.truncate(s, strings.TrimSpace(text[starts[last]:]), w)
		return lines
	}
	if rest := strings.TrimSpace(text[start:]); rest != "" || len(lines) == 0 {
		lines = append(lines, rest)
	}
	return lines
}

// fit returns text cleaned and cut to width w with an ellipsis.
func (d *doc) fit(s *style, text string, w float64) string {
	return d.truncate(s, s.m.clean(text), w)
}

// truncate cuts clean text to width w, ending with an ellipsis when cut.
func (d *doc) truncate(s *style, text string, w float64) string {
	limit := int(w * 1000 / s.mm)
	if s.m.measure(text) <= limit {
		return text
	}
	room := limit - s.m.measure(s.ellips)
	width := 0
	for i, r := range text {
		if r < 0x10000 {
			width += int(s.m.width[r])
		}
		if width > room {
			return strings.TrimRight(text[:i], " ") + s.ellips
		}
	}
	return text
}

// heading starts a section: a gap, the heading text and a rule under it,
// moved to a new page unless it and min millimetres of content fit.
func (d *doc) heading(text string, min float64) {
	s := d.st["heading"]
	lh := d.pitch(s)
	if d.y > d.l.Page.Margins.Top+0.01 {
		d.y += d.l.Page.SectionGap
	}
	lines := d.wrap(s, text, d.width(), 3)
	d.ensure(float64(len(lines))*lh + 2 + min)
	d.mark(text, 0)
	for _, line := range lines {
		d.text(s, d.left(), d.y, lh, line)
		d.y += lh
	}
	d.setDraw(s.c)
	d.setLineWidth(0.35)
	d.line(d.left(), d.y+0.4, d.right(), d.y+0.4)
	d.y += 2
}

// para prints wrapped text in a style from x to the right margin, breaking
// pages between lines.
func (d *doc) para(styleName, text string, x float64) {
	s := d.st[styleName]
	lh := d.pitch(s)
	for _, line := range d.wrap(s, text, d.right()-x, 0) {
		d.ensure(lh)
		d.text(s, x, d.y, lh, line)
		d.y += lh
	}
}

// keyValue prints "key  value" with the value wrapped in a column.
func (d *doc) keyValue(key, value string, keyW float64) {
	ks, vs := d.st["key"], d.st["value"]
	lh := max(d.pitch(ks), d.pitch(vs))
	lines := d.wrap(vs, value, d.width()-keyW, 0)
	d.ensure(lh * float64(min(len(lines), 3)))
	d.text(ks, d.left(), d.y, lh, d.fit(ks, key, keyW-2))
	for _, line := range lines {
		d.ensure(lh)
		d.text(vs, d.left()+keyW, d.y, lh, line)
		d.y += lh
	}
}

// bar is one bar of a horizontal bar chart: the fill is value/max of the
// track; text is printed right of the track.
type bar struct {
	label      string
	value, max float64
	text       string
	target     string // the heading (see linkTo) the bar links to, or ""
}

// bars draws a labelled horizontal bar chart.
func (d *doc) bars(items []bar) {
	c := d.l.Chart
	ls, vs := d.st["chart_label"], d.st["chart_value"]
	rowH := max(c.BarHeight, d.pitch(ls), d.pitch(vs)) + c.BarGap
	trackX := d.left() + c.LabelWidth
	trackW := d.width() - c.LabelWidth - c.ValueWidth
	for _, b := range items {
		d.ensure(rowH)
		top := d.y + c.BarGap/2
		d.text(ls, d.left(), top, rowH-c.BarGap, d.fit(ls, b.label, c.LabelWidth-2))
		by := top + (rowH-c.BarGap-c.BarHeight)/2
		d.fill(d.l.colors["bar_track"], trackX, by, trackW, c.BarHeight)
		if b.max > 0 && b.value > 0 {
			d.fill(d.l.colors["bar"], trackX, by, max(0.4, trackW*min(1, b.value/b.max)), c.BarHeight)
		}
		d.text(vs, trackX+trackW+2, top, rowH-c.BarGap, d.fit(vs, b.text, c.ValueWidth-2))
		if b.target != "" {
			d.f.Link(d.left(), top, d.width(), rowH-c.BarGap, d.linkTo(b.target))
		}
		d.y += rowH
	}
}
