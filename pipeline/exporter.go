package pipeline

import (
	"context"

	"github.com/ruleatlas/ruleatlas/pipeline/tables"
)

// Exporter writes one output format from the finished tables. The formats
// live above the pipeline (package exporters and its sub-packages); the
// caller passes the ones it wants in Options.Exporters.
type Exporter interface {
	// Name is the --format key: parquet, xlsx, pdf, html, navigator, markdown.
	Name() string
	// Export writes its files below dir and returns their paths relative to
	// dir, in a stable order.
	Export(ctx context.Context, t *tables.Set, dir string) ([]string, error)
}
