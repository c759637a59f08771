// Package exporters is the registry of output formats. Each format lives in
// its own sub-package (parquet, xlsx, pdf, html, …), implements
// pipeline.Exporter and reads only the finished tables of a run.
package exporters

import (
	htmlexp "github.com/ruleatlas/ruleatlas/exporters/html"
	"github.com/ruleatlas/ruleatlas/exporters/markdown"
	"github.com/ruleatlas/ruleatlas/exporters/navigator"
	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
	"github.com/ruleatlas/ruleatlas/pipeline"
)

// All returns the output formats in the order they run.
func All() []pipeline.Exporter {
	return []pipeline.Exporter{
		parquet.Exporter{},   // the data-science tables, SPEC §6
		htmlexp.Exporter{},   // html/: the static catalog site
		navigator.Exporter{}, // navigator.json, navigator-<vendor>.json
		markdown.Exporter{},  // report.md
		xlsx.Exporter{},      // workbook.xlsx
		pdf.Exporter{},       // pdf/<technique>.pdf, pdf/summary.pdf
	}
}
