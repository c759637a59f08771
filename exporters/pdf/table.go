package pdf

// This file draws tables: rows that wrap their cells, continue across
// pages under a repeated header, and may shade single cells.

// row is one table row; total rows are shaded and never zebra-striped.
// fill, when set, is the background of the whole row; shades colour single
// cells (by column index) and may print their text light.
type row struct {
	cells  []string
	total  bool
	fill   *rgb
	shades map[int]shade
}

// shade is the background of one table cell; light prints its text in
// white, for dark backgrounds.
type shade struct {
	c     rgb
	light bool
}

type column struct {
	Column
	x, w float64
	s    *style
}

func (d *doc) columns(spec []Column) []column {
	sum := 0.0
	for _, c := range spec {
		sum += c.Width
	}
	cols := make([]column, len(spec))
	x := d.left()
	for i, c := range spec {
		w := d.width() * c.Width / sum
		st := c.Style
		if st == "" {
			st = "td"
		}
		cols[i] = column{Column: c, x: x, w: w, s: d.st[st]}
		x += w
	}
	return cols
}

// table prints a table whose rows wrap their cells and continue across
// pages under a repeated header (preceded by the caption and "continued").
// Rows must have one cell per column; an empty table prints "None.".
func (d *doc) table(caption string, spec []Column, rows []row) {
	if len(rows) == 0 {
		d.para("note", d.l.Labels["none"], d.left())
		return
	}
	cols := d.columns(spec)
	th := d.st["th"]
	hasHeader := false
	labels := make([]string, len(cols))
	for i, c := range cols {
		labels[i] = c.Label
		hasHeader = hasHeader || c.Label != ""
	}
	headLines, headH := d.layoutRow(cols, labels, th)
	drawHeader := func(continued bool) {
		if continued && caption != "" {
			d.para("note", d.l.label("continued", "{caption}", caption), d.left())
		}
		if !hasHeader {
			return
		}
		d.fill(d.l.colors["th_fill"], d.left(), d.y, d.width(), headH)
		d.drawCells(cols, headLines, th, headH, nil)
		d.y += headH
	}
	for i, r := range rows {
		lines, h := d.layoutRow(cols, r.cells, nil)
		if i == 0 {
			// The header and the first rows (up to 3) start together: no
			// table leaves a header and one or two rows at a page foot.
			need := h
			for _, next := range rows[1:min(len(rows), 3)] {
				_, nh := d.layoutRow(cols, next.cells, nil)
				need += nh
			}
			if hasHeader {
				need += headH
			}
			d.ensure(need)
			drawHeader(false)
		} else if d.ensure(h) {
			drawHeader(true)
		}
		switch {
		case r.fill != nil:
			d.fill(*r.fill, d.left(), d.y, d.width(), h)
		case r.total:
			d.fill(d.l.colors["total_fill"], d.left(), d.y, d.width(), h)
		case d.l.Table.Zebra && i%2 == 1:
			d.fill(d.l.colors["zebra"], d.left(), d.y, d.width(), h)
		}
		d.drawCells(cols, lines, nil, h, r.shades)
		d.y += h
		d.hline(d.y, d.left(), d.right())
	}
}

// layoutRow wraps every cell (in s, or each column's style when nil) and
// returns the lines and the row height.
func (d *doc) layoutRow(cols []column, cells []string, s *style) ([][]string, float64) {
	pad := d.l.Table.Padding
	lines := make([][]string, len(cols))
	h := 0.0
	for i, c := range cols {
		cs := c.s
		if s != nil {
			cs = s
		}
		text := ""
		if i < len(cells) {
			text = cells[i]
		}
		lines[i] = d.wrap(cs, text, c.w-2*pad, d.l.Table.MaxCellLines)
		h = max(h, float64(len(lines[i]))*d.pitch(cs))
	}
	return lines, h + 2*pad
}

func (d *doc) drawCells(cols []column, lines [][]string, s *style, h float64, shades map[int]shade) {
	pad := d.l.Table.Padding
	for i, c := range cols {
		cs := c.s
		if s != nil {
			cs = s
		}
		if sh, ok := shades[i]; ok {
			d.fill(sh.c, c.x, d.y, c.w, h)
			if sh.light {
				cs = lightStyle(cs)
			}
		}
		lh := d.pitch(cs)
		y := d.y + pad
		for _, line := range lines[i] {
			x := c.x + pad
			if c.Align == "R" {
				x = c.x + c.w - pad - cs.width(line)
			}
			d.text(cs, x, y, lh, line)
			y += lh
		}
	}
}

// lightStyle is s in white, for text on a dark background.
func lightStyle(s *style) *style {
	l := *s
	l.c = rgb{255, 255, 255}
	return &l
}
