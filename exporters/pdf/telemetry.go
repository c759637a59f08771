package pdf

import (
	"strconv"
	"strings"

	"github.com/ruleatlas/ruleatlas/pipeline/view"
)

// This file adds the telemetry and threat-actor views (issue 14): the
// telemetry table of a technique report (section "telemetry"), the data
// components ranked by the gaps they would close in the summary (section
// "telemetry_gaps") and the report of each group asked for with --group,
// pdf/group-<id>.pdf. Their labels may be overridden in the layout's labels;
// the defaults below apply otherwise.

// telemetryLabels are the default labels of this file's and group.go's
// sections (group.go adds its own in init).
var telemetryLabels = map[string]string{
	"telemetry":           "Telemetry: ATT&CK data components",
	"telemetry_note":      "Recommended: the technique's ATT&CK detection strategies call for the data component. Gap: recommended but read by no rule of the catalog.",
	"telemetry_read":      "recommended, read",
	"telemetry_gap":       "gap",
	"telemetry_extra":     "read, not recommended",
	"telemetry_gaps":      "Telemetry gaps: data components by techniques they would close",
	"telemetry_gaps_note": "Data components ATT&CK's detection strategies call for that no rule of the catalog reads, ranked by the number of current techniques whose gap they would close.",
}

// tlabel returns a label of the layout, or this file's default, with
// {key} replacements.
func (r *renderer) tlabel(key string, args ...string) string {
	s, ok := r.l.Labels[key]
	if !ok {
		s = telemetryLabels[key]
	}
	return fill(s, args)
}

var (
	telemetryCols = []Column{
		{Key: "component", Label: "Data component", Width: 3.2, Style: "td"},
		{Key: "status", Label: "Status", Width: 2, Style: "td"},
		{Key: "rules", Label: "Rules", Width: 0.9, Style: "td", Align: "R"},
		{Key: "vendors", Label: "Vendors", Width: 2.2, Style: "td"},
		{Key: "sources", Label: "ATT&CK log sources", Width: 4, Style: "td"},
	}
	gapCols = []Column{
		{Key: "rank", Label: "#", Width: 0.5, Style: "td", Align: "R"},
		{Key: "component", Label: "Data component", Width: 3.4, Style: "td"},
		{Key: "techniques", Label: "Techniques", Width: 1.3, Style: "td", Align: "R"},
		{Key: "uncovered", Label: "Without any rule", Width: 1.5, Style: "td", Align: "R"},
		{Key: "examples", Label: "For example", Width: 4, Style: "td"},
	}
)

// maxTelemetryGaps is the number of data components the summary ranks.
const maxTelemetryGaps = 20

// techTelemetry draws the telemetry table of a technique report.
func (r *renderer) techTelemetry(d *doc, p view.Page) {
	t := view.TechniqueTelemetry(r.set, p.ID)
	caption := r.tlabel("telemetry")
	d.heading(caption, 15)
	d.para("note", r.tlabel("telemetry_note"), d.left())
	d.y += 1
	var rows []row
	for _, x := range t.Rows() {
		status := r.tlabel("telemetry_extra")
		switch {
		case x.Recommended && x.Rules > 0:
			status = r.tlabel("telemetry_read")
		case x.Recommended:
			status = r.tlabel("telemetry_gap")
		}
		rows = append(rows, cellsOf(telemetryCols, func(key string) string {
			switch key {
			case "component":
				return x.ID + " " + x.Name
			case "status":
				return status
			case "rules":
				return itoa(x.Rules)
			case "vendors":
				return strings.Join(x.Vendors, ", ")
			case "sources":
				return strings.Join(x.Sources, "; ")
			}
			return ""
		}))
	}
	d.table(caption, telemetryCols, rows)
}

// telemetryGaps draws the summary's ranking of data components by the
// techniques' gaps they would close.
func (r *renderer) telemetryGaps(d *doc) {
	caption := r.tlabel("telemetry_gaps")
	d.heading(caption, 15)
	d.para("note", r.tlabel("telemetry_gaps_note"), d.left())
	d.y += 1
	gaps := view.TelemetryGaps(r.set)
	shown := gaps[:min(len(gaps), maxTelemetryGaps)]
	var rows []row
	for i, g := range shown {
		rows = append(rows, cellsOf(gapCols, func(key string) string {
			switch key {
			case "rank":
				return strconv.Itoa(i + 1)
			case "component":
				return g.ID + " " + g.Name
			case "techniques":
				return strconv.Itoa(g.Techniques)
			case "uncovered":
				return strconv.Itoa(g.Uncovered)
			case "examples":
				return strings.Join(g.Examples, ", ")
			}
			return ""
		}))
	}
	d.table(caption, gapCols, rows)
	r.shown(d, len(shown), len(gaps))
}

// orUnknown is the ATT&CK version shown when the run has none.
func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}
