package pipeline

import (
	"github.com/ruleatlas/ruleatlas/exporters"
	"github.com/ruleatlas/ruleatlas/exporters/parquet"
)

// Exporters returns the registered output formats in the order they run.
func Exporters() []exporters.Exporter {
	return []exporters.Exporter{
		parquet.Exporter{}, // the data-science tables, SPEC §6
	}
}
