package html

import (
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
