package html

import (
	"slices"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// maxTelemetryGaps is the number of data components the index ranks.
const maxTelemetryGaps = 20

// telemetryGaps returns the data components ranked by the techniques' gaps
// they would close, the first maxTelemetryGaps of them (templates/html/telemetry.tmpl).
func telemetryGaps(set *tables.Set) []view.ComponentGap {
	g := view.TelemetryGaps(set)
	return g[:min(len(g), maxTelemetryGaps)]
}

// telemetryTable is a technique's telemetry section with, on each row, the
// page positions of the counted rules that read the data component, so the
// filters recount it like the other tables.
type telemetryTable struct {
	Empty             bool
	Read, Gaps, Extra []telemetryRow
}

type telemetryRow struct {
	view.TelemetryRow
	R string // members (membersText)
}

// telemetryTable builds the telemetry section of technique id; onPage are
// the page's rules (indexes of s.rules) and countedPos the positions among
// them of the rules the page counts.
func (s *site) telemetryTable(id string, onPage, countedPos []int) telemetryTable {
	t := view.TechniqueTelemetry(s.set, id)
	out := telemetryTable{Empty: t.Empty()}
	rows := func(in []view.TelemetryRow) []telemetryRow {
		var rs []telemetryRow
		for _, r := range in {
			row := telemetryRow{TelemetryRow: r}
			if comps := s.set.RuleComponents; comps != nil {
				var pos []int
				for _, k := range countedPos {
					if row := s.ruleRow[onPage[k]]; row < len(comps) && slices.Contains(comps[row], r.ID) {
						pos = append(pos, k)
					}
				}
				if int64(len(pos)) == r.Rules { // every rule it counts is on the page: it recounts
					row.R = membersText(pos)
				}
			}
			rs = append(rs, row)
		}
		return rs
	}
	out.Read, out.Gaps, out.Extra = rows(t.Read), rows(t.Gaps), rows(t.Extra)
	return out
}
