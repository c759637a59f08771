package html

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// TrendFile is the trend page, written when the output folder holds a
// `ruleatlas history` run.
const TrendFile = "trend.html"

// trendRow is one line of the trend page's tables.
type trendRow struct {
	ID, Name, Href string
	Search         string   // lower-cased id and name, for the page's filter
	Values         []string // one per point; "" where not measured
	First, Last    int
	Change         string
	Spark          template.HTML
}

func (s *site) trendData(from string) any {
	h := s.set.History
	d := struct {
		base
		Points     []string
		LastPoint  string
		Vendors    []trendRow
		Tactics    []trendRow
		Techniques []trendRow
	}{base: s.base(from, "Coverage over time"), Points: h.Points, LastPoint: h.Points[h.Last()]}
	series := func(id, name string, vs []int) trendRow {
		r := trendRow{ID: id, Name: clean(name), Spark: sparkline(vs)}
		for _, v := range vs {
			if v < 0 {
				r.Values = append(r.Values, "")
				continue
			}
			r.Values = append(r.Values, strconv.Itoa(v))
		}
		first, last := firstMeasured(vs), vs[len(vs)-1]
		r.First, r.Last, r.Change = max(first, 0), max(last, 0), view.Change(max(last, 0)-max(first, 0))
		return r
	}
	d.Vendors = append(d.Vendors, series("", "All vendors", h.All))
	for _, v := range h.Vendors {
		d.Vendors = append(d.Vendors, series("", v, h.Covered[v]))
	}
	for _, t := range h.TacticOrder {
		r := series("", t, h.Tactics[t])
		r.ID = strconv.Itoa(h.TacticTotal[t])
		d.Tactics = append(d.Tactics, r)
	}
	for _, id := range sortedKeys(h.Rules) {
		name := id
		if t := s.set.Attack.Techniques[id]; t != nil {
			name = t.Name
		}
		r := series(id, name, h.Rules[id])
		r.Values = nil // the technique table shows first, last and the line
		r.Search = strings.ToLower(id + " " + r.Name)
		if f, ok := s.techFile[id]; ok {
			r.Href = href(from, f)
		}
		d.Techniques = append(d.Techniques, r)
	}
	// Biggest changes first, then by id.
	slices.SortStableFunc(d.Techniques, func(a, b trendRow) int {
		return cmp.Compare(abs(b.Last-b.First), abs(a.Last-a.First))
	})
	return d
}

func firstMeasured(vs []int) int {
	for _, v := range vs {
		if v >= 0 {
			return v
		}
	}
	return -1
}

func abs(n int) int { return max(n, -n) }

// sparkWidth and sparkHeight are a sparkline's size in CSS pixels.
const sparkWidth, sparkHeight = 120, 24

// sparkline draws vs (one value per point; below 0 is "not measured") as an
// inline SVG line scaled from 0 to the largest value, with a dot at the
// last point. It has only numbers in it, so it is safe as HTML.
func sparkline(vs []int) template.HTML {
	hi := 1
	for _, v := range vs {
		hi = max(hi, v)
	}
	x := func(i int) float64 {
		if len(vs) == 1 {
			return sparkWidth / 2
		}
		return 2 + float64(sparkWidth-4)*float64(i)/float64(len(vs)-1)
	}
	y := func(v int) float64 { return float64(sparkHeight-3) - float64(sparkHeight-6)*float64(v)/float64(hi) }
	var pts []string
	for i, v := range vs {
		if v >= 0 {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		sparkWidth, sparkHeight, sparkWidth, sparkHeight, ariaValues(vs))
	if len(pts) > 0 {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="#2f6fb0" stroke-width="1.5" points="%s"/>`, strings.Join(pts, " "))
		last := pts[len(pts)-1]
		cx, cy, _ := strings.Cut(last, ",")
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2" fill="#0b4f8a"/>`, cx, cy)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ariaValues lists the values for readers that do not see the line.
func ariaValues(vs []int) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		if v < 0 {
			parts = append(parts, "none")
			continue
		}
		parts = append(parts, strconv.Itoa(v))
	}
	return strings.Join(parts, ", ")
}

// hasTrend reports whether the set carries a history trend to show.
func hasTrend(set *tables.Set) bool { return set.History != nil && set.History.First() >= 0 }
