package xlsx

import (
	"maps"
	"slices"
	"strconv"
)

// HistorySheet is the coverage trend of the `ruleatlas history` run kept in
// the output folder; the workbook has it only then.
const HistorySheet = "History"

// historySheet writes one row per vendor (techniques covered), per tactic
// (techniques covered by any vendor) and per technique (rules, all
// vendors), with a column per point and the change from the first to the
// last point. Counts are of the kinds that raise alerts.
func (b *book) historySheet() error {
	h := b.set.History
	type line struct {
		kind, id, name string
		values         []int
	}
	lines := []line{{"techniques covered", "", "All vendors", h.All}}
	for _, v := range h.Vendors {
		lines = append(lines, line{"techniques covered", "", v, h.Covered[v]})
	}
	for _, t := range h.TacticOrder {
		lines = append(lines, line{"tactic", "", t, h.Tactics[t]})
	}
	for _, id := range slices.Sorted(maps.Keys(h.Rules)) {
		lines = append(lines, line{"rules", id, b.techName(id), h.Rules[id]})
	}
	cols := []column{{title: "Row", max: 20}, {title: "Technique", max: 12}, {title: "Name", max: 44}}
	for _, p := range h.Points {
		cols = append(cols, column{title: p, width: 11})
	}
	cols = append(cols, column{title: "Change", width: 9})
	n := len(h.Points)
	return b.table(table{
		name: HistorySheet, cols: cols, rows: len(lines), source: "history", freezeCols: 3,
		fill: func(i int, cells []any) {
			l := lines[i]
			cells[0], cells[1], cells[2] = b.str(l.kind, b.st.text), b.str(l.id, b.st.text), b.str(l.name, b.st.text)
			first, last := -1, l.values[n-1]
			for j, v := range l.values {
				if v < 0 {
					cells[3+j] = b.str("", b.st.text) // not measured at this point
					continue
				}
				if first < 0 {
					first = v
				}
				cells[3+j] = b.num(int64(v))
			}
			cells[3+n] = b.str(signedChange(max(first, 0), max(last, 0)), b.st.text)
		},
	})
}

// signedChange writes last−first with its sign.
func signedChange(first, last int) string {
	d := last - first
	if d > 0 {
		return "+" + strconv.Itoa(d)
	}
	return strconv.Itoa(d)
}
