package pdf

import (
	"fmt"
	"strconv"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// trendPalette colours the vendors' lines, in the order of the history's
// vendors; "all vendors" is drawn in the accent colour, thicker.
var trendPalette = []rgb{{47, 111, 176}, {214, 96, 39}, {44, 160, 44}, {148, 103, 189}, {140, 86, 75}, {227, 119, 194}}

// trendChartHeight is the chart's height in millimetres.
const trendChartHeight = 55

// trend draws the coverage trend of the history run found in the output
// folder: techniques covered at each point, per vendor and for all vendors,
// then per tactic at the first and the last point.
func (r *renderer) trend(d *doc) {
	h := r.set.History
	if h == nil || h.First() < 0 {
		return
	}
	first := h.First()
	l := r.l
	d.heading(l.Labels["trend_heading"], trendChartHeight+20)
	d.para("note", l.label("trend_note", "{first}", h.Points[0], "{last}", h.Points[h.Last()],
		"{points}", strconv.Itoa(len(h.Points))), d.left())
	d.y += 2
	series := []trendSeries{{name: l.Labels["trend_all"], values: h.All, color: l.colors["accent"], width: 0.7}}
	for i, v := range h.Vendors {
		series = append(series, trendSeries{name: v, values: h.Covered[v], color: trendPalette[i%len(trendPalette)], width: 0.4})
	}
	r.lineChart(d, h.Points, series)

	cols := []Column{
		{Key: "tactic", Label: l.Labels["trend_tactic"], Width: 40, Style: "td_bold"},
		{Key: "total", Label: l.Labels["trend_total"], Width: 14, Align: "R"},
		{Key: "first", Label: h.Points[first], Width: 16, Align: "R"},
		{Key: "last", Label: h.Points[h.Last()], Width: 16, Align: "R"},
		{Key: "change", Label: l.Labels["trend_change"], Width: 14, Align: "R"},
	}
	var rows []row
	for _, t := range h.TacticOrder {
		s := h.Tactics[t]
		from, last := s[first], s[h.Last()]
		rows = append(rows, cellsOf(cols, func(key string) string {
			switch key {
			case "tactic":
				return t
			case "total":
				return strconv.Itoa(h.TacticTotal[t])
			case "first":
				return strconv.Itoa(from)
			case "last":
				return strconv.Itoa(last)
			case "change":
				return view.Change(last - from)
			}
			return ""
		}))
	}
	d.y += 2
	d.table(l.Labels["trend_tactics_heading"], cols, rows)
}

// trendSeries is one line of the trend chart; a value below 0 is a point
// where the series was not measured.
type trendSeries struct {
	name   string
	values []int
	color  rgb
	width  float64
}

// lineChart draws the series over the points with a y axis up to a round
// maximum, the first, middle and last dates under the x axis and a
// legend below.
func (r *renderer) lineChart(d *doc, points []string, series []trendSeries) {
	ls := d.st["chart_label"]
	lh := d.pitch(ls)
	d.ensure(trendChartHeight + 3*lh)
	top, axisX := d.y, d.left()+12
	x0, x1 := axisX+2, d.right()-2
	y0, y1 := top+trendChartHeight, top+2
	lo, hi := -1, 0
	for _, s := range series {
		for _, v := range s.values {
			if v >= 0 && (lo < 0 || v < lo) {
				lo = v
			}
			hi = max(hi, v)
		}
	}
	// The axis starts at 0 unless every value lies in the upper half: then
	// it starts at a round value below the lowest, so a change of a few
	// techniques shows (the labels say where the axis starts).
	base := 0
	if lo > hi/2 {
		base = lo - max(1, (hi-lo)/2)
	}
	step := niceStep(hi - base)
	base = base / step * step
	top4 := max(base+step, (hi+step-1)/step*step)
	yOf := func(v int) float64 { return y0 - (y0-y1)*float64(v-base)/float64(top4-base) }
	xOf := func(i int) float64 {
		if len(points) == 1 {
			return (x0 + x1) / 2
		}
		return x0 + (x1-x0)*float64(i)/float64(len(points)-1)
	}
	// Grid and y labels.
	d.setLineWidth(0.15)
	d.setDraw(d.l.colors["line"])
	for v := base; v <= top4; v += step {
		y := yOf(v)
		d.line(axisX, y, x1+2, y)
		label := strconv.Itoa(v)
		d.text(ls, axisX-1-ls.width(label), y-lh/2, lh, label)
	}
	// X labels: first, middle, last.
	for _, i := range uniqueInts(0, len(points)/2, len(points)-1) {
		label := points[i]
		x := min(max(xOf(i)-ls.width(label)/2, axisX), d.right()-ls.width(label))
		d.text(ls, x, y0+1.2, lh, label)
	}
	// The series, thin ones first so "all vendors" lies on top.
	for i := len(series) - 1; i >= 0; i-- {
		s := series[i]
		d.setDraw(s.color)
		d.setLineWidth(s.width)
		prev := -1
		for j, v := range s.values {
			if v < 0 {
				prev = -1
				continue
			}
			if prev >= 0 {
				d.line(xOf(prev), yOf(s.values[prev]), xOf(j), yOf(v))
			} else if j == len(s.values)-1 || s.values[j+1] < 0 {
				d.f.Circle(xOf(j), yOf(v), s.width, "D") // a lone point
			}
			prev = j
		}
	}
	d.y = y0 + lh + 2.5
	// Legend: a short line and the name with its last value.
	x := d.left()
	for _, s := range series {
		last := s.values[len(s.values)-1]
		text := s.name
		if last >= 0 {
			text = fmt.Sprintf("%s %d", s.name, last)
		}
		w := 7 + ls.width(text) + 5
		if x+w > d.right() {
			x = d.left()
			d.y += lh
		}
		d.setDraw(s.color)
		d.setLineWidth(s.width + 0.2)
		d.line(x, d.y+lh/2, x+5, d.y+lh/2)
		d.text(ls, x+6, d.y, lh, text)
		x += w
	}
	d.y += lh + 1
}

// niceStep is a grid step that gives four to eight lines up to hi.
func niceStep(hi int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		if hi/s <= 7 {
			return s
		}
	}
	return max(1, hi/5)
}

func uniqueInts(vs ...int) []int {
	var out []int
	for _, v := range vs {
		if v >= 0 && (len(out) == 0 || out[len(out)-1] != v) {
			out = append(out, v)
		}
	}
	return out
}
