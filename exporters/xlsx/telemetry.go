package xlsx

import (
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// Sheets of the telemetry and threat-actor views (issue 14).
const (
	TelemetrySheet = "Telemetry"
	GroupsSheet    = "Groups"
)

// telemetry writes the Telemetry sheet: one row per technique × ATT&CK data
// component of datacomponents.parquet, with whether ATT&CK's detection
// strategies recommend it, how many rules read it, and the part it falls in
// (recommended and read, gap, read but not recommended).
func (b *book) telemetry() error {
	type row struct {
		tech string
		r    view.TelemetryRow
	}
	var rows []row
	if rec := b.set.DataComponents; rec != nil {
		ids := tables.Strings(rec, 0)
		for i := 0; i < ids.Len(); {
			id := ids.Value(i)
			for _, r := range view.TechniqueTelemetry(b.set, id).Rows() {
				rows = append(rows, row{id, r})
			}
			for i < ids.Len() && ids.Value(i) == id {
				i++
			}
		}
	}
	cols := []column{{title: "Technique", max: 14}, {title: "Name", max: 44}, {title: "Data component", max: 10},
		{title: "Data component name", max: 36}, {title: "Status", max: 22}, {title: "Recommended", max: 12},
		{title: "Rules", max: 10}, {title: "Vendors", max: 40}, {title: "ATT&CK log sources", max: 70}}
	return b.table(table{
		name: TelemetrySheet, cols: cols, rows: len(rows), source: tables.DataComponentsName, freezeCols: 1,
		fill: func(i int, cells []any) {
			x := rows[i]
			style := b.st.text
			if _, ok := b.coverageRow[x.tech]; ok {
				style = b.st.link
			}
			rec := "no"
			if x.r.Recommended {
				rec = "yes"
			}
			cells[0], cells[1] = b.str(x.tech, style), b.str(b.techName(x.tech), b.st.text)
			cells[2], cells[3] = b.str(x.r.ID, b.st.text), b.str(x.r.Name, b.st.text)
			cells[4], cells[5], cells[6] = b.str(x.r.Status(), b.st.text), b.str(rec, b.st.text), b.num(x.r.Rules)
			cells[7], cells[8] = b.str(strings.Join(x.r.Vendors, ", "), b.st.text), b.str(strings.Join(x.r.Sources, "; "), b.st.text)
		},
		links: func(i int, add func(int, string)) {
			if cr, ok := b.coverageRow[rows[i].tech]; ok {
				add(1, ref(CoverageSheet, 1, cr))
			}
		},
	})
}

// groupsSheet writes the Groups sheet: every ATT&CK group with the share of
// the techniques it uses that at least one rule covers, worst first; the
// header's filter sorts it any other way.
func (b *book) groupsSheet() error {
	rows := view.GroupSummaries(b.set)
	cols := []column{{title: "Group", max: 8}, {title: "Name", max: 30}, {title: "Techniques used", max: 12},
		{title: "Covered", max: 10}, {title: "Coverage", max: 10}, {title: "Rules", max: 10},
		{title: "Requested", max: 10}, {title: "Aliases", max: 80}}
	requested := map[string]bool{}
	for _, id := range b.set.Groups {
		requested[id] = true
	}
	return b.table(table{
		name: GroupsSheet, cols: cols, rows: len(rows), source: tables.ActorsName, freezeCols: 2,
		fill: func(i int, cells []any) {
			g := rows[i]
			cells[0], cells[1] = b.str(g.ID, b.st.text), b.str(g.Name, b.st.text)
			cells[2], cells[3] = b.num(int64(g.Techniques)), b.num(int64(g.Covered))
			if g.Techniques > 0 {
				cells[4] = excelize.Cell{StyleID: b.st.percent, Value: view.Share(int64(g.Covered), int64(g.Techniques))}
			}
			cells[5] = b.num(g.Rules)
			if requested[g.ID] {
				cells[6] = b.str("yes", b.st.bold)
			}
			cells[7] = b.str(strings.Join(g.Aliases, ", "), b.st.text)
		},
	})
}
