package pipeline

import (
	"github.com/ruleatlas/ruleatlas/exporters"
	htmlexp "github.com/ruleatlas/ruleatlas/exporters/html"
	"github.com/ruleatlas/ruleatlas/exporters/markdown"
	"github.com/ruleatlas/ruleatlas/exporters/navigator"
	"github.com/ruleatlas/ruleatlas/exporters/parquet"
	"github.com/ruleatlas/ruleatlas/exporters/pdf"
	"github.com/ruleatlas/ruleatlas/exporters/xlsx"
)

// Exporters returns the registered output formats in the order they run.
func Exporters() []exporters.Exporter {
	return []exporters.Exporter{
		parquet.Exporter{},   // the data-science tables, SPEC §6
		htmlexp.Exporter{},   // html/: the static catalog site
		navigator.Exporter{}, // navigator.json, navigator-<vendor>.json
		markdown.Exporter{},  // report.md
		xlsx.Exporter{},      // workbook.xlsx
		pdf.Exporter{},       // pdf/<technique>.pdf, pdf/summary.pdf
	}
}
